/**
 * An in-memory directory tree served to guests through the kernel's mount
 * contract. Files are either stored bytes or computed at open time (how /proc
 * files get fresh contents on every read, like Linux's).
 */
import { MountedFsError, type MountedDirEntry, type MountedFileSystem, type MountedStat, type OpenOptions } from "../kernel/index.ts";

type FileContents = Uint8Array | (() => Uint8Array | string);

interface FileNode {
  readonly kind: "file";
  data: Uint8Array;
  /** Set for computed files: called on every open. */
  readonly compute?: () => Uint8Array | string;
}

interface DirNode {
  readonly kind: "directory";
  readonly children: Map<string, Node>;
}

type Node = FileNode | DirNode;

interface Handle {
  readonly node: FileNode;
  /** Computed files are read from a snapshot taken at open. */
  readonly snapshot?: Uint8Array;
  readonly writable: boolean;
  readonly append: boolean;
}

const encoder = new TextEncoder();

export class MemoryFileSystem implements MountedFileSystem {
  readonly #root: DirNode = { kind: "directory", children: new Map() };
  readonly #handles = new Map<number, Handle>();
  #nextHandle = 1;

  /** Builds a tree from path -> contents ("a/b.txt" or "/a/b.txt"); parents are created. */
  static from(files: Readonly<Record<string, string | FileContents>>): MemoryFileSystem {
    const fs = new MemoryFileSystem();
    for (const [path, contents] of Object.entries(files)) fs.writeFile(path, contents);
    return fs;
  }

  /** Writes or replaces a file, creating parent directories. */
  writeFile(path: string, contents: string | FileContents): void {
    const parts = split(path);
    const name = parts.pop();
    if (!name) throw new MountedFsError("EISDIR", path);
    let dir = this.#root;
    for (const part of parts) {
      let child = dir.children.get(part);
      if (!child) dir.children.set(part, (child = { kind: "directory", children: new Map() }));
      if (child.kind !== "directory") throw new MountedFsError("ENOTDIR", path);
      dir = child;
    }
    const node: FileNode =
      typeof contents === "function"
        ? { kind: "file", data: new Uint8Array(), compute: contents }
        : { kind: "file", data: typeof contents === "string" ? encoder.encode(contents) : contents.slice() };
    dir.children.set(name, node);
  }

  /** Reads a file's current bytes (computed files are computed). */
  readFile(path: string): Uint8Array {
    const node = this.#lookup(path);
    if (node.kind !== "file") throw new MountedFsError("EISDIR", path);
    return contentsOf(node);
  }

  stat(path: string): MountedStat {
    const node = this.#lookup(path);
    return { kind: node.kind, size: node.kind === "file" ? sizeOf(node) : 0 };
  }

  readDir(path: string): MountedDirEntry[] {
    const node = this.#lookup(path);
    if (node.kind !== "directory") throw new MountedFsError("ENOTDIR", path);
    return [...node.children].map(([name, child]) => ({
      name,
      kind: child.kind,
      size: child.kind === "file" ? sizeOf(child) : 0,
    }));
  }

