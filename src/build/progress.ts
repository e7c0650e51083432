/**
 * A build's progress as BuildKit's solver reports it: vertexes (one per step,
 * numbered from 1) that start, report status lines and their process's
 * output, and end done, cached or failed.
 *
 * Two displays of it, as buildkit's progressui has: plain (line by line,
 * `#5 [2/4] RUN ...`, what `--progress=plain` and a log file get) and tty (a
 * live view redrawn in place on a terminal, what `docker build` shows there).
 */
export interface BuildProgress {
  started(vertex: number, name: string): void;
  /** A step of its own work ("transferring context: 2B done"). */
  status(vertex: number, text: string): void;
  /** A line its process wrote, `ms` after the process started. */
  log(vertex: number, text: string, ms: number): void;
  completed(vertex: number, outcome: VertexOutcome): void;
  /** The build ended, either way: a live view draws its last frame and stops. */
  finished(): void;
}

export interface VertexOutcome {
  readonly cached?: boolean;
  readonly error?: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** BuildKit's plain display: each event one line, `#N` naming its vertex. */
export function plainProgress(write: (text: string) => void, now: () => number = Date.now): BuildProgress {
  const starts = new Map<number, number>();
  return {
    started(vertex, name) {
      starts.set(vertex, now());
      write(`\n#${vertex} ${name}\n`);
    },
    status(vertex, text) {
      write(`#${vertex} ${text}\n`);
    },
    log(vertex, text, ms) {
      write(`#${vertex} ${(ms / 1000).toFixed(3)} ${text}\n`);
    },
    completed(vertex, outcome) {
      const took = now() - (starts.get(vertex) ?? now());
      write(`#${vertex} ${outcome.error !== undefined ? `ERROR: ${outcome.error}` : outcome.cached ? "CACHED" : `DONE ${seconds(took)}`}\n`);
    },
    finished() {},
  };
}

export interface TtyProgressOptions {
  readonly columns: number;
  readonly rows: number;
  /** How often the view is redrawn while nothing ends (BuildKit: about 150 ms). */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

interface Vertex {
  readonly name: string;
  readonly start: number;
  end?: number;
  cached?: boolean;
  error?: string;
  /** Status lines, shown under it as ` => => …`. */
  readonly statuses: string[];
  /** Its process's output; the last lines show while it runs (` => => # …`). */
  readonly logs: string[];
}

/** Output lines a running vertex shows under it, as BuildKit's tty display. */
const LOG_LINES = 6;
const BLUE = "\x1b[34m";
const RED = "\x1b[31m";
const RESET = "\x1b[0m";

/**
 * BuildKit's tty display: a header (`[+] Building 1.2s (4/7)`), every vertex
 * with its time at the right edge, finished ones in blue, failed in red, and
 * under a running RUN the last lines of its output. Each frame goes back up
 * over the last one (cursor up, then each line erased to its end), lines cut
 * to the terminal's width so none wraps and the count stays true.
 */
export function ttyProgress(write: (text: string) => void, options: TtyProgressOptions): BuildProgress {
  const now = options.now ?? Date.now;
  const began = now();
  const vertexes = new Map<number, Vertex>();
  let drawn = 0;
  let done = false;
  const width = Math.max(20, options.columns);

  const fit = (left: string, right: string) => {
    const room = width - right.length - 1;
    const text = left.length > room ? left.slice(0, Math.max(0, room)) : left.padEnd(room);
    return `${text} ${right}`;
  };

  const frame = (): string[] => {
    const t = now();
    const all = [...vertexes.values()];
    const finished = all.filter((v) => v.end !== undefined).length;
    const lines = [fit(`[+] Building ${seconds(t - began)} (${finished}/${all.length})${done ? " FINISHED" : ""}`, "docker:default")];
    for (const v of all) {
      const time = seconds((v.end ?? t) - v.start);
      const color = v.error !== undefined ? RED : v.end !== undefined ? BLUE : "";
      const label = `${v.error !== undefined ? "ERROR " : v.cached ? "CACHED " : ""}${v.name}`;
      const block = [fit(` => ${label}`, time), ...v.statuses.map((s) => fit(` => => ${s}`, time))];
      if (v.end === undefined) block.push(...v.logs.slice(-LOG_LINES).map((l) => fit(` => => # ${l}`, "").trimEnd()));
      lines.push(...block.map((line) => (color ? `${color}${line}${RESET}` : line)));
    }
    // A frame taller than the terminal cannot be redrawn in place: keep its bottom, as BuildKit does.
    const room = Math.max(2, options.rows - 1);
    return lines.length > room ? [lines[0]!, ...lines.slice(lines.length - room + 1)] : lines;
  };

  const draw = () => {
    const lines = frame();
    const up = drawn > 0 ? `\x1b[${drawn}A\r` : "";
    write(`${up}${lines.map((line) => `${line}\x1b[K\n`).join("")}\x1b[J`);
    drawn = lines.length;
  };

  const timer = setInterval(draw, options.intervalMs ?? 150);
  const vertex = (n: number) => vertexes.get(n);
  return {
    started(n, name) {
      vertexes.set(n, { name, start: now(), statuses: [], logs: [] });
      draw();
    },
    status(n, text) {
      vertex(n)?.statuses.push(text.replace(/ done$/, ""));
    },
    log(n, text) {
      vertex(n)?.logs.push(text);
    },
    completed(n, outcome) {
      const v = vertex(n);
      if (!v) return;
      v.end = now();
      v.cached = outcome.cached;
      v.error = outcome.error;
      draw();
    },
    finished() {
      if (done) return;
      done = true;
      clearInterval(timer);
      draw();
    },
  };
}
