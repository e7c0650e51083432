// A guest that traps ends its process with a status, never the engine: `probe
// trap MODE` traps on purpose (wasm/test/probe/fault.c) after printing
// "trapping MODE". The words are V8's (Node and Chromium).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { guestFault } from "./faults.ts";
import type { Kernel, Machine } from "./index.ts";
import { bootNodeKernel } from "./node-index.ts";

const TIMEOUT_MS = 10_000;

const TRAPS: Readonly<Record<string, string>> = {
  unreachable: "wasm trap: unreachable",
  memory: "wasm trap: memory access out of bounds",
  call: "wasm trap: null function or function signature mismatch",
  divide: "wasm trap: divide by zero",
  stack: "wasm trap: call stack exhausted",
};

describe("guest faults", () => {
  let kernel: Kernel;
  let machine: Machine;
  before(async () => {
    kernel = await bootNodeKernel({ includeTestCommands: true });
    machine = await kernel.createMachine({ env: { PATH: "/bin:/usr/bin" } });
  });
  after(async () => kernel.close());

  for (const [mode, error] of Object.entries(TRAPS)) {
    it(`run() returns a root that traps (${mode}) as status 139 with its output`, async () => {
      const r = await machine.run(["probe", "trap", mode], { timeoutMs: TIMEOUT_MS });
      assert.deepEqual(r, { exitCode: 139, reason: "trapped", error, stdout: `trapping ${mode}\n`, stderr: "" });
    });
  }

  it("wait() of a spawned root that traps resolves, and its pipes end", async () => {
    const process = await machine.spawn(["probe", "trap", "memory"]);
    await process.closeStdin();
    let stdout = "";
    const reading = (async () => {
      for await (const chunk of process.stdout) stdout += new TextDecoder().decode(chunk);
    })();
    assert.deepEqual(await process.wait(), { exitCode: 139, reason: "trapped", error: TRAPS.memory });
    await reading;
    assert.equal(stdout, "trapping memory\n");
  });

  it("reports a trapped child to its parent as exit status 12 without the engine (a kernel fact)", async () => {
    // The kernel's join gives a child that ended in an error WASI's ECHILD; libcompat
    // tells it from exit(12) only with the engine's process hooks (libcompat.test.ts).
    const r = await machine.run(["probe", "waitsig", "probe", "trap", "unreachable"], { timeoutMs: TIMEOUT_MS });
    assert.equal(r.stdout, "trapping unreachable\nexited 12\n");
  });

  it("keeps running pipelines, other processes and other machines after traps", async () => {
    const survivor = await machine.spawn(["probe", "cat"]);
    for (const mode of Object.keys(TRAPS)) await machine.run(["probe", "trap", mode], { timeoutMs: TIMEOUT_MS });
    const pipeline = await machine.run(["probe", "chain", "probe", "args", "on", "--", "probe", "cat", "--", "probe", "cat"], { timeoutMs: TIMEOUT_MS });
    assert.equal(pipeline.stdout, "[on]\nstatus 0 0 0\n");
    await survivor.write("still here\n");
    await survivor.closeStdin();
    let echoed = "";
    for await (const chunk of survivor.stdout) echoed += new TextDecoder().decode(chunk);
    assert.equal(echoed, "still here\n");
    assert.deepEqual(await survivor.wait(), { exitCode: 0, reason: "exited" });
    const other = await kernel.createMachine({ env: { PATH: "/bin" } });
    try {
      assert.equal((await other.run(["echo", "fine"], { timeoutMs: TIMEOUT_MS })).stdout, "fine\n");
    } finally {
      await other.close();
    }
  });
});

describe("guestFault", () => {
  const sdkError = (message: string, code = "EXECUTION_ERROR") => Object.assign(new Error(message), { name: "WasmerError", code });

  it("reads the trap from the SDK's execution error, its stack left out", () => {
    const error = sdkError("command execution failed: RuntimeError: js: unreachable\nRuntimeError: unreachable\n    at wasm://wasm/1:1");
    assert.deepEqual(guestFault(error), { exitCode: 139, message: "wasm trap: unreachable" });
  });

  it("names an exhausted call stack in any engine's words", () => {
    for (const words of ["Maximum call stack size exceeded", "too much recursion"]) {
      assert.equal(guestFault(sdkError(`command execution failed: RuntimeError: js: ${words}`))?.message, "wasm trap: call stack exhausted");
    }
  });

  it("leaves errors that are not the guest's alone", () => {
    assert.equal(guestFault(sdkError("command execution failed: RuntimeError: js: x", "SANDBOX_CLOSED")), undefined);
    assert.equal(guestFault(sdkError("command not found: nope")), undefined);
    assert.equal(guestFault(new Error("command execution failed: RuntimeError: js: unreachable")), undefined);
    assert.equal(guestFault("unreachable"), undefined);
  });
});
