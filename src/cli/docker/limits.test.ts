// cgroup-style limits end to end from the host's shell: --pids-limit and --memory.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { dockerTestBed } from "./test-bed.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const RUN_USAGE = "\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information\n";

describe("container limits", () => {
  const bed = dockerTestBed();
  const { docker } = bed;

  it("fails the process past --pids-limit with EAGAIN, and the shell says so", async () => {
    const r = await docker("run", "--name", "limited", "--pids-limit", "3", "alpine", "sh", "-c", "sleep 1 & sleep 1 & ps; echo status=$?; wait");
    assert.deepEqual([r.exitCode, r.stdout, r.stderr], [0, "status=126\n", "sh: line 1: ps: Resource temporarily unavailable\n"]);
    assert.equal(JSON.parse((await docker("inspect", "limited")).stdout)[0].HostConfig.PidsLimit, 3);
    await docker("rm", "limited");
  });

  it("keeps a fork bomb under its limit and the host responsive until it burns out", async () => {
    // Each f starts two more in the background until spawns are refused; then they all end.
    // (Killing it midway would leave the kernel's orphans running: wasm/README.md, Kernel facts.)
    const id = (await docker("run", "-d", "--pids-limit", "10", "alpine", "sh", "-c", "f() { f | f & }; f; wait; echo burnt out")).stdout.trim();
    for (let i = 0; i < 5; i++) {
      assert.ok(bed.engine.runtime.processes(id).length <= 10, `${bed.engine.runtime.processes(id).length} processes`);
      assert.equal((await bed.host.run(["echo", "responsive"], { timeoutMs: 5_000 })).stdout, "responsive\n");
      await pause(100);
    }
    assert.equal((await docker("wait", id)).stdout, "0\n");
    assert.equal((await docker("logs", id)).stdout, "burnt out\n");
    await docker("rm", id);
  });

  it("kills a process past --memory as the OOM killer does: 137, State.OOMKilled", async () => {
    // tail -c keeps the last 20 MB in memory: past a 16 MB limit, not without one.
    const script = "head -c 30000000 /dev/zero | tail -c 20000000 | wc -c; head -c 30000000 /dev/zero | tail -c 20000000 >/dev/null";
    const limited = await docker("run", "--name", "oom", "-m", "16m", "alpine", "sh", "-c", script);
    assert.deepEqual([limited.exitCode, limited.stdout], [137, "0\n"]);
    const inspect = (name: string) => docker("inspect", "-f", "{{.State.OOMKilled}} {{.State.ExitCode}} {{.HostConfig.Memory}}", name);
    assert.equal((await inspect("oom")).stdout, "true 137 16777216\n");
    const free = await docker("run", "--name", "roomy", "alpine", "sh", "-c", script);
    assert.deepEqual([free.exitCode, free.stdout], [0, "20000000\n"]);
    assert.equal((await inspect("roomy")).stdout, "false 0 0\n");
    await docker("rm", "oom", "roomy");
  });

  it("shows the memory limit in free and /proc/meminfo", async () => {
    const r = await docker("run", "--rm", "--memory", "64MiB", "alpine", "sh", "-c", "free -m | grep Mem: | tr -s ' ' | cut -d' ' -f2; grep MemTotal /proc/meminfo");
    assert.equal(r.stdout, "64\nMemTotal:          65536 kB\n");
  });

  it("refuses memory limits as Docker does", async () => {
    const ran = (...args: string[]) => docker("run", "--rm", ...args, "alpine", "true").then((r) => [r.exitCode, r.stderr]);
    assert.deepEqual(await ran("-m", "lots"), [125, `invalid argument "lots" for "-m, --memory" flag: invalid size: 'lots'${RUN_USAGE}`]);
    assert.deepEqual(await ran("-m", "4m"), [125, "docker: Error response from daemon: Minimum memory limit allowed is 6MB\n\nRun 'docker run --help' for more information\n"]);
    assert.deepEqual(await ran("--memory-swap", "1g"), [
      125,
      "docker: Error response from daemon: You should always set the Memory limit when using Memoryswap limit, see usage\n\nRun 'docker run --help' for more information\n",
    ]);
    assert.deepEqual(await ran("-m", "1g", "--memory-swap", "-1"), [0, ""]);
  });

  it("refuses a limit that is not a number, as Docker's flag parser", async () => {
    const r = await docker("run", "--rm", "--pids-limit", "ten", "alpine", "true");
    assert.deepEqual(
      [r.exitCode, r.stderr],
      [125, `invalid argument "ten" for "--pids-limit" flag: strconv.ParseInt: parsing "ten": invalid syntax${RUN_USAGE}`],
    );
  });
});
