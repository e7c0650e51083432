import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { humanDuration, humanSize, quotedCommand, table } from "./format.ts";

describe("docker output formats", () => {
  it("aligns tables like the CLI's tabwriter: padding 3, minimum width 10", () => {
    assert.equal(
      table(["REPOSITORY", "TAG", "IMAGE ID", "SIZE"], [["alpine", "latest", "05455a08881e", "7.8MB"], ["debian", "12", "abc", "1kB"]]),
      "REPOSITORY   TAG       IMAGE ID       SIZE\nalpine       latest    05455a08881e   7.8MB\ndebian       12        abc            1kB\n",
    );
  });

  it("says durations as Docker does", () => {
    const cases: [number, string][] = [
      [500, "Less than a second"],
      [1000, "1 second"],
      [45_000, "45 seconds"],
      [60_000, "About a minute"],
      [5 * 60_000, "5 minutes"],
      [3_600_000, "About an hour"],
      [5 * 3_600_000, "5 hours"],
      [3 * 86_400_000, "3 days"],
      [20 * 86_400_000, "2 weeks"],
      [90 * 86_400_000, "3 months"],
      [800 * 86_400_000, "2 years"],
    ];
    for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, String(ms));
  });

  it("says sizes as Docker does", () => {
    assert.equal(humanSize(0), "0B");
    assert.equal(humanSize(999), "999B");
    assert.equal(humanSize(7_380_000), "7.38MB");
    assert.equal(humanSize(12_345), "12.3kB");
    assert.equal(humanSize(1_000_000_000), "1GB");
  });

  it("quotes and cuts commands for docker ps", () => {
    assert.equal(quotedCommand(["sleep", "1000"]), '"sleep 1000"');
    assert.equal(quotedCommand(["sh", "-c", "while true; do echo hi; done"]), '"sh -c while true; d…"');
    assert.equal(quotedCommand(["echo", 'say "hi"']), '"echo say \\"hi\\""');
  });
});
