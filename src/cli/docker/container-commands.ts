import { containerInspect, containerStatusText, imageInspect, listContainers, logLines, LogStamper, logTimestamp, mountRequest, startFailure, tailEntries, volumeRequest } from "../../api/index.ts";
import { joinPath } from "../../build/index.ts";
import type { DockerIO, DockerRequest, Engine } from "../../engine/index.ts";
import { familiarReference, parseReference } from "../../image/index.ts";
import { LOG_LIMIT_BYTES, type Container, type LogEntry } from "../../runtime/index.ts";
import { BerthError } from "../../util/index.ts";
import type { FlagSpec, ParsedFlags } from "../flags.ts";
import { CommandError, eachName, intFlag, withCallerEnv, type DockerCommand } from "./command.ts";
import { ago, ellipsis, goTime, quotedCommand, shortId, table, templateOutput } from "./format.ts";
import { filterFlag, filtersOf } from "./filter-flag.ts";
import { pullWithProgress } from "./image-commands.ts";
import { RESOURCE_FLAGS, resourceFlags } from "./resource-flags.ts";

export const RUN_FLAGS: FlagSpec[] = ([
  ...RESOURCE_FLAGS,
  { name: "detach", short: "d", kind: "bool", description: "Run container in background and print container ID" },
  { name: "entrypoint", kind: "string", description: "Overwrite the default ENTRYPOINT of the image" },
  { name: "env", short: "e", kind: "list", description: "Set environment variables" },
  { name: "env-file", kind: "list", description: "Read in a file of environment variables" },
  { name: "hostname", short: "h", kind: "string", description: "Container host name" },
  { name: "interactive", short: "i", kind: "bool", description: "Keep STDIN open even if not attached" },
  { name: "label", short: "l", kind: "list", description: "Set meta data on a container" },
  { name: "mount", kind: "list", description: "Attach a filesystem mount to the container" },
  { name: "name", kind: "string", description: "Assign a name to the container" },
  { name: "rm", kind: "bool", description: "Automatically remove the container and its associated anonymous volumes when it exits" },
  { name: "tty", short: "t", kind: "bool", description: "Allocate a pseudo-TTY" },
  { name: "user", short: "u", kind: "string", description: "Username or UID (format: <name|uid>[:<group|gid>])" },
  { name: "volume", short: "v", kind: "list", description: "Bind mount a volume" },
  { name: "workdir", short: "w", kind: "string", description: "Working directory inside the container" },
] satisfies FlagSpec[]).sort((a, b) => a.name.localeCompare(b.name));

/** The image, pulled first when missing (Docker's "Unable to find image ... locally"). */
async function ensureImage(engine: Engine, reference: string, io: DockerIO): Promise<void> {
  const name = familiarReference(parseReference(reference));
  if (engine.images.get(reference)) return;
  // An image ID (full or short) of a local image: no pull, as Docker.
  if (/^(sha256:)?[0-9a-f]{1,64}$/.test(reference) && (await engine.images.resolve(reference).catch(() => undefined))) return;
  io.stderr(`Unable to find image '${name}' locally\n`);
  await pullWithProgress(engine, reference, (text) => io.stderr(text));
}

export const runCommand: DockerCommand = {
  name: "run",
  commandLine: true,
  aliases: ["container run"],
  usage: imageCommandUsage("run"),
  summary: "Create and run a new container from an image",
  flags: RUN_FLAGS,
  minArgs: 1,
  async run({ engine, flags, io, request }) {
    const bool = (name: string) => flags.bools.get(name) ?? false;
    const container = await createContainer(engine, flags, io, "run", request);
    if (bool("detach")) {
      const process = await startOrFail(engine, container, {});
      // Without -i the container's stdin is empty, as Docker's /dev/null.
      if (!container.config.openStdin) await process.closeStdin();
      io.stdout(`${container.id}\n`);
      return 0;
    }
    const write = (entry: LogEntry) => (entry.stream === "stderr" ? io.stderr(entry.data) : io.stdout(entry.data));
    const process = await startOrFail(engine, container, {
      onOutput: write,
      terminal: container.config.tty ? { columns: request.columns || 80, rows: request.rows || 24 } : undefined,
    });
    if (container.config.tty && container.config.openStdin && request.stdinTty) io.rawTerminal();
    if (container.config.openStdin) {
      void (async () => {
        // Through the runtime: on a terminal, Ctrl-C may be the engine's to carry out.
        for await (const chunk of io.stdin()) await engine.runtime.attachInput(container.id, chunk);
        await process.closeStdin();
      })();
    } else {
      await process.closeStdin();
    }
    const status = await engine.runtime.wait(container.id);
    return status;
  },
};

