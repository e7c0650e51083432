// The docker command on the host, end to end: the guest `docker` binary, the
// device, the TypeScript CLI, the runtime and the kernel.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { Kernel, Machine } from "../../kernel/index.ts";
import { bootNodeKernel } from "../../kernel/node-index.ts";
import { bootNodePlayground } from "../node-playground.ts";

describe("docker on the host", () => {
  let kernel: Kernel;
  let host: Machine;
  before(async () => {
    kernel = await bootNodeKernel({ includeTestCommands: true });
    const playground = await bootNodePlayground(kernel);
    host = playground.host.machine;
  });
  after(async () => kernel.close());

  const docker = (...args: string[]) => host.run(["docker", ...args], { timeoutMs: 20_000 });

  it("pulls when the image is missing, then runs", async () => {
    const r = await docker("run", "--rm", "alpine", "fsprobe", "cat", "/etc/os-release");
    assert.equal(r.exitCode, 0);
    assert.match(r.stdout, /^ID=alpine$/m);
    assert.match(r.stderr, /^Unable to find image 'alpine:latest' locally\nlatest: Pulling from library\/alpine\n[0-9a-f]{12}: Pull complete \nDigest: sha256:[0-9a-f]{64}\nStatus: Downloaded newer image for alpine:latest\n$/);
  });

  it("lists images", async () => {
    const r = await docker("images");
    assert.match(r.stdout, /^REPOSITORY   TAG       IMAGE ID       CREATED\s+SIZE\nalpine       latest    [0-9a-f]{12}   \d+ (months|years) ago   \d+(\.\d+)?kB\n$/);
  });

  it("passes the container's exit status through", async () => {
    assert.equal((await docker("run", "--rm", "alpine", "probe", "exit", "42")).exitCode, 42);
  });

  it("lists containers with Docker's columns", async () => {
    const id = (await docker("run", "--name", "first", "alpine", "probe", "exit", "3")).exitCode;
    assert.equal(id, 3);
    const r = await docker("ps", "-a");
    const [header, row] = r.stdout.split("\n");
    assert.match(header!, /^CONTAINER ID   IMAGE     COMMAND\s+CREATED\s+STATUS\s+PORTS     NAMES$/);
    assert.match(row!, /^[0-9a-f]{12}   alpine    "probe exit 3"\s+(Less than a second|\d+ seconds?) ago\s+Exited \(3\) (Less than a second|\d+ seconds?) ago\s+first$/);
    assert.equal((await docker("ps")).stdout.split("\n").length, 2); // header only: nothing running
  });

  it("takes -e NAME, --env-file's bare names and --build-arg NAME from the caller's environment, as the docker CLI", async () => {
    const sh = (script: string) => host.run(["sh", "-c", script], { cwd: "/root", timeoutMs: 30_000 });
    const run = await sh("printf 'FROM_FILE\\nNOT_SET\\n' > /tmp/vars; export GREETING=hello FROM_FILE=file; docker run --rm -e GREETING -e NOT_SET_EITHER --env-file /tmp/vars alpine env");
    assert.deepEqual(run.stdout.split("\n").filter((line) => /GREETING|FROM_FILE|NOT_SET/.test(line)).sort(), ["FROM_FILE=file", "GREETING=hello"]);
    const script = "mkdir -p /tmp/ba && cd /tmp/ba && printf 'FROM alpine\\nARG WHO\\nRUN echo $WHO > /who\\n' > Dockerfile && WHO=caller docker build -q --build-arg WHO -t ba . >/dev/null && docker run --rm ba cat /who";
    assert.equal((await sh(script)).stdout, "caller\n");
  });

  it("lists the last created containers, whatever their state, with -n and -l", async () => {
    await docker("run", "--name", "older", "alpine", "true");
    await docker("run", "--name", "newer", "alpine", "true");
    assert.equal((await docker("ps", "-n", "2", "--format", "{{.Names}}")).stdout, "newer\nolder\n");
    assert.equal((await docker("ps", "-l", "--format", "{{.Names}}")).stdout, "newer\n");
    const bad = await docker("ps", "--last", "two");
    assert.equal(bad.exitCode, 125);
    assert.match(bad.stderr, /^invalid argument "two" for "-n, --last" flag: strconv.ParseInt: parsing "two": invalid syntax/);
  });

  it("shows a container's changes with docker diff", async () => {
    await docker("run", "--name", "writer", "alpine", "fsprobe", "write", "/root/note", "hi");
    assert.equal((await docker("diff", "writer")).stdout, "C /root\nA /root/note\n");
    assert.equal((await docker("rm", "writer")).stdout, "writer\n");
  });

  it("shows no changes for a container that only read files", async () => {
    // The kernel opens files read-write even for cat; only a write may copy them up.
    const r = await docker("run", "--name", "reader", "alpine", "sh", "-c", "cat /etc/os-release >/dev/null; ls -l /etc /root >/dev/null; cd /var && pwd");
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal((await docker("diff", "reader")).stdout, "");
    assert.equal((await docker("cp", "reader:/etc", "/root/reader-etc")).exitCode, 0);
    assert.equal((await docker("diff", "reader")).stdout, "");
    assert.equal((await docker("rm", "reader")).stdout, "reader\n");
  });

  it("reads --env-file from the host, relative to the caller's directory; -e wins", async () => {
    const script = [
      "printf '# settings\\nA=one\\nB=from-file\\n\\nC\\nD=with spaces  \\n' > /root/vars.env",
      "cd /root && docker run --rm --env-file vars.env -e B=override alpine sh -c 'echo \"$A|$B|${C-unset}|$D|\"'",
    ].join("; ");
    const r = await host.run(["sh", "-c", script], { timeoutMs: 20_000 });
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, "one|override|unset|with spaces  |\n");
    const missing = await docker("run", "--rm", "--env-file", "/nope.env", "alpine", "true");
    assert.equal(missing.exitCode, 125);
    assert.match(missing.stderr, /^docker: open \/nope\.env: no such file or directory\n/);
  });

  it("answers mistakes in Docker's words and statuses", async () => {
    const cases: [string[], number, string][] = [
      [["foo"], 1, "docker: unknown command: docker foo\n\nRun 'docker --help' for more information\n"],
      [["run", "--bogus", "x"], 125, "unknown flag: --bogus\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information\n"],
      [["run"], 1, "docker: 'docker run' requires at least 1 argument\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee 'docker run --help' for more information\n"],
      [["ps", "extra"], 1, "docker: 'docker ps' accepts no arguments\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n"],
      [["diff", "a", "b"], 1, "docker: 'docker diff' requires 1 argument\n\nUsage:  docker diff CONTAINER\n\nRun 'docker diff --help' for more information\n"],
      [["rm", "nosuch"], 1, "Error response from daemon: No such container: nosuch\n"],
      [["run", "Alpine"], 125, "docker: invalid reference format: repository name must be lowercase\n\nRun 'docker run --help' for more information\n"],
      [["run", "alpine", "nosuchprogram"], 127, ""],
    ];
    for (const [args, status, stderr] of cases) {
      const r = await docker(...args);
      assert.equal(r.exitCode, status, args.join(" "));
      if (stderr) assert.equal(r.stderr, stderr, args.join(" "));
    }
  });

  it("refuses an image for another platform", async () => {
    const r = await docker("run", "mcr.microsoft.com/windows/nanoserver");
    assert.equal(r.exitCode, 125);
    assert.match(r.stderr, /docker: Error response from daemon: image with reference mcr\.microsoft\.com\/windows\/nanoserver was found but does not provide the specified platform \(linux\/wasm32\)\n/);
  });

  it("fails centos:6 at start as an old userland on a new kernel: its bash wants an interface this kernel lacks", async () => {
    const r = await docker("run", "--name", "old-userland", "centos:6");
    assert.equal(r.exitCode, 126);
    assert.match(r.stderr, /\/usr\/bin\/bash: Exec format error\n$/);
    assert.equal((await docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "old-userland")).stdout, "exited 126\n");
    // The rest of the image is fine: its files, and the kernel's own programs.
    assert.equal((await docker("run", "--rm", "centos:6", "cat", "/etc/centos-release")).stdout, "CentOS release 6.10 (Final)\n");
    const inside = await docker("run", "--rm", "centos:6", "sh", "-c", "bash; echo $?");
    assert.match(inside.stderr, /bash: cannot execute binary file: Exec format error/);
    assert.equal(inside.stdout, "126\n");
  });

  it("formats inspect, ps, images and volume ls with Go templates, as --format does", async () => {
    const id = (await docker("run", "-d", "--name", "formatted", "-l", "tier=web", "-v", "fmt-data:/data", "alpine", "sleep", "30")).stdout.trim();
    assert.equal((await docker("inspect", "-f", "{{.State.Status}} {{.Name}} {{range .Mounts}}{{.Name}}{{end}}", "formatted")).stdout, "running /formatted fmt-data\n");
    assert.equal((await docker("inspect", "--format", "{{json .Config.Labels}}", id)).stdout, '{"tier":"web"}\n');
    const ps = await docker("ps", "--format", "table {{.Names}}\t{{.Image}}\t{{.Labels}}\t{{.Mounts}}");
    assert.equal(ps.stdout, "NAMES       IMAGE     LABELS     MOUNTS\nformatted   alpine    tier=web   fmt-data\n");
    assert.equal((await docker("ps", "--format", "{{.ID}}:{{.State}}")).stdout, `${id.slice(0, 12)}:running\n`);
    assert.match((await docker("images", "--format", "{{.Repository}}:{{.Tag}}")).stdout, /^alpine:latest$/m);
    assert.equal((await docker("volume", "ls", "--format", "{{.Name}} {{.Driver}}")).stdout, "fmt-data local\n");
    assert.equal((await docker("image", "inspect", "-f", "{{.Os}}/{{.Architecture}}", "alpine")).stdout, "linux/wasm32\n");
    assert.equal((await docker("container", "inspect", "-f", "{{.Name}}", "formatted")).stdout, "/formatted\n");
    const wrongKind = await docker("container", "inspect", "alpine");
    assert.deepEqual([wrongKind.exitCode, wrongKind.stdout, wrongKind.stderr], [1, "[]\n", "Error: No such container: alpine\n"]);
    const bad = await docker("inspect", "-f", "{{.State.Status", "formatted");
    assert.equal(bad.exitCode, 1);
    assert.match(bad.stderr, /^template parsing error: /);
    await docker("rm", "-f", id);
  });
});
