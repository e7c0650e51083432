import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { userlandFromManifest, type Userland, type UserlandManifest } from "./userland.ts";

/** wasm/dist of this checkout. */
export const DEFAULT_USERLAND_DIR = fileURLToPath(new URL("../../wasm/dist/", import.meta.url));

/** Reads the built userland from disk (Node). Run `npm run build` first. */
export async function loadUserland(
  options: { dir?: string; includeTestCommands?: boolean } = {},
): Promise<Userland> {
  const dir = options.dir ?? DEFAULT_USERLAND_DIR;
  let manifest: UserlandManifest;
  try {
    manifest = JSON.parse(await readFile(path.join(dir, "manifest.json"), "utf8"));
  } catch (cause) {
    throw new Error(`no built userland in ${dir}: run \`npm run build\``, { cause });
  }
  return userlandFromManifest(manifest, async (file) => new Uint8Array(await readFile(path.join(dir, file))), options);
}
