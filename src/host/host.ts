/**
 * The host: the machine a user lands on, at the root of everything. It has its
 * own root filesystem (an Ubuntu-like userland) and runs the shell; later
 * issues put the `docker` command and the containers beside it.
 *
 * Its files live in TypeScript filesystems mounted at each top-level directory
 * (the kernel cannot mount at "/"); /bin and /usr/bin hold the userland's
 * commands, served by the kernel itself.
 */
import { createProcFs, MemoryFileSystem, type ProcProcess } from "../fs/index.ts";
import type { Kernel, Machine, Mount } from "../kernel/index.ts";

export const HOST_HOSTNAME = "berth";

/** The environment of a login shell on the host. */
export const HOST_ENV: Readonly<Record<string, string>> = {
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  HOME: "/root",
  USER: "root",
  LOGNAME: "root",
  SHELL: "/bin/sh",
  PS1: "\\u@\\h:\\w\\$ ",
};

/** Top-level directories every host has, even when its rootfs leaves them out. */
const STANDARD_DIRECTORIES = ["etc", "home", "mnt", "opt", "root", "srv", "tmp", "var"];

/** Memory the host reports; the kernel sets no machine-wide cap. */
const HOST_MEMORY_BYTES = 2 * 1024 ** 3;

export interface HostOptions {
  /** The host's root filesystem files, absolute path -> contents. */
  readonly rootfs: Readonly<Record<string, string | Uint8Array>>;
  /** Terminal type for interactive sessions. */
  readonly term?: string;
  /** More directories served by TypeScript, e.g. the docker device at /run/berth. */
  readonly mounts?: readonly Mount[];
  /** Every process on the kernel, host PIDs, for the host's /proc. */
  readonly processes?: () => readonly ProcProcess[];
  /** The memory every process on the kernel uses, in bytes, for the host's /proc/meminfo. */
  readonly memoryUsed?: () => number;
}

export interface Host {
  readonly machine: Machine;
  /** The host's filesystems by top-level directory ("etc", "proc", ...). */
  readonly filesystems: ReadonlyMap<string, MemoryFileSystem>;
}

/** Boots the host machine on a kernel. */
export async function createHost(kernel: Kernel, options: HostOptions): Promise<Host> {
  const filesystems = new Map<string, MemoryFileSystem>();
  for (const dir of STANDARD_DIRECTORIES) filesystems.set(dir, new MemoryFileSystem());
  for (const [file, contents] of Object.entries(options.rootfs)) {
    const [top, ...rest] = file.split("/").filter(Boolean);
    if (!top || rest.length === 0) throw new Error(`host rootfs: ${file} is not inside a directory`);
    let fs = filesystems.get(top);
    if (!fs) filesystems.set(top, (fs = new MemoryFileSystem()));
    fs.writeFile(rest.join("/"), contents);
  }
  const mounts: Mount[] = [...filesystems].map(([dir, fs]) => ({ path: `/${dir}`, fs }));
  const hostname = () => new TextDecoder().decode(filesystems.get("etc")!.readFile("hostname")).trim() || HOST_HOSTNAME;
  const bootTime = Date.now();
  const proc = createProcFs({
    hostname,
    bootTime,
    processes: options.processes,
    memoryLimit: HOST_MEMORY_BYTES,
    memoryUsed: options.memoryUsed ?? (() => 0),
    mounts: () => [
      { source: "rootfs", target: "/", type: "wasmfs", options: "rw" },
      ...mounts.filter((m) => m.path !== "/proc").map((m) => ({ source: "berthfs", target: m.path, type: "berthfs", options: "rw" })),
      { source: "proc", target: "/proc", type: "proc", options: "ro" },
    ],
  });
  filesystems.set("proc", proc);
  mounts.push({ path: "/proc", fs: proc, readOnly: true }, ...(options.mounts ?? []));
  const machine = await kernel.createMachine({
    mounts,
    env: { ...HOST_ENV, HOSTNAME: hostname(), TERM: options.term ?? "xterm-256color" },
  });
  return { machine, filesystems };
}
