/**
 * Runs a target's fuzz loop (worker.ts) in a worker thread and watches it:
 * a worker whose input counter stops for longer than the target's budget
 * (plus slack for a slow setup step or a pause) is stopped, its input is
 * reported as a hang, and a fresh worker goes on with the time or inputs left.
 * Crashing inputs are saved under .cache/fuzz/ (ignored by git).
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";

import { REPO_ROOT, TARGETS } from "./targets.ts";

export interface FuzzOptions {
  readonly seed: number;
  /** Run for this long... */
  readonly seconds?: number;
  /** ...or this many inputs (the first reached ends the run). */
  readonly inputs?: number;
  /** Go on past the time until this many inputs have run. */
  readonly minInputs?: number;
  /** Keep inputs that reach new blocks (the default); without, mutants come from the seeds only, about ten times faster. */
  readonly coverage?: boolean;
}

export interface Crash {
  readonly reason: string;
  readonly input: Uint8Array;
  /** Where the input was saved. */
  readonly file: string;
}

export interface FuzzResult {
  readonly target: string;
  readonly inputs: number;
  readonly crashes: readonly Crash[];
  /** Inputs kept for reaching new blocks, and the blocks of src/ all inputs reached. */
  readonly corpus: number;
  readonly blocks: number;
  /** Time spent fuzzing (setup, e.g. booting the kernel, excluded). */
  readonly ms: number;
}

export interface WorkerData {
  readonly target: string;
  readonly seed: number;
  /** Stop after this many inputs or this many ms of fuzzing (setup not counted), whichever comes first, but not before minInputs. */
  readonly inputs: number;
  readonly ms: number;
  readonly minInputs: number;
  /** Int32 [inputs started, input length] then the input's bytes. */
  readonly shared: SharedArrayBuffer;
  readonly coverage: boolean;
  /** Seeds to leave out: they hung an earlier worker. */
  readonly skip: readonly string[];
}

export type WorkerMessage =
  | { readonly kind: "ready" }
  | { readonly kind: "crash"; readonly reason: string; readonly input: Uint8Array }
  | { readonly kind: "done"; readonly inputs: number; readonly corpus: number; readonly blocks: number };

/** Bytes of an input the runner can see when it hangs. */
export const SHARED_INPUT_BYTES = 256 * 1024;

const CRASH_DIR = path.join(REPO_ROOT, ".cache/fuzz/crashes");
/** Node 20 does not hand tsx's loader to worker threads: the worker registers it, then loads worker.ts. */
const WORKER_BOOT = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL("./worker.ts", import.meta.url).href)}); });`;
/** How long past its budget a silent worker is given before it is stopped as hung. */
const WATCHDOG_SLACK_MS = 5_000;

function save(target: string, reason: string, input: Uint8Array): Crash {
  const dir = path.join(CRASH_DIR, target);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, createHash("sha1").update(input).digest("hex").slice(0, 16));
  fs.writeFileSync(file, input);
  fs.writeFileSync(`${file}.txt`, `${reason}\n`);
  return { reason, input, file: path.relative(REPO_ROOT, file) };
}

export async function fuzzTarget(name: string, options: FuzzOptions): Promise<FuzzResult> {
  const target = TARGETS.find((t) => t.name === name);
  if (!target) throw new Error(`no fuzz target ${name} (${TARGETS.map((t) => t.name).join(", ")})`);
  const crashes: Crash[] = [];
  const skip: string[] = [];
  let inputs = 0;
  let corpus = 0;
  let blocks = 0;
  let ms = 0;
  for (let round = 0; ; round++) {
    const shared = new SharedArrayBuffer(8 + SHARED_INPUT_BYTES);
    const counter = new Int32Array(shared, 0, 2);
    const workerData: WorkerData = {
      target: name,
      seed: options.seed + round,
      inputs: (options.inputs ?? Infinity) - inputs,
      ms: (options.seconds ?? Infinity) * 1000 - ms,
      minInputs: (options.minInputs ?? 0) - inputs,
      shared,
      coverage: options.coverage ?? true,
      skip,
    };
    const worker = new Worker(WORKER_BOOT, { eval: true, workerData });
    const outcome = await new Promise<{ done?: Extract<WorkerMessage, { kind: "done" }>; hung?: Uint8Array; started: number }>((resolve, reject) => {
      let started = Date.now();
      let last = -1;
      let lastChange = 0;
      let stopping = false;
      let watchdog: NodeJS.Timeout | undefined;
      worker.on("message", (message: WorkerMessage) => {
        if (message.kind === "ready") {
          started = lastChange = Date.now();
          watchdog = setInterval(() => {
            const now = Atomics.load(counter, 0);
            if (now !== last) {
              last = now;
              lastChange = Date.now();
            } else if (Date.now() - lastChange > target.budgetMs + WATCHDOG_SLACK_MS) {
              clearInterval(watchdog);
              stopping = true;
              const input = new Uint8Array(shared, 8, Math.min(Atomics.load(counter, 1), SHARED_INPUT_BYTES)).slice();
              void worker.terminate().then(() => resolve({ hung: input, started }));
            }
          }, 100);
        } else if (message.kind === "crash") {
          crashes.push(save(name, message.reason, message.input));
        } else {
          // Done: whatever the target still holds open (the kernel's threads) goes with the worker.
          clearInterval(watchdog);
          stopping = true;
          void worker.terminate();
          resolve({ done: message, started });
        }
      });
      worker.on("error", (error) => {
        clearInterval(watchdog);
        reject(error);
      });
      worker.on("exit", (code) => {
        clearInterval(watchdog);
        if (code !== 0 && !stopping) reject(new Error(`fuzz worker for ${name} exited with ${code}`));
      });
    });
    ms += Date.now() - outcome.started;
    if (outcome.done) {
      inputs += outcome.done.inputs;
      corpus = Math.max(corpus, outcome.done.corpus);
      blocks = Math.max(blocks, outcome.done.blocks);
      return { target: name, inputs, crashes, corpus, blocks, ms };
    }
    const hung = outcome.hung!;
    inputs += Atomics.load(counter, 0);
    crashes.push(save(name, `hang: no answer in ${target.budgetMs + WATCHDOG_SLACK_MS} ms (stopped)`, hung));
    skip.push(Buffer.from(hung).toString("base64"));
    const timeUp = ms >= (options.seconds ?? Infinity) * 1000 && inputs >= (options.minInputs ?? 0);
    if (inputs >= (options.inputs ?? Infinity) || timeUp) return { target: name, inputs, crashes, corpus, blocks, ms };
  }
}
