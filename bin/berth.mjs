#!/usr/bin/env node
// The `berth` command: the bundled CLI (`npm run build` writes it).
import { existsSync } from "node:fs";

const bundle = new URL("../dist/node/berth.mjs", import.meta.url);
if (!existsSync(bundle)) {
  console.error("berth: not built yet; run `npm run build` in the berth checkout");
  process.exit(1);
}
await import(bundle.href);
