/**
 * docker system df: what images, containers, volumes and the build cache
 * hold, and how much of it nothing uses (Docker's "reclaimable").
 */
import { containerStatusText } from "../../api/index.ts";
import { diskUsage, type DiskUsage } from "../../engine/index.ts";
import { familiarRepository, parseReference } from "../../image/index.ts";
import type { DockerCommand } from "./command.ts";
import { ago, humanSize, quotedCommand, shortId, table } from "./format.ts";

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

/** Docker's RECLAIMABLE cell: the size, and its share of the total when there is a total. */
function reclaimable(bytes: number, total: number): string {
  return total > 0 ? `${humanSize(bytes, 4)} (${Math.floor((bytes * 100) / total)}%)` : humanSize(bytes, 4);
}

/** The build cache's size as the docker CLI sums it: records shared with images do not count. */
function unsharedCacheSize(usage: DiskUsage): number {
  return usage.buildCache.filter((r) => r.images === 0).reduce((n, r) => n + r.size, 0);
}

function summary(usage: DiskUsage): string {
  // As the docker CLI: an image in use frees only its own (unshared) bytes.
  const imagesUsed = usage.images.filter((i) => i.containers > 0).reduce((n, i) => n + i.size - i.shared, 0);
  const containersSize = usage.containers.reduce((n, c) => n + c.size, 0);
  const stopped = usage.containers.filter((c) => c.container.state.status !== "running");
  const volumesSize = usage.volumes.reduce((n, v) => n + v.size, 0);
  const cacheSize = unsharedCacheSize(usage);
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
      // As the docker CLI: SIZE to 3 digits, the shared and unique parts to 4.
      humanSize(size),
      humanSize(shared, 4),
      humanSize(size - shared, 4),
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
  // As the docker CLI: least recently used first, then by ID (a record is last used when made).
  const cache = [...usage.buildCache]
    .sort((a, b) => a.created.getTime() - b.created.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((r) => [shortId(r.id), "regular", humanSize(r.size), ago(r.created, now), ago(r.created, now), String(r.images), String(r.images > 0)]);
  const cacheSize = unsharedCacheSize(usage);
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
