/**
 * /images/...: list, pull (POST /images/create), inspect, history, tag,
 * remove — and the shapes Berth's own CLI prints from.
 */
import type { Engine } from "../engine/index.ts";
import { readTar } from "../fs/index.ts";
import { familiarReference, familiarRepository, parseReference, pull, type Image } from "../image/index.ts";
import { BerthError, type Digest } from "../util/index.ts";
import { filterBool, filterTime, matchesLabels, parseFilters, pathMatch, validateFilters, type Filters } from "./filters.ts";
import { json, jsonLines, queryBool, type ApiResponse } from "./http.ts";
import { Channel } from "./channel.ts";
import type { Route } from "./router.ts";

/** One line of Docker's JSON progress stream (its jsonmessage). */
export interface ProgressMessage {
  readonly status?: string;
  readonly id?: string;
  /** Present on a layer's messages. */
  readonly progressDetail?: Record<string, never>;
  readonly error?: string;
  readonly errorDetail?: { readonly message: string };
}

/** The bytes an image's layers take, as `docker images` shows them. */
export function imageSize(image: Image): number {
  return image.manifest.layers.reduce((n, l) => n + l.size, 0);
}

function repoTags(image: Image): string[] {
  return image.names.map((n) => familiarReference(parseReference(n)));
}

function repoDigests(image: Image): string[] {
  return [...new Set(image.names.map((n) => `${familiarRepository(parseReference(n))}@${image.manifestDigest}`))];
}

/** GET /images/{name}/json. */
export function imageInspect(image: Image): Record<string, unknown> {
  return {
    Id: image.id,
    RepoTags: repoTags(image),
    RepoDigests: repoDigests(image),
    Parent: "",
    // dockerd's: the newest history entry's comment (a commit's message, BuildKit's buildkit.dockerfile.v0).
    Comment: image.config.history?.at(-1)?.comment ?? "",
    Created: image.config.created,
    DockerVersion: "",
    Author: image.config.author ?? "",
    Config: image.config.config,
    Architecture: image.config.architecture,
    Os: image.config.os,
    Size: imageSize(image),
    GraphDriver: { Name: "overlay2", Data: null },
    RootFS: { Type: "layers", Layers: image.config.rootfs.diff_ids },
    Metadata: { LastTagTime: "0001-01-01T00:00:00Z" },
  };
}

/** When the image was made, in seconds since the epoch as the API gives it (0 when unknown). */
function createdSeconds(image: Image): number {
  return image.config.created ? Math.floor(new Date(image.config.created).getTime() / 1000) : 0;
}

export function imageSummary(image: Image): Record<string, unknown> {
  return {
    Id: image.id,
    ParentId: "",
    RepoTags: repoTags(image),
    RepoDigests: repoDigests(image),
    Created: createdSeconds(image),
    Size: imageSize(image),
    SharedSize: -1,
    Labels: image.config.config.Labels ?? {},
    Containers: -1,
  };
}

/** Every local image once, newest first as dockerd lists them (by Created, to the second). */
export async function listImages(engine: Engine): Promise<Image[]> {
  const seen = new Set<Digest>();
  const images: Image[] = [];
  for (const target of [...engine.images.list().map((r) => r.target), ...engine.images.dangling()]) {
    if (seen.has(target.digest)) continue;
    seen.add(target.digest);
    images.push(await engine.images.load(target.digest));
  }
  return images.sort((a, b) => createdSeconds(b) - createdSeconds(a));
}

/** The filters GET /images/json and docker images take (dockerd's acceptedImageFilterTags). */
const IMAGE_FILTERS = ["before", "dangling", "label", "reference", "since", "until"];

/**
 * GET /images/json and docker images: the local images' summaries through
 * dockerd's filters (its daemon/images/images.go). `dangling` true keeps the
 * untagged images only, false drops them; `label` key or key=value;
 * `before`/`since` an image made after or before (the oldest `before`, the
 * newest `since`), `until` a time; `reference` a Go path.Match pattern over a
 * name ("alpine", "alpine:3", "my/*"), tried against the name with its tag
 * and without: an image shows only the names that match, and none without one.
 * The positional REPOSITORY[:TAG] of docker images is such a reference.
 */