/** The usage line of docker run and docker create. */
export function imageCommandUsage(verb: "run" | "create"): string {
  return `${verb} [OPTIONS] IMAGE [COMMAND] [ARG...]`;
}

/** docker create / the first half of docker run: the image (pulled when missing) and a container from the flags. */
export async function createContainer(
  engine: Engine,
  flags: ParsedFlags,
  io: DockerIO,
  command: "run" | "create",
  request: { readonly cwd: string; readonly env?: DockerRequest["env"] },
): Promise<Container> {
  const cwd = request.cwd || "/";
  const [image, ...cmd] = flags.args as string[];
  const bool = (name: string) => flags.bools.get(name) ?? false;
  const entrypoint = flags.strings.get("entrypoint");
  // As Docker: the files' variables first, then -e, so -e wins.
  const env = withCallerEnv([...(flags.lists.get("env-file") ?? []).flatMap((file) => readEnvFile(engine, cwd, file, command)), ...(flags.lists.get("env") ?? [])], request.env);
  const resources = resourceFlags(flags, imageCommandUsage(command));
  try {
    const volumes = [
      ...(flags.lists.get("volume") ?? []).map((spec) => volumeRequest(engine, spec, cwd)),
      ...(flags.lists.get("mount") ?? []).map((spec) => mountRequest(engine, spec, cwd)),
    ];
    await ensureImage(engine, image!, io);
    return await engine.runtime.create({
      volumes,
      image: image!,
      name: flags.strings.get("name"),
      cmd,
      entrypoint: entrypoint === undefined ? undefined : entrypoint === "" ? [] : [entrypoint],
      env,
      hostname: flags.strings.get("hostname"),
      workingDir: flags.strings.get("workdir"),
      user: flags.strings.get("user"),
      labels: Object.fromEntries((flags.lists.get("label") ?? []).map((l) => [l.split("=")[0]!, l.slice(l.indexOf("=") + 1)])),
      tty: bool("tty"),
      openStdin: bool("interactive"),
      autoRemove: bool("rm"),
      ...resources,
    });
  } catch (error) {
    throw runError(error, command);
  }
}

async function startOrFail(engine: Engine, container: Container, options: Parameters<Engine["runtime"]["start"]>[1]) {
  try {
    return await engine.runtime.start(container.id, options);
  } catch (error) {
    if (container.config.autoRemove) await engine.runtime.remove(container.id, { force: true }).catch(() => undefined);
    if ((error as Error).message.startsWith("exec: ")) {
      // The daemon's words for a program that cannot start, and the status the docker CLI gives it.
      const status = /permission denied/.test((error as Error).message) ? 126 : 127;
      throw new CommandError(`docker: Error response from daemon: ${(startFailure(error) as Error).message}\n\nRun 'docker run --help' for more information`, status);
    }
    throw runError(error);
  }
}

/**
 * `--env-file FILE` on the host: one VAR=value per line, taken as written (no quotes
 * or expansion); `#` comments and blank lines skipped. A bare VAR takes its value from
 * the caller's environment (withCallerEnv).
 */
