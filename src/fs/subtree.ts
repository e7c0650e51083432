/**
 * One directory of a filesystem, served as a mount of its own. The kernel
 * cannot mount at "/", so a container's root filesystem is mounted once per
 * top-level directory (/etc, /usr, /var, ...), each a subtree of one overlay.
 */
import type { MountedDirEntry, MountedFileSystem, MountedStat, OpenOptions, MaybePromise } from "../kernel/index.ts";

export class SubtreeFileSystem implements MountedFileSystem {
  constructor(
    readonly fs: MountedFileSystem,
    /** Relative path of the subtree, e.g. "etc". */
    readonly dir: string,
  ) {}

  #path(path: string): string {
    return path === "" ? this.dir : `${this.dir}/${path}`;
  }

  stat(path: string): MaybePromise<MountedStat> {
    return this.fs.stat(this.#path(path));
  }
  readDir(path: string): MaybePromise<readonly MountedDirEntry[]> {
    return this.fs.readDir(this.#path(path));
  }
  open(path: string, options: OpenOptions): MaybePromise<number> {
    return this.fs.open(this.#path(path), options);
  }
  read(handle: number, offset: number, length: number): MaybePromise<Uint8Array> {
    return this.fs.read(handle, offset, length);
  }
  write(handle: number, offset: number, data: Uint8Array): MaybePromise<number> {
    return this.fs.write(handle, offset, data);
  }
  setLen(handle: number, length: number): MaybePromise<void> {
    return this.fs.setLen(handle, length);
  }
  flush(handle: number): MaybePromise<void> {
    return this.fs.flush(handle);
  }
  close(handle: number): MaybePromise<void> {
    return this.fs.close(handle);
  }
  mkdir(path: string): MaybePromise<void> {
    return this.fs.mkdir(this.#path(path));
  }
  remove(path: string): MaybePromise<void> {
    return this.fs.remove(this.#path(path));
  }
  rename(from: string, to: string): MaybePromise<void> {
    return this.fs.rename(this.#path(from), this.#path(to));
  }
  sync(): MaybePromise<void> {
    return this.fs.sync();
  }
}
