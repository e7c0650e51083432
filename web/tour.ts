/**
 * The guided tour on the full-page playground: each step is a button that
 * types real commands into the terminal, one after another.
 */
import type { BerthPlayground } from "./elements/berth-playground.ts";

interface TourStep {
  readonly title: string;
  readonly text: string;
  readonly commands: readonly string[];
}

const STEPS: readonly TourStep[] = [
  {
    title: "One kernel for everyone",
    text: "The host and a container print the same kernel name, release and version: containers share the host's kernel. Only the hostname differs.",
    commands: ["uname -a", "docker run --rm alpine uname -a"],
  },
  {
    title: "Images vs containers",
    text: "An image is a read-only template; each container is a running instance with its own writable layer. The second container starts from the same image and does not see the first one's file.",
    commands: [
      "docker images",
      "docker run --name first alpine sh -c 'echo hello > /greeting; cat /greeting'",
      "docker run --rm alpine cat /greeting",
      "docker ps -a",
    ],
  },
  {
    title: "Namespaces: each its own view",
    text: "Every container gets its own hostname, root filesystem and process IDs: its first process is PID 1 and it sees only its own processes. Different images bring different files (here, different distributions) on the same kernel and the same programs.",
    commands: [
      "hostname",
      "docker run --rm --hostname box alpine hostname",
      "docker run --rm alpine sh -c 'echo my PID is $$; ps'",
      "docker run --rm debian head -1 /etc/os-release",
      "docker run --rm fedora head -1 /etc/os-release",
    ],
  },
  {
    title: "Layers and copy-on-write",
    text: "Writes land in the container's writable layer; the image below is untouched. docker diff lists what changed: A added, C changed, D deleted. Select the container in the X-ray view to see its layers.",
    commands: ["docker run --name scratch alpine sh -c 'echo note > /root/note; rm /etc/issue'", "docker diff scratch", "docker run --rm alpine cat /etc/issue"],
  },
  {
    title: "Volumes: data that outlives containers",
    text: "A container's writable layer goes when the container goes. A volume lives outside every container's layers: one container writes to it, another reads it later. -v can also share a directory of the host, here read-only.",
    commands: [
      "docker run --rm -v notes:/data alpine sh -c 'echo kept > /data/note'",
      "docker run --rm -v notes:/data alpine cat /data/note",
      "docker volume ls",
      "docker run --rm -v /root/app:/app:ro alpine ls /app",
    ],
  },
  {
    title: "cgroups: limits on what a container may use",
    text: "Namespaces decide what a container sees; cgroups decide how much it may use. With --pids-limit 3 the container may run three processes at once: its shell and two sleeps, so ps fails to start (EAGAIN, as fork fails at a cgroup's pids.max). Without the limit, ps runs. Memory and CPU limits are not enforced yet.",
    commands: ["docker run --rm --pids-limit 3 alpine sh -c 'sleep 1 & sleep 1 & ps; wait'", "docker run --rm alpine sh -c 'sleep 1 & sleep 1 & ps; wait'"],
  },
  {
    title: "A Dockerfile becomes an image",
    text: "docker build runs each step of a Dockerfile: RUN in a real container, COPY from the build context; each makes a layer. The image then runs anywhere the kernel does. docker history lists its layers; the X-ray view shows them too.",
    commands: ["cat /root/app/Dockerfile", "docker build -t app /root/app", "docker run --rm app", "docker history app"],
  },
  {
    title: "Background containers and logs",
    text: "A detached container keeps running beside your shell; its output is kept by the engine. On the host its processes have host PIDs: ps on the host and docker top show them.",
    commands: [
      "docker run -d --name ticker alpine sh -c 'for i in 1 2 3; do echo tick $i; done; sleep 1000'",
      "docker ps",
      "docker logs ticker",
      "docker top ticker",
      "ps",
      "docker rm -f ticker",
    ],
  },
];

const playground = document.querySelector<BerthPlayground>("#playground");
const list = document.querySelector("#tour");

if (playground && list) {
  let busy = false;
  const buttons: HTMLButtonElement[] = [];
  for (const step of STEPS) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = step.title;
    const text = document.createElement("p");
    text.textContent = step.text;
    item.append(button, text);
    list.append(item);
    buttons.push(button);
    button.addEventListener("click", async () => {
      if (busy) return;
      busy = true;
      for (const b of buttons) b.disabled = true;
      try {
        await customElements.whenDefined("berth-playground");
        for (const command of step.commands) await playground.run(command);
      } finally {
        busy = false;
        for (const b of buttons) b.disabled = false;
      }
    });
  }
}

const screenReader = document.querySelector<HTMLInputElement>("#screen-reader");
screenReader?.addEventListener("change", () => {
  if (playground) playground.screenReader = screenReader.checked;
});