  open(path: string, options: OpenOptions): number {
    const { dir, name } = this.#parent(path);
    let node = dir.children.get(name);
    if (node && options.createNew) throw new MountedFsError("EEXIST", path);
    if (!node) {
      if (!options.create && !options.createNew) throw new MountedFsError("ENOENT", path);
      node = { kind: "file", data: new Uint8Array() };
      dir.children.set(name, node);
    }
    if (node.kind !== "file") throw new MountedFsError("EISDIR", path);
    const writable = options.write || options.append;
    if (writable && node.compute) throw new MountedFsError("EACCES", path);
    if (options.truncate && writable) node.data = new Uint8Array();
    const handle = this.#nextHandle++;
    this.#handles.set(handle, {
      node,
      snapshot: node.compute ? contentsOf(node) : undefined,
      writable,
      append: options.append,
    });
    return handle;
  }

  read(handle: number, offset: number, length: number): Uint8Array {
    const h = this.#handle(handle);
    const data = h.snapshot ?? h.node.data;
    return data.slice(offset, offset + length);
  }

  write(handle: number, offset: number, data: Uint8Array): number {
    const h = this.#handle(handle);
    if (!h.writable) throw new MountedFsError("EBADF", "file not open for writing");
    const node = h.node;
    const at = h.append ? node.data.length : offset;
    const end = at + data.length;
    if (end > node.data.length) {
      const grown = new Uint8Array(end);
      grown.set(node.data);
      node.data = grown;
    }
    node.data.set(data, at);
    return data.length;
  }

  setLen(handle: number, length: number): void {
    const h = this.#handle(handle);
    if (!h.writable) throw new MountedFsError("EBADF", "file not open for writing");
    const resized = new Uint8Array(length);
    resized.set(h.node.data.subarray(0, length));
    h.node.data = resized;
  }

  flush(handle: number): void {
    this.#handle(handle);
  }

  close(handle: number): void {
    // Idempotent: the SDK may close a handle twice.
    this.#handles.delete(handle);
  }

  mkdir(path: string): void {
    const { dir, name } = this.#parent(path);
    if (dir.children.has(name)) throw new MountedFsError("EEXIST", path);
    dir.children.set(name, { kind: "directory", children: new Map() });
  }

  remove(path: string): void {
    const { dir, name } = this.#parent(path);
    const node = dir.children.get(name);
    if (!node) throw new MountedFsError("ENOENT", path);
    if (node.kind === "directory" && node.children.size > 0) throw new MountedFsError("ENOTEMPTY", path);
    dir.children.delete(name);
  }

  rename(from: string, to: string): void {
    const source = this.#parent(from);
    const node = source.dir.children.get(source.name);
    if (!node) throw new MountedFsError("ENOENT", from);
    const target = this.#parent(to);
    const existing = target.dir.children.get(target.name);
    if (existing?.kind === "directory") {
      if (node.kind !== "directory") throw new MountedFsError("EISDIR", to);
      if (existing.children.size > 0) throw new MountedFsError("ENOTEMPTY", to);
    } else if (existing && node.kind === "directory") {
      throw new MountedFsError("ENOTDIR", to);
    }
    source.dir.children.delete(source.name);
    target.dir.children.set(target.name, node);
  }

  sync(): void {}

  #lookup(path: string): Node {
    let node: Node = this.#root;
    for (const part of split(path)) {
      if (node.kind !== "directory") throw new MountedFsError("ENOTDIR", path);
      const child: Node | undefined = node.children.get(part);
      if (!child) throw new MountedFsError("ENOENT", path);
      node = child;
    }
    return node;
  }

  #parent(path: string): { dir: DirNode; name: string } {
    const parts = split(path);
    const name = parts.pop();
    if (!name) throw new MountedFsError("EINVAL", `${path || "/"} is the mount root`);
    const dir = this.#lookup(parts.join("/"));
    if (dir.kind !== "directory") throw new MountedFsError("ENOTDIR", path);
    return { dir, name };
  }

  #handle(handle: number): Handle {
    const h = this.#handles.get(handle);
    if (!h) throw new MountedFsError("EBADF", `bad handle ${handle}`);
    return h;
  }
}

function split(path: string): string[] {
  return path.split("/").filter((p) => p !== "" && p !== ".");
}

function contentsOf(node: FileNode): Uint8Array {
  if (!node.compute) return node.data;
  const value = node.compute();
  return typeof value === "string" ? encoder.encode(value) : value;
}

function sizeOf(node: FileNode): number {
  // A computed file's size is what a read would give now (Linux says 0 for /proc; tools then read to EOF anyway).
  return node.compute ? contentsOf(node).length : node.data.length;
}
