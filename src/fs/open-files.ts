/**
 * Open files of a mounted filesystem: the numeric handles the kernel reads and
 * writes through. A computed file is read from a snapshot taken at open, so one
 * read sequence sees one consistent text.
 */
import { MountedFsError } from "../kernel/index.ts";
import { fileContents, type FileNode } from "./tree.ts";

export interface OpenNodeOptions {
  readonly writable: boolean;
  readonly append: boolean;
  readonly truncate: boolean;
  /**
   * For a file the handle may not change in place (an overlay's lower layer):
   * makes the file to change instead, called on the first change through any
   * handle on the node; every handle on the node then moves to it.
   */
  readonly copyUp?: () => FileNode;
}

interface OpenFile {
  node: FileNode;
  copyUp?: () => FileNode;
  readonly snapshot?: Uint8Array;
  readonly writable: boolean;
  readonly append: boolean;
}

export class OpenFiles {
  readonly #files = new Map<number, OpenFile>();
  #next = 1;

  open(node: FileNode, options: OpenNodeOptions): number {
    if (options.writable && node.compute) throw new MountedFsError("EACCES", "computed file is read-only");
    const handle = this.#next++;
    const file: OpenFile = {
      node,
      copyUp: options.copyUp,
      snapshot: node.compute ? fileContents(node) : undefined,
      writable: options.writable,
      append: options.append,
    };
    this.#files.set(handle, file);
    if (options.truncate && options.writable) {
      const target = this.#changing(file);
      target.data = new Uint8Array();
      target.mtime = Date.now();
    }
    return handle;
  }

  read(handle: number, offset: number, length: number): Uint8Array {
    const file = this.#get(handle);
    return (file.snapshot ?? file.node.data).slice(offset, offset + length);
  }

  write(handle: number, offset: number, data: Uint8Array): number {
    const file = this.#writable(handle);
    const node = this.#changing(file);
    const at = file.append ? node.data.length : offset;
    const end = at + data.length;
    if (end > node.data.length) node.data = grownTo(node.data, end);
    node.data.set(data, at);
    node.mtime = Date.now();
    return data.length;
  }

  setLen(handle: number, length: number): void {
    const node = this.#changing(this.#writable(handle));
    const resized = new Uint8Array(length);
    resized.set(node.data.subarray(0, length));
    node.data = resized;
    node.mtime = Date.now();
  }

  /** Moves every handle on `from` to `to` (the file was copied: a copy-up, or a rename that copies). */
  retarget(from: FileNode, to: FileNode): void {
    for (const file of this.#files.values()) {
      if (file.node !== from) continue;
      file.node = to;
      file.copyUp = undefined;
    }
  }

  check(handle: number): void {
    this.#get(handle);
  }

  /** Idempotent: the kernel may close a handle twice. */
  close(handle: number): void {
    this.#files.delete(handle);
  }

  #get(handle: number): OpenFile {
    const file = this.#files.get(handle);
    if (!file) throw new MountedFsError("EBADF", `bad handle ${handle}`);
    return file;
  }

  /** The node a change through this handle goes to, copied up first if need be. */
  #changing(file: OpenFile): FileNode {
    if (file.copyUp) this.retarget(file.node, file.copyUp());
    return file.node;
  }

  #writable(handle: number): OpenFile {
    const file = this.#get(handle);
    if (!file.writable) throw new MountedFsError("EBADF", "file not open for writing");
    return file;
  }
}

/**
 * `data` lengthened to `length` (zero-filled). Capacity doubles, so a file
 * written in many small chunks is copied O(log n) times, not once per chunk:
 * the returned view may sit on a larger buffer that later growth reuses.
 */
function grownTo(data: Uint8Array, length: number): Uint8Array {
  const buffer = data.buffer as ArrayBuffer;
  if (data.byteOffset === 0 && buffer.byteLength >= length) return new Uint8Array(buffer, 0, length);
  const grown = new Uint8Array(Math.max(length, data.length * 2, 4096));
  grown.set(data);
  return grown.subarray(0, length);
}

/**
 * The handle half of the mount contract (read, write, setLen, flush, close),
 * shared by the filesystems built on trees; subclasses resolve paths and call
 * `openNode` to hand out a handle.
 */
export abstract class HandleFileSystem {
  readonly #files = new OpenFiles();

  protected openNode(node: FileNode, options: OpenNodeOptions): number {
    return this.#files.open(node, options);
  }

  /** Open handles on `from` read and write `to` from now on. */
  protected retargetHandles(from: FileNode, to: FileNode): void {
    this.#files.retarget(from, to);
  }

  read(handle: number, offset: number, length: number): Uint8Array {
    return this.#files.read(handle, offset, length);
  }

  write(handle: number, offset: number, data: Uint8Array): number {
    return this.#files.write(handle, offset, data);
  }

  setLen(handle: number, length: number): void {
    this.#files.setLen(handle, length);
  }

  flush(handle: number): void {
    this.#files.check(handle);
  }

  close(handle: number): void {
    this.#files.close(handle);
  }

  sync(): void {}
}
