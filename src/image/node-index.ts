// Node-only surface of images: recipes read from fixtures/.
export { FIXTURE_IMAGES_DIR, readRecipes } from "./fixtures-node.ts";
