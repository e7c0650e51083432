/**
 * toybox's own test suite (tests/NAME.test in its source, which the userland
 * build unpacks) for the commands Berth ships, run on the real kernel: our sh
 * runs test-harness.sh (toybox's runner is bash) and then the test file, on
 * a host machine, in an empty directory of its own, as toybox's runner does.
 *
 * A case counts as passed, failed or skipped (the file's own conditions:
 * options not built, toyonly, interactive txpect). Cases a file never reached
 * (its shell stopped early, or ran out of time) count as failed: the file's
 * `testing`/`testcmd` lines, less those that reported.
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { createHost, HOST_ENV } from "../../src/host/index.ts";
import { readRootfs } from "../../src/host/node-index.ts";
import type { Machine } from "../../src/kernel/index.ts";
import { bootNodeKernel } from "../../src/kernel/node-index.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Where the userland build unpacks and configures toybox (build-step.mjs). */
export const TOYBOX_SOURCE_DIR = path.resolve(HERE, "../build/toybox/toybox-0.8.9");
/** Where the test files are in the test host's filesystem. */
const SUITE = "/usr/share/toybox-tests";
const FILE_TIMEOUT_MS = 120_000;

export interface ToyboxTestFile {
  readonly command: string;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** Cases the file did not reach. */
  readonly notRun: number;
  /** What each failing case printed (its name, command and diff). */
  readonly failures: readonly string[];
}

export interface ToyboxTestsResult {
  readonly files: readonly ToyboxTestFile[];
  readonly passed: number;
  /** Cases that apply: passed, failed and not reached. */
  readonly total: number;
  readonly skipped: number;
}

/** The commands Berth ships (commands.txt) that toybox has a test file for. */
export async function shippedTestFiles(sourceDir = TOYBOX_SOURCE_DIR): Promise<string[]> {
  const shipped = (await readFile(path.join(HERE, "commands.txt"), "utf8"))
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  const tests = new Set(await readdir(path.join(sourceDir, "tests")));
  return shipped.filter((command) => tests.has(`${command}.test`));
}

/** ":CFG_A:CFG_B:", the options toybox was built with (its runner's OPTIONFLAGS). */
export function optionFlags(configHeader: string): string {
  const enabled = [...configHeader.matchAll(/^#define CFG_(\w+) 1$/gm)].map((m) => m[1]);
  return `:${enabled.join(":")}:`;
}

/** The cases a test file states: its lines that call testing or testcmd. */
export function statedCases(testFile: string): number {
  return testFile.split("\n").filter((line) => /^\s*(testing|testcmd)\s/.test(line)).length;
}

/** Reads the harness's output for one file. */
export function tally(command: string, output: string, stated: number): ToyboxTestFile {
  const lines = output.split("\n");
  let passed = 0;
  let skipped = 0;
  // Each failure: its FAIL line and the indented lines after it (command, diff).
  const failures: string[][] = [];
  let inFailure = false;
  for (const line of lines) {
    if (inFailure && line.startsWith("  ")) {
      failures.at(-1)!.push(line);
      continue;
    }
    inFailure = line.startsWith("FAIL: ");
    if (inFailure) failures.push([line]);
    else if (line.startsWith("PASS: ")) passed++;
    else if (line.startsWith("SKIP: ")) skipped++;
  }
  const failed = failures.length;
  const notRun = lines.includes("END") ? 0 : Math.max(0, stated - passed - failed - skipped);
  return { command, passed, failed, skipped, notRun, failures: failures.map((f) => f.join("\n")) };
}

async function runFile(host: Machine, command: string, testFile: string, harness: string, options: string): Promise<ToyboxTestFile> {
  const testDir = `/tmp/toybox-tests/${command}`;
  // One script on stdin, not `.` of the test file: a syntax error ends the
  // shell there, before END, so the cases after it count as not reached.
  const script = [
    `mkdir -p ${testDir}/testdir && cd ${testDir}/testdir || exit 1`,
    harness,
    testFile,
    "echo END",
  ].join("\n");
  const result = await host.run(["sh"], {
    stdin: script + "\n",
    cwd: "/tmp",
    timeoutMs: FILE_TIMEOUT_MS,
    env: {
      ...HOST_ENV,
      C: `/bin/${command}`,
      CMDNAME: command,
      FILES: `${SUITE}/files`,
      TESTDIR: testDir,
      OPTIONFLAGS: options,
      LC_COLLATE: "C",
    },
  });
  const outcome = tally(command, result.stdout, statedCases(testFile));
  if (result.reason === "timeout") return { ...outcome, failures: [...outcome.failures, `TIMEOUT: ${command} after ${FILE_TIMEOUT_MS} ms`] };
  if (outcome.notRun) return { ...outcome, failures: [...outcome.failures, `STOPPED: ${command}, status ${result.exitCode}: ${result.stderr.trim().split("\n").slice(-3).join(" / ")}`] };
  return outcome;
}

/** Runs the test files of the shipped commands (those whose name contains `filter`, if given). */
export async function runToyboxTests(options: { filter?: string; onFile?: (file: ToyboxTestFile) => void; sourceDir?: string } = {}): Promise<ToyboxTestsResult> {
  const sourceDir = options.sourceDir ?? TOYBOX_SOURCE_DIR;
  if (!existsSync(path.join(sourceDir, "tests"))) {
    throw new Error(`toybox-tests: no toybox source at ${sourceDir}: run \`node wasm/build.mjs\``);
  }
  const flags = optionFlags(await readFile(path.join(sourceDir, "generated/config.h"), "utf8"));
  const harness = await readFile(path.join(HERE, "test-harness.sh"), "utf8");
  const suite = await readRootfs(path.join(sourceDir, "tests"));
  const rootfs: Record<string, Uint8Array> = { ...(await readRootfs()) };
  for (const [file, contents] of Object.entries(suite)) rootfs[SUITE + file] = contents;

  const kernel = await bootNodeKernel();
  const files: ToyboxTestFile[] = [];
  try {
    const host = (await createHost(kernel, { rootfs })).machine;
    for (const command of (await shippedTestFiles(sourceDir)).filter((c) => !options.filter || c.includes(options.filter))) {
      files.push(await runFile(host, command, new TextDecoder().decode(suite[`/${command}.test`]), harness, flags));
      options.onFile?.(files.at(-1)!);
    }
  } finally {
    await kernel.close();
  }
  return {
    files,
    passed: files.reduce((n, f) => n + f.passed, 0),
    total: files.reduce((n, f) => n + f.passed + f.failed + f.notRun, 0),
    skipped: files.reduce((n, f) => n + f.skipped, 0),
  };
}

export function toyboxSummaryLine(result: ToyboxTestsResult): string {
  return `toybox-tests: ${result.passed}/${result.total} passed (${result.skipped} skipped)`;
}

export function fileLine(file: ToyboxTestFile): string {
  const extra = [file.skipped ? `${file.skipped} skipped` : "", file.notRun ? `${file.notRun} not reached` : ""].filter(Boolean).join(", ");
  return `${file.command}: ${file.passed}/${file.passed + file.failed + file.notRun}${extra ? ` (${extra})` : ""}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const filter = args.includes("--file") ? args[args.indexOf("--file") + 1] : undefined;
  const verbose = args.includes("--verbose");
  const result = await runToyboxTests({
    filter,
    onFile: (file) => {
      console.log(fileLine(file));
      if (verbose) for (const failure of file.failures) console.log(failure.replace(/^/gm, "    "));
    },
  });
  console.log(toyboxSummaryLine(result));
}
