// Runaway processes: a container whose program computes without ever making a
// system call, which the kernel alone cannot stop (src/kernel/worker-watch.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { workerWatch } from "../../kernel/worker-watch.ts";
import { dockerTestBed } from "./test-bed.ts";

describe("runaway containers", () => {
  // `probe burn` is the test userland's loop without system calls.
  const bed = dockerTestBed({ includeTestCommands: true });
  const { docker } = bed;
  /** Until `check` holds (a loaded machine may take seconds). */
  const eventually = async (what: string, check: () => Promise<boolean>) => {
    for (let tries = 0; !(await check()); tries++) {
      assert.ok(tries < 500, `never: ${what}`);
      await pause(20);
    }
  };
  const started = (name: string) => eventually(`${name} computes`, async () => (await docker("logs", name)).stdout.startsWith("ready"));

  it("ends a container spinning without system calls, and its children, at docker kill", async () => {
    const terminated = workerWatch.terminated;
    await docker("run", "-d", "--name", "spin", "alpine", "sh", "-c", "sleep 1000 & probe burn");
    await started("spin");
    assert.equal((await docker("kill", "spin")).stdout, "spin\n");
    assert.equal((await docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "spin")).stdout, "exited 137\n");
    await workerWatch.settled();
    // The loop's worker and the orphaned sleep's: nothing of the container computes on.
    assert.ok(workerWatch.terminated - terminated >= 2, `${workerWatch.terminated - terminated} workers terminated`);
    await docker("rm", "spin");
  });

  it("stops one with docker stop -t 1 while other containers keep running", async () => {
    try {
      await docker("run", "-d", "--name", "steady", "alpine", "sh", "-c", "while sleep 0.05; do echo tick; done");
      await docker("run", "-d", "--name", "spin", "alpine", "probe", "burn");
      await started("spin");
      assert.equal((await docker("stop", "-t", "1", "spin")).stdout, "spin\n");
      assert.equal((await docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "spin")).stdout, "exited 137\n");
      await workerWatch.settled();
      const ticks = (await docker("logs", "steady")).stdout.length;
      await eventually("the other container ticks on", async () => (await docker("logs", "steady")).stdout.length > ticks);
      assert.equal((await docker("exec", "steady", "echo", "alive")).stdout, "alive\n");
    } finally {
      await docker("rm", "-f", "spin", "steady");
    }
  });

  it("survives 20 spin and kill cycles with no worker left computing", async () => {
    for (let i = 0; i < 20; i++) {
      const id = (await docker("run", "-d", "alpine", "probe", "burn")).stdout.trim();
      await started(id);
      await docker("rm", "-f", id);
    }
    await workerWatch.settled();
    assert.deepEqual(bed.engine.runtime.list({ all: false }), []);
    // Nothing runs between the host's commands: no worker may still be busy.
    assert.deepEqual(workerWatch.busyWorkers().map((owners) => [...owners]), []);
    assert.equal((await docker("run", "--rm", "alpine", "echo", "still works")).stdout, "still works\n");
  });
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
