/**
 * /proc for one machine, computed on every read as Linux does. It shows the
 * shared kernel's identity, the machine's own hostname and mounts, and memory
 * and uptime figures. Process directories (/proc/<pid>) join when the engine
 * keeps a process table.
 */
import { KERNEL_IDENTITY } from "../kernel/index.ts";
import { MemoryFileSystem } from "./memory-fs.ts";

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
  return MemoryFileSystem.from({
    "version": version,
    "uptime": uptime,
    "loadavg": () => "0.00 0.00 0.00 1/1 1\n",
    "meminfo": meminfo,
    "mounts": mounts,
    "cpuinfo": () =>
      Array.from({ length: options.cpus ?? 1 }, (_, i) => `processor\t: ${i}\nmodel name\t: WebAssembly (wasm32)\n\n`).join(""),
    "sys/kernel/ostype": () => `${KERNEL_IDENTITY.ostype}\n`,
    "sys/kernel/osrelease": () => `${KERNEL_IDENTITY.release}\n`,
    "sys/kernel/version": () => `${KERNEL_IDENTITY.version}\n`,
    "sys/kernel/hostname": () => `${options.hostname()}\n`,
  });
}
