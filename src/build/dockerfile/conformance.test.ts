import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { buildkitConformanceReport, runEnvVarTest, runParserConformance, runWordsTest } from "./conformance.ts";

describe("buildkit conformance runners (npm run conformance)", () => {
  it("count every case and pass them all", () => {
    const parser = runParserConformance();
    const env = runEnvVarTest();
    const words = runWordsTest();
    assert.deepEqual([parser.passed, parser.total, parser.failures], [37, 37, []]);
    assert.deepEqual([env.passed, env.total, env.windowsOnly, env.failures], [228, 228, 2, []]);
    assert.deepEqual([words.passed, words.total, words.failures], [24, 24, []]);
    const report = buildkitConformanceReport();
    console.log(report.lines.join("\n"));
    assert.deepEqual(report.lines, ["buildkit-parser: 37/37 passed", "buildkit-shell-words: 252/252 passed"]);
    assert.equal(report.ok, true);
  });
});
