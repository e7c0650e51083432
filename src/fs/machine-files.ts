/**
 * A machine's files as one tree, from its root filesystem (the one the kernel
 * mounts at each top-level directory, and whole at ROOT_MOUNT). This is how
 * the engine reaches its caller's machine, the host: `docker build PATH`,
 * `--env-file`, `-v /host/dir:/dir`, `docker cp`, `docker save -o`. What is
 * mounted on the root (/proc, the docker device) is not part of it.
 *
 * Paths are absolute ("/root/app/Dockerfile"); "." and empty parts are
 * ignored, ".." is refused (callers join relative paths first). Errors are
 * {@link MountedFsError}s with POSIX codes.
 */
import { MountedFsError, type MountedDirEntry, type MountedFileSystem, type MountedStat } from "../kernel/index.ts";
import type { MemoryFileSystem } from "./memory-fs.ts";
import { SubtreeFileSystem } from "./subtree.ts";

export class MachineFiles {
  constructor(readonly root: MemoryFileSystem) {}

  stat(path: string): MountedStat {
    return this.root.stat(this.#relative(path));
  }

  /** Whether `path` exists (as anything). */
  exists(path: string): boolean {
    try {
      this.stat(path);
      return true;
    } catch {
      return false;
    }
  }

  readDir(path: string): MountedDirEntry[] {
    return this.root.readDir(this.#relative(path));
  }

  readFile(path: string): Uint8Array {
    return this.root.readFile(this.#relative(path));
  }

  /** Writes or replaces a file; its directory must exist, as for open(2). */
  writeFile(path: string, contents: Uint8Array | string): void {
    const rest = this.#relative(path);
    if (rest === "") throw new MountedFsError("EISDIR", `${path}: is the root directory`);
    const parent = rest.split("/").slice(0, -1).join("/");
    if (this.root.stat(parent).kind !== "directory") throw new MountedFsError("ENOTDIR", path);
    this.root.writeFile(rest, contents);
  }

  /** mkdir -p */
  mkdirAll(path: string): void {
    this.root.mkdirAll(this.#relative(path));
  }

  /**
   * A directory or a file as a filesystem of its own (serving it at ""), for
   * a bind mount: writes go to the machine's files.
   */
  subtree(path: string): MountedFileSystem {
    const rest = this.#relative(path);
    this.root.stat(rest);
    return rest === "" ? this.root : new SubtreeFileSystem(this.root, rest);
  }

  /** The path inside the root filesystem ("" for "/"). */
  #relative(path: string): string {
    const parts = path.split("/").filter((p) => p && p !== ".");
    if (parts.includes("..")) throw new MountedFsError("EINVAL", `${path}: ".." is not allowed here`);
    return parts.join("/");
  }
}
