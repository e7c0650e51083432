// Containers' processes end to end from the host's shell: PID namespaces,
// ps in and out of containers, exec, top, stop, restart, rename, create, logs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { Engine } from "../../engine/index.ts";
import type { Kernel, Machine } from "../../kernel/index.ts";
import { bootNodeKernel } from "../../kernel/node-index.ts";
import { pause } from "../../util/index.ts";
import { bootNodePlayground } from "../node-playground.ts";
import { topTable } from "./process-commands.ts";

describe("container processes", () => {
  let kernel: Kernel;
  let host: Machine;
  let engine: Engine;
  before(async () => {
    kernel = await bootNodeKernel({ includeTestCommands: true });
    const playground = await bootNodePlayground(kernel);
    host = playground.host.machine;
    engine = playground.engine;
    await docker("pull", "alpine");
  });
  after(async () => kernel.close());

  const docker = (...args: string[]) => host.run(["docker", ...args], { timeoutMs: 30_000 });
  const sh = (script: string) => host.run(["sh", "-c", script], { timeoutMs: 30_000 });

  it("gives a container its own PID namespace: PID 1 and only its processes", async () => {
    const r = await docker("run", "--rm", "alpine", "sh", "-c", "echo $$; ps -o pid,ppid,args");
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /^1\n +PID +PPID ARGS *\n +1 +0 sh -c echo \$\$; ps -o pid,ppid,args\n +2 +1 ps -o pid,ppid,args\n$/);
  });

  it("passes statuses from 80 up through shells intact (the kernel's join alone says 79)", async () => {
    const r = await sh('docker run --rm alpine nosuchprogram 2>/dev/null; echo $?; docker run --rm alpine sh -c "sh -c \\"exit 130\\"; echo \\$?"');
    assert.equal(r.stdout, "127\n130\n");
  });

  it("forgets a process the kernel ended without its exit line once its parent has waited for it", async () => {
    // The shell lives on (reading stdin), so its tree is not dropped as a whole.
    const shell = await host.spawn(["sh", "-c", "sleep 30 & sleep 1; kill -9 $!; wait; echo waited; read line"]);
    let output = "";
    for await (const chunk of shell.stdout) {
      output += new TextDecoder().decode(chunk);
      if (output.includes("waited")) break;
    }
    const sleeping = engine.runtime.processes().filter((p) => p.args.join(" ") === "sleep 30");
    await shell.kill();
    assert.deepEqual(sleeping, []);
  });

  it("shows a running container's processes on the host under host PIDs, and in docker top", async () => {
    const id = (await docker("run", "-d", "--name", "web", "alpine", "sleep", "1000")).stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const hostPid = engine.runtime.get("web").state.pid;
    assert.ok(hostPid > 1);
    assert.equal(JSON.parse((await docker("inspect", "web")).stdout)[0].State.Pid, hostPid);

    const inside = await docker("exec", "web", "ps", "-o", "pid,ppid,args");
    assert.match(inside.stdout, /^ +PID +PPID ARGS *\n +1 +0 sleep 1000\n +2 +0 ps -o pid,ppid,args\n$/);

    const onHost = (await sh("ps -o pid,args")).stdout;
    assert.match(onHost, new RegExp(`^ +${hostPid} sleep 1000$`, "m"));
    assert.doesNotMatch(onHost, /^ +1 sleep 1000$/m);

    const top = await docker("top", "web");
    assert.equal(top.exitCode, 0, top.stderr);
    const [header, row, end] = top.stdout.split("\n");
    assert.equal(header, "UID                 PID                 PPID                C                   STIME               TTY                 TIME                CMD");
    // C is CPU use over the process's life, in percent: a moment after its start, its start-up may show (ps does the same).
    assert.match(row!, new RegExp(`^root {16}${hostPid} +0 +\\d+ +\\d\\d:\\d\\d +\\? +00:00:00 +sleep 1000$`));
    assert.equal(end, "");
  });

  it("accounts CPU time per process: /proc/PID/stat, ps TIME, docker top C and TIME", { timeout: 120_000 }, async () => {
    // A loop of about a second of CPU (on this kernel), then asleep: its time stays.
    await docker("run", "-d", "--name", "busy", "alpine", "sh", "-c", "i=0; while [ $i -lt 150000 ]; do i=$((i+1)); done; echo done; sleep 1000");
    for (let waited = 0; !(await docker("logs", "busy")).stdout.includes("done") && waited < 60_000; waited += 200) await pause(200);
    const utime = Number((await docker("exec", "busy", "cut", "-d", " ", "-f", "14", "/proc/1/stat")).stdout);
    assert.ok(utime >= 20, `utime ${utime} ticks`);
    const ps = (await docker("exec", "busy", "ps", "-o", "pid,time,args")).stdout;
    assert.match(ps, /^ +1 00:0\d:\d\d sh -c/m);
    assert.doesNotMatch(ps, /^ +1 00:00:00 /m);
    assert.match(ps, /^ +\d+ 00:00:00 ps -o/m);
    const [, row] = (await docker("top", "busy")).stdout.split("\n");
    const [, , , c, , , time] = row!.split(/ +/);
    assert.ok(Number(c) > 0, `C ${c}`);
    assert.match(time!, /^00:0\d:\d\d$/);
    assert.notEqual(time, "00:00:00");
    await docker("rm", "-f", "busy");
  });

  it("runs docker exec in the container's machine, with -e, -w and the status", async () => {
    const r = await docker("exec", "-e", "GREETING=hi", "-w", "/etc", "web", "sh", "-c", 'echo $GREETING; pwd; echo $$; cat /etc/os-release | head -1; exit 3');
    assert.equal(r.exitCode, 3);
    const [greeting, cwd, pid, os] = r.stdout.split("\n");
    assert.equal(greeting, "hi");
    assert.equal(cwd, "/etc");
    assert.ok(Number(pid) > 1, `exec'd shell's PID ${pid}`);
    assert.match(os!, /Alpine/);
    // The exec'd processes leave the table when they end.
    assert.deepEqual(engine.runtime.processes("web").map((p) => p.args.join(" ")), ["sleep 1000"]);
  });

  it("lists every process for the X-ray: a container's with both PIDs, the host's with their container", async () => {
    const [main] = engine.runtime.processes("web");
    assert.deepEqual({ pid: main!.pid, ppid: main!.ppid, args: main!.args }, { pid: 1, ppid: 0, args: ["sleep", "1000"] });
    assert.ok(main!.startedAt instanceof Date);
    const all = engine.runtime.processes();
    const web = engine.runtime.get("web").id;
    assert.ok(all.some((p) => p.hostPid === main!.hostPid && p.namespacePid === 1 && p.containerId === web));
    assert.ok(all.every((p) => p.pid === p.hostPid));
  });

  it("answers exec mistakes in Docker's words", async () => {
    const missing = await docker("exec", "web", "nosuchprogram");
    assert.equal(missing.exitCode, 127);
    assert.equal(missing.stderr, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuchprogram": executable file not found in $PATH: unknown\n');
    const unknown = await docker("exec", "nosuch", "ls");
    assert.equal(unknown.exitCode, 1);
    assert.equal(unknown.stderr, "Error response from daemon: No such container: nosuch\n");
    const few = await docker("exec", "web");
    assert.equal(few.exitCode, 1);
    assert.match(few.stderr, /^docker: 'docker exec' requires at least 2 arguments\n/);
  });

  it("stops with SIGTERM, then SIGKILL after -t; exec and top then say it is not running", async () => {
    const id = engine.runtime.get("web").id;
    const started = Date.now();
    const r = await docker("stop", "-t", "1", "web");
    assert.equal(r.stdout, "web\n");
    const took = Date.now() - started;
    assert.ok(took >= 900 && took < 10_000, `stop took ${took} ms`);
    // sleep ignores SIGTERM: the SIGKILL ended it.
    assert.equal(engine.runtime.get("web").state.exitCode, 137);
    assert.deepEqual(engine.runtime.processes("web"), []);
    assert.ok(!engine.runtime.processes().some((p) => p.containerId === id));
    for (const args of [["exec", "web", "ls"], ["top", "web"]]) {
      const e = await docker(...args);
      assert.equal(e.exitCode, 1);
      assert.equal(e.stderr, `Error response from daemon: container ${id} is not running\n`);
    }
    assert.equal((await docker("stop", "web")).exitCode, 0, "stopping a stopped container is fine");
  });

  it("ends a process that heeds SIGTERM at once, with 143", async () => {
    await docker("run", "-d", "-i", "--name", "shell", "alpine", "sh");
    const started = Date.now();
    await docker("stop", "shell");
    assert.ok(Date.now() - started < 5_000);
    assert.equal(engine.runtime.get("shell").state.exitCode, 143);
    await docker("rm", "shell");
  });

  it("restarts a container with a fresh process", async () => {
    const r = await docker("restart", "-t", "0", "web");
    assert.equal(r.stdout, "web\n");
    const c = engine.runtime.get("web");
    assert.equal(c.state.status, "running");
    assert.deepEqual(engine.runtime.processes("web").map((p) => [p.pid, p.args.join(" ")]), [[1, "sleep 1000"]]);
    assert.equal(JSON.parse((await docker("inspect", "web")).stdout)[0].RestartCount, 1);
  });

  it("renames, in Docker's words when it cannot", async () => {
    assert.equal((await docker("rename", "web", "site")).exitCode, 0);
    assert.equal(engine.runtime.get("site").name, "site");
    await docker("create", "--name", "other", "alpine", "true");
    const other = engine.runtime.get("other").id;
    const clash = await docker("rename", "site", "other");
    assert.equal(clash.exitCode, 1);
    assert.equal(
      clash.stderr,
      `Error response from daemon: Error when allocating new name: Conflict. The container name "/other" is already in use by container "${other}". You have to remove (or rename) that container to be able to reuse that name.\n`,
    );
    const same = await docker("rename", "site", "site");
    assert.equal(same.stderr, "Error response from daemon: Renaming a container with the same name as its current name\n");
    assert.equal((await docker("rename", "site")).exitCode, 1);
  });

  it("creates without starting; start -a runs it", async () => {
    const r = await docker("create", "--name", "made", "alpine", "echo", "made it");
    assert.match(r.stdout, /^[0-9a-f]{64}\n$/);
    assert.equal(engine.runtime.get("made").state.status, "created");
    const start = await docker("start", "-a", "made");
    assert.equal(start.stdout, "made it\n");
  });

  it("shows the last lines of the logs, with timestamps", async () => {
    await docker("run", "--name", "talk", "alpine", "sh", "-c", "echo one; echo two; echo three");
    assert.equal((await docker("logs", "--tail", "2", "talk")).stdout, "two\nthree\n");
    assert.equal((await docker("logs", "-n", "0", "talk")).stdout, "");
    assert.match((await docker("logs", "-t", "--tail", "1", "talk")).stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z three\n$/);
  });

  it("follows the logs until the container stops", async () => {
    // The main process waits in read (stdin stays open with -i). Not `sleep`: the kernel's kill
    // does not reach a killed process's children, and a left-over sleep holds the kernel open.
    await docker("run", "-d", "-i", "--name", "follow", "alpine", "sh", "-c", "echo before; read line");
    const following = docker("logs", "-f", "follow");
    await new Promise((resolve) => setTimeout(resolve, 500));
    await docker("kill", "follow");
    const r = await following;
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, "before\n");
  });

  it("validates stop's flags as the docker CLI does", async () => {
    const r = await docker("stop", "-t", "soon", "site");
    assert.equal(r.exitCode, 125);
    assert.match(r.stderr, /^invalid argument "soon" for "-t, --timeout" flag: strconv\.ParseInt: parsing "soon": invalid syntax\n/);
    const bad = await docker("kill", "-s", "NOPE", "site");
    assert.equal(bad.stderr, "Error response from daemon: Invalid signal: NOPE\n");
    await docker("rm", "-f", "site");
  });
});

describe("docker top's table", () => {
  it("lays out ps -ef's columns at Docker's width, parents as host PIDs", () => {
    const startedAt = new Date(Date.UTC(2025, 0, 1, 9, 5));
    const out = topTable(
      [
        { pid: 1, hostPid: 40, ppid: 0, args: ["sh"], startedAt },
        { pid: 2, hostPid: 42, ppid: 1, args: ["sleep", "5"], startedAt },
      ],
      "root",
      new Date(Date.UTC(2025, 0, 1, 10)),
    );
    assert.equal(
      out,
      "UID                 PID                 PPID                C                   STIME               TTY                 TIME                CMD\n" +
        "root                40                  0                   0                   09:05               ?                   00:00:00            sh\n" +
        "root                42                  40                  0                   09:05               ?                   00:00:00            sleep 5\n",
    );
  });
});
