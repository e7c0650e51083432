/**
 * Images built from the recipes in fixtures/images: an `image.json` (name,
 * tags, platform, run config) and a `rootfs/` of files. Built the same way
 * every time — fixed times, sorted entries — so digests are stable and the
 * offline registry serves the same image IDs on every machine.
 */
import { layerEntries, MemoryFileSystem, writeTar, type ContentIngester, type TreeNode } from "../fs/index.ts";
import type { Digest } from "../util/index.ts";
import { MEDIA_TYPES, type Descriptor, type ImageConfig, type ImageManifest, type RunConfig } from "./oci.ts";

export interface ImageRecipe {
  readonly repository: string;
  readonly tags: readonly string[];
  readonly created: string;
  readonly os: string;
  readonly "os.version"?: string;
  readonly architecture: string;
  readonly config: RunConfig;
  /**
   * Files that are programs of the image's own (path in the rootfs -> a name in
   * the userland build's imagePrograms), e.g. centos:6's bash, built for an
   * older kernel. The reader of the recipe puts their bytes among its files.
   */
  readonly programs?: Readonly<Record<string, string>>;
}

export interface BuiltImage {
  readonly repository: string;
  readonly tags: readonly string[];
  readonly manifest: Descriptor;
}

/** Directories every Linux image has, with their usual modes. */
const LINUX_DIRECTORIES: readonly [string, number][] = [
  ["bin", 0o755],
  ["dev", 0o755],
  ["etc", 0o755],
  ["home", 0o755],
  ["proc", 0o555],
  ["root", 0o700],
  ["sys", 0o555],
  ["tmp", 0o1777],
  ["usr", 0o755],
  ["usr/bin", 0o755],
  ["usr/local", 0o755],
  ["usr/local/bin", 0o755],
  ["var", 0o755],
];

/** Builds one image from its recipe and files (path relative to rootfs -> bytes) into a content store. */
export async function buildRecipe(
  recipe: ImageRecipe,
  files: Readonly<Record<string, Uint8Array>>,
  store: ContentIngester,
): Promise<BuiltImage> {
  const mtime = Date.parse(recipe.created);
  if (Number.isNaN(mtime)) throw new Error(`${recipe.repository}: bad created time ${recipe.created}`);
  const tree = new MemoryFileSystem();
  if (recipe.os === "linux") {
    for (const [dir, mode] of LINUX_DIRECTORIES) tree.mkdirAll(dir, { mode });
  }
  for (const path of Object.keys(files).sort()) tree.writeFile(path, files[path]!);
  stamp(tree, mtime);

  const layer = writeTar(layerEntries(tree.root));
  const layerDigest = await store.put(layer);
  const diffId: Digest = layerDigest; // uncompressed layers: the diff ID is the blob digest
  const config: ImageConfig = {
    created: recipe.created,
    architecture: recipe.architecture,
    os: recipe.os,
    ...(recipe["os.version"] ? { "os.version": recipe["os.version"] } : {}),
    config: recipe.config,
    rootfs: { type: "layers", diff_ids: [diffId] },
    history: [{ created: recipe.created, created_by: `/bin/sh -c #(nop) ADD rootfs/ in /`, comment: "berth fixture" }],
  };
  const configBytes = json(config);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: { mediaType: MEDIA_TYPES.config, digest: await store.put(configBytes), size: configBytes.length },
    layers: [{ mediaType: MEDIA_TYPES.layer, digest: layerDigest, size: layer.length }],
  };
  const manifestBytes = json(manifest);
  return {
    repository: recipe.repository,
    tags: recipe.tags,
    manifest: {
      mediaType: MEDIA_TYPES.manifest,
      digest: await store.put(manifestBytes),
      size: manifestBytes.length,
      platform: { os: recipe.os, architecture: recipe.architecture },
    },
  };
}

/** Every entry gets the image's creation time, so the layer's bytes depend on nothing else. */
function stamp(fs: MemoryFileSystem, mtime: number): void {
  const walk = (node: TreeNode) => {
    if (node.kind === "whiteout") return;
    node.mtime = mtime;
    if (node.kind === "directory") for (const child of node.children.values()) walk(child);
  };
  walk(fs.root);
}

/** Canonical JSON bytes (keys in insertion order, no spaces), as registries store them. */
export function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}
