// toybox's own tests for the commands we ship only go up: this fails when fewer
// pass than the level already reached.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { fileLine, optionFlags, runToyboxTests, statedCases, tally, toyboxSummaryLine } from "./toybox-tests.ts";

/** Cases passing when last raised: 1012 of 1350 (see `npm run conformance`), with slack for timing-bound cases. */
const TOYBOX_FLOOR = 1006;

describe("toybox's own tests", () => {
  it(`pass at least ${TOYBOX_FLOOR} cases`, { timeout: 900_000 }, async () => {
    const result = await runToyboxTests();
    console.log(toyboxSummaryLine(result));
    assert.ok(result.files.length >= 60, `only ${result.files.length} test files found`);
    assert.ok(result.passed >= TOYBOX_FLOOR, `${toyboxSummaryLine(result)}; the floor is ${TOYBOX_FLOOR}`);
  });
});

describe("toybox test results, as the harness reports them", () => {
  it("counts passes, failures with their diff, and skips; a file that ended early leaves its stated cases not run", () => {
    const output = ["PASS: cat a", "FAIL: cat b", "  command: cat b", "  -x", "  +y", "SKIP: cat c", "noise"].join("\n");
    const stopped = tally("cat", output, 5);
    assert.deepEqual([stopped.passed, stopped.failed, stopped.skipped, stopped.notRun], [1, 1, 1, 2]);
    assert.deepEqual(stopped.failures, ["FAIL: cat b\n  command: cat b\n  -x\n  +y"]);
    assert.equal(fileLine(stopped), "cat: 1/4 (1 skipped, 2 not reached)");
    const finished = tally("cat", output + "\nEND\n", 5);
    assert.equal(finished.notRun, 0);
    assert.equal(fileLine(finished), "cat: 1/2 (1 skipped)");
  });

  it("reads the options toybox was built with, and the cases a file states", () => {
    assert.equal(optionFlags("#define CFG_CAT 1\n#define CFG_CAT_V 0\n#define CFG_SORT_FLOAT 1\n"), ":CAT:SORT_FLOAT:");
    assert.equal(statedCases('testing "a" "x" "" "" ""\n  testcmd "b" "" "" "" ""\n# testing "c"\nx=testing\n'), 2);
  });
});
