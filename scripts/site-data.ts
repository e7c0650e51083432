// Writes the engine Worker's data (host rootfs, image recipes) for the built
// site: `node --import tsx scripts/site-data.ts OUT.json`.
import { writeFileSync } from "node:fs";

import { readRootfs } from "../src/host/node-index.ts";
import { readRecipes } from "../src/image/node-index.ts";
import { encodeFiles, type SiteFixtures } from "../web/engine/site-data.ts";

const out = process.argv[2];
if (!out) throw new Error("usage: site-data.ts OUT.json");
const data: SiteFixtures = {
  host: encodeFiles(await readRootfs()),
  images: (await readRecipes()).map(({ recipe, files }) => ({ recipe, files: encodeFiles(files) })),
};
writeFileSync(out, JSON.stringify(data));
