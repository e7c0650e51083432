import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

import { BUILDKIT_DOCKERFILE_CONFORMANCE as DATA } from "./conformance.ts";
import { ShellWordError } from "./errors.ts";
import { envFromList, ShellLex } from "./shell-lex.ts";

/** Lines as Go's bufio.Scanner gives them (no newline, a trailing \r dropped). */
function lines(file: string): string[] {
  const text = readFileSync(path.join(DATA, file), "utf8");
  const out = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (text.endsWith("\n")) out.pop();
  return out;
}

describe("shell lexer: envVarTest (BuildKit)", () => {
  // BuildKit's environment for this file; `$pwd` differs from `$PWD` off Windows.
  const env = envFromList(["PWD=/home", "SHELL=bash", "KOREAN=한국어", "NULL="]);
  const lex = new ShellLex();
  const cases: { line: number; source: string; expected: string }[] = [];
  let windowsOnly = 0;
  lines("envVarTest").forEach((raw, i) => {
    if (raw.startsWith("#")) return;
    const line = raw.trim();
    if (line === "") return;
    const parts = line.split("|");
    assert.equal(parts.length, 3, `envVarTest:${i + 1}: ${raw}`);
    const [platform, source, expected] = parts.map((p) => p.trim()) as [string, string, string];
    assert.ok(["A", "U", "W"].includes(platform), `envVarTest:${i + 1}: platform ${platform}`);
    if (platform === "W") windowsOnly++;
    else cases.push({ line: i + 1, source, expected });
  });

  it("has its cases", () => assert.equal(cases.length, 228, "envVarTest has 228 non-Windows cases"));

  it("expands every case as BuildKit does", () => {
    const failures: string[] = [];
    for (const c of cases) {
      let got: string;
      try {
        got = lex.processWord(c.source, env);
      } catch (error) {
        assert.ok(error instanceof ShellWordError, String(error));
        got = "error";
      }
      if (got !== c.expected) failures.push(`envVarTest:${c.line}: ${JSON.stringify(c.source)} -> ${JSON.stringify(got)}, want ${JSON.stringify(c.expected)}`);
    }
    console.log(`buildkit envVarTest: ${cases.length - failures.length}/${cases.length} passed (${windowsOnly} Windows-only cases not applicable)`);
    assert.deepEqual(failures, []);
  });
});

describe("shell lexer: wordsTest (BuildKit)", () => {
  it("splits every case as BuildKit does", () => {
    const lex = new ShellLex();
    const envs: string[] = [];
    const failures: string[] = [];
    let total = 0;
    lines("wordsTest").forEach((line, i) => {
      if (line.startsWith("#")) return;
      if (line.startsWith("ENV ")) {
        envs.push(line.slice(3).replace(/^ +/, ""));
        return;
      }
      const parts = line.split("|");
      assert.equal(parts.length, 2, `wordsTest:${i + 1}: ${line}`);
      total++;
      const source = parts[0]!.trim();
      const expected = parts[1]!.replace(/^ +/, "").split(",");
      let got: string[];
      try {
        got = lex.processWords(source, envFromList(envs));
      } catch (error) {
        assert.ok(error instanceof ShellWordError, String(error));
        got = ["error"];
      }
      if (JSON.stringify(got) !== JSON.stringify(expected)) failures.push(`wordsTest:${i + 1}: ${JSON.stringify(source)} -> ${JSON.stringify(got)}, want ${JSON.stringify(expected)}`);
    });
    console.log(`buildkit wordsTest: ${total - failures.length}/${total} passed`);
    assert.equal(total, 24, "wordsTest has 24 cases");
    assert.deepEqual(failures, []);
  });
});

describe("shell lexer", () => {
  const env = envFromList(["A=a", "EMPTY=", "SP=x  y"]);

  it("reports used and unset variables", () => {
    const r = new ShellLex().process("$A ${B:-b} ${EMPTY}", env);
    assert.deepEqual([...r.matched].sort(), ["A", "EMPTY"]);
    assert.deepEqual([...r.unmatched], ["B"]);
    assert.equal(r.word, "a b ");
  });

  it("uses the backtick as escape token when told", () => {
    const lex = new ShellLex({ escapeToken: "`" });
    assert.equal(lex.processWord("C:\\dir`$A", env), "C:\\dir$A");
    assert.throws(() => new ShellLex({ escapeToken: "/" }), /invalid escape token/);
  });

  it("keeps quotes, escapes and unset references in raw modes", () => {
    const lex = new ShellLex({ rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
    assert.deepEqual(lex.processWords(`cat <<"EOF" \\x $NOPE \${NO:-x} $A`, env), ["cat", '<<"EOF"', "\\x", "$NOPE", "${NO:-x}", "a"]);
  });

  it("names the variable in ${X:?message} errors", () => {
    assert.throws(() => new ShellLex().processWord("${NOPE:?must be set}", env), { name: "ShellWordError", message: "NOPE: must be set" });
    assert.throws(() => new ShellLex().processWord("${EMPTY:?}", env), { message: "EMPTY: is not allowed to be empty" });
    assert.throws(() => new ShellLex().processWord("${A:-x", env), { message: "syntax error: missing '}'" });
  });

  it("splits unquoted expansions but not quoted ones", () => {
    assert.deepEqual(new ShellLex().processWords(`$SP "$SP"`, env), ["x", "y", "x  y"]);
  });
});
