/**
 * docker pull: resolve a reference at a registry, copy the blobs the local
 * content store lacks (each checked against its digest), then name the image.
 * Progress arrives as events the CLI prints in Docker's words.
 */
import type { ContentIngester } from "../fs/index.ts";
import { BerthError, type Digest } from "../util/index.ts";
import type { ImageManifest } from "./oci.ts";
import { formatReference, parseReference } from "./reference.ts";
import type { Registry } from "./registry.ts";
import type { Image, ImageStore } from "./store.ts";

export type PullEvent =
  | { readonly kind: "layer"; readonly id: string; readonly status: "Pulling fs layer" | "Already exists" | "Download complete" | "Pull complete" }
  | { readonly kind: "done"; readonly digest: Digest; readonly upToDate: boolean };

export interface PullOptions {
  readonly reference: string;
  readonly registry: Registry;
  readonly images: ImageStore;
  readonly onProgress?: (event: PullEvent) => void;
}

export async function pull({ reference, registry, images, onProgress }: PullOptions): Promise<Image> {
  const ref = parseReference(reference);
  const name = formatReference(ref);
  const descriptor = await registry.resolve(name);
  const content = images.content;
  const manifestBytes = await registry.fetch(descriptor.digest);
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as ImageManifest;
  const short = (d: Digest) => d.slice(7, 19);
  const before = images.get(name)?.target.digest;

  for (const layer of manifest.layers) {
    if (await content.has(layer.digest)) {
      onProgress?.({ kind: "layer", id: short(layer.digest), status: "Already exists" });
      continue;
    }
    onProgress?.({ kind: "layer", id: short(layer.digest), status: "Pulling fs layer" });
    await copyBlob(registry, content, layer.digest);
    onProgress?.({ kind: "layer", id: short(layer.digest), status: "Download complete" });
    onProgress?.({ kind: "layer", id: short(layer.digest), status: "Pull complete" });
  }
  if (!(await content.has(manifest.config.digest))) await copyBlob(registry, content, manifest.config.digest);
  await content.put(manifestBytes);
  images.set(name, descriptor);
  onProgress?.({ kind: "done", digest: descriptor.digest, upToDate: before === descriptor.digest });
  const image = await images.resolve(name);
  images.logPull(name, image);
  return image;
}

/** Copies one blob, refusing bytes that do not match the digest they were asked for. */
async function copyBlob(registry: Registry, content: ContentIngester, digest: Digest): Promise<void> {
  const stored = await content.put(await registry.fetch(digest));
  if (stored !== digest) throw new BerthError("DATA_LOSS", `blob ${digest}: received bytes hash to ${stored}`);
}