function readEnvFile(engine: Engine, cwd: string, file: string, command: "run" | "create"): string[] {
  const usage = `\n\nRun 'docker ${command} --help' for more information`;
  let text: string;
  try {
    if (!engine.hostFiles) throw new Error("no host filesystem");
    text = new TextDecoder().decode(engine.hostFiles.readFile(joinPath(cwd, file)));
  } catch {
    throw new CommandError(`docker: open ${file}: no such file or directory${usage}`, 125);
  }
  const entries: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimStart();
    if (line === "" || line.startsWith("#")) continue;
    const name = line.includes("=") ? line.slice(0, line.indexOf("=")) : line.trimEnd();
    if (/\s/.test(name)) throw new CommandError(`docker: poorly formatted environment: variable '${name}' contains whitespaces${usage}`, 125);
    if (name === "") throw new CommandError(`docker: poorly formatted environment: no variable name on line '${line}'${usage}`, 125);
    entries.push(line.includes("=") ? line : name);
  }
  return entries;
}

function runError(error: unknown, command: "run" | "create" = "run"): CommandError {
  const message = error instanceof Error ? error.message : String(error);
  if (BerthError.is(error, "INVALID_ARGUMENT") && message.startsWith("invalid reference format")) {
    return new CommandError(`docker: ${message}\n\nRun 'docker ${command} --help' for more information`, 125);
  }
  return new CommandError(`docker: Error response from daemon: ${message}\n\nRun 'docker ${command} --help' for more information`, 125);
}

