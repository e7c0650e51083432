/**
 * `npm run conformance`: our sh, on the real kernel, over the oils-spec POSIX
 * cases in ../shared/conformance/oils-spec, the way oils runs them: the code
 * on stdin, only PATH, SH and TMP set, a fresh $TMP as the working directory,
 * a time limit per case. Prints one line per file and a total. Then the
 * Dockerfile parser over buildkit's test data, and toybox's own tests for the
 * commands we ship (wasm/toybox/toybox-tests.ts).
 *
 *   --file NAME   only files whose name contains NAME
 *   --verbose     show what failing cases printed
 *
 * Each file runs in a Node process of its own (a fresh kernel), bounded by a
 * time limit: the SDK can be left spinning by a guest it failed to kill, and
 * that must cost one file, not the whole run.
 */
import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { MemoryFileSystem } from "../src/fs/index.ts";
import type { Kernel } from "../src/kernel/index.ts";
import { bootNodeKernel } from "../src/kernel/node-index.ts";
import { buildkitConformanceReport } from "../src/build/dockerfile/conformance.ts";
import { fileLine, runToyboxTests, toyboxSummaryLine } from "../wasm/toybox/toybox-tests.ts";
import { parseSpecFile, passes, type Outcome, type SpecCase } from "./oils-spec.ts";

export const SPEC_DIR = fileURLToPath(new URL("../../shared/conformance/oils-spec/", import.meta.url));
const CASE_TIMEOUT_MS = 5_000;
const CONCURRENCY = 4;
const FILE_TIMEOUT_MS = 180_000;
const SELF = fileURLToPath(import.meta.url);

export interface ConformanceResult {
  readonly files: { file: string; passed: number; total: number }[];
  readonly passed: number;
  readonly total: number;
  readonly failures: { spec: SpecCase; outcome: Outcome }[];
}

async function runCase(kernel: Kernel, spec: SpecCase): Promise<Outcome> {
  const tmp = new MemoryFileSystem();
  if (spec.legacyTmpDir) tmp.mkdirAll("_tmp");
  const machine = await kernel.createMachine({
    env: { PATH: "/bin:/usr/bin", SH: "/bin/sh", TMP: "/tmp" },
    mounts: [{ path: "/tmp", fs: tmp }],
  });
  try {
    const r = await machine.run(["sh"], { stdin: spec.code, cwd: "/tmp", timeoutMs: CASE_TIMEOUT_MS });
    return { stdout: r.stdout, stderr: r.stderr, status: r.reason === "timeout" ? -1 : r.exitCode };
  } finally {
    await machine.close();
  }
}

type FileResult = ConformanceResult["files"][number];

async function specFiles(filter?: string): Promise<string[]> {
  return (await readdir(SPEC_DIR)).filter((f) => f.endsWith(".test.sh") && (!filter || f.includes(filter))).sort();
}

/** Every file in its own process; a file that does not finish in time counts as all failed. */
export async function runConformance(options: { filter?: string; onFile?: (file: FileResult) => void } = {}): Promise<ConformanceResult> {
  const files: FileResult[] = [];
  for (const file of await specFiles(options.filter)) {
    const total = parseSpecFile(file, await readFile(path.join(SPEC_DIR, file), "utf8")).length;
    const passed = await new Promise<number>((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", SELF, "--only", file, "--json"],
        { timeout: FILE_TIMEOUT_MS, maxBuffer: 16 << 20 },
        (error, stdout) => {
          const line = stdout.split("\n").find((l) => l.startsWith("{"));
          resolve(line && !error ? (JSON.parse(line) as FileResult).passed : 0);
        },
      );
    });
    files.push({ file, passed, total });
    options.onFile?.(files.at(-1)!);
  }
  return {
    files,
    passed: files.reduce((n, f) => n + f.passed, 0),
    total: files.reduce((n, f) => n + f.total, 0),
    failures: [],
  };
}

/** The files in this process, on one kernel each (what a child of runConformance does). */
export async function runFilesHere(options: { filter?: string; only?: string; onFile?: (file: FileResult) => void } = {}): Promise<ConformanceResult> {
  const names = options.only ? [options.only] : await specFiles(options.filter);
  const files: ConformanceResult["files"] = [];
  const failures: ConformanceResult["failures"] = [];
  for (const file of names) {
    // A kernel per file: a case that outlives its time limit cannot slow the rest.
    const kernel = await bootNodeKernel({ includeTestCommands: true });
    try {
      const cases = parseSpecFile(file, await readFile(path.join(SPEC_DIR, file), "utf8"));
      let passed = 0;
      for (let i = 0; i < cases.length; i += CONCURRENCY) {
        const batch = cases.slice(i, i + CONCURRENCY);
        const outcomes = await Promise.all(batch.map((spec) => runCase(kernel, spec)));
        batch.forEach((spec, k) => {
          if (passes(spec, outcomes[k]!)) passed++;
          else failures.push({ spec, outcome: outcomes[k]! });
        });
      }
      files.push({ file, passed, total: cases.length });
      options.onFile?.(files.at(-1)!);
    } finally {
      await kernel.close();
    }
  }
  return {
    files,
    passed: files.reduce((n, f) => n + f.passed, 0),
    total: files.reduce((n, f) => n + f.total, 0),
    failures,
  };
}

export function summaryLine(result: ConformanceResult): string {
  return `oils-spec: ${result.passed}/${result.total} passed (${((100 * result.passed) / Math.max(1, result.total)).toFixed(1)}%)`;
}

if (process.argv[1] === SELF) {
  const args = process.argv.slice(2);
  const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  if (args.includes("--json")) {
    // Answer and leave at once: closing a kernel the SDK left spinning could hang.
    await runFilesHere({
      only: option("--only"),
      onFile: (f) => {
        console.log(JSON.stringify(f));
        process.exit(0);
      },
    });
  }
  const verbose = args.includes("--verbose");
  const print = (f: FileResult) => console.log(`${f.file}: ${f.passed}/${f.total}`);
  const result = verbose
    ? await runFilesHere({ filter: option("--file"), onFile: print })
    : await runConformance({ filter: option("--file"), onFile: print });
  if (args.includes("--verbose")) {
    for (const { spec, outcome } of result.failures) {
      console.log(`\nFAIL ${spec.file} :: ${spec.name}\n  got ${JSON.stringify(outcome)}\n  want ${JSON.stringify(spec.accepted[0])}`);
    }
  }
  console.log(summaryLine(result));
  // The Dockerfile parser against buildkit's own test data (no kernel needed).
  for (const line of buildkitConformanceReport().lines) console.log(line);
  // toybox's own tests for the commands we ship, on the same kernel.
  const toybox = await runToyboxTests({ onFile: (file) => console.log(fileLine(file)) });
  console.log(toyboxSummaryLine(toybox));
}
