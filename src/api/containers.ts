/**
 * /containers/...: create, start, attach, wait, stop, kill, restart, rename,
 * remove, list, inspect, logs, top, changes, resize — over the engine's runtime.
 */
import type { Engine } from "../engine/index.ts";
import { familiarReference, parseReference } from "../image/index.ts";
import type { KernelProcess } from "../kernel/index.ts";
import { isRunning, type Container, type ContainerResources, type LogEntry } from "../runtime/index.ts";
import { BerthError } from "../util/index.ts";
import { volumeRequest } from "./binds.ts";
import { Channel } from "./channel.ts";
import { filterBool, matchesExactly, matchesLabels, matchesPattern, parseFilters, validateFilters, type Filters } from "./filters.ts";
import { containerInspect, containerSummary, containerTop, logLines, LogStamper, logTimestamp, tailEntries, topUser } from "./containers-json.ts";
import { json, noContent, queryBool, readJson, type ApiResponse, type GoStruct, type HijackedConnection } from "./http.ts";
import { listImages } from "./images.ts";
import { ContainerLifecycle } from "./lifecycle.ts";
import type { Route, RouteContext } from "./router.ts";
import { MULTIPLEXED_STREAM, outputEncoder, RAW_STREAM } from "./stdcopy.ts";

/** The part of Docker's container create body Berth honours. */
interface CreateBody {
  Image?: string;
  Cmd?: string[] | string | null;
  Entrypoint?: string[] | string | null;
  Env?: string[] | null;
  WorkingDir?: string;
  Hostname?: string;
  User?: string;
  Labels?: Record<string, string> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  /** Anonymous volumes: the docker CLI sends `-v /path` here. */
  Volumes?: Record<string, object> | null;
  HostConfig?: ({ AutoRemove?: boolean; Binds?: string[] | null } & ResourcesBody) | null;
}

const RESOURCES_FIELDS = { PidsLimit: "int64", Memory: "int64", MemorySwap: "int64", NanoCpus: "int64", CpuShares: "int64" } as const;

/** The same fields as dockerd decodes them (container.CreateRequest, its Config inline). */
const CREATE_REQUEST: GoStruct = {
  name: "container.CreateRequest",
  fields: {
    Image: "string",
    Cmd: "strslice.StrSlice",
    Entrypoint: "strslice.StrSlice",
    Env: "[]string",
    WorkingDir: "string",
    Hostname: "string",
    User: "string",
    Labels: "map[string]string",
    Tty: "bool",
    OpenStdin: "bool",
    Volumes: "map[string]struct {}",
    HostConfig: { name: "container.HostConfig", fields: { AutoRemove: "bool", Binds: "[]string", ...RESOURCES_FIELDS } },
  },
};

/** The resources a HostConfig and an update carry (container.Resources). */
interface ResourcesBody {
  PidsLimit?: number | null;
  Memory?: number;
  MemorySwap?: number;
  NanoCpus?: number;
  CpuShares?: number;
}

const UPDATE_REQUEST: GoStruct = { name: "container.UpdateConfig", fields: RESOURCES_FIELDS };

/** A body's resources as the runtime takes them: what it leaves out (or sends as 0 in an update) stays. */
function resourcesOf(body: ResourcesBody, keepZeros: boolean): Partial<ContainerResources> {
  const given = (value: number | null | undefined) => (value === null || value === undefined || (!keepZeros && value === 0) ? undefined : value);
  const changes = {
    // 0 and -1 both mean no limit, in an update too.
    pidsLimit: body.PidsLimit === null || body.PidsLimit === undefined ? undefined : Math.max(0, body.PidsLimit),
    memory: given(body.Memory),
    memorySwap: given(body.MemorySwap),
    nanoCpus: given(body.NanoCpus),
    cpuShares: given(body.CpuShares),
  };
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
}

const encoder = new TextEncoder();

function words(value: string[] | string | null | undefined): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === "string" ? [value] : value;
}

/**
 * What dockerd (through runc) says when the main process cannot start; the
 * docker CLI exits 127 for "not found" in it.
 */
export function startFailure(error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (!message.startsWith("exec: ")) return error;
  return new BerthError(
    "INVALID_ARGUMENT",
    `failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: ${message}: unknown`,
  );
}

/** The filters GET /containers/json and docker ps take (dockerd's acceptedPsFilterTags). */
const CONTAINER_FILTERS = ["ancestor", "before", "exited", "expose", "health", "id", "is-task", "isolation", "label", "name", "network", "publish", "since", "status", "volume"];

