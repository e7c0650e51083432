export { loadImageArchive, readImageArchive, saveImages, type ArchiveImage, type ImageArchive, type LoadResult } from "./archive.ts";
export { MEDIA_TYPES, type Descriptor, type HistoryEntry, type ImageConfig, type ImageIndex, type ImageManifest, type Platform, type RunConfig } from "./oci.ts";
export { pull, type PullEvent, type PullOptions } from "./pull.ts";
export { buildRecipe, type BuiltImage, type ImageRecipe } from "./recipe.ts";
export { familiarReference, familiarRepository, formatReference, parseReference, repositoryName, type Reference } from "./reference.ts";
export { FixtureRegistry, type RecipeSource, type Registry } from "./registry.ts";
export { ImageStore, type Image, type ImageRecord } from "./store.ts";
export { storeImage, storeLayer, type StoredLayer } from "./commit.ts";
