/**
 * A machine's whole file tree as one filesystem: a root filesystem with others
 * mounted on it (volumes, /proc, the docker device), every path served by the
 * mount with the longest matching prefix, as a Linux mount namespace resolves
 * paths.
 *
 * Why it exists: the kernel cannot mount at "/", so the engine mounts each
 * top-level directory of a root filesystem on its own, and a directory made
 * later at the top (`mkdir /app`) would land in the kernel's scratch space and
 * vanish. The engine also mounts this tree at ROOT_MOUNT, and libcompat makes
 * it every process's "/" (wasm/README.md, "The root directory").
 *
 * A mount point is what its filesystem serves at "" (a directory, or a file:
 * Docker's /etc/hostname), whatever the root holds there; it cannot be
 * removed or renamed (EPERM here: the bridge has no EBUSY). A rename between
 * two filesystems copies and removes, as mv does after EXDEV.
 */
import { CompositeFileSystem } from "./composite-fs.ts";
import { MountedFsError, type Mount, type MountedDirEntry, type MountedFileSystem, type MountedStat, type OpenOptions } from "../kernel/index.ts";

/** Where the engine mounts a machine's MountTree in the kernel's namespace (libcompat's BERTH_ROOT_MOUNT). */
export const ROOT_MOUNT = "/run/berth/root";

/**
 * Top-level directories of a root filesystem that are not mounted from it:
 * the kernel serves /bin (the userland's commands) and /dev, libcompat keeps
 * both from the kernel; /proc and /sys are computed.
 */
export const KERNEL_DIRECTORIES: ReadonlySet<string> = new Set(["bin", "dev", "proc", "sys"]);

interface Resolved {
  readonly fs: MountedFileSystem;
  /** The path inside `fs`. */
  readonly path: string;
  readonly readOnly: boolean;
  /** The mount serving it ("" for the root). */
  readonly mount: string;
}

const READ_ONLY: OpenOptions = { read: true, write: false, create: false, createNew: false, truncate: false, append: false };
const CREATE: OpenOptions = { read: false, write: true, create: true, createNew: false, truncate: true, append: false };
const COPY_CHUNK = 1 << 20;

export class MountTree extends CompositeFileSystem {
  /** Mount paths without slashes at either end, longest first. */
  readonly #mounts: readonly { path: string; fs: MountedFileSystem; readOnly: boolean }[];

  constructor(
    readonly root: MountedFileSystem,
    mounts: readonly Mount[],
  ) {
    super();
    this.#mounts = mounts
      .map((m) => ({ path: m.path.split("/").filter(Boolean).join("/"), fs: m.fs, readOnly: m.readOnly ?? false }))
      .sort((a, b) => b.path.length - a.path.length);
  }

  #resolve(path: string): Resolved {
    for (const m of this.#mounts) {
      if (path === m.path) return { fs: m.fs, path: "", readOnly: m.readOnly, mount: m.path };
      if (path.startsWith(`${m.path}/`)) return { fs: m.fs, path: path.slice(m.path.length + 1), readOnly: m.readOnly, mount: m.path };
    }
    return { fs: this.root, path, readOnly: false, mount: "" };
  }

  /** Whether `path` is a mount point or a directory on the way to one. */
  #holdsMount(path: string): boolean {
    return this.#mounts.some((m) => m.path === path || m.path.startsWith(path === "" ? "" : `${path}/`));
  }

  #writable(target: Resolved, path: string): void {
    if (target.readOnly) throw new MountedFsError("EPERM", `read-only file system: /${path}`);
  }

  async stat(path: string): Promise<MountedStat> {
    const target = this.#resolve(path);
    try {
      return await target.fs.stat(target.path);
    } catch (error) {
      if (this.#holdsMount(path)) return { kind: "directory", size: 0 };
      throw error;
    }
  }

  async readDir(path: string): Promise<readonly MountedDirEntry[]> {
    const target = this.#resolve(path);
    const entries = new Map<string, MountedDirEntry>();
    try {
      for (const entry of await target.fs.readDir(target.path)) entries.set(entry.name, entry);
    } catch (error) {
      if (!this.#holdsMount(path)) throw error;
    }
    const prefix = path === "" ? "" : `${path}/`;
    for (const m of this.#mounts) {
      if (!m.path.startsWith(prefix) || m.path === path) continue;
      const name = m.path.slice(prefix.length).split("/")[0]!;
      // A mount right here shows as what it serves (a file mount: Docker's /etc/hostname); deeper ones as directories on the way.
      const own = m.path === `${prefix}${name}` ? await m.fs.stat("") : { kind: "directory" as const, size: 0 };
      entries.set(name, { name, ...own });
    }
    return [...entries.values()];
  }

  async open(path: string, options: OpenOptions): Promise<number> {
    const target = this.#resolve(path);
    if (options.write || options.create || options.createNew || options.truncate || options.append) this.#writable(target, path);
    const inner = await target.fs.open(target.path, options);
    return this.adopt(target.fs, inner);
  }

  async mkdir(path: string): Promise<void> {
    const target = this.#resolve(path);
    if (target.path === "") throw new MountedFsError("EEXIST", `/${path}`);
    this.#writable(target, path);
    await target.fs.mkdir(target.path);
  }

  async remove(path: string): Promise<void> {
    const target = this.#resolve(path);
    if (this.#holdsMount(path)) throw new MountedFsError("EPERM", `/${path} is a mount point`);
    this.#writable(target, path);
    await target.fs.remove(target.path);
  }

  async rename(from: string, to: string): Promise<void> {
    const source = this.#resolve(from);
    const destination = this.#resolve(to);
    if (this.#holdsMount(from) || destination.path === "") throw new MountedFsError("EPERM", `/${from} or /${to} is a mount point`);
    this.#writable(source, from);
    this.#writable(destination, to);
    if (source.mount === destination.mount) return source.fs.rename(source.path, destination.path);
    await copyAcross(source, destination);
    await removeAll(source.fs, source.path);
  }

  async sync(): Promise<void> {
    await this.root.sync();
    for (const m of this.#mounts) await m.fs.sync();
  }

}

/** A file or a directory tree copied to another filesystem (the EXDEV path of rename). */
async function copyAcross(from: { fs: MountedFileSystem; path: string }, to: { fs: MountedFileSystem; path: string }): Promise<void> {
  const stat = await from.fs.stat(from.path);
  if (stat.kind === "directory") {
    const existing = await Promise.resolve().then(() => to.fs.stat(to.path)).catch(() => undefined);
    if (existing?.kind === "file") throw new MountedFsError("ENOTDIR", to.path);
    if (!existing) await to.fs.mkdir(to.path);
    for (const entry of await from.fs.readDir(from.path)) {
      await copyAcross({ fs: from.fs, path: `${from.path}/${entry.name}` }, { fs: to.fs, path: `${to.path}/${entry.name}` });
    }
    return;
  }
  const input = await from.fs.open(from.path, READ_ONLY);
  try {
    const output = await to.fs.open(to.path, CREATE);
    try {
      for (let offset = 0; ; ) {
        const chunk = await from.fs.read(input, offset, COPY_CHUNK);
        if (chunk.length === 0) break;
        await to.fs.write(output, offset, chunk);
        offset += chunk.length;
      }
    } finally {
      await to.fs.close(output);
    }
  } finally {
    await from.fs.close(input);
  }
}

async function removeAll(fs: MountedFileSystem, path: string): Promise<void> {
  if ((await fs.stat(path)).kind === "directory") {
    for (const entry of await fs.readDir(path)) await removeAll(fs, `${path}/${entry.name}`);
  }
  await fs.remove(path);
}
