/** /volumes/...: list, create, inspect, remove. */
import type { Engine } from "../engine/index.ts";
import { BerthError } from "../util/index.ts";
import type { Volume } from "../volume/index.ts";
import { filterBool, matchesExactly, matchesLabels, matchesPattern, parseFilters, validateFilters, type Filters } from "./filters.ts";
import { json, noContent, queryBool, readJson, type GoStruct } from "./http.ts";
import type { Route } from "./router.ts";

/** GET /volumes/{name}. */
export function volumeInspect(volume: Volume): Record<string, unknown> {
  return {
    CreatedAt: volume.createdAt.toISOString().replace(/\.\d+Z$/, "Z"),
    Driver: volume.driver,
    Labels: Object.keys(volume.labels).length ? volume.labels : null,
    Mountpoint: volume.mountpoint,
    Name: volume.name,
    Options: null,
    Scope: "local",
  };
}

/** The filters GET /volumes and docker volume ls take (dockerd's acceptedListFilters). */
const VOLUME_FILTERS = ["dangling", "driver", "label", "name"];

/**
 * GET /volumes and docker volume ls: the volumes through dockerd's filters
 * (its volume/service/convert.go): `dangling` true for those no container
 * mounts, false for those one does; `name` an unanchored expression over the
 * name; `label` key or key=value; `driver` the driver's name.
 */
export function listVolumes(engine: Engine, filters: Filters = new Map()): Volume[] {
  validateFilters(filters, VOLUME_FILTERS);
  const dangling = filterBool(filters, "dangling");
  return engine.volumes
    .list()
    .filter(
      (v) =>
        matchesExactly(filters, "driver", v.driver) &&
        matchesPattern(filters, "name", v.name) &&
        matchesLabels(filters, "label", v.labels) &&
        (dangling === undefined || (engine.runtime.volumeUsers(v.name).length === 0) === dangling),
    );
}

interface VolumeCreateBody {
  Name?: string;
  Driver?: string;
  Labels?: Record<string, string> | null;
}

const CREATE_OPTIONS: GoStruct = { name: "volume.CreateOptions", fields: { Name: "string", Driver: "string", Labels: "map[string]string" } };

export function volumeRoutes(engine: Engine): Route[] {
  return [
    {
      method: "GET",
      path: "/volumes",
      handle: async ({ query }) => {
        return json(200, { Volumes: listVolumes(engine, parseFilters(query.get("filters"))).map(volumeInspect), Warnings: [] });
      },
    },
    {
      method: "POST",
      path: "/volumes/create",
      handle: async ({ request }) => {
        const body = readJson<VolumeCreateBody>(request, CREATE_OPTIONS);
        const driver = body.Driver || "local";
        if (driver !== "local") {
          throw new BerthError("NOT_FOUND", `create ${body.Name ?? ""}: error looking up volume plugin ${driver}: plugin "${driver}" not found`);
        }
        return json(201, volumeInspect(engine.volumes.create({ name: body.Name || undefined, labels: body.Labels ?? {} })));
      },
    },
    { method: "GET", path: "/volumes/{name}", handle: async ({ params }) => json(200, volumeInspect(engine.volumes.get(params.name!))) },
    {
      method: "DELETE",
      path: "/volumes/{name}",
      handle: async ({ params, query }) => {
        const name = params.name!;
        // force forgives a missing volume, never one in use (as Docker's).
        if (queryBool(query, "force") && !engine.volumes.has(name)) return noContent();
        engine.volumes.remove(name, engine.runtime.volumeUsers(name));
        return noContent();
      },
    },
  ];
}
