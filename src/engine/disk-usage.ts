/**
 * docker system df's numbers (dockerd's SystemDiskUsage): what images,
 * containers, volumes and the build cache hold, and what uses each.
 */
import { treeSize } from "../fs/index.ts";
import type { Image } from "../image/index.ts";
import type { Container } from "../runtime/index.ts";
import type { Digest } from "../util/index.ts";
import { volumeSize, type Volume } from "../volume/index.ts";
import type { Engine } from "./engine.ts";

export interface ImageUsage {
  readonly image: Image;
  readonly size: number;
  /** Bytes of its layers that other images have too. */
  readonly shared: number;
  readonly containers: number;
}

export interface ContainerUsage {
  readonly container: Container;
  /** Bytes of its writable layer. */
  readonly size: number;
  /** Volumes mounted in it. */
  readonly volumes: number;
}

export interface VolumeUsage {
  readonly volume: Volume;
  readonly size: number;
  /** Containers that mount it. */
  readonly links: number;
}

export interface BuildCacheUsage {
  readonly id: Digest;
  readonly size: number;
  readonly created: Date;
  /** Images that have this layer (its content is theirs too). */
  readonly images: number;
}

export interface DiskUsage {
  readonly images: readonly ImageUsage[];
  /** Every layer counted once. */
  readonly layersSize: number;
  readonly containers: readonly ContainerUsage[];
  readonly volumes: readonly VolumeUsage[];
  readonly buildCache: readonly BuildCacheUsage[];
}

export async function diskUsage(engine: Engine): Promise<DiskUsage> {
  const all = engine.runtime.list({ all: true });
  const byId = new Map<Digest, Image>();
  const targets = [...engine.images.list().map((r) => r.target), ...engine.images.dangling()];
  for (const target of targets) {
    const image = await engine.images.load(target.digest);
    if (!byId.has(image.id)) byId.set(image.id, image);
  }
  const layerSizes = new Map<Digest, number>();
  const imagesWithLayer = new Map<Digest, number>();
  for (const image of byId.values()) {
    for (const layer of new Map(image.manifest.layers.map((l) => [l.digest, l])).values()) {
      layerSizes.set(layer.digest, layer.size);
      imagesWithLayer.set(layer.digest, (imagesWithLayer.get(layer.digest) ?? 0) + 1);
    }
  }
  const images = [...byId.values()].map((image) => {
    const layers = [...new Map(image.manifest.layers.map((l) => [l.digest, l.size])).entries()];
    return {
      image,
      size: layers.reduce((n, [, size]) => n + size, 0),
      shared: layers.filter(([digest]) => imagesWithLayer.get(digest)! > 1).reduce((n, [, size]) => n + size, 0),
      containers: all.filter((c) => c.config.imageId === image.id).length,
    };
  });
  const volumes = engine.volumes.list().map((volume) => ({
    volume,
    size: volumeSize(volume),
    links: all.filter((c) => c.mounts.some((m) => m.type === "volume" && m.name === volume.name)).length,
  }));
  const buildCache = engine.buildCache.records().map(({ layer, created }) => ({
    id: layer.digest,
    size: layer.size,
    created: new Date(created),
    images: imagesWithLayer.get(layer.digest) ?? 0,
  }));
  return {
    images,
    layersSize: [...layerSizes.values()].reduce((n, s) => n + s, 0),
    containers: all.map((container) => ({ container, size: treeSize(container.rootfs.upper), volumes: container.mounts.filter((m) => m.type === "volume").length })),
    volumes,
    buildCache,
  };
}
