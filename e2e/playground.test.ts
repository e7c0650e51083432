// The full-page playground in Chromium: boot to a prompt, the kernel shared by
// host and containers, an interactive container, Ctrl-C, the X-ray view and
// the tour. Screenshots land in e2e/output/.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { Page } from "playwright-core";

import { launchBrowser, playground, screenshot, serveSite, waitForLastLine, type Browser, type Site } from "./harness.ts";

describe("the playground page", () => {
  let site: Site;
  let browser: Browser;
  let page: Page;
  let pg: ReturnType<typeof playground>;

  before(async () => {
    site = await serveSite();
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.goto(site.url);
    pg = playground(page);
    await pg.ready();
  });

  after(async () => {
    await browser?.close();
    await site?.close();
  });

  it("boots to a host prompt, cross-origin isolated", async () => {
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    await pg.waitForText("root@berth:~#");
    await screenshot(page, "boot");
  });

  it("runs uname on the host and in a container: one kernel, two hostnames", async () => {
    const host = await pg.run("uname -a");
    const container = await pg.run("docker run --rm alpine uname -a");
    assert.equal(host.exitCode, 0);
    assert.equal(container.exitCode, 0, container.output);
    const [hostLine] = host.output.trim().split("\n");
    const containerLine = container.output.trim().split("\n").at(-1)!;
    const [, hostName, ...hostKernel] = hostLine!.split(" ");
    const [, containerName, ...containerKernel] = containerLine.split(" ");
    assert.equal(hostName, "berth");
    assert.match(containerName!, /^[0-9a-f]{12}$/);
    assert.deepEqual(containerKernel, hostKernel);
    assert.match(hostLine!, /^Linux berth \S+-berth .* wasm32/);
  });

  it("shows error messages on the terminal and passes exit statuses", async () => {
    const missing = await pg.run("nosuchcommand");
    assert.equal(missing.exitCode, 127);
    assert.match(missing.output, /nosuchcommand: not found/);
    const pipe = await pg.run("echo one two three | wc -w");
    assert.deepEqual(pipe, { output: "3\n", exitCode: 0 });
    // Into a pipe, ls writes one name per line as on Linux, not the terminal's columns.
    const names = await pg.run("ls / | wc -l; ls -1 / | wc -l");
    const [piped, oneColumn] = names.output.trim().split("\n").map(Number);
    assert.ok(piped! > 5, names.output);
    assert.equal(piped, oneColumn);
  });

  it("stops a foreground job with Ctrl-C", async () => {
    await pg.type("echo sleeping; sleep 100\r");
    await waitForLastLine(page, /^sleeping$/);
    const started = Date.now();
    await pg.type("\x03");
    const status = await pg.run("echo status=$?");
    assert.ok(Date.now() - started < 10_000);
    assert.equal(status.output, "status=130\n");
  });

  it("runs an interactive container: typed input, Ctrl-C inside, Ctrl-D back to the host", async () => {
    // Typed like a person: each line once the container's prompt is back.
    const containerPrompt = /^root@[0-9a-f]{12}:\/#$/;
    await pg.type("docker run -it --name box alpine sh\r");
    await waitForLastLine(page, containerPrompt);
    await pg.type("echo inside-$(hostname | cut -c1-4)\r");
    await waitForLastLine(page, containerPrompt);
    // Ctrl-C once the job runs (the shell reads a line in raw mode, where Ctrl-C is a key).
    await pg.type("echo sleeping; sleep 100\r");
    await waitForLastLine(page, /^sleeping$/);
    await pg.type("\x03");
    await waitForLastLine(page, containerPrompt);
    await pg.type("echo after-ctrl-c=$?\r");
    await pg.waitForText("after-ctrl-c=130");
    await screenshot(page, "interactive-container");
    await pg.type("\x04");
    const back = await pg.run("docker ps -a");
    assert.match(back.output, /Exited \(0\) .* box$/m);
    const screen = await pg.screen();
    assert.match(screen, /inside-[0-9a-f]{4}/);
  });

  it("shows a container's layers and writes in the X-ray view", async () => {
    const command = "docker run --name xray-demo alpine sh -c 'echo hi > /root/note; rm /etc/issue'";
    const made = await pg.run(command);
    assert.equal(made.exitCode, 0, made.output);
    // A line longer than the terminal is redrawn in place (the guest knows the width).
    assert.equal((await pg.screen()).split("--name xray-demo").length - 1, 1);
    const xray = page.locator("berth-xray");
    await xray.getByRole("button", { name: /xray-demo/ }).click();
    await xray.getByText("Layers of xray-demo").waitFor();
    await xray.getByText("A /root/note").waitFor();
    await xray.getByText("D /etc/issue").waitFor();
    assert.ok(await xray.getByText(/image layer [0-9a-f]{12}/).first().isVisible());
    const running = await pg.run("docker run -d --name sleeper --pids-limit 5 -m 32m -v notes:/srv/notes:ro alpine sleep 1000");
    assert.equal(running.exitCode, 0, running.output);
    await xray.getByRole("button", { name: /sleeper/ }).click();
    await xray.getByText("/srv/notes ← volume notes (ro)").waitFor();
    // PID 1 in the container's namespace, beside its host PID.
    const row = xray.getByRole("table", { name: "container processes" }).getByRole("row", { name: /sleep 1000/ });
    await row.waitFor();
    const [pid, hostPid] = (await row.getByRole("cell").allInnerTexts()).map((cell) => cell.trim());
    assert.equal(pid, "1");
    assert.match(hostPid!, /^\d+$/);
    assert.notEqual(hostPid, "1");
    // The host sees the same process under that host PID, marked with its container.
    const hostRow = xray.getByRole("table", { name: "host processes" }).getByRole("row", { name: /sleep 1000/ });
    const [hostView, , inContainer] = (await hostRow.getByRole("cell").allInnerTexts()).map((cell) => cell.trim());
    assert.equal(hostView, hostPid);
    assert.match(inContainer!, /^sleeper \(PID 1\)$/);
    // Its cgroup: the limits given, the memory its sleep reported, and CPU time the page cannot measure.
    await xray.getByText("1 of at most 5").waitFor();
    const memory = (await xray.locator("dl[aria-label=cgroup] dd").first().innerText()).trim();
    assert.match(memory, /^\d+\.\d MiB in use, at most 32\.0 MiB per process$/);
    assert.doesNotMatch(memory, /^0\.0 MiB/);
    await xray.getByText("not measurable in a browser tab").waitFor();
    await screenshot(page, "xray");
  });

  it("opens a shell in a running container with docker exec -it: its own PID namespace", async () => {
    await pg.type("docker exec -it sleeper sh\r");
    await waitForLastLine(page, /^root@[0-9a-f]{12}:\/#$/);
    await pg.type("ps\r");
    await waitForLastLine(page, /^root@[0-9a-f]{12}:\/#$/);
    await pg.type("exit\r");
    await waitForLastLine(page, /^root@berth:~#$/);
    const screen = await pg.screen();
    const ps = screen.slice(screen.lastIndexOf("# ps"));
    assert.match(ps, /^\s+1 .* sleep\s*$/m);
    assert.match(ps, /^\s+\d+ .* ps\s*$/m);
    assert.equal((await pg.run("echo back")).output, "back\n");
  });

  it("builds an image from a Dockerfile in the page and runs it", async () => {
    const build = await pg.run("docker build -t e2e-app /root/app");
    assert.equal(build.exitCode, 0, build.output);
    // The terminal gets BuildKit's live view: the last frame lists every step, finished.
    assert.match(build.output, /\[\+\] Building \d+\.\ds \(\d+\/\d+\) FINISHED/);
    assert.match(build.output, / => \[\d\/\d\] RUN /);
    assert.match(build.output, / => => naming to docker\.io\/library\/e2e-app:latest/);
    await screenshot(page, "build");
    const run = await pg.run("docker run --rm e2e-app");
    assert.equal(run.exitCode, 0, run.output);
    assert.match(run.output, /hello\.txt was copied from the build context/);
    await page.locator("berth-xray").getByText("e2e-app:latest").waitFor();
  });

  it("edits a Dockerfile with vi in a new top-level directory, builds and runs it", async () => {
    await pg.type("mkdir /work && cd /work && vi Dockerfile\r");
    // vi is up once its status line (ending in line,column) is the screen's last.
    await waitForLastLine(page, /\d+,\d+(-\d+)?$/);
    await pg.type('iFROM alpine\rCMD ["echo", "edited in vi"]');
    await waitForLastLine(page, /-- INSERT --/);
    await pg.type("\x1b");
    await waitForLastLine(page, /^(?!.*INSERT).*\d+,\d+(-\d+)?$/);
    await screenshot(page, "vi");
    await pg.type(":wq\r");
    await waitForLastLine(page, /^root@berth:\/work#$/);
    assert.equal((await pg.run("cat Dockerfile")).output, 'FROM alpine\nCMD ["echo", "edited in vi"]\n');
    const built = await pg.run("docker build -q -t vi-app . > /dev/null && docker run --rm vi-app");
    assert.deepEqual(built, { output: "edited in vi\n", exitCode: 0 });
    await pg.run("cd");
  });

  it("types a tour step's commands into the terminal", async () => {
    const ended: Promise<string[]> = page.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const commands: string[] = [];
          document.addEventListener("berth-command-exit", (event) => {
            commands.push((event as CustomEvent<{ command: string }>).detail.command);
            if (commands.length === 2) resolve(commands);
          });
        }),
    );
    await page.getByRole("button", { name: "One kernel for everyone" }).click();
    assert.deepEqual(await ended, ["uname -a", "docker run --rm alpine uname -a"]);
  });

  it("runs every tour step without an engine error or a missing command", async () => {
    const steps = await page.locator("#tour button").allInnerTexts();
    assert.ok(steps.length >= 5);
    for (const step of steps.slice(1)) {
      // As a string: tsx would wrap named functions in a helper the page lacks.
      const results = page.evaluate(`new Promise((resolve) => {
        const seen = [];
        const onExit = (event) => seen.push(event.detail);
        document.addEventListener("berth-command-exit", onExit);
        // The step is done when its buttons are enabled again.
        const poll = setInterval(() => {
          if (seen.length > 0 && !document.querySelector("#tour button").disabled) {
            clearInterval(poll);
            document.removeEventListener("berth-command-exit", onExit);
            resolve(seen);
          }
        }, 50);
      })`) as Promise<{ command: string; exitCode: number; output: string }[]>;
      await page.getByRole("button", { name: step }).click();
      for (const { command, exitCode, output } of await results) {
        assert.ok(![125, 126, 127].includes(exitCode), `${step}: ${command} exited ${exitCode}\n${output}`);
      }
    }
  });

  it("keeps the guest's idea of the terminal size in step with the page: stty size, tput cols", async () => {
    // The line editor redraws a wrapped line in place only if it knows the width.
    const long = `echo ${"wrapped-".repeat(12)}end`;
    const result = await pg.run(long);
    assert.equal(result.exitCode, 0);
    const screen = await pg.screen();
    assert.equal(screen.split(long).length - 1, 1, screen);
    const terminalSize = () =>
      page.evaluate(() => {
        const terminal = document.querySelector("berth-playground")!.shadowRoot!.querySelector("berth-terminal") as unknown as { size: { rows: number; columns: number } };
        return `${terminal.size.rows} ${terminal.size.columns}`;
      });
    assert.equal((await pg.run("stty size")).output, `${await terminalSize()}\n`);
    const before = await terminalSize();
    await page.setViewportSize({ width: 900, height: 600 });
    await page.waitForFunction((old) => {
      const terminal = document.querySelector("berth-playground")!.shadowRoot!.querySelector("berth-terminal") as unknown as { size: { rows: number; columns: number } };
      return `${terminal.size.rows} ${terminal.size.columns}` !== old;
    }, before);
    assert.equal((await pg.run("stty size")).output, `${await terminalSize()}\n`);
    assert.equal((await pg.run("tput cols")).output.trim(), (await terminalSize()).split(" ")[1]);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("switches xterm's screen-reader mode from the page", async () => {
    await page.getByLabel("Screen reader mode").check();
    const tree = page.locator("berth-terminal .xterm-accessibility-tree");
    await tree.waitFor({ state: "attached" });
    assert.match(await tree.innerText(), /root@berth:~#/);
    await page.getByLabel("Screen reader mode").uncheck();
  });

  it("logs no console errors", () => {
    assert.deepEqual(browser.errors, []);
  });
});
