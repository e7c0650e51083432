/**
 * One target's fuzz loop, in a worker thread so the runner can stop an input
 * that never returns. Seeds first, then mutants of the corpus; an input that
 * reaches new blocks of src/ joins the corpus. Before each input the worker
 * copies it into shared memory and bumps a counter: when the counter stops,
 * the runner knows the input that hung.
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";

import { BlockCoverage } from "./coverage.ts";
import { Mutator, Rng } from "./mutate.ts";
import type { WorkerData, WorkerMessage } from "./runner.ts";
import { REPO_ROOT, TARGETS, verdict, type Target } from "./targets.ts";

/** The most inputs kept in the corpus; beyond it new coverage is still counted. */
const MAX_CORPUS = 4000;

async function seedsOf(target: Target): Promise<Uint8Array[]> {
  const dir = path.join(REPO_ROOT, "fixtures/fuzz", target.name);
  const seeds: Uint8Array[] = [];
  // A target whose seeds are all made in code has no folder.
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
    const data = fs.readFileSync(path.join(dir, name));
    if (target.seedFormat === "lines") seeds.push(...data.toString("utf8").split("\n").filter(Boolean).map((l) => new TextEncoder().encode(l)));
    else seeds.push(new Uint8Array(data));
  }
  return [...seeds, ...((await target.extraSeeds?.()) ?? [])];
}

/** A crash's kind, so each is reported once: the error's type and where in src/ it was thrown, else its words without numbers or quotes. */
function signature(error: unknown, reason: string): string {
  const frame = error instanceof Error ? /\((\S*\/src\/[^)]*)\)/.exec(error.stack ?? "")?.[1]?.replace(/:\d+$/, "") : undefined;
  return frame ? `${(error as Error).name} at ${frame}` : reason.replace(/"[^"]*"|'[^']*'|\d+/g, "_").slice(0, 160);
}

async function main(data: WorkerData): Promise<void> {
  const post = (message: WorkerMessage) => parentPort!.postMessage(message);
  const target = TARGETS.find((t) => t.name === data.target)!;
  const counter = new Int32Array(data.shared, 0, 2);
  const window = new Uint8Array(data.shared, 8);
  const runner = await target.setup();
  const coverage = data.coverage ? new BlockCoverage((url) => url.startsWith(pathToFileURL(path.join(REPO_ROOT, "src")).href)) : undefined;
  const rng = new Rng(data.seed);
  const mutator = new Mutator(rng, target.dictionary, target.maxLength);
  const seeds = (await seedsOf(target)).filter((s) => !data.skip.includes(Buffer.from(s).toString("base64")));
  const corpus: Uint8Array[] = [];
  const seen = new Set<string>();
  coverage?.take(); // what setup ran is nobody's
  post({ kind: "ready" });

  const deadline = Date.now() + data.ms;
  let inputs = 0;
  while (inputs < data.inputs && (Date.now() < deadline || inputs < data.minInputs)) {
    let input: Uint8Array;
    if (inputs < seeds.length) input = seeds[inputs]!;
    else {
      // Without coverage (or before any input reached new code), the seeds are the corpus.
      const pool = corpus.length ? corpus : seeds;
      const parent = rng.pick(pool);
      const havoc = (bytes: Uint8Array) => mutator.havoc(bytes, pool);
      input = target.mutate ? target.mutate(parent, havoc, rng) : havoc(parent);
    }
    inputs++;
    window.set(input.subarray(0, window.length));
    Atomics.store(counter, 1, input.length);
    Atomics.add(counter, 0, 1);

    const started = performance.now();
    let reason: string | undefined;
    let thrown: unknown;
    let timer: NodeJS.Timeout | undefined;
    try {
      const hang = new Promise<"hang">((resolve) => (timer = setTimeout(() => resolve("hang"), target.budgetMs)));
      if ((await Promise.race([Promise.resolve().then(() => runner.run(input)), hang])) === "hang") reason = `hang: no answer in ${target.budgetMs} ms`;
    } catch (error) {
      thrown = error;
      reason = verdict(error, new TextDecoder().decode(input));
    } finally {
      clearTimeout(timer);
    }
    const took = performance.now() - started;
    if (!reason && took > target.budgetMs) reason = `hang: took ${Math.round(took)} ms (budget ${target.budgetMs} ms)`;
    const fresh = coverage?.take() ?? 0;
    if (reason) {
      const kind = signature(thrown, reason);
      if (!seen.has(kind)) {
        seen.add(kind);
        post({ kind: "crash", reason: thrown instanceof Error && !reason.startsWith("hang") ? `${reason}\n${thrown.stack ?? ""}` : reason, input });
      }
    } else if (fresh > 0 && corpus.length < MAX_CORPUS) corpus.push(input);
  }
  coverage?.close();
  await runner.close?.();
  post({ kind: "done", inputs, corpus: corpus.length, blocks: coverage?.covered ?? 0 });
}

await main(workerData as WorkerData);
