/**
 * The oils spec-test format (../shared/conformance/README.md): cases of shell
 * code with expected stdout, stderr and status, and per-shell overrides. Dash
 * is our reference: a case passes if it matches dash's override, else the
 * default; cases dash does not implement (N-I dash) or that need Python or
 * the oils repository are out of scope.
 */
export interface Expectation {
  stdout?: string;
  stderr?: string;
  status?: number;
}

export interface SpecCase {
  readonly file: string;
  readonly name: string;
  readonly code: string;
  /** What counts as passing: dash's overrides merged over the default, then the default. */
  readonly accepted: readonly Expectation[];
  /** The file says "## legacy_tmp_dir: yes": its cases expect a _tmp directory where they start. */
  readonly legacyTmpDir: boolean;
}

export interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number;
}

/** An expectation, maybe a shell's own ("## OK dash stdout:"); OK-2, BUG-2... are further alternatives. */
const EXPECTATION = /^## (?:((?:OK|BUG|N-I)(?:-\d+)?) ([\w/-]+) )?(stdout|stderr|status|STDOUT|STDERR|stdout-json|stderr-json)(?::\s?(.*))?$/;
/** Any "## key:" line: it ends a multi-line block, as in oils' runner (test/sh_spec.py). */
const KEY_VALUE = /^## (?:(?:OK|BUG|N-I)(?:-\d+)? [\w+/-]+ )?[\w-]+:/;
/** oils' runner drops comment lines everywhere (code and multi-line blocks) and blank lines outside blocks. */
const isComment = (line: string) => line.trimStart().startsWith("#");

export function parseSpecFile(file: string, text: string): SpecCase[] {
  const lines = text.split("\n");
  const cases: SpecCase[] = [];
  const legacyTmpDir = lines.some((l) => /^## legacy_tmp_dir:\s*yes/.test(l));
  let current:
    | { name: string; code: string[]; codeEndsLine: boolean; source: string[]; expectations: Map<string, Expectation>; notDash: boolean }
    | undefined;
  const flush = () => {
    if (!current) return;
    const code = current.code.join("\n") + (current.codeEndsLine ? "\n" : "");
    if (!current.notDash && !/python|REPO_ROOT/.test(current.source.join("\n"))) {
      const base = current.expectations.get("default") ?? {};
      const accepted: Expectation[] = [];
      for (const [key, value] of current.expectations) {
        if (key !== "default") accepted.push({ ...base, ...value });
      }
      accepted.push(base);
      cases.push({ file, name: current.name, code, accepted, legacyTmpDir });
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("#### ")) {
      flush();
      current = { name: line.slice(5), code: [], codeEndsLine: true, source: [], expectations: new Map(), notDash: false };
      continue;
    }
    if (!current) continue;
    const marker = /^## (OK|BUG|N-I)(?:-\d+)? ([\w/-]+)/.exec(line);
    const dashOverride = marker !== null && marker[2]!.split("/").includes("dash");
    if (marker && marker[1] === "N-I" && dashOverride) current.notDash = true;
    const m = EXPECTATION.exec(line);
    if (m) {
      const [, kind, , key, value] = m;
      const target = kind ? (dashOverride ? kind : undefined) : "default";
      let parsed: Partial<Expectation> = {};
      if (key === "STDOUT" || key === "STDERR") {
        // A block ends at "## END", or (as in oils' own runner) at the next expectation or case.
        const body: string[] = [];
        for (i++; i < lines.length && lines[i] !== "## END"; i++) {
          if (KEY_VALUE.test(lines[i]!) || lines[i]!.startsWith("#### ")) {
            i--;
            break;
          }
          if (!isComment(lines[i]!)) body.push(lines[i]!);
        }
        parsed = { [key.toLowerCase()]: body.length ? body.join("\n") + "\n" : "" };
      } else if (key === "stdout-json" || key === "stderr-json") {
        parsed = { [key.slice(0, 6)]: JSON.parse(value ?? '""') as string };
      } else if (key === "status") {
        parsed = { status: Number(value) };
      } else {
        parsed = { [key!]: `${value ?? ""}\n` };
      }
      if (target) current.expectations.set(target, { ...current.expectations.get(target), ...parsed });
      continue;
    }
    const codeValue = /^## code:\s*(.*)$/.exec(line);
    if (codeValue) {
      // code given on one line (no newline after it), for input that must end mid-command
      current.source.push(codeValue[1]!);
      current.code.push(codeValue[1]!);
      current.codeEndsLine = false;
      continue;
    }
    if (line.startsWith("## ")) continue;
    current.source.push(line);
    if (line.trim() && !isComment(line)) current.code.push(line);
  }
  flush();
  return cases;
}

/** Whether an outcome matches one of the accepted expectations: stdout and stderr when stated, status (0 unless stated). */
export function passes(spec: SpecCase, outcome: Outcome): boolean {
  return spec.accepted.some(
    (e) =>
      (e.stdout === undefined || e.stdout === outcome.stdout) &&
      (e.status ?? 0) === outcome.status &&
      (e.stderr === undefined || e.stderr === outcome.stderr),
  );
}
