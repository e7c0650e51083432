/**
 * One in-memory directory tree served to guests through the kernel's mount
 * contract: a volume, the host's directories, /proc (with computed files).
 */
import { MountedFsError, type MountedDirEntry, type MountedFileSystem, type MountedStat, type OpenOptions } from "../kernel/index.ts";
import { HandleFileSystem } from "./open-files.ts";
import {
  fileContents,
  newComputedFile,
  newDir,
  newFile,
  splitPath,
  type DirNode,
  type EntryNode,
  type FileNode,
  type Meta,
} from "./tree.ts";

export type FileSource = string | Uint8Array | (() => Uint8Array | string);

export class MemoryFileSystem extends HandleFileSystem implements MountedFileSystem {
  readonly root: DirNode;

  constructor(root: DirNode = newDir()) {
    super();
    this.root = root;
  }

  /** Builds a tree from path -> contents ("a/b.txt"); a function is a computed file. */
  static from(files: Readonly<Record<string, FileSource>>): MemoryFileSystem {
    const fs = new MemoryFileSystem();
    for (const [path, contents] of Object.entries(files)) fs.writeFile(path, contents);
    return fs;
  }

  /** Makes a directory and its parents as needed (mkdir -p); returns it. */
  mkdirAll(path: string, meta: Partial<Meta> = {}): DirNode {
    let dir = this.root;
    for (const part of splitPath(path)) {
      let child = dir.children.get(part);
      if (!child || child.kind === "whiteout") dir.children.set(part, (child = newDir()));
      if (child.kind !== "directory") throw new MountedFsError("ENOTDIR", path);
      dir = child;
    }
    Object.assign(dir, meta);
    return dir;
  }

  /** Writes or replaces a file, creating parent directories. */
  writeFile(path: string, contents: FileSource): void {
    const parts = splitPath(path);
    const name = parts.pop();
    if (!name) throw new MountedFsError("EISDIR", path);
    const dir = this.mkdirAll(parts.join("/"));
    const node =
      typeof contents === "function"
        ? newComputedFile(contents)
        : newFile(typeof contents === "string" ? contents : contents.slice());
    dir.children.set(name, node);
  }

  /** A file's current bytes (computed files are computed). */
  readFile(path: string): Uint8Array {
    const node = this.#lookup(path);
    if (node.kind !== "file") throw new MountedFsError("EISDIR", path);
    return fileContents(node);
  }

  stat(path: string): MountedStat {
    return statOf(this.#lookup(path));
  }

  readDir(path: string): MountedDirEntry[] {
    const node = this.#lookup(path);
    if (node.kind !== "directory") throw new MountedFsError("ENOTDIR", path);
    const entries: MountedDirEntry[] = [];
    for (const [name, child] of node.children) if (child.kind !== "whiteout") entries.push({ name, ...statOf(child) });
    return entries;
  }

  open(path: string, options: OpenOptions): number {
    const { dir, name } = this.#parent(path);
    let node = dir.children.get(name);
    if (node && node.kind !== "whiteout" && options.createNew) throw new MountedFsError("EEXIST", path);
    if (!node || node.kind === "whiteout") {
      if (!options.create && !options.createNew) throw new MountedFsError("ENOENT", path);
      dir.children.set(name, (node = newFile()));
    }
    if (node.kind !== "file") throw new MountedFsError("EISDIR", path);
    return this.openNode(node, { writable: options.write || options.append, append: options.append, truncate: options.truncate });
  }

  mkdir(path: string): void {
    const { dir, name } = this.#parent(path);
    if (dir.children.has(name)) throw new MountedFsError("EEXIST", path);
    dir.children.set(name, newDir());
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
    checkReplace(node as EntryNode, target.dir.children.get(target.name), to);
    source.dir.children.delete(source.name);
    target.dir.children.set(target.name, node);
  }

  #lookup(path: string): EntryNode {
    let node: EntryNode = this.root;
    for (const part of splitPath(path)) {
      if (node.kind !== "directory") throw new MountedFsError("ENOTDIR", path);
      const child = node.children.get(part);
      if (!child || child.kind === "whiteout") throw new MountedFsError("ENOENT", path);
      node = child;
    }
    return node;
  }

  #parent(path: string): { dir: DirNode; name: string } {
    const parts = splitPath(path);
    const name = parts.pop();
    if (!name) throw new MountedFsError("EINVAL", "the mount root has no parent");
    const dir = this.#lookup(parts.join("/"));
    if (dir.kind !== "directory") throw new MountedFsError("ENOTDIR", path);
    return { dir, name };
  }
}

export function statOf(node: EntryNode): MountedStat {
  // Symlinks cannot cross the kernel bridge; they show as the file they hold.
  if (node.kind === "directory") return { kind: "directory", size: 0 };
  return { kind: "file", size: node.kind === "file" ? fileSize(node) : node.target.length };
}

function fileSize(node: FileNode): number {
  return node.compute ? fileContents(node).length : node.data.length;
}

/** POSIX rename rules for an existing target. */
export function checkReplace(node: EntryNode, existing: unknown, to: string): void {
  const target = existing as EntryNode | { kind: "whiteout" } | undefined;
  if (!target || target.kind === "whiteout") return;
  if (target.kind === "directory") {
    if (node.kind !== "directory") throw new MountedFsError("EISDIR", to);
    if (target.children.size > 0) throw new MountedFsError("ENOTEMPTY", to);
  } else if (node.kind === "directory") {
    throw new MountedFsError("ENOTDIR", to);
  }
}
