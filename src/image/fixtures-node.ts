import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { ImageRecipe } from "./recipe.ts";
import type { RecipeSource } from "./registry.ts";

/** fixtures/images of this checkout. */
export const FIXTURE_IMAGES_DIR = fileURLToPath(new URL("../../fixtures/images/", import.meta.url));

/** wasm/dist of this checkout: the programs recipes name come from its manifest's imagePrograms. */
const USERLAND_DIR = fileURLToPath(new URL("../../wasm/dist/", import.meta.url));

/** Reads every image recipe (image.json + rootfs/) under a directory (Node). */
export async function readRecipes(dir: string = FIXTURE_IMAGES_DIR): Promise<RecipeSource[]> {
  const sources: RecipeSource[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const recipeDir = path.join(dir, entry.name);
    const recipe = JSON.parse(await readFile(path.join(recipeDir, "image.json"), "utf8")) as ImageRecipe;
    const files: Record<string, Uint8Array> = {};
    const walk = async (rel: string) => {
      const abs = path.join(recipeDir, "rootfs", rel);
      for (const child of await readdir(abs, { withFileTypes: true }).catch(() => [])) {
        const childRel = path.posix.join(rel, child.name);
        if (child.isDirectory()) await walk(childRel);
        else files[childRel] = new Uint8Array(await readFile(path.join(abs, child.name)));
      }
    };
    await walk("");
    for (const [file, program] of Object.entries(recipe.programs ?? {})) files[file] = await imageProgram(program);
    sources.push({ recipe, files });
  }
  return sources;
}

async function imageProgram(name: string): Promise<Uint8Array> {
  const manifest = JSON.parse(await readFile(path.join(USERLAND_DIR, "manifest.json"), "utf8")) as { imagePrograms?: Record<string, { file: string }> };
  const entry = manifest.imagePrograms?.[name];
  if (!entry) throw new Error(`fixture images: no program ${name} in ${USERLAND_DIR}manifest.json: run \`npm run build\``);
  return new Uint8Array(await readFile(path.join(USERLAND_DIR, entry.file)));
}
