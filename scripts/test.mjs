// `npm test`: every *.test.ts beside the code, under Node's test runner.
// Node 20's runner takes no globs, so the files are found here.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const ROOTS = ["src", "wasm", "scripts", "bench"];
const SKIP = new Set(["node_modules", "build", "dist"]);

function find(dir, out) {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP.has(entry.name)) find(full, out);
    } else if (entry.name.endsWith(".test.ts")) out.push(full);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = ROOTS.flatMap((root) => find(root, []))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-reporter=spec", "--test-concurrency=1", ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
