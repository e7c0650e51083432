/**
 * Containers as the Engine API shows them: the inspect document, the rows of
 * the list (`docker ps`), the state as words ("Exited (0) 5 seconds ago"),
 * `top`'s table, log lines. Both the HTTP API and Berth's own docker CLI
 * print from these, so the two say the same.
 */
import type { Container, LogEntry, ProcessInfo } from "../runtime/index.ts";
import { humanDuration } from "../util/index.ts";

const ZERO_TIME = "0001-01-01T00:00:00Z";

/** The MODES part of a `-v` argument, as Docker's inspect shows it. */
function modeOf(spec: string | undefined): string {
  return spec?.split(":")[2] ?? "";
}

/** GET /containers/{id}/json. */
export function containerInspect(c: Container): Record<string, unknown> {
  const s = c.state;
  const binds = c.mounts.flatMap((m) => (m.spec ? [m.spec] : []));
  const argv = [...c.config.entrypoint, ...c.config.cmd];
  return {
    Id: c.id,
    Created: c.created.toISOString(),
    Path: argv[0] ?? "",
    Args: argv.slice(1),
    State: {
      Status: s.status,
      Running: s.status === "running",
      Paused: s.status === "paused",
      Restarting: s.status === "restarting",
      OOMKilled: s.oomKilled,
      Dead: s.status === "dead",
      Pid: s.pid,
      ExitCode: s.exitCode,
      Error: s.error,
      StartedAt: s.startedAt?.toISOString() ?? ZERO_TIME,
      FinishedAt: s.finishedAt?.toISOString() ?? ZERO_TIME,
    },
    Image: c.config.imageId,
    Name: `/${c.name}`,
    RestartCount: Math.max(0, c.restartCount - 1),
    Driver: "overlay2",
    Platform: "linux",
    Config: {
      Hostname: c.config.hostname,
      User: c.config.user,
      Tty: c.config.tty,
      OpenStdin: c.config.openStdin,
      Env: c.config.env,
      Cmd: c.config.cmd,
      Image: c.config.image,
      WorkingDir: c.config.workingDir === "/" ? "" : c.config.workingDir,
      Entrypoint: c.config.entrypoint.length ? c.config.entrypoint : null,
      Labels: c.config.labels,
    },
    HostConfig: { Binds: binds.length ? binds : null, AutoRemove: c.config.autoRemove, PidsLimit: c.resources.pidsLimit || null, Memory: c.resources.memory, MemorySwap: c.resources.memorySwap, NanoCpus: c.resources.nanoCpus, CpuShares: c.resources.cpuShares },
    Mounts: containerMounts(c),
  };
}

function containerMounts(c: Container): unknown[] {
  return c.mounts.map((m) =>
    m.type === "bind"
      ? { Type: "bind", Source: m.source, Destination: m.destination, Mode: modeOf(m.spec), RW: !m.readOnly, Propagation: "rprivate" }
      : { Type: "volume", Name: m.name, Source: m.source, Destination: m.destination, Driver: "local", Mode: modeOf(m.spec) || "z", RW: !m.readOnly, Propagation: "" },
  );
}

/** The daemon's words for a container's state (moby's State.String), the STATUS of `docker ps`. */
export function containerStatusText(c: Container, now = Date.now()): string {
  const s = c.state;
  const ago = (date: Date | undefined) => `${humanDuration(now - (date ?? new Date(now)).getTime())} ago`;
  switch (s.status) {
    case "created":
      return "Created";
    case "running":
      return `Up ${humanDuration(now - (s.startedAt?.getTime() ?? now))}`;
    case "paused":
      return `Up ${humanDuration(now - (s.startedAt?.getTime() ?? now))} (Paused)`;
    case "restarting":
      return `Restarting (${s.exitCode}) ${ago(s.finishedAt)}`;
    case "exited":
      return `Exited (${s.exitCode}) ${ago(s.finishedAt)}`;
    case "removing":
      return "Removal In Progress";
    case "dead":
      return "Dead";
  }
}

/** The daemon joins path and arguments with spaces, unquoted: the COMMAND of `docker ps`. */
export function containerCommand(c: Container): string {
  return [...c.config.entrypoint, ...c.config.cmd].join(" ");
}

/** One entry of GET /containers/json. */
export function containerSummary(c: Container, now = Date.now()): Record<string, unknown> {
  return {
    Id: c.id,
    Names: [`/${c.name}`],
    Image: c.config.image,
    ImageID: c.config.imageId,
    Command: containerCommand(c),
    Created: Math.floor(c.created.getTime() / 1000),
    Ports: [],
    Labels: c.config.labels,
    State: c.state.status,
    Status: containerStatusText(c, now),
    HostConfig: { NetworkMode: "none" },
    NetworkSettings: { Networks: {} },
    Mounts: containerMounts(c),
  };
}

