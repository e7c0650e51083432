import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { runEnvVarTest, runWordsTest } from "./conformance.ts";
import { envFromList, ShellLex } from "./shell-lex.ts";

// BuildKit's own data, read in place (../shared/conformance), through the runners `npm run conformance` uses.
describe("shell lexer: BuildKit's envVarTest and wordsTest", () => {
  it("expands every envVarTest case as BuildKit does", () => {
    const result = runEnvVarTest();
    console.log(`buildkit envVarTest: ${result.passed}/${result.total} passed (${result.windowsOnly} Windows-only cases not applicable)`);
    assert.equal(result.total, 228, "envVarTest has 228 non-Windows cases");
    assert.deepEqual(result.failures, []);
  });

  it("splits every wordsTest case as BuildKit does", () => {
    const result = runWordsTest();
    console.log(`buildkit wordsTest: ${result.passed}/${result.total} passed`);
    assert.equal(result.total, 24, "wordsTest has 24 cases");
    assert.deepEqual(result.failures, []);
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
