// Faults: a container whose program traps (the test userland's `probe trap
// MODE`, wasm/test/probe/fault.c) ends as a segfaulting program's does on
// Linux — exited, 139 — with the trap in State.Error, and nothing else stops.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { dockerTestBed } from "./test-bed.ts";

describe("containers whose program traps", () => {
  const bed = dockerTestBed({ includeTestCommands: true });
  const { docker } = bed;
  const state = async (name: string) =>
    (await docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.State.Error}}", name)).stdout;

  it("exits 139 from docker run, with what was written before, and says which trap in State.Error", async () => {
    const r = await docker("run", "--name", "segv", "alpine", "probe", "trap", "memory");
    assert.deepEqual([r.exitCode, r.stdout, r.stderr], [139, "trapping memory\n", ""]);
    assert.equal(await state("segv"), "exited 139 wasm trap: memory access out of bounds\n");
    assert.match((await docker("ps", "-a")).stdout, /Exited \(139\) .* segv\n/);
    await docker("rm", "segv");
  });

  it("reports unreachable as 139 too (the mapping in wasm/README.md), through docker wait and logs", async () => {
    const id = (await docker("run", "-d", "alpine", "probe", "trap", "unreachable")).stdout.trim();
    assert.equal((await docker("wait", id)).stdout, "139\n");
    assert.equal(await state(id), "exited 139 wasm trap: unreachable\n");
    assert.equal((await docker("logs", id)).stdout, "trapping unreachable\n");
    // Started again, it runs (and traps) again: the state is the latest run's.
    assert.equal((await docker("start", "-a", id)).exitCode, 139);
    await docker("rm", id);
  });

  it("lets the container's shell see the crash as Linux shells do: a message and $? 139", async () => {
    const r = await docker("run", "--rm", "alpine", "sh", "-c", "probe trap call; echo $?");
    assert.deepEqual([r.exitCode, r.stdout, r.stderr], [0, "trapping call\n139\n", "Segmentation fault\n"]);
  });

  it("ends a trapping docker exec with 139 while its container runs on", async () => {
    await docker("run", "-d", "--name", "steady", "alpine", "sh", "-c", "while sleep 0.05; do echo tick; done");
    const r = await docker("exec", "steady", "probe", "trap", "divide");
    assert.deepEqual([r.exitCode, r.stdout], [139, "trapping divide\n"]);
    assert.equal(await state("steady"), "running 0 \n");
    assert.equal((await docker("exec", "steady", "echo", "alive")).stdout, "alive\n");
    await docker("rm", "-f", "steady");
  });

  it("keeps the engine, the host's shell and new containers working after many traps", async () => {
    for (const mode of ["unreachable", "memory", "call", "divide", "stack"]) {
      assert.equal((await docker("run", "--rm", "alpine", "probe", "trap", mode)).exitCode, 139, mode);
    }
    const onHost = await bed.host.run(["sh", "-c", "probe trap memory; echo host $?"], { timeoutMs: 10_000 });
    assert.deepEqual([onHost.stdout, onHost.stderr], ["trapping memory\nhost 139\n", "Segmentation fault\n"]);
    assert.equal((await docker("run", "--rm", "alpine", "sh", "-c", "echo ok | cat")).stdout, "ok\n");
    assert.equal((await docker("ps", "-q")).stdout, "");
  });
});
