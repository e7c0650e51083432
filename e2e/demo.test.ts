// The copyable demo script keeps working against the built site.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { OUTPUT_DIR, serveSite, type Site } from "./harness.ts";

describe("e2e/demo.mjs", () => {
  let site: Site;
  before(async () => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    site = await serveSite();
  });
  after(async () => site?.close());

  it("runs commands in the playground and prints their output and status", () => {
    const demo = spawnSync(process.execPath, [path.join(import.meta.dirname, "demo.mjs"), site.url], {
      encoding: "utf8",
      env: { ...process.env, DEMO_SCREENSHOT: path.join(OUTPUT_DIR, "demo.png") },
      timeout: 90_000,
    });
    assert.equal(demo.status, 0, demo.stderr);
    assert.match(demo.stdout, /\$ uname -a\nLinux berth .*\n\(exit 0\)/);
    assert.match(demo.stdout, /NAME="Alpine Linux"/);
    assert.match(demo.stdout, /\$ docker run --rm --hostname demo alpine hostname\ndemo\n\(exit 0\)/);
  });
});
