/**
 * The host: the machine a user lands on, at the root of everything. It has its
 * own root filesystem (an Ubuntu-like userland) and runs the shell; later
 * issues put the `docker` command and the containers beside it.
 *
 * Its files live in one TypeScript filesystem, mounted as a container's are:
 * at each top-level directory, and whole with /proc and the docker device at
 * ROOT_MOUNT, which libcompat makes every process's "/" (a directory made at
 * the top later is kept). /bin holds the userland's commands, served by the
 * kernel itself.
 */
import { createProcFs, KERNEL_DIRECTORIES, MemoryFileSystem, MountTree, ROOT_MOUNT, SubtreeFileSystem, type ProcProcess } from "../fs/index.ts";
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

/** Top-level directories every host has, even when its rootfs leaves them out (/bin and /dev: the kernel's). */
const STANDARD_DIRECTORIES = ["bin", "dev", "etc", "home", "mnt", "opt", "root", "srv", "tmp", "usr/bin", "usr/local/bin", "var"];

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
  /** The host's root filesystem (without what is mounted on it: /proc, the docker device). */
  readonly rootfs: MemoryFileSystem;
}

/** Boots the host machine on a kernel. */
export async function createHost(kernel: Kernel, options: HostOptions): Promise<Host> {
  const rootfs = new MemoryFileSystem();
  for (const dir of STANDARD_DIRECTORIES) rootfs.mkdirAll(dir);
  for (const [file, contents] of Object.entries(options.rootfs)) {
    const [top, ...rest] = file.split("/").filter(Boolean);
    if (!top || rest.length === 0) throw new Error(`host rootfs: ${file} is not inside a directory`);
    rootfs.writeFile(`${top}/${rest.join("/")}`, contents);
  }
  const mounts: Mount[] = rootfs
    .readDir("")
    .filter((entry) => entry.kind === "directory" && !KERNEL_DIRECTORIES.has(entry.name))
    .map((entry) => ({ path: `/${entry.name}`, fs: new SubtreeFileSystem(rootfs, entry.name) }));
  const hostname = () => new TextDecoder().decode(rootfs.readFile("etc/hostname")).trim() || HOST_HOSTNAME;
  const bootTime = Date.now();
  const proc = createProcFs({
    hostname,
    bootTime,
    processes: options.processes,
    memoryLimit: HOST_MEMORY_BYTES,
    memoryUsed: options.memoryUsed ?? (() => 0),
    mounts: () => [
      { source: "rootfs", target: "/", type: "wasmfs", options: "rw" },
      ...(options.mounts ?? []).map((m) => ({ source: "berthfs", target: m.path, type: "berthfs", options: m.readOnly ? "ro" : "rw" })),
      { source: "proc", target: "/proc", type: "proc", options: "ro" },
    ],
  });
  const served: Mount[] = [{ path: "/proc", fs: proc, readOnly: true }, ...(options.mounts ?? [])];
  mounts.push(...served, { path: ROOT_MOUNT, fs: new MountTree(rootfs, served) });
  const machine = await kernel.createMachine({
    mounts,
    env: { ...HOST_ENV, HOSTNAME: hostname(), TERM: options.term ?? "xterm-256color" },
  });
  return { machine, rootfs };
}
