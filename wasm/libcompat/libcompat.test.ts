// libcompat under the real SDK: the probe guest calls one libcompat function per subcommand.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { Kernel, Machine } from "../../src/kernel/index.ts";
import { bootNodeKernel } from "../../src/kernel/node-index.ts";

describe("libcompat on WASIX", () => {
  let kernel: Kernel;
  let machine: Machine;
  before(async () => {
    kernel = await bootNodeKernel({ includeTestCommands: true });
    machine = await kernel.createMachine({ env: { PATH: "/bin:/usr/bin" } });
  });
  after(async () => kernel.close());

  const probe = async (...args: string[]) => machine.run(["probe", ...args], { timeoutMs: 10_000 });

  it("passes arguments through, spaces and all", async () => {
    const r = await probe("args", "a b", "", "x");
    assert.equal(r.stdout, "[a b]\n[]\n[x]\n");
  });

  it("returns the exit status", async () => {
    assert.equal((await probe("exit", "42")).exitCode, 42);
  });

  it("starts in the cwd it was given", async () => {
    assert.equal((await machine.run(["probe", "cwd"], { cwd: "/tmp" })).stdout, "/tmp\n");
  });

  it("spawns through PATH and collects the child's status", async () => {
    assert.equal((await probe("spawn", "probe", "exit", "7")).stdout, "status 7\n");
    assert.equal((await probe("spawn", "/bin/probe", "exit", "3")).stdout, "status 3\n");
  });

  it("keeps newlines and backslashes inside a child's arguments", async () => {
    const r = await probe("spawn", "probe", "args", "two\nlines", "back\\slash");
    assert.equal(r.stdout, "[two\nlines]\n[back\\slash]\nstatus 0\n");
  });

  it("reports a missing program as ENOENT", async () => {
    const r = await probe("spawn", "no-such-program");
    assert.match(r.stdout, /spawn no-such-program: No such file or directory/);
  });

  it("lets a child inherit the directory set by chdir", async () => {
    assert.equal((await probe("chdir", "/etc", "probe", "cwd")).stdout, "/etc\nstatus 0\n");
  });

  it("connects two children with a pipe and delivers EOF", async () => {
    const r = await probe("pipe", "probe", "args", "hello", "--", "probe", "cat");
    assert.equal(r.stdout, "[hello]\nstatus 0 0\n");
  });

  it("gives every process its own pid, children a parent", async () => {
    const r = await probe("spawn", "probe", "pid");
    const [pid, ppid] = /pid (\d+) ppid (\d+)/.exec(r.stdout)!.slice(1).map(Number);
    assert.ok(pid! > 0);
    assert.notEqual(pid, ppid);
  });

  it("reads stdin to EOF", async () => {
    assert.equal((await machine.run(["probe", "cat"], { stdin: "in\n" })).stdout, "in\n");
  });
});
