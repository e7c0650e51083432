/**
 * BuildKit's Dockerfile conformance data, read in place from `../shared/conformance`
 * beside the repository (never copied into it), and runners for `npm run conformance`:
 *
 *   buildkit-parser: 37/37 passed        33 testfiles dumped byte-identical + 4 negatives
 *   buildkit-shell-words: 252/252 passed envVarTest (non-Windows) + wordsTest
 *
 * Node-only (reads files): not exported from the folder's index.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { ShellWordError } from "./errors.ts";
import { dump, parse } from "./parser.ts";
import { envFromList, ShellLex } from "./shell-lex.ts";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** `<repo>/../shared/conformance/buildkit-dockerfile` */
export const BUILDKIT_DOCKERFILE_CONFORMANCE = path.resolve(REPO_ROOT, "../shared/conformance/buildkit-dockerfile");

export interface SuiteResult {
  readonly passed: number;
  readonly total: number;
  /** One line per failing case. */
  readonly failures: string[];
}

const read = (...p: string[]) => readFileSync(path.join(BUILDKIT_DOCKERFILE_CONFORMANCE, ...p), "utf8");

/** Lines as Go's bufio.Scanner gives them (no newline, a trailing \r dropped). */
function dataLines(file: string): string[] {
  const text = read(file);
  const out = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (text.endsWith("\n")) out.pop();
  return out;
}

/** Every testfiles case dumped byte-identical to its `result`; every negative rejected. */
export function runParserConformance(): SuiteResult {
  const failures: string[] = [];
  let total = 0;
  for (const name of readdirSync(path.join(BUILDKIT_DOCKERFILE_CONFORMANCE, "testfiles")).sort()) {
    total++;
    try {
      const got = dump(parse(read("testfiles", name, "Dockerfile")).ast) + "\n";
      if (got !== read("testfiles", name, "result")) failures.push(`testfiles/${name}: dump differs`);
    } catch (error) {
      failures.push(`testfiles/${name}: ${String(error)}`);
    }
  }
  for (const name of readdirSync(path.join(BUILDKIT_DOCKERFILE_CONFORMANCE, "testfiles-negative")).sort()) {
    total++;
    try {
      parse(read("testfiles-negative", name, "Dockerfile"));
      failures.push(`testfiles-negative/${name}: accepted`);
    } catch {
      // rejected, as it should be
    }
  }
  return { passed: total - failures.length, total, failures };
}

/** envVarTest's cases that apply off Windows (platform A or U), expanded with ProcessWord. */
export function runEnvVarTest(): SuiteResult & { windowsOnly: number } {
  const env = envFromList(["PWD=/home", "SHELL=bash", "KOREAN=한국어", "NULL="]);
  const lex = new ShellLex();
  const failures: string[] = [];
  let total = 0;
  let windowsOnly = 0;
  dataLines("envVarTest").forEach((raw, i) => {
    if (raw.startsWith("#")) return;
    const line = raw.trim();
    if (line === "") return;
    const parts = line.split("|").map((p) => p.trim());
    if (parts.length !== 3 || !["A", "U", "W"].includes(parts[0]!)) throw new Error(`envVarTest:${i + 1}: malformed: ${raw}`);
    const [platform, source, expected] = parts as [string, string, string];
    if (platform === "W") {
      windowsOnly++;
      return;
    }
    total++;
    let got: string;
    try {
      got = lex.processWord(source, env);
    } catch (error) {
      if (!(error instanceof ShellWordError)) throw error;
      got = "error";
    }
    if (got !== expected) failures.push(`envVarTest:${i + 1}: ${JSON.stringify(source)} -> ${JSON.stringify(got)}, want ${JSON.stringify(expected)}`);
  });
  return { passed: total - failures.length, total, failures, windowsOnly };
}

/** wordsTest: ProcessWords with the ENV lines seen so far. */
export function runWordsTest(): SuiteResult {
  const lex = new ShellLex();
  const envs: string[] = [];
  const failures: string[] = [];
  let total = 0;
  dataLines("wordsTest").forEach((line, i) => {
    if (line.startsWith("#")) return;
    if (line.startsWith("ENV ")) {
      envs.push(line.slice(3).replace(/^ +/, ""));
      return;
    }
    const parts = line.split("|");
    if (parts.length !== 2) throw new Error(`wordsTest:${i + 1}: malformed: ${line}`);
    total++;
    const source = parts[0]!.trim();
    const expected = parts[1]!.replace(/^ +/, "").split(",");
    let got: string[];
    try {
      got = lex.processWords(source, envFromList(envs));
    } catch (error) {
      if (!(error instanceof ShellWordError)) throw error;
      got = ["error"];
    }
    if (JSON.stringify(got) !== JSON.stringify(expected)) failures.push(`wordsTest:${i + 1}: ${JSON.stringify(source)} -> ${JSON.stringify(got)}, want ${JSON.stringify(expected)}`);
  });
  return { passed: total - failures.length, total, failures };
}

/** The two lines `npm run conformance` prints for the Dockerfile front end. */
export function buildkitConformanceReport(): { lines: string[]; failures: string[]; ok: boolean } {
  const parser = runParserConformance();
  const env = runEnvVarTest();
  const words = runWordsTest();
  const shellPassed = env.passed + words.passed;
  const shellTotal = env.total + words.total;
  return {
    lines: [`buildkit-parser: ${parser.passed}/${parser.total} passed`, `buildkit-shell-words: ${shellPassed}/${shellTotal} passed`],
    failures: [...parser.failures, ...env.failures, ...words.failures],
    ok: parser.passed === parser.total && shellPassed === shellTotal,
  };
}
