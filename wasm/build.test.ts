// The userland build is reproducible: a second, clean build elsewhere gives the same bytes.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const WASM = path.dirname(fileURLToPath(import.meta.url));

describe("userland build", () => {
  const scratch = mkdtempSync(path.join(tmpdir(), "berth-wasm-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("gives the same sha256 for every module when built twice", () => {
    const dist = path.join(scratch, "dist");
    execFileSync(process.execPath, [path.join(WASM, "build.mjs")], {
      env: { ...process.env, BERTH_WASM_BUILD_DIR: path.join(scratch, "build"), BERTH_WASM_DIST_DIR: dist },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const first = JSON.parse(readFileSync(path.join(WASM, "dist/manifest.json"), "utf8"));
    const second = JSON.parse(readFileSync(path.join(dist, "manifest.json"), "utf8"));
    assert.ok(Object.keys(first.modules).length > 0);
    assert.deepEqual(second.modules, first.modules);
  });
});
