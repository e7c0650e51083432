/**
 * A machine's files as one tree, from its filesystems by top-level directory
 * (the kernel mounts each at /NAME; it cannot mount at "/"). This is how the
 * engine reaches its caller's machine, the host: `docker build PATH`,
 * `--env-file`, `-v /host/dir:/dir`, `docker cp`, `docker save -o`.
 *
 * Paths are absolute ("/root/app/Dockerfile"); "." and empty parts are
 * ignored, ".." is refused (callers join relative paths first). Errors are
 * {@link MountedFsError}s with POSIX codes.
 */
import { MountedFsError, type MountedDirEntry, type MountedFileSystem, type MountedStat } from "../kernel/index.ts";
import type { MemoryFileSystem } from "./memory-fs.ts";
import { SubtreeFileSystem } from "./subtree.ts";

export class MachineFiles {
  constructor(readonly filesystems: ReadonlyMap<string, MemoryFileSystem>) {}

  stat(path: string): MountedStat {
    const [fs, rest] = this.#split(path);
    return fs ? fs.stat(rest) : { kind: "directory", size: 0 };
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
    const [fs, rest] = this.#split(path);
    if (!fs) return [...this.filesystems.keys()].map((name) => ({ name, kind: "directory", size: 0 }));
    return fs.readDir(rest);
  }

  readFile(path: string): Uint8Array {
    const [fs, rest] = this.#owner(path);
    return fs.readFile(rest);
  }

  /** Writes or replaces a file; its directory must exist, as for open(2). */
  writeFile(path: string, contents: Uint8Array | string): void {
    const [fs, rest] = this.#owner(path);
    const parent = rest.split("/").slice(0, -1).join("/");
    if (fs.stat(parent).kind !== "directory") throw new MountedFsError("ENOTDIR", path);
    fs.writeFile(rest, contents);
  }

  /** mkdir -p */
  mkdirAll(path: string): void {
    const [fs, rest] = this.#owner(path);
    fs.mkdirAll(rest);
  }

  /** A directory as a filesystem of its own, for a bind mount: writes go to the machine's files. */
  directory(path: string): MountedFileSystem {
    const [fs, rest] = this.#owner(path);
    if (rest !== "" && fs.stat(rest).kind !== "directory") throw new MountedFsError("ENOTDIR", path);
    return rest === "" ? fs : new SubtreeFileSystem(fs, rest);
  }

  /** The filesystem of the top-level directory and the path inside it; none for "/". */
  #split(path: string): [MemoryFileSystem | undefined, string] {
    const parts = path.split("/").filter((p) => p && p !== ".");
    if (parts.includes("..")) throw new MountedFsError("EINVAL", `${path}: ".." is not allowed here`);
    if (parts.length === 0) return [undefined, ""];
    const fs = this.filesystems.get(parts[0]!);
    if (!fs) throw new MountedFsError("ENOENT", `${path}: no such file or directory`);
    return [fs, parts.slice(1).join("/")];
  }

  #owner(path: string): [MemoryFileSystem, string] {
    const [fs, rest] = this.#split(path);
    if (!fs) throw new MountedFsError("EISDIR", `${path}: is the root directory`);
    return [fs, rest];
  }
}
