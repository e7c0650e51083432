/**
 * Several filesystems seen as one directory, the first that has a path
 * serving it: the host's /run/berth holds both the docker device and the
 * process hook file, each served by its own filesystem. Handles are
 * renumbered so that the members' handle numbers never meet.
 */
import { MountedFsError, type MountedDirEntry, type MountedFileSystem, type MountedStat, type OpenOptions } from "../kernel/index.ts";
import { CompositeFileSystem } from "./composite-fs.ts";

export class UnionDirectory extends CompositeFileSystem {
  constructor(readonly members: readonly MountedFileSystem[]) {
    super();
  }

  async #owner(path: string): Promise<MountedFileSystem> {
    let error: unknown = new MountedFsError("ENOENT", path);
    for (const fs of this.members) {
      try {
        await fs.stat(path);
        return fs;
      } catch (e) {
        error = e;
      }
    }
    throw error;
  }

  async stat(path: string): Promise<MountedStat> {
    if (path === "") return { kind: "directory", size: 0 };
    return (await this.#owner(path)).stat(path);
  }

  async readDir(path: string): Promise<readonly MountedDirEntry[]> {
    if (path !== "") return (await this.#owner(path)).readDir(path);
    const seen = new Map<string, MountedDirEntry>();
    for (const fs of this.members) for (const entry of await fs.readDir("")) if (!seen.has(entry.name)) seen.set(entry.name, entry);
    return [...seen.values()];
  }

  /** An existing path opens in its owner; a new one is created by the first member that accepts it. */
  async open(path: string, options: OpenOptions): Promise<number> {
    const owner = await this.#owner(path).catch(() => undefined);
    const candidates = owner ? [owner] : options.create || options.createNew ? this.members : [];
    let error: unknown = new MountedFsError("ENOENT", path);
    for (const fs of candidates) {
      try {
        const inner = await fs.open(path, options);
        return this.adopt(fs, inner);
      } catch (e) {
        if (fs === candidates[0]) error = e;
      }
    }
    throw error;
  }

  async mkdir(path: string): Promise<void> {
    await this.#first().mkdir(path);
  }
  async remove(path: string): Promise<void> {
    await (await this.#owner(path)).remove(path);
  }
  async rename(from: string, to: string): Promise<void> {
    await (await this.#owner(from)).rename(from, to);
  }
  async sync(): Promise<void> {
    for (const fs of this.members) await fs.sync();
  }

  #first(): MountedFileSystem {
    const fs = this.members[0];
    if (!fs) throw new MountedFsError("EACCES", "empty directory union");
    return fs;
  }

}