const STATES = ["created", "running", "paused", "restarting", "removing", "exited", "dead"];
const HEALTHS = ["none", "starting", "healthy", "unhealthy"];

/**
 * The containers GET /containers/json and docker ps list, newest first,
 * through dockerd's filters (its daemon/list.go): `id` a unique ID prefix;
 * `name` an unanchored expression over the name; `label` key or key=value;
 * `exited` the code of a container that ran; `status` a state, which lists
 * stopped ones too; `ancestor` an image or one built on it; `before`/`since`
 * a container created after or before; `volume` a volume name, bind source or
 * destination; `health` "none" (Berth runs no healthchecks); `is-task` false
 * (no swarm). Berth's containers join no network and publish no port, so
 * `network`, `publish` and `expose` leave none; `isolation` is ignored on Linux.
 * A `limit` lists stopped containers too and keeps the newest that many.
 */
export async function listContainers(engine: Engine, options: { all?: boolean; limit?: number; filters?: Filters }): Promise<Container[]> {
  const filters = options.filters ?? new Map<string, string[]>();
  validateFilters(filters, CONTAINER_FILTERS);
  const values = (key: string) => filters.get(key) ?? [];
  const exited = values("exited").map((value) => {
    if (!/^[+-]?\d+$/.test(value)) throw new BerthError("INVALID_ARGUMENT", `invalid filter 'exited=${value}': strconv.Atoi: parsing ${JSON.stringify(value)}: invalid syntax`);
    return Number(value);
  });
  for (const value of values("status")) {
    if (!STATES.includes(value)) throw new BerthError("INVALID_ARGUMENT", `invalid filter 'status=${value}': invalid value for state (${value}): must be one of ${STATES.join(", ")}`);
  }
  const isTask = filterBool(filters, "is-task");
  for (const value of values("health")) {
    if (!HEALTHS.includes(value)) throw new BerthError("INVALID_ARGUMENT", `invalid filter 'health=${value}': invalid value for health (${value}): must be one of ${HEALTHS.join(", ")}`);
  }
  for (const key of ["publish", "expose"]) {
    const withHost = values(key).find((value) => value.includes(":"));
    if (withHost !== undefined) throw new BerthError("INVALID_ARGUMENT", `filter for '${key}' should not contain ':': ${withHost}`);
  }
  const all = (options.all ?? false) || filters.has("status");
  const limit = options.limit ?? -1;
  // Each ends at its last value, as dockerd's walk over them leaves it.
  const before = values("before").map((ref) => engine.runtime.get(ref)).at(-1);
  const since = values("since").map((ref) => engine.runtime.get(ref)).at(-1);
  const ancestors = filters.has("ancestor") ? await imageFamily(engine, values("ancestor")) : undefined;
  // An ID filter names the containers its unique prefixes find (dockerd's GetByPrefix).
  const named = values("id").flatMap((prefix) => {
    const found = engine.runtime.list({ all: true }).filter((c) => c.id.startsWith(prefix));
    return found.length === 1 ? [found[0]!.id] : [];
  });
  const listed: Container[] = [];
  let beforeSeen = before === undefined;
  for (const c of engine.runtime.list({ all: true })) {
    if (!beforeSeen) {
      beforeSeen = c.id === before!.id;
      continue;
    }
    if (since && c.id === since.id) break;
    const running = isRunning(c.state.status);
    if (!running && !all && limit <= 0) continue;
    if (values("id").length > 0 && !named.includes(c.id)) continue;
    if (!matchesPattern(filters, "name", `/${c.name}`) && !matchesPattern(filters, "name", c.name)) continue;
    if (!matchesPattern(filters, "id", c.id)) continue;
    if (isTask === true) continue;
    if (!matchesLabels(filters, "label", c.config.labels)) continue;
    if (exited.length > 0 && (running || !c.state.startedAt || !exited.includes(c.state.exitCode))) continue;
    if (!matchesPattern(filters, "status", c.state.status)) continue;
    if (!matchesExactly(filters, "health", "none")) continue;
    if (filters.has("volume") && !values("volume").some((v) => c.mounts.some((m) => m.destination === v || (m.name ?? m.source) === v))) continue;
    if (ancestors && !ancestors.has(c.config.imageId)) continue;
    if (filters.has("network") || filters.has("publish") || filters.has("expose")) continue;
    listed.push(c);
  }
  return limit > 0 ? listed.slice(0, limit) : listed;
}

