/**
 * A filesystem made of others (UnionDirectory, MountTree): each member
 * numbers its handles on its own, so the composite hands out its own numbers
 * and forwards every call on an open file to the member and handle behind one.
 * Subclasses resolve paths and open; this keeps what was opened.
 */
import { MountedFsError, type MaybePromise, type MountedDirEntry, type MountedFileSystem, type MountedStat, type OpenOptions } from "../kernel/index.ts";

export abstract class CompositeFileSystem implements MountedFileSystem {
  readonly #handles = new Map<number, { fs: MountedFileSystem; handle: number }>();
  #next = 1;

  abstract stat(path: string): MaybePromise<MountedStat>;
  abstract readDir(path: string): MaybePromise<readonly MountedDirEntry[]>;
  abstract open(path: string, options: OpenOptions): MaybePromise<number>;
  abstract mkdir(path: string): MaybePromise<void>;
  abstract remove(path: string): MaybePromise<void>;
  abstract rename(from: string, to: string): MaybePromise<void>;
  abstract sync(): MaybePromise<void>;

  /** A number of the composite's for `inner`, a handle the member `fs` opened. */
  protected adopt(fs: MountedFileSystem, inner: number): number {
    const handle = this.#next++;
    this.#handles.set(handle, { fs, handle: inner });
    return handle;
  }

  read(handle: number, offset: number, length: number): MaybePromise<Uint8Array> {
    const h = this.#get(handle);
    return h.fs.read(h.handle, offset, length);
  }

  write(handle: number, offset: number, data: Uint8Array): MaybePromise<number> {
    const h = this.#get(handle);
    return h.fs.write(h.handle, offset, data);
  }

  setLen(handle: number, length: number): MaybePromise<void> {
    const h = this.#get(handle);
    return h.fs.setLen(h.handle, length);
  }

  flush(handle: number): MaybePromise<void> {
    const h = this.#get(handle);
    return h.fs.flush(h.handle);
  }

  async close(handle: number): Promise<void> {
    const h = this.#handles.get(handle);
    if (!h) return;
    this.#handles.delete(handle);
    await h.fs.close(h.handle);
  }

  #get(handle: number): { fs: MountedFileSystem; handle: number } {
    const h = this.#handles.get(handle);
    if (!h) throw new MountedFsError("EBADF", `bad handle ${handle}`);
    return h;
  }
}
