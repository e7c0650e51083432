// Bundles Berth's entry points with esbuild and assembles the static site.
//
// - dist/node/berth.mjs: the Node CLI (`berth`). The SDK stays external: it
//   resolves its wasm and workers from its own files; our SDK worker entry is
//   loaded by URL beside the bundle, so it is copied there.
// - dist/web/: the browser playground, a static site any server can host.
//   The SDK is not bundled there either: its `dist/` and `pkg/` files are
//   copied under sdk/ as published, because they find each other (and their
//   workers) through import.meta.url. The engine Worker imports it from there.
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
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

export const WEB_OUT = "dist/web";

export const webBundles = {
  entryPoints: {
    berth: "web/berth.ts",
    tour: "web/tour.ts",
    "engine-worker": "web/engine/worker.ts",
  },
  outdir: WEB_OUT,
  bundle: true,
  platform: "browser",
  format: "esm",
  // berth.js starts the engine Worker before the elements' code has loaded.
  splitting: true,
  // Chunks stay beside the entries: their import.meta.url finds the Worker and SDK.
  chunkNames: "[name]-[hash]",
  target: "es2022",
  sourcemap: true,
  minify: true,
  // xterm's stylesheet goes into <berth-terminal>'s shadow root as text.
  loader: { ".css": "text" },
  logLevel: "warning",
};

const SDK_DIR = "node_modules/@wasmer/sdk";

/** The SDK as published: dist/*.js and pkg/ (wasm, glue, snippets), under sdk/. */
function copySdk(out) {
  mkdirSync(path.join(out, "sdk/dist"), { recursive: true });
  for (const file of readdirSync(path.join(SDK_DIR, "dist"))) {
    if (file.endsWith(".js")) copyFileSync(path.join(SDK_DIR, "dist", file), path.join(out, "sdk/dist", file));
  }
  cpSync(path.join(SDK_DIR, "pkg"), path.join(out, "sdk/pkg"), {
    recursive: true,
    filter: (src) => !src.endsWith(".d.ts"),
  });
}

/**
 * The SDK's modules that its browser entry and host-filesystem.js import
 * statically, as paths of the site (sdk/...): the engine Worker requests them
 * all at once (BERTH_SDK_MODULES) instead of one import depth after another.
 */
async function sdkStaticModules() {
  const entries = ["dist/index.js", "dist/host-filesystem.js"].map((file) => `${SDK_DIR}/${file}`);
  const { metafile } = await esbuild.build({
    entryPoints: entries,
    bundle: true,
    write: false,
    metafile: true,
    format: "esm",
    platform: "browser",
    splitting: true,
    outdir: "sdk-graph",
    external: ["node:*"],
    logLevel: "error",
  });
  const found = new Set();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop();
    if (found.has(file)) continue;
    found.add(file);
    for (const { path: imported, kind, external } of metafile.inputs[file]?.imports ?? []) {
      if (kind === "import-statement" && !external) pending.push(imported);
    }
  }
  return [...found].map((file) => `sdk/${path.relative(SDK_DIR, file)}`).sort();
}

/** The userland modules the command table uses, and the manifest. */
function copyUserland(out) {
  const manifest = JSON.parse(readFileSync("wasm/dist/manifest.json", "utf8"));
  mkdirSync(path.join(out, "wasm"), { recursive: true });
  writeFileSync(path.join(out, "wasm/manifest.json"), JSON.stringify({ ...manifest, testCommands: {} }, null, 2));
  for (const module of new Set(Object.values(manifest.commands))) {
    const file = manifest.modules[module].file;
    mkdirSync(path.dirname(path.join(out, "wasm", file)), { recursive: true });
    copyFileSync(path.join("wasm/dist", file), path.join(out, "wasm", file));
  }
}

/**
 * berth.js and the engine Worker's first script start the kernel's downloads
 * before anything else loads; a static import (esbuild makes one of any
 * module that another entry shares) would be a round trip before that.
 */
const FIRST_SCRIPTS = ["berth.js", "engine-worker.js"];

function checkFirstScripts(metafile, out) {
  for (const name of FIRST_SCRIPTS) {
    const imports = metafile.outputs[`${out}/${name}`]?.imports.filter((i) => i.kind === "import-statement") ?? [];
    if (imports.length > 0) throw new Error(`${name} must not import statically (it starts the kernel's downloads first), but imports ${imports.map((i) => i.path).join(", ")}`);
  }
}

export async function buildWeb(out = WEB_OUT) {
  rmSync(out, { recursive: true, force: true });
  const { metafile } = await esbuild.build({ ...webBundles, outdir: out, metafile: true, define: { BERTH_SDK_MODULES: JSON.stringify((await sdkStaticModules()).join(" ")) } });
  checkFirstScripts(metafile, out);
  for (const file of ["index.html", "embed-example.html", "page.css", "coi-sw.js"]) copyFileSync(path.join("web", file), path.join(out, file));
  copySdk(out);
  copyUserland(out);
  execFileSync(process.execPath, ["--import", "tsx", "scripts/site-data.ts", path.join(out, "fixtures.json")], { stdio: "inherit" });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await esbuild.build(nodeCli);
  mkdirSync("dist/node", { recursive: true });
  copyFileSync("src/kernel/node-bridge-worker.mjs", "dist/node/node-bridge-worker.mjs");
  await buildWeb();
}
