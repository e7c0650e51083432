// The SDK loses guest timed waits that start in an instance's first second
// (kernel.ts: TIMED_WAIT_GRACE_MS); the boot must hand out a kernel whose
// timers work. Without that, this sleep returned after about 84 s.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { Kernel, Machine } from "./index.ts";
import { bootNodeKernel } from "./node-index.ts";

describe("timed waits right after boot", () => {
  let kernel: Kernel;
  let machine: Machine;
  before(async () => {
    kernel = await bootNodeKernel();
    machine = await kernel.createMachine({ env: { PATH: "/bin:/usr/bin" } });
  });
  after(async () => kernel.close());

  it("returns from the first command's sleep before the run timeout", { timeout: 120_000 }, async () => {
    const r = await machine.run(["sleep", "0.05"], { timeoutMs: 10_000 });
    assert.deepEqual([r.reason, r.exitCode], ["exited", 0]);
  });
});
