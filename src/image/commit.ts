/**
 * Writing images into the content store: a layer tar made from a writable
 * layer's tree (whiteouts included), and the config and manifest that make
 * an image of layers. The builder's steps and `docker commit` both go through
 * here, so their images are alike byte for byte.
 */
import { layerEntries, writeTar, type ContentIngester, type DirNode } from "../fs/index.ts";
import { MEDIA_TYPES, type Descriptor, type ImageConfig, type ImageManifest } from "./oci.ts";

export interface StoredLayer {
  /** Its digest is also its diff ID: layers are stored uncompressed. */
  readonly descriptor: Descriptor;
  readonly tar: Uint8Array;
}

/** Stores a writable layer's tree as an OCI layer tar. */
export async function storeLayer(content: ContentIngester, upper: DirNode): Promise<StoredLayer> {
  const tar = writeTar(layerEntries(upper));
  return { descriptor: { mediaType: MEDIA_TYPES.layer, digest: await content.put(tar), size: tar.length }, tar };
}

/** Stores an image's config and manifest; returns the manifest's descriptor, what a name points at. */
export async function storeImage(content: ContentIngester, config: ImageConfig, layers: readonly Descriptor[]): Promise<Descriptor> {
  const configBytes = json(config);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: { mediaType: MEDIA_TYPES.config, digest: await content.put(configBytes), size: configBytes.length },
    layers,
  };
  const manifestBytes = json(manifest);
  return {
    mediaType: MEDIA_TYPES.manifest,
    digest: await content.put(manifestBytes),
    size: manifestBytes.length,
    platform: { os: config.os, architecture: config.architecture },
  };
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}
