/**
 * /proc for one machine, computed on every read as Linux does. It shows the
 * shared kernel's identity, the machine's own hostname and mounts, memory
 * and uptime figures, and a directory per process (/proc/<pid>/{stat,status,
 * cmdline,comm,statm}) from the engine's process table, in the PIDs of the
 * machine's own namespace.
 *
 * There is no /proc/self: the kernel's bridge does not say which process
 * reads, so the filesystem cannot know who "self" is.
 */
import { KERNEL_IDENTITY, type MountedDirEntry, type MountedStat, type OpenOptions } from "../kernel/index.ts";
import { MemoryFileSystem } from "./memory-fs.ts";
import { newComputedFile, newDir, splitPath, type DirNode } from "./tree.ts";

/** A process as /proc shows it, in the PIDs of the machine that reads. */
export interface ProcProcess {
  readonly pid: number;
  readonly ppid: number;
  readonly args: readonly string[];
  /** ms since the epoch */
  readonly startedAt: number;
  /** The same process's PIDs in nested namespaces, outermost first after `pid` (Linux's NSpid line). */
  readonly nsPids?: readonly number[];
  /** CPU time used, in nanoseconds (shown as user time); unknown reads 0. */
  readonly cpuTime?: number;
}

export interface ProcFsOptions {
  readonly hostname: () => string;
  /** Memory the machine may use, in bytes. */
  readonly memoryLimit: number;
  /** Memory in use, in bytes. */
  readonly memoryUsed: () => number;
  /** Mount points, as /proc/mounts lines are made of. */
  readonly mounts: () => readonly { source: string; target: string; type: string; options: string }[];
  /** When the machine started (ms since the epoch); uptime counts from here. */
  readonly bootTime: number;
  /** The machine's processes, in its own PIDs. */
  readonly processes?: () => readonly ProcProcess[];
  readonly now?: () => number;
  readonly cpus?: number;
}

export function createProcFs(options: ProcFsOptions): MemoryFileSystem {
  const now = options.now ?? Date.now;
  const kb = (bytes: number) => Math.floor(bytes / 1024);
  const version = () =>
    `${KERNEL_IDENTITY.ostype} version ${KERNEL_IDENTITY.release} (berth@wasm) ${KERNEL_IDENTITY.version}\n`;
  const uptime = () => {
    const seconds = Math.max(0, (now() - options.bootTime) / 1000);
    return `${seconds.toFixed(2)} ${(seconds * (options.cpus ?? 1)).toFixed(2)}\n`;
  };
  const meminfo = () => {
    const total = kb(options.memoryLimit);
    const free = Math.max(0, total - kb(options.memoryUsed()));
    const line = (name: string, value: number) => `${(name + ":").padEnd(16)}${String(value).padStart(8)} kB\n`;
    return (
      line("MemTotal", total) +
      line("MemFree", free) +
      line("MemAvailable", free) +
      line("Buffers", 0) +
      line("Cached", 0) +
      line("SwapCached", 0) +
      line("Shmem", 0) +
      line("SwapTotal", 0) +
      line("SwapFree", 0)
    );
  };
  const mounts = () =>
    options
      .mounts()
      .map((m) => `${m.source} ${m.target} ${m.type} ${m.options} 0 0\n`)
      .join("");
  const processes = options.processes ?? (() => []);
  const loadavg = () => {
    const list = processes();
    return `0.00 0.00 0.00 1/${Math.max(1, list.length)} ${Math.max(0, ...list.map((p) => p.pid))}\n`;
  };
  const fs = new ProcFileSystem(processes, (p) => processFiles(p, options.bootTime));
  const files: Record<string, () => string> = {
    "version": version,
    "uptime": uptime,
    "loadavg": loadavg,
    "meminfo": meminfo,
    "mounts": mounts,
    "cpuinfo": () =>
      Array.from({ length: options.cpus ?? 1 }, (_, i) => `processor\t: ${i}\nmodel name\t: WebAssembly (wasm32)\n\n`).join(""),
    "sys/kernel/ostype": () => `${KERNEL_IDENTITY.ostype}\n`,
    "sys/kernel/osrelease": () => `${KERNEL_IDENTITY.release}\n`,
    "sys/kernel/version": () => `${KERNEL_IDENTITY.version}\n`,
    "sys/kernel/hostname": () => `${options.hostname()}\n`,
  };
  for (const [path, contents] of Object.entries(files)) fs.writeFile(path, contents);
  return fs;
}

