// Every fuzz target for a fixed number of inputs from a fixed seed, so a
// change that brings back a crash fails here, the same way on every run.
// `npm run fuzz` explores further: longer, and from a new seed each time.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { fuzzTarget } from "./runner.ts";
import { TARGETS } from "./targets.ts";

const INPUTS = 2000;
const SEED = 20240601;

describe("fuzz targets, 2,000 inputs each", () => {
  // One worker each, all at once: the api target's kernel boot is most of the time.
  const results = new Map(TARGETS.map((t) => [t.name, fuzzTarget(t.name, { seed: SEED, inputs: INPUTS, coverage: false })]));
  for (const target of TARGETS) {
    it(`${target.name}: no crash, no hang, no unclear error`, async () => {
      const result = await results.get(target.name)!;
      assert.equal(result.inputs, INPUTS);
      assert.deepEqual(
        result.crashes.map((c) => `${c.file}: ${c.reason}`),
        [],
      );
    });
  }
});
