// Pipelines under the real SDK, in the orders that used to hang: a fresh
// instance whose first command ran alone, after failed, refused and killed
// commands, and many pipelines of 2–5 stages in a row and side by side.
// The probe guest's `chain` runs C1 | C2 | ... through libcompat and prints
// every stage's exit status.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { Kernel, Machine } from "./index.ts";
import { bootNodeKernel } from "./node-index.ts";

const TIMEOUT_MS = 10_000;

interface Pipeline {
  readonly argv: string[];
  readonly stdout: string | RegExp;
}

/** `probe args WORDS | probe cat | ... ` with `stages` stages in all. */
function catPipeline(stages: number, word: string): Pipeline {
  const argv = ["probe", "chain", "probe", "args", word];
  for (let i = 1; i < stages; i++) argv.push("--", "probe", "cat");
  return { argv, stdout: `[${word}]\nstatus${" 0".repeat(stages)}\n` };
}

/**
 * A second stage that exits 3 without reading: its reader sees EOF. The first
 * stage exits 0 if it wrote before that, else 64 (the kernel ends a writer to a
 * pipe without readers with exit status EPIPE = 64, where Linux sends SIGPIPE).
 */
function failingMiddle(stages: number): Pipeline {
  const argv = ["probe", "chain", "probe", "args", "lost"];
  for (let i = 1; i < stages; i++) argv.push("--", "probe", ...(i === 1 ? ["exit", "3"] : ["cat"]));
  return { argv, stdout: new RegExp(`^status (0|64) 3${" 0".repeat(stages - 2)}\n$`) };
}

/** Deterministic shuffle, so a failure names an order that can be replayed. */
function mixedPipelines(count: number, seed: number): Pipeline[] {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, (_, i) => {
    const stages = 2 + Math.floor(next() * 4);
    return next() < 0.25 ? failingMiddle(stages) : catPipeline(stages, `w${i}`);
  });
}

async function assertRuns(machine: Machine, pipeline: Pipeline): Promise<void> {
  const r = await machine.run(pipeline.argv, { timeoutMs: TIMEOUT_MS });
  assert.equal(r.reason, "exited", `${pipeline.argv.join(" ")} did not finish: ${r.reason}`);
  if (typeof pipeline.stdout === "string") assert.equal(r.stdout, pipeline.stdout, pipeline.argv.join(" "));
  else assert.match(r.stdout, pipeline.stdout, pipeline.argv.join(" "));
}

/** Each case gets a fresh SDK instance: the hangs depended on what ran first. */
function freshKernel(): { machine: () => Machine } {
  let kernel: Kernel;
  let machine: Machine;
  before(async () => {
    kernel = await bootNodeKernel({ includeTestCommands: true });
    machine = await kernel.createMachine({ env: { PATH: "/bin:/usr/bin" } });
  });
  after(async () => kernel.close());
  return { machine: () => machine };
}

describe("pipelines after one command ran alone", () => {
  const { machine } = freshKernel();
  it("runs a two-stage pipeline after `probe exit 0`", async () => {
    assert.equal((await machine().run(["probe", "exit", "0"], { timeoutMs: TIMEOUT_MS })).exitCode, 0);
    await assertRuns(machine(), catPipeline(2, "hello"));
  });
});

describe("pipelines after failed, refused and killed commands", () => {
  const { machine } = freshKernel();
  it("runs pipelines after each kind of failure", async () => {
    const m = machine();
    assert.equal((await m.run(["probe", "exit", "1"], { timeoutMs: TIMEOUT_MS })).exitCode, 1);
    await assertRuns(m, catPipeline(3, "after-exit-1"));
    const refused = await m.run(["probe", "spawn", "no-such-program"], { timeoutMs: TIMEOUT_MS });
    assert.match(refused.stdout, /No such file or directory/);
    await assertRuns(m, catPipeline(2, "after-enoent"));
    const reader = await m.spawn(["probe", "cat"]);
    await reader.kill();
    assert.notEqual((await reader.wait()).reason, "exited");
    await assertRuns(m, catPipeline(4, "after-timeout"));
    await assertRuns(m, failingMiddle(3));
    await assertRuns(m, catPipeline(5, "after-broken-pipe"));
  });
});

describe("many pipelines on one instance", () => {
  const { machine } = freshKernel();
  it("runs 50 pipelines of 2–5 stages in a row, interleaved with single commands", async () => {
    for (const [i, pipeline] of mixedPipelines(50, 7).entries()) {
      if (i % 10 === 0) assert.equal((await machine().run(["probe", "exit", String(i % 3)], { timeoutMs: TIMEOUT_MS })).exitCode, i % 3);
      await assertRuns(machine(), pipeline);
    }
  });
  it("runs pipelines side by side", async () => {
    for (let round = 0; round < 3; round++) {
      await Promise.all(mixedPipelines(3, round + 100).map((p) => assertRuns(machine(), p)));
    }
  });
});
