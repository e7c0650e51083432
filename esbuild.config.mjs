// Bundles Berth's entry points with esbuild. For now: the Node CLI (`berth`).
// The SDK stays external: it resolves its wasm and workers from its own files.
// Our SDK worker entry is loaded by URL beside the bundle, so it is copied there.
import { copyFileSync, mkdirSync } from "node:fs";
import * as esbuild from "esbuild";

export const nodeCli = {
  entryPoints: ["src/cli/berth-main.ts"],
  outfile: "dist/node/berth.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  external: ["@wasmer/sdk", "@wasmer/sdk/*"],
  logLevel: "warning",
};

if (import.meta.url === `file://${process.argv[1]}`) {
  await esbuild.build(nodeCli);
  mkdirSync("dist/node", { recursive: true });
  copyFileSync("src/kernel/node-bridge-worker.mjs", "dist/node/node-bridge-worker.mjs");
}
