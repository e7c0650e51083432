/**
 * `docker stats` and `docker update`: what containers use, and their limits
 * changed. Stats are read as the Engine API serves them (src/api/stats.ts) and
 * computed into columns as the docker CLI computes them: CPU % from two
 * readings' deltas, memory without the page cache, against the limit.
 */
import { statsReading, statsReadings, STATS_INTERVAL_MS, type ContainerStatsJson } from "../../api/index.ts";
import { CommandError, eachName, type DockerCommand } from "./command.ts";
import { humanSize, shortId, templateOutput } from "./format.ts";
import { pause } from "../../util/index.ts";
import { RESOURCE_FLAGS, resourceFlags } from "./resource-flags.ts";

const STATS_TITLES = {
  Container: "CONTAINER",
  ID: "CONTAINER ID",
  Name: "NAME",
  CPUPerc: "CPU %",
  MemUsage: "MEM USAGE / LIMIT",
  MemPerc: "MEM %",
  NetIO: "NET I/O",
  BlockIO: "BLOCK I/O",
  PIDs: "PIDS",
};
const DEFAULT_FORMAT = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";
/** What the docker CLI writes around each frame of a stream: home, each line's end cleared, the rest of the screen cleared. */
const CURSOR_HOME = "\x1b[H";
const CLEAR_LINE_END = "\x1b[K";
const CLEAR_SCREEN_END = "\x1b[J";

/** Go's units.BytesSize: binary units, four significant digits ("1.062MiB"). */
function binarySize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toPrecision(4))}${units[unit]}`;
}

/** The docker CLI's CPU %: the container's CPU time over all CPUs' time between two readings, times the CPUs. */
function cpuPercent(reading: ContainerStatsJson): number | undefined {
  const total = reading.cpu_stats.cpu_usage.total_usage;
  if (total === undefined) return undefined;
  const cpuDelta = total - (reading.precpu_stats.cpu_usage.total_usage ?? 0);
  const systemDelta = (reading.cpu_stats.system_cpu_usage ?? 0) - (reading.precpu_stats.system_cpu_usage ?? 0);
  const cpus = reading.cpu_stats.online_cpus ?? 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
}

/** One row, as the docker CLI's stats formatter fills it (keys in its JSON order). */
function statsRow(reading: ContainerStatsJson, given: string, truncate: boolean): Record<string, string> {
  const memory = reading.memory_stats;
  const used = Math.max(0, (memory.usage ?? 0) - (memory.stats?.inactive_file ?? 0));
  const limit = memory.limit ?? 0;
  const cpu = cpuPercent(reading);
  return {
    BlockIO: `${humanSize(0)} / ${humanSize(0)}`,
    CPUPerc: cpu === undefined ? "--" : `${cpu.toFixed(2)}%`,
    Container: given,
    ID: truncate ? shortId(reading.id) : reading.id,
    MemPerc: `${(limit > 0 ? (used / limit) * 100 : 0).toFixed(2)}%`,
    MemUsage: `${binarySize(used)} / ${binarySize(limit)}`,
    Name: reading.name.replace(/^\//, "") || "--",
    // No network in a Berth container: nothing goes in or out.
    NetIO: `${humanSize(0)} / ${humanSize(0)}`,
    PIDs: String(reading.pids_stats.current ?? 0),
  };
}

export const statsCommand: DockerCommand = {
  name: "stats",
  aliases: ["container stats"],
  usage: "stats [OPTIONS] [CONTAINER...]",
  summary: "Display a live stream of container(s) resource usage statistics",
  notes:
    "CPU % is the CPU time the container's processes used (their workers' threads), measured where the platform can tell it (Node on Linux; '--' in a browser). " +
    "MEM USAGE is the sum of its processes' WebAssembly memories. There is no network, and block I/O is not counted.",
  flags: [
    { name: "all", short: "a", kind: "bool", description: "Show all containers (default shows just running)" },
    { name: "format", kind: "string", description: "Format output using a custom template: 'table', 'table TEMPLATE', 'json' or a Go template" },
    { name: "no-stream", kind: "bool", description: "Disable streaming stats and only pull the first result" },
    { name: "no-trunc", kind: "bool", description: "Do not truncate output" },
  ],
  async run({ engine, flags, io }) {
    const names = flags.args as string[];
    const all = flags.bools.get("all") ?? false;
    const truncate = !(flags.bools.get("no-trunc") ?? false);
    const format = flags.strings.get("format") || "table";
    const render = (rows: Record<string, string>[]) => templateOutput(format === "table" ? DEFAULT_FORMAT : format, STATS_TITLES, rows);
    // Named containers stay as named; without names, the list is taken again for each frame.
    const watched = (): { id: string; given: string }[] => {
      if (names.length > 0) return names.map((name) => ({ id: engine.runtime.get(name).id, given: name }));
      return engine.runtime.list({ all }).map((c) => ({ id: c.id, given: shortId(c.id) }));
    };
    let first: { id: string; given: string }[];
    try {
      first = watched();
    } catch (error) {
      throw new CommandError(`Error response from daemon: ${(error as Error).message}`, 1);
    }
    if (flags.bools.get("no-stream")) {
      const readings = await Promise.all(first.map(async ({ id }) => (await statsReadings(engine.runtime, id, { stream: false }).next()).value!));
      io.stdout(render(readings.map((reading, i) => statsRow(reading, first[i]!.given, truncate))));
      return 0;
    }
    let stopped = false;
    void io.closed?.then(() => (stopped = true));
    const previous = new Map<string, ContainerStatsJson>();
    while (!stopped) {
      const rows: Record<string, string>[] = [];
      for (const { id, given } of names.length > 0 ? first : watched()) {
        if (!engine.runtime.exists(id)) continue; // removed meanwhile
        const reading = statsReading(engine.runtime, id, previous.get(id));
        previous.set(id, reading);
        rows.push(statsRow(reading, given, truncate));
      }
      const lines = render(rows).split("\n");
      await io.stdout(`${CURSOR_HOME}${lines.map((line) => `${line} ${CLEAR_LINE_END}\n`).join("")}${CLEAR_SCREEN_END}`);
      await Promise.race([pause(STATS_INTERVAL_MS), io.closed]);
    }
    return 0;
  },
};

export const updateCommand: DockerCommand = {
  name: "update",
  aliases: ["container update"],
  usage: "update [OPTIONS] CONTAINER [CONTAINER...]",
  summary: "Update configuration of one or more containers",
  notes: "A running container's pids limit changes at once; its memory limit is each process's, set when the process starts, so it changes only while the container is stopped.",
  flags: RESOURCE_FLAGS,
  minArgs: 1,
  async run({ engine, flags, io }) {
    const changes = resourceFlags(flags, updateCommand.usage);
    if (Object.keys(changes).length === 0) throw new CommandError("you must provide one or more flags when using this command", 1);
    return eachName(flags.args as string[], io, async (name) => {
      engine.runtime.update(name, changes);
      return name;
    });
  },
};

/** Both commands, for the CLI's table. */
export const STATS_COMMANDS: readonly DockerCommand[] = [statsCommand, updateCommand];