/**
 * The IDs of the named images and of the images built on them: those whose
 * layers begin with all of theirs, as containerd's image store finds an
 * image's children (Berth records no parent image). Names that find no image are passed over.
 */
async function imageFamily(engine: Engine, references: readonly string[]): Promise<Set<string>> {
  const family = new Set<string>();
  const images = await listImages(engine);
  for (const reference of references) {
    const ancestor = await engine.images.resolve(reference).catch(() => undefined);
    if (!ancestor) continue;
    const layers = ancestor.config.rootfs.diff_ids;
    for (const image of images) {
      if (image.id === ancestor.id || layers.every((layer, i) => image.config.rootfs.diff_ids[i] === layer)) family.add(image.id);
    }
  }
  return family;
}

export function containerRoutes(engine: Engine): Route[] {
  const runtime = engine.runtime;
  const lifecycle = new ContainerLifecycle();

  async function create({ request, query }: RouteContext): Promise<ApiResponse> {
    const body = readJson<CreateBody>(request, CREATE_REQUEST);
    if (!body.Image) throw new BerthError("INVALID_ARGUMENT", "config cannot be empty in order to create a container");
    // The client sends host paths already absolute.
    const volumes = [
      ...(body.HostConfig?.Binds ?? []).map((spec) => volumeRequest(engine, spec, "/")),
      ...Object.keys(body.Volumes ?? {}).map((destination) => volumeRequest(engine, destination, "/")),
    ];
    // The client pulls and asks again when it hears 404 for the image.
    const image = body.Image;
    await engine.images.resolve(image).catch((error: unknown) => {
      throw BerthError.is(error, "NOT_FOUND") ? new BerthError("NOT_FOUND", `No such image: ${familiarReference(parseReference(image))}`) : error;
    });
    const entrypoint = words(body.Entrypoint);
    const container = await runtime.create({
      image,
      name: query.get("name") || undefined,
      cmd: words(body.Cmd),
      entrypoint: entrypoint && entrypoint.length === 1 && entrypoint[0] === "" ? [] : entrypoint,
      env: body.Env ?? [],
      workingDir: body.WorkingDir || undefined,
      hostname: body.Hostname || undefined,
      user: body.User || undefined,
      labels: body.Labels ?? {},
      tty: body.Tty ?? false,
      openStdin: body.OpenStdin ?? false,
      autoRemove: body.HostConfig?.AutoRemove ?? false,
      ...resourcesOf(body.HostConfig ?? {}, true),
      volumes,
    });
    return json(201, { Id: container.id, Warnings: [] });
  }

  async function start({ params }: RouteContext): Promise<ApiResponse> {
    const container = runtime.get(params.name!);
    if (runtime.isRunning(container.id)) return noContent(304);
    let process: KernelProcess;
    try {
      process = await runtime.start(container.id, { terminal: container.config.tty ? { columns: 80, rows: 24 } : undefined });
    } catch (error) {
      if (container.config.autoRemove) await remove(container.id, true).catch(() => undefined);
      throw startFailure(error);
    }
    // Without -i the container's stdin is empty (Docker's /dev/null); with it, attach feeds it.
    if (!container.config.openStdin) await process.closeStdin();
    lifecycle.started(container.id, process, runtime.wait(container.id));
    return noContent();
  }

  async function remove(id: string, force: boolean, volumes = false): Promise<void> {
    await runtime.remove(id, { force, volumes });
    lifecycle.removed(id);
  }

  /** Resolves with the exit code once the container ends (or at once when it is not running and `nextExit` is false). */
  async function exitOf(container: Container, nextExit: boolean): Promise<number> {
    if (!runtime.isRunning(container.id)) {
      if (!nextExit) return container.state.exitCode;
      await lifecycle.nextStart(container.id);
    }
    return runtime.wait(container.id);
  }

  async function wait({ params, query }: RouteContext): Promise<ApiResponse> {
    const container = runtime.get(params.name!);
    const condition = query.get("condition") || "not-running";
    if (!["not-running", "next-exit", "removed"].includes(condition)) throw new BerthError("INVALID_ARGUMENT", `invalid condition: "${condition}"`);
    const exited = exitOf(container, condition !== "not-running");
    // Headers go out at once, the body when the condition is met (the client waits on it while it starts the container).
    async function* body(): AsyncIterable<Uint8Array> {
      const code = await exited;
      if (condition === "removed" && !container.config.autoRemove && runtime.list({ all: true }).includes(container)) {
        await lifecycle.removal(container.id);
      }
      yield encoder.encode(`${JSON.stringify({ StatusCode: code })}\n`);
    }
    return { status: 200, headers: { "content-type": "application/json" }, body: body() };
  }

  async function attach({ request, params, query }: RouteContext): Promise<ApiResponse> {
    const container = runtime.get(params.name!);
    const tty = container.config.tty;
    const encode = outputEncoder(tty);
    const wanted = (stream: LogEntry["stream"]) => queryBool(query, stream);
    const withStdin = queryBool(query, "stdin") && container.config.openStdin;
    const logs = queryBool(query, "logs");
    const follow = queryBool(query, "stream");
    const contentType = tty ? RAW_STREAM : MULTIPLEXED_STREAM;
    /**
     * Output to `send` (past output first with `logs`), until the container ends or `gone` settles.
     * What `send` returns is awaited: a client slower than the container slows it, as Docker's attach.
     */
    const serve = async (send: (data: Uint8Array) => Promise<void>, gone: Promise<void>, input?: AsyncIterable<Uint8Array>) => {
      if (logs) for (const entry of container.logs.entries()) if (wanted(entry.stream)) await send(encode(entry.stream, entry.data));
      if (!follow) return;
      const stop = runtime.attachOutput(container.id, (entry) => (wanted(entry.stream) ? send(encode(entry.stream, entry.data)) : undefined));
      try {
        const process = runtime.isRunning(container.id) ? lifecycle.process(container.id) : await Promise.race([lifecycle.nextStart(container.id), gone]);
        if (!process && !runtime.isRunning(container.id)) return;
        if (input && process) {
          void (async () => {
            for await (const chunk of input) await process.write(chunk);
            await process.closeStdin();
          })().catch(() => undefined);
        }
        await Promise.race([runtime.wait(container.id), gone]);
      } finally {
        stop();
      }
    };
    if (!request.headers.upgrade) {
      // Without the hijack: the output as the response body, no stdin.
      const channel = new Channel<Uint8Array>();
      let leave: () => void = () => undefined;
      const gone = new Promise<void>((resolve) => (leave = resolve));
      void serve((data) => channel.push(data), gone).finally(() => channel.close());
      async function* body(): AsyncIterable<Uint8Array> {
        try {
          yield* channel;
        } finally {
          // A client that left takes no more output, and holds up no container.
          channel.close();
          leave();
        }
      }
      return { status: 200, headers: { "content-type": contentType }, body: body() };
    }
    return {
      status: 101,
      headers: { "content-type": contentType, connection: "Upgrade", upgrade: "tcp" },
      upgrade: async (connection: HijackedConnection) => {
        try {
          // The client half-closes once its stdin is done (at once without stdin): only a full close means it left.
          await serve((data) => connection.write(data), connection.closed, withStdin ? connection.input : undefined);
        } finally {
          connection.end();
        }
      },
    };
  }

  async function logsOf({ params, query }: RouteContext): Promise<ApiResponse> {
    const container = runtime.get(params.name!);
    const wanted = { stdout: queryBool(query, "stdout"), stderr: queryBool(query, "stderr") };
    if (!wanted.stdout && !wanted.stderr) throw new BerthError("INVALID_ARGUMENT", "Bad parameters: you must choose at least one stream");
    const timestamps = queryBool(query, "timestamps");
    const encode = outputEncoder(container.config.tty);
    const out = (stream: LogEntry["stream"], text: string) => encode(stream, encoder.encode(text));
    // Follow from here, until this run ends: whatever is written while the past is sent comes after it.
    // The body is pulled as the client takes it; a follower reads the log, so it never slows the container.
    const end = container.logs.end;
    const stopped = queryBool(query, "follow") && runtime.isRunning(container.id) ? runtime.wait(container.id) : undefined;
    const past = tailEntries(container.logs.entries(), query.get("tail") || "all");
    async function* body(): AsyncIterable<Uint8Array> {
      if (timestamps) {
        for (const line of logLines(past)) if (wanted[line.stream]) yield out(line.stream, logTimestamp(line.time) + line.text);
      } else {
        for (const entry of past) if (wanted[entry.stream]) yield encode(entry.stream, entry.data);
      }
      if (!stopped) return;
      const stamper = new LogStamper();
      for await (const entry of container.logs.follow(end, stopped)) {
        if (wanted[entry.stream]) yield timestamps ? out(entry.stream, stamper.stamp(entry)) : encode(entry.stream, entry.data);
      }
    }
    return { status: 200, headers: { "content-type": container.config.tty ? RAW_STREAM : MULTIPLEXED_STREAM }, body: body() };
  }

  const CHANGE_KINDS = { C: 0, A: 1, D: 2 } as const;

  return [
    {
      method: "GET",
      path: "/containers/json",
      handle: async ({ query }) => {
        const now = Date.now();
        const list = await listContainers(engine, { all: queryBool(query, "all"), limit: Number(query.get("limit") ?? -1), filters: parseFilters(query.get("filters")) });
        return json(200, list.map((c) => containerSummary(c, now)));
      },
    },
    { method: "POST", path: "/containers/create", handle: create },
    { method: "GET", path: "/containers/{name}/json", handle: async ({ params }) => json(200, containerInspect(runtime.get(params.name!))) },
    { method: "POST", path: "/containers/{name}/start", handle: start },
    { method: "POST", path: "/containers/{name}/wait", handle: wait },
    { method: "POST", path: "/containers/{name}/attach", handle: attach },
    {
      method: "POST",
      path: "/containers/{name}/stop",
      handle: async ({ params, query }) => {
        const container = runtime.get(params.name!);
        if (!runtime.isRunning(container.id)) return noContent(304);
        await runtime.stop(container.id, { timeoutSeconds: query.has("t") ? Number(query.get("t")) : undefined, signal: query.get("signal") || undefined });
        return noContent();
      },
    },
    {
      method: "POST",
      path: "/containers/{name}/restart",
      handle: async ({ params, query }) => {
        await runtime.restart(params.name!, { timeoutSeconds: query.has("t") ? Number(query.get("t")) : undefined, signal: query.get("signal") || undefined });
        return noContent();
      },
    },
    {
      method: "POST",
      path: "/containers/{name}/kill",
      handle: async ({ params, query }) => {
        await runtime.kill(params.name!, { signal: query.get("signal") || undefined });
        return noContent();
      },
    },
    {
      method: "POST",
      path: "/containers/{name}/rename",
      handle: async ({ params, query }) => {
        const name = query.get("name") ?? "";
        if (!name.trim()) throw new BerthError("INVALID_ARGUMENT", "Neither old nor new names may be empty");
        runtime.rename(params.name!, name);
        return noContent();
      },
    },
    {
      method: "POST",
      path: "/containers/{name}/resize",
      handle: async ({ params, query }) => {
        const container = runtime.get(params.name!);
        const process = lifecycle.process(container.id);
        if (!process) throw new BerthError("CONFLICT", `container ${container.id} is not running`);
        // Without a terminal there is nothing to size (containerd's shim ignores it too).
        if (container.config.tty) process.resize(Number(query.get("w") ?? 80), Number(query.get("h") ?? 24));
        return noContent(200);
      },
    },
    {
      method: "DELETE",
      path: "/containers/{name}",
      handle: async ({ params, query }) => {
        const container = runtime.get(params.name!);
        await remove(container.id, queryBool(query, "force"), queryBool(query, "v"));
        return noContent();
      },
    },
    { method: "GET", path: "/containers/{name}/logs", handle: logsOf },
    {
      method: "GET",
      path: "/containers/{name}/top",
      handle: async ({ params, query }) => {
        const container = runtime.get(params.name!);
        if (!runtime.isRunning(container.id)) throw new BerthError("CONFLICT", `container ${container.id} is not running`);
        const psArgs = query.get("ps_args") ?? "";
        if (psArgs !== "" && psArgs !== "-ef") throw new BerthError("INVALID_ARGUMENT", `ps options are not supported here (only the default, -ef): ${psArgs}`);
        return json(200, containerTop(runtime.processes(container.id), topUser(container)));
      },
    },
    {
      method: "POST",
      path: "/containers/{name}/update",
      handle: async ({ request, params }) => {
        const body = readJson<ResourcesBody>(request, UPDATE_REQUEST);
        runtime.update(params.name!, resourcesOf(body, false));
        return json(200, { Warnings: [] });
      },
    },
    {
      method: "GET",
      path: "/containers/{name}/changes",
      handle: async ({ params }) => json(200, runtime.get(params.name!).rootfs.changes().map((c) => ({ Path: c.path, Kind: CHANGE_KINDS[c.kind] }))),
    },
  ];
}