/** Clock ticks per second in /proc/<pid>/stat (Linux's USER_HZ). */
const TICKS_PER_SECOND = 100;

/** The files of /proc/<pid>, computed on read from the process's latest record. */
function processFiles(
  get: () => ProcProcess | undefined,
  bootTime: number,
): Record<string, () => string> {
  const comm = (p: ProcProcess) => (p.args[0] ?? "").split("/").pop()!.slice(0, 15);
  const ifAlive = (render: (p: ProcProcess) => string) => () => {
    const p = get();
    return p ? render(p) : "";
  };
  return {
    // The 52 fields of proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags,
    // fault counts, CPU times, priority nice num_threads itrealvalue starttime vsize rss
    // rsslim, addresses and signal masks, exit_signal processor ... exit_code. CPU time
    // (where measured) is all user time: the kernel's own work happens in the same thread.
    // Memory figures read 0.
    stat: ifAlive((p) => {
      const start = Math.max(0, Math.round(((p.startedAt - bootTime) / 1000) * TICKS_PER_SECOND));
      const utime = Math.round(((p.cpuTime ?? 0) / 1e9) * TICKS_PER_SECOND);
      const fields = [p.pid, `(${comm(p)})`, "S", p.ppid, p.pid, p.pid, 0, -1, 4194560];
      fields.push(0, 0, 0, 0, utime, 0, 0, 0, 20, 0, 1, 0, start, 0, 0, "18446744073709551615");
      while (fields.length < 37) fields.push(0);
      fields.push(17); // exit_signal: SIGCHLD
      while (fields.length < 52) fields.push(0);
      return `${fields.join(" ")}\n`;
    }),
    status: ifAlive(
      (p) =>
        `Name:\t${comm(p)}\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t${p.pid}\nNgid:\t0\nPid:\t${p.pid}\nPPid:\t${p.ppid}\n` +
        `TracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nNStgid:\t${[p.pid, ...(p.nsPids ?? [])].join("\t")}\n` +
        `NSpid:\t${[p.pid, ...(p.nsPids ?? [])].join("\t")}\nThreads:\t1\n`,
    ),
    cmdline: ifAlive((p) => p.args.map((a) => `${a}\0`).join("")),
    comm: ifAlive((p) => `${comm(p)}\n`),
    statm: ifAlive(() => "0 0 0 0 0 0 0\n"),
  };
}

/**
 * /proc's tree with a directory per live process: before each lookup from the
 * root the process directories are brought in line with the table.
 */
class ProcFileSystem extends MemoryFileSystem {
  readonly #shown = new Map<number, DirNode>();

  constructor(
    readonly processes: () => readonly ProcProcess[],
    readonly files: (get: () => ProcProcess | undefined) => Record<string, () => string>,
  ) {
    super();
  }

  #refresh(): void {
    const live = new Map(this.processes().map((p) => [p.pid, p]));
    for (const [pid, dir] of this.#shown) {
      if (!live.has(pid)) {
        if (this.root.children.get(String(pid)) === dir) this.root.children.delete(String(pid));
        this.#shown.delete(pid);
      }
    }
    for (const pid of live.keys()) {
      if (this.#shown.has(pid)) continue;
      const dir = newDir({ mode: 0o555 });
      const get = () => this.processes().find((p) => p.pid === pid);
      for (const [name, render] of Object.entries(this.files(get))) dir.children.set(name, newComputedFile(render));
      this.root.children.set(String(pid), dir);
      this.#shown.set(pid, dir);
    }
  }

  /** Whether a path reaches into the process directories (or lists them). */
  #touchesProcesses(path: string): boolean {
    const first = splitPath(path)[0];
    return first === undefined || /^\d+$/.test(first);
  }

  override stat(path: string): MountedStat {
    if (this.#touchesProcesses(path)) this.#refresh();
    return super.stat(path);
  }

  override readDir(path: string): MountedDirEntry[] {
    if (this.#touchesProcesses(path)) this.#refresh();
    return super.readDir(path);
  }

  override open(path: string, options: OpenOptions): number {
    if (this.#touchesProcesses(path)) this.#refresh();
    return super.open(path, options);
  }
}
