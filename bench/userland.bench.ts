/**
 * `npm run bench`: userland latencies on the real kernel, measured in one run,
 * each also as a ratio to launching the same kind of program straight through
 * the SDK; and binary sizes against their targets.
 */
import { stat } from "node:fs/promises";
import path from "node:path";

import { MemoryFileSystem } from "../src/fs/index.ts";
import { bootNodeKernel, DEFAULT_USERLAND_DIR } from "../src/kernel/node-index.ts";

const RUNS = 15;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function time(fn: () => Promise<unknown>, runs = RUNS): Promise<number> {
  await fn(); // warm: compiled modules, pooled workers
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

const kernel = await bootNodeKernel({ includeTestCommands: true });
const machine = await kernel.createMachine({ env: { PATH: "/bin:/usr/bin" }, mounts: [{ path: "/tmp", fs: new MemoryFileSystem() }] });
const run = async (argv: string[]) => {
  const r = await machine.run(argv, { timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: exit ${r.exitCode}: ${r.stderr}`);
};

const direct = await time(() => run(["probe", "exit", "0"]));
const shTrue = await time(() => run(["sh", "-c", "true"]));
const SPAWNS = 10;
const spawnLoop = await time(() => run(["sh", "-c", `i=0; while [ $i -lt ${SPAWNS} ]; do probe exit 0; i=$((i + 1)); done`]), 5);
const perSpawn = (spawnLoop - shTrue) / SPAWNS;
const pipeline = await time(() => run(["sh", "-c", "seq 1 20000 | sort -r | uniq | wc -l >/dev/null"]), 5);
const pipelineDirect = await time(() => run(["seq", "1", "20000"]), 5);
await kernel.close();

const size = async (file: string) => (await stat(path.join(DEFAULT_USERLAND_DIR, file))).size;
const rows: [string, string, string][] = [
  ["launch a program directly through the SDK", `${direct.toFixed(1)} ms`, "1.0x"],
  ["sh -c true", `${shTrue.toFixed(1)} ms`, `${(shTrue / direct).toFixed(1)}x`],
  ["one spawn from the shell", `${perSpawn.toFixed(1)} ms`, `${(perSpawn / direct).toFixed(1)}x`],
  ["seq 1 20000 | sort -r | uniq | wc -l", `${pipeline.toFixed(1)} ms`, `${(pipeline / pipelineDirect).toFixed(1)}x (vs seq 1 20000 alone)`],
  ["sh.wasm size", `${((await size("sh.wasm")) / 1024).toFixed(0)} KB`, "target <= 250 KB"],
  ["toybox.wasm size", `${((await size("toybox.wasm")) / 1024).toFixed(0)} KB`, "target <= 700 KB"],
];
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`userland bench (median of ${RUNS} runs, one process, Node ${process.version})`);
for (const [what, value, ratio] of rows) console.log(`${what.padEnd(width)}  ${value.padStart(9)}  ${ratio}`);
