// `npm test`: the type check, then every *.test.ts beside the code under
// Node's test runner (tsx strips types, so without the check a type error
// would pass). Node 20's runner takes no globs, so the files are found here.
// `node scripts/test.mjs PART...` runs only test files whose path holds a PART.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const ROOTS = ["src", "wasm", "scripts", "bench", "e2e"];
// Not searched: dependencies, outputs, and the userland's build tree (sources of others).
const SKIP = new Set(["node_modules", "dist", "e2e/output", "wasm/build"]);

function find(dir, out) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP.has(entry.name) && !SKIP.has(full)) find(full, out);
    } else if (entry.name.endsWith(".test.ts")) out.push(full);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = ROOTS.flatMap((root) => find(root, []))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
// The browser tests drive Debian's Chromium: install it first if missing.
if (files.some((f) => f.startsWith("e2e"))) {
  const bootstrap = spawnSync("sh", ["scripts/bootstrap.sh", "--browser"], { stdio: "inherit" });
  if (bootstrap.status !== 0) process.exit(1);
}
if (filters.length === 0) {
  // Node code, the page (DOM types) and the browser tests each have their own settings.
  for (const project of [".", "web", "e2e"]) {
    const tsc = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "--noEmit", "-p", project], { stdio: "inherit" });
    if (tsc.status !== 0) {
      console.error(`typecheck failed (${project})`);
      process.exit(1);
    }
  }
}
// A test that hangs fails after 5 minutes (the longest take about 30 s) instead of
// holding the whole run until CI's limit.
const TEST_TIMEOUT_MS = 300_000;
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-reporter=spec", "--test-concurrency=1", `--test-timeout=${TEST_TIMEOUT_MS}`, ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
