/**
 * docker system df: what images, containers, volumes and the build cache
 * hold, and how much of it nothing uses (Docker's "reclaimable").
 */
import { containerStatusText } from "../../api/index.ts";
import type { Engine } from "../../engine/index.ts";
import { treeSize } from "../../fs/index.ts";
import { familiarRepository, parseReference, type Image } from "../../image/index.ts";
import type { Container } from "../../runtime/index.ts";
import type { Digest } from "../../util/index.ts";
import { volumeSize, type Volume } from "../../volume/index.ts";
import type { DockerCommand } from "./command.ts";
import { ago, humanSize, quotedCommand, shortId, table } from "./format.ts";

interface ImageUsage {
  readonly image: Image;
  readonly size: number;
  /** Bytes of its layers that other images have too. */
  readonly shared: number;
  readonly containers: number;
}

interface DiskUsage {
  readonly images: readonly ImageUsage[];
  /** Every layer counted once. */
  readonly layersSize: number;
  readonly containers: readonly { readonly container: Container; readonly size: number; readonly volumes: number }[];
  readonly volumes: readonly { readonly volume: Volume; readonly size: number; readonly links: number }[];
  readonly buildCache: readonly { readonly id: Digest; readonly size: number; readonly created: Date; readonly images: number }[];
}

export const systemDfCommand: DockerCommand = {
  name: "system df",
  usage: "system df [OPTIONS]",
  summary: "Show docker disk usage",
  flags: [{ name: "verbose", short: "v", kind: "bool", description: "Show detailed information on space usage" }],
  maxArgs: 0,
  async run({ engine, flags, io }) {
    const usage = await diskUsage(engine);
    io.stdout(flags.bools.get("verbose") ? verbose(usage) : summary(usage));
    return 0;
  },
};

async function diskUsage(engine: Engine): Promise<DiskUsage> {
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

/** Docker's RECLAIMABLE cell: the size, and its share of the total when there is a total. */
function reclaimable(bytes: number, total: number): string {
  return total > 0 ? `${humanSize(bytes, 4)} (${Math.floor((bytes * 100) / total)}%)` : humanSize(bytes, 4);
}

function summary(usage: DiskUsage): string {
  // As the docker CLI: an image in use frees only its own (unshared) bytes.
  const imagesUsed = usage.images.filter((i) => i.containers > 0).reduce((n, i) => n + i.size - i.shared, 0);
  const containersSize = usage.containers.reduce((n, c) => n + c.size, 0);
  const stopped = usage.containers.filter((c) => c.container.state.status !== "running");
  const volumesSize = usage.volumes.reduce((n, v) => n + v.size, 0);
  const cacheSize = usage.buildCache.reduce((n, r) => n + r.size, 0);
  return table(
    ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"],
    [
      ["Images", usage.images.length, usage.images.filter((i) => i.containers > 0).length, humanSize(usage.layersSize, 4), reclaimable(usage.layersSize - imagesUsed, usage.layersSize)],
      ["Containers", usage.containers.length, usage.containers.length - stopped.length, humanSize(containersSize, 4), reclaimable(stopped.reduce((n, c) => n + c.size, 0), containersSize)],
      ["Local Volumes", usage.volumes.length, usage.volumes.filter((v) => v.links > 0).length, humanSize(volumesSize, 4), reclaimable(usage.volumes.filter((v) => v.links === 0).reduce((n, v) => n + v.size, 0), volumesSize)],
      // Nothing holds cache records while no build runs: all of it can go.
      ["Build Cache", usage.buildCache.length, 0, humanSize(cacheSize, 4), humanSize(cacheSize, 4)],
    ].map((row) => row.map(String)),
  );
}

function verbose(usage: DiskUsage): string {
  const now = Date.now();
  const images = usage.images.map(({ image, size, shared, containers }) => {
    const ref = image.names[0] ? parseReference(image.names[0]) : undefined;
    return [
      ref ? familiarRepository(ref) : "<none>",
      ref?.tag ?? "<none>",
      shortId(image.id),
      image.config.created ? ago(new Date(image.config.created), now) : "N/A",
      humanSize(size),
      humanSize(shared),
      humanSize(size - shared),
      String(containers),
    ];
  });
  const containers = usage.containers.map(({ container: c, size, volumes }) => [
    shortId(c.id),
    c.config.image,
    quotedCommand([...c.config.entrypoint, ...c.config.cmd]),
    String(volumes),
    humanSize(size),
    ago(c.created, now),
    containerStatusText(c, now),
    c.name,
  ]);
  const volumes = usage.volumes.map(({ volume, size, links }) => [volume.name, String(links), humanSize(size, 4)]);
  const cache = [...usage.buildCache]
    .sort((a, b) => b.created.getTime() - a.created.getTime())
    .map((r) => [shortId(r.id), "regular", humanSize(r.size), ago(r.created, now), ago(r.created, now), String(r.images), String(r.images > 0)]);
  const cacheSize = usage.buildCache.reduce((n, r) => n + r.size, 0);
  return (
    "Images space usage:\n\n" +
    table(["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS"], images) +
    "\nContainers space usage:\n\n" +
    table(["CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS", "NAMES"], containers) +
    "\nLocal Volumes space usage:\n\n" +
    table(["VOLUME NAME", "LINKS", "SIZE"], volumes) +
    `\nBuild cache usage: ${humanSize(cacheSize, 4)}\n\n` +
    table(["CACHE ID", "CACHE TYPE", "SIZE", "CREATED", "LAST USED", "USAGE", "SHARED"], cache)
  );
}