/** ps -ef's STIME: the time of day when started within a day, else month and day. */
function startTime(startedAt: Date, now: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  if (now.getTime() - startedAt.getTime() < 24 * 3600_000) return `${two(startedAt.getUTCHours())}:${two(startedAt.getUTCMinutes())}`;
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][startedAt.getUTCMonth()]!;
  return `${month}${two(startedAt.getUTCDate())}`;
}

/** ps's TIME: CPU time used, [DD-]HH:MM:SS. */
function cpuTimeText(nanos: number): string {
  const seconds = Math.floor(nanos / 1e9);
  const two = (n: number) => String(n).padStart(2, "0");
  const days = Math.floor(seconds / 86_400);
  const clock = `${two(Math.floor(seconds / 3600) % 24)}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  return days ? `${days}-${clock}` : clock;
}

/** ps -ef's C: CPU time as a whole percentage of the process's lifetime. */
function utilization(p: ProcessInfo, now: Date): number {
  const lifetime = now.getTime() - p.startedAt.getTime();
  return lifetime > 0 && p.cpuTime ? Math.floor((p.cpuTime / 1e6 / lifetime) * 100) : 0;
}

export interface TopResult {
  readonly Titles: string[];
  readonly Processes: string[][];
}

/** The UID column of `top`: the container's user by name, root for none or 0. */
export function topUser(c: Container): string {
  return (c.config.user.split(":")[0] || "root").replace(/^0$/, "root");
}

/** GET /containers/{id}/top: the host's `ps -ef` columns for the container's processes, host PIDs. */
export function containerTop(processes: readonly ProcessInfo[], user: string, now = new Date()): TopResult {
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  return {
    Titles: ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"],
    Processes: processes.map((p) => [
      user,
      String(p.hostPid),
      String(byPid.get(p.ppid)?.hostPid ?? 0),
      String(utilization(p, now)),
      startTime(p.startedAt, now),
      "?",
      cpuTimeText(p.cpuTime ?? 0),
      p.args.join(" "),
    ]),
  };
}

export interface LogLine {
  readonly stream: LogEntry["stream"];
  /** When its first part was written. */
  readonly time: Date;
  readonly text: string;
}

/** A log as lines (what `tail` counts, what -t stamps): a line ends after "\n", or where the other stream takes over. */
export function* logLines(entries: Iterable<LogEntry>): Generator<LogLine> {
  let line: { stream: LogEntry["stream"]; time: Date; text: string } | undefined;
  for (const entry of entries) {
    for (const text of new TextDecoder().decode(entry.data).split(/(?<=\n)/)) {
      if (line && !line.text.endsWith("\n") && line.stream === entry.stream) line.text += text;
      else if (text) {
        if (line) yield line;
        line = { stream: entry.stream, time: entry.time, text };
      }
    }
  }
  if (line) yield line;
}

const NEWLINE = 0x0a;

/**
 * The entries that hold a log's last `tail` lines (a number, or "all": Docker
 * reads anything else as all), the first cut where its line starts. Found
 * from the end, so a long log is not split into lines for a short tail.
 */
export function tailEntries(entries: readonly LogEntry[], tail: string): readonly LogEntry[] {
  if (!/^\d+$/.test(tail)) return entries;
  let wanted = Number(tail);
  if (wanted === 0) return [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!;
    // A line starts after each newline but the entry's last byte (that one is its next entry's start).
    let at = entry.data.length >= 2 ? entry.data.lastIndexOf(NEWLINE, entry.data.length - 2) : -1;
    for (; at >= 0; at = at > 0 ? entry.data.lastIndexOf(NEWLINE, at - 1) : -1) {
      if (--wanted === 0) return [{ stream: entry.stream, time: entry.time, data: entry.data.subarray(at + 1) }, ...entries.slice(i + 1)];
    }
    const previous = entries[i - 1];
    if (previous && (previous.data.at(-1) === NEWLINE || previous.stream !== entry.stream) && --wanted === 0) return entries.slice(i);
  }
  return entries;
}

/** Docker's log timestamp: RFC 3339 with nanoseconds, then a space. */
export function logTimestamp(time: Date): string {
  return `${time.toISOString().replace("Z", "000000Z")} `;
}

/** Stamps live log output line by line: a partial line continues without a new stamp. */
export class LogStamper {
  readonly #startOfLine = { stdout: true, stderr: true };

  stamp(entry: LogEntry): string {
    let out = "";
    for (const piece of new TextDecoder().decode(entry.data).split(/(?<=\n)/)) {
      if (!piece) continue;
      out += (this.#startOfLine[entry.stream] ? logTimestamp(entry.time) : "") + piece;
      this.#startOfLine[entry.stream] = piece.endsWith("\n");
    }
    return out;
  }
}
