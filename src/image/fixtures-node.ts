import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { ImageRecipe } from "./recipe.ts";
import type { RecipeSource } from "./registry.ts";

/** fixtures/images of this checkout. */
export const FIXTURE_IMAGES_DIR = fileURLToPath(new URL("../../fixtures/images/", import.meta.url));

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
    sources.push({ recipe, files });
  }
  return sources;
}