export async function imageSummaries(engine: Engine, filters: Filters = new Map()): Promise<Record<string, unknown>[]> {
  validateFilters(filters, IMAGE_FILTERS);
  const dangling = filterBool(filters, "dangling");
  const madeAt = (image: Image) => (image.config.created ? new Date(image.config.created).getTime() : undefined);
  let before: number | undefined;
  let since: number | undefined;
  for (const reference of filters.get("before") ?? []) {
    const made = madeAt(await engine.images.resolve(reference));
    if (made !== undefined && (before === undefined || made < before)) before = made;
  }
  const now = Date.now();
  for (const value of filters.get("until") ?? []) {
    let until: number;
    try {
      until = filterTime(value, now);
    } catch (error) {
      throw new BerthError("INVALID_ARGUMENT", `invalid value for 'until' filter: ${(error as Error).message}`);
    }
    if (before === undefined || until < before) before = until;
  }
  for (const reference of filters.get("since") ?? []) {
    const made = madeAt(await engine.images.resolve(reference));
    if (made !== undefined && (since === undefined || made > since)) since = made;
  }
  const patterns = filters.get("reference");
  // A name passes when it, or its repository alone, matches a pattern (reference.FamiliarMatch).
  const named = (name: string) => !patterns || patterns.some((p) => pathMatch(p, name) || pathMatch(p, name.replace(/[:@][^/]*$/, "")));
  const summaries: Record<string, unknown>[] = [];
  for (const image of await listImages(engine)) {
    const made = madeAt(image);
    if (before !== undefined && (made === undefined || made >= before)) continue;
    if (since !== undefined && (made === undefined || made <= since)) continue;
    if (!matchesLabels(filters, "label", image.config.config.Labels ?? {})) continue;
    const summary = imageSummary(image);
    const tags = (summary.RepoTags as string[]).filter(named);
    const digests = (summary.RepoDigests as string[]).filter(named);
    if (dangling === true && tags.length > 0) continue;
    if (tags.length === 0 && digests.length === 0 && (dangling === false || patterns)) continue;
    summaries.push({ ...summary, RepoTags: tags, RepoDigests: digests });
  }
  return summaries;
}

/** The bytes of the files a layer tar holds: the SIZE docker history shows. */
async function layerSize(engine: Engine, digest: Digest): Promise<number> {
  const entries = readTar(await engine.images.content.get(digest));
  return entries.reduce((n, e) => n + (e.type === "file" ? (e.data?.length ?? 0) : 0), 0);
}

export interface HistoryItem {
  /** The image ID on the newest entry, "<missing>" on the others (they are not images here). */
  readonly Id: string;
  /** Seconds since the epoch; 0 when unknown. */
  readonly Created: number;
  readonly CreatedBy: string;
  readonly Tags: string[] | null;
  readonly Size: number;
  readonly Comment: string;
}

/** GET /images/{name}/history: newest first, each non-empty entry sized by the layer it made. */
export async function imageHistory(engine: Engine, image: Image): Promise<HistoryItem[]> {
  const layers = [...image.manifest.layers];
  const items: HistoryItem[] = [];
  let layer = 0;
  for (const entry of image.config.history ?? []) {
    const size = entry.empty_layer || layer >= layers.length ? 0 : await layerSize(engine, layers[layer++]!.digest);
    items.push({
      Id: "<missing>",
      Created: entry.created ? Math.floor(new Date(entry.created).getTime() / 1000) : 0,
      CreatedBy: entry.created_by ?? "",
      Tags: null,
      Size: size,
      Comment: entry.comment ?? "",
    });
  }
  items.reverse();
  if (items[0]) items[0] = { ...items[0], Id: image.id, Tags: repoTags(image) };
  return items;
}

/**
 * Pulls with Docker's progress messages: "Pulling from", each layer's steps,
 * the digest and the status line; returns the image.
 */