export const psCommand: DockerCommand = {
  name: "ps",
  aliases: ["container ls", "container list", "container ps"],
  usage: "ps [OPTIONS]",
  summary: "List containers",
  flags: [
    { name: "all", short: "a", kind: "bool", description: "Show all containers (default shows just running)" },
    filterFlag(),
    { name: "last", short: "n", kind: "string", valueName: "int", description: "Show n last created containers (includes all states)", defaultValue: "-1" },
    { name: "latest", short: "l", kind: "bool", description: "Show the latest created container (includes all states)" },
    { name: "quiet", short: "q", kind: "bool", description: "Only display container IDs" },
    { name: "no-trunc", kind: "bool", description: "Don't truncate output" },
    { name: "format", kind: "string", description: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template" },
  ],
  maxArgs: 0,
  async run({ engine, flags, io }) {
    // As the docker CLI: --latest is --last 1, and a limit lists stopped containers too.
    const limit = flags.bools.get("latest") ? 1 : (intFlag(flags, psCommand.flags.find((f) => f.name === "last")!, psCommand.usage) ?? -1);
    const containers = await listContainers(engine, { all: flags.bools.get("all") ?? false, limit, filters: filtersOf(flags, psCommand) });
    const noTrunc = flags.bools.get("no-trunc") ?? false;
    if (flags.bools.get("quiet")) {
      io.stdout(containers.map((c) => `${noTrunc ? c.id : shortId(c.id)}\n`).join(""));
      return 0;
    }
    const now = Date.now();
    const format = flags.strings.get("format");
    if (format !== undefined && format !== "table") {
      const items = containers.map((c) => ({
        ID: noTrunc ? c.id : shortId(c.id),
        Image: c.config.image,
        Command: quotedCommand([...c.config.entrypoint, ...c.config.cmd], !noTrunc),
        CreatedAt: goTime(c.created),
        RunningFor: ago(c.created, now),
        Ports: "",
        Status: containerStatusText(c, now),
        State: c.state.status,
        Names: c.name,
        Labels: Object.entries(c.config.labels).map(([k, v]) => `${k}=${v}`).sort().join(","),
        Label: (name: string) => c.config.labels[name] ?? "",
        Mounts: c.mounts.map((m) => (m.type === "volume" ? m.name! : m.source)).map((name) => (noTrunc ? name : ellipsis(name, 15))).join(","),
        Networks: "",
        Size: "",
      }));
      io.stdout(templateOutput(format, PS_TITLES, items));
      return 0;
    }
    const rows = containers.map((c) => [
      noTrunc ? c.id : shortId(c.id),
      c.config.image,
      quotedCommand([...c.config.entrypoint, ...c.config.cmd], !noTrunc),
      ago(c.created, now),
      containerStatusText(c, now),
      "",
      c.name,
    ]);
    io.stdout(table(["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"], rows));
    return 0;
  },
};

const PS_TITLES = {
  ID: "CONTAINER ID", Image: "IMAGE", Command: "COMMAND", CreatedAt: "CREATED AT", RunningFor: "CREATED", Ports: "PORTS",
  Status: "STATUS", State: "STATE", Names: "NAMES", Labels: "LABELS", Mounts: "MOUNTS", Networks: "NETWORKS", Size: "SIZE",
};

export const rmCommand: DockerCommand = {
  name: "rm",
  aliases: ["container rm", "container remove"],
  usage: "rm [OPTIONS] CONTAINER [CONTAINER...]",
  summary: "Remove one or more containers",
  flags: [
    { name: "force", short: "f", kind: "bool", description: "Force the removal of a running container (uses SIGKILL)" },
    { name: "volumes", short: "v", kind: "bool", description: "Remove anonymous volumes associated with the container" },
  ],
  minArgs: 1,
  async run({ engine, flags, io }) {
    return eachName(flags.args, io, async (name) => {
      await engine.runtime.remove(name, { force: flags.bools.get("force") ?? false, volumes: flags.bools.get("volumes") ?? false });
      return name;
    });
  },
};

export const startCommand: DockerCommand = {
  name: "start",
  aliases: ["container start"],
  usage: "start [OPTIONS] CONTAINER [CONTAINER...]",
  summary: "Start one or more stopped containers",
  flags: [{ name: "attach", short: "a", kind: "bool", description: "Attach STDOUT/STDERR and forward signals" }],
  minArgs: 1,
  async run({ engine, flags, io }) {
    if (flags.bools.get("attach")) {
      const container = engine.runtime.get(flags.args[0]!);
      const process = await engine.runtime.start(container.id, {
        onOutput: (e) => (e.stream === "stderr" ? io.stderr(e.data) : io.stdout(e.data)),
      });
      await process.closeStdin();
      return engine.runtime.wait(container.id);
    }
    return eachName(flags.args, io, async (name) => {
      const process = await engine.runtime.start(name);
      await process.closeStdin();
      return name;
    });
  },
};

export const killCommand: DockerCommand = {
  name: "kill",
  aliases: ["container kill"],
  usage: "kill [OPTIONS] CONTAINER [CONTAINER...]",
  summary: "Kill one or more running containers",
  flags: [{ name: "signal", short: "s", kind: "string", description: "Signal to send to the container" }],
  minArgs: 1,
  async run({ engine, flags, io }) {
    const signal = flags.strings.get("signal");
    return eachName(flags.args, io, async (name) => {
      await engine.runtime.kill(name, { signal });
      return name;
    });
  },
};

export const waitCommand: DockerCommand = {
  name: "wait",
  aliases: ["container wait"],
  usage: "wait CONTAINER [CONTAINER...]",
  summary: "Block until one or more containers stop, then print their exit codes",
  flags: [],
  minArgs: 1,
  async run({ engine, flags, io }) {
    return eachName(flags.args, io, async (name) => String(await engine.runtime.wait(name)));
  },
};

export const logsCommand: DockerCommand = {
  name: "logs",
  aliases: ["container logs"],
  usage: "logs [OPTIONS] CONTAINER",
  summary: "Fetch the logs of a container",
  flags: [
    { name: "follow", short: "f", kind: "bool", description: "Follow log output" },
    { name: "tail", short: "n", kind: "string", description: "Number of lines to show from the end of the logs", defaultValue: "all" },
    { name: "timestamps", short: "t", kind: "bool", description: "Show timestamps" },
  ],
  notes: `Berth keeps about the last ${LOG_LIMIT_BYTES / 1024 ** 2} MiB of each container's output (Docker's json-file driver keeps all of it\nunless --log-opt max-size): older output is dropped.`,
  minArgs: 1,
  maxArgs: 1,
  async run({ engine, flags, io }) {
    const container = engine.runtime.get(flags.args[0]!);
    const tail = flags.strings.get("tail") ?? "all";
    const timestamps = flags.bools.get("timestamps") ?? false;
    const write = (stream: LogEntry["stream"], data: Uint8Array | string) => (stream === "stderr" ? io.stderr(data) : io.stdout(data));
    // Follow from here, until this run ends: whatever is written while the past is printed comes after it.
    const end = container.logs.end;
    const stopped = (flags.bools.get("follow") ?? false) && engine.runtime.isRunning(container.id) ? engine.runtime.wait(container.id) : undefined;
    const past = tailEntries(container.logs.entries(), tail);
    // Each write is awaited: a terminal slower than the log holds the rest back rather than queueing it.
    if (timestamps) for (const line of logLines(past)) await write(line.stream, logTimestamp(line.time) + line.text);
    else for (const entry of past) await write(entry.stream, entry.data);
    if (!stopped) return 0;
    const stamper = new LogStamper();
    for await (const entry of container.logs.follow(end, stopped)) {
      await write(entry.stream, timestamps ? stamper.stamp(entry) : entry.data);
    }
    return 0;
  },
};

export const diffCommand: DockerCommand = {
  name: "diff",
  aliases: ["container diff"],
  usage: "diff CONTAINER",
  summary: "Inspect changes to files or directories on a container's filesystem",
  flags: [],
  minArgs: 1,
  maxArgs: 1,
  async run({ engine, flags, io }) {
    const container = engine.runtime.get(flags.args[0]!);
    io.stdout(container.rootfs.changes().map((c) => `${c.kind} ${c.path}\n`).join(""));
    return 0;
  },
};

/** What each inspect looks for, in order, and how it says a name matched none. */
const INSPECT_KINDS = {
  any: { looks: ["container", "image"], missing: "object" },
  container: { looks: ["container"], missing: "container" },
  image: { looks: ["image"], missing: "image" },
} as const;

function inspectCommandFor(kind: keyof typeof INSPECT_KINDS): DockerCommand {
  const { looks, missing } = INSPECT_KINDS[kind];
  return {
    name: kind === "any" ? "inspect" : `${kind} inspect`,
    usage: kind === "any" ? "inspect [OPTIONS] NAME|ID [NAME|ID...]" : `${kind} inspect [OPTIONS] ${kind.toUpperCase()} [${kind.toUpperCase()}...]`,
    summary: kind === "any" ? "Return low-level information on Docker objects" : `Display detailed information on one or more ${kind}s`,
    flags: [{ name: "format", short: "f", kind: "string", description: "Format output using a custom template" }],
    minArgs: 1,
    async run({ engine, flags, io }) {
      const found: Record<string, unknown>[] = [];
      let status = 0;
      for (const name of flags.args) {
        const object = await inspectOne(engine, name, looks);
        if (object) found.push(object);
        else {
          io.stderr(`Error: No such ${missing}: ${name}\n`);
          status = 1;
        }
      }
      const format = flags.strings.get("format");
      if (format !== undefined) io.stdout(templateOutput(format, {}, found));
      else io.stdout(`${JSON.stringify(found, null, 4)}\n`);
      return status;
    },
  };
}

async function inspectOne(engine: Engine, name: string, looks: readonly ("container" | "image")[]): Promise<Record<string, unknown> | undefined> {
  for (const look of looks) {
    try {
      return look === "container" ? containerInspect(engine.runtime.get(name)) : (imageInspect(await engine.images.resolve(name)) as Record<string, unknown>);
    } catch {
      // not this kind of object
    }
  }
  return undefined;
}

export const inspectCommand = inspectCommandFor("any");
export const containerInspectCommand = inspectCommandFor("container");
export const imageInspectCommand = inspectCommandFor("image");
