/** GET /system/df: docker system df's numbers, in dockerd's shapes (the client sums them up). */
import { diskUsage, type DiskUsage, type Engine } from "../engine/index.ts";
import { BerthError } from "../util/index.ts";
import { containerSummary } from "./containers-json.ts";
import { json } from "./http.ts";
import { imageSummary } from "./images.ts";
import type { Route } from "./router.ts";
import { volumeInspect } from "./volumes.ts";

/** The kinds the `type` query asks for (API 1.42+), as dockerd names them. */
const KINDS = ["container", "image", "volume", "build-cache"] as const;
type Kind = (typeof KINDS)[number];

function usageJson(usage: DiskUsage, kinds: ReadonlySet<Kind>, now: number): Record<string, unknown> {
  const images = new Map(usage.images.map((i) => [i.image.id, i.size]));
  return {
    LayersSize: kinds.has("image") ? usage.layersSize : 0,
    Images: kinds.has("image") ? usage.images.map(({ image, shared, containers }) => ({ ...imageSummary(image), SharedSize: shared, Containers: containers })) : null,
    Containers: kinds.has("container")
      ? usage.containers.map(({ container, size }) => ({ ...containerSummary(container, now), SizeRw: size, SizeRootFs: size + (images.get(container.config.imageId) ?? 0) }))
      : null,
    Volumes: kinds.has("volume") ? usage.volumes.map(({ volume, size, links }) => ({ ...volumeInspect(volume), UsageData: { Size: size, RefCount: links } })) : null,
    BuildCache: kinds.has("build-cache")
      ? usage.buildCache.map((record) => ({
          ID: record.id,
          Parent: "",
          Parents: null,
          Type: "regular",
          Description: "",
          // Nothing holds a record while no build runs; its layer is shared when an image has it too.
          InUse: false,
          Shared: record.images > 0,
          Size: record.size,
          CreatedAt: record.created.toISOString(),
          LastUsedAt: record.created.toISOString(),
          UsageCount: record.images,
        }))
      : null,
  };
}

export function diskUsageRoutes(engine: Engine): Route[] {
  return [
    {
      method: "GET",
      path: "/system/df",
      handle: async ({ query }) => {
        const asked = query.getAll("type");
        for (const kind of asked) if (!(KINDS as readonly string[]).includes(kind)) throw new BerthError("INVALID_ARGUMENT", `unknown object type: ${kind}`);
        const kinds = new Set<Kind>(asked.length > 0 ? (asked as Kind[]) : KINDS);
        return json(200, usageJson(await diskUsage(engine), kinds, Date.now()));
      },
    },
  ];
}