export async function pullImage(engine: Engine, reference: string, emit: (message: ProgressMessage) => void): Promise<Image> {
  const ref = parseReference(reference);
  const tag = ref.tag ?? "latest";
  emit({ status: `Pulling from ${ref.path}`, id: ref.digest && !ref.tag ? ref.digest : tag });
  return pull({
    reference,
    registry: engine.registry,
    images: engine.images,
    onProgress: (event) => {
      if (event.kind === "layer") {
        emit({ status: event.status, progressDetail: {}, id: event.id });
        return;
      }
      const name = `${familiarRepository(ref)}:${tag}`;
      emit({ status: `Digest: ${event.digest}` });
      emit({ status: event.upToDate ? `Status: Image is up to date for ${name}` : `Status: Downloaded newer image for ${name}` });
    },
  });
}

export type RemovedImage = { readonly Untagged: string } | { readonly Deleted: string };

/**
 * docker rmi: untags the name (or every name, by ID), deleting the image with
 * its last name; refused while a container uses it, unless forced or
 * other names keep the image (dockerd's check on a single reference).
 */
export async function removeImage(engine: Engine, name: string, force: boolean): Promise<RemovedImage[]> {
  const image = await engine.images.resolve(name);
  const users = engine.runtime.list({ all: true }).filter((c) => c.config.imageId === image.id);
  const short = (id: string) => id.replace(/^sha256:/, "").slice(0, 12);
  const record = engine.images.get(name);
  if (users.length > 0 && !force && !(record && image.names.length > 1)) {
    throw new BerthError(
      "CONFLICT",
      `conflict: unable to remove repository reference "${name}" (must force) - container ${short(users[0]!.id)} is using its referenced image ${short(image.id)}`,
    );
  }
  const removed: RemovedImage[] = [];
  for (const n of record ? [record.name] : image.names) {
    engine.images.untag(n, image);
    const ref = parseReference(n);
    removed.push({ Untagged: `${familiarRepository(ref)}:${ref.tag}` });
  }
  // The last name gone (or removed by ID), the image goes too.
  if ((await engine.images.resolve(image.id).then((i) => i.names.length > 0).catch(() => false)) === false) {
    engine.images.remove(image);
    removed.push({ Deleted: image.id });
  }
  return removed;
}

export function imageRoutes(engine: Engine): Route[] {
  return [
    {
      method: "GET",
      path: "/images/json",
      handle: async ({ query }) => {
        return json(200, await imageSummaries(engine, parseFilters(query.get("filters"))));
      },
    },
    {
      method: "POST",
      path: "/images/create",
      handle: async ({ query }): Promise<ApiResponse> => {
        const from = query.get("fromImage");
        if (!from) throw new BerthError("INVALID_ARGUMENT", "Berth's API pulls images only (fromImage); import (fromSrc) is not supported");
        const tag = query.get("tag");
        const reference = !tag ? from : tag.includes(":") ? `${from}@${tag}` : `${from}:${tag}`;
        // Errors before any progress are the response's status (a name no registry knows: 404).
        await engine.registry.resolve(familiarReference(parseReference(reference)));
        const messages = new Channel<ProgressMessage>();
        void pullImage(engine, reference, (m) => messages.push(m))
          .catch((error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            messages.push({ errorDetail: { message }, error: message });
          })
          .finally(() => messages.close());
        return { status: 200, headers: { "content-type": "application/json" }, body: jsonLines(messages) };
      },
    },
    { method: "GET", path: "/images/{name*}/json", handle: async ({ params }) => json(200, imageInspect(await engine.images.resolve(params.name!))) },
    {
      method: "GET",
      path: "/images/{name*}/history",
      handle: async ({ params }) => {
        const items = await imageHistory(engine, await engine.images.resolve(params.name!));
        return json(200, items);
      },
    },
    {
      method: "POST",
      path: "/images/{name*}/tag",
      handle: async ({ params, query }) => {
        const image = await engine.images.resolve(params.name!);
        const repo = query.get("repo");
        if (!repo) throw new BerthError("INVALID_ARGUMENT", "repository name must have at least one component");
        engine.images.tag(`${repo}:${query.get("tag") || "latest"}`, image);
        return { status: 201, headers: {} };
      },
    },
    {
      method: "DELETE",
      path: "/images/{name*}",
      handle: async ({ params, query }) => json(200, await removeImage(engine, params.name!, queryBool(query, "force"))),
    },
  ];
}
