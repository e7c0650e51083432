/**
 * docker cp's rules, after Docker's archive package: the source becomes a tar
 * whose entries start with the source's base name ("." for a path ending in
 * "/."), the destination decides the directory to extract into and the name
 * the entries take there, and extraction never puts a file where a directory
 * is, or a directory where a file is. `docker export` archives a whole tree
 * with the same walk.
 *
 * Paths are absolute and "/"-separated; a trailing "/" or "/." is meaningful.
 */
import { MountedFsError, type OpenOptions } from "../kernel/index.ts";
import type { MachineFiles } from "./machine-files.ts";
import type { OverlayFileSystem } from "./overlay.ts";
import type { TarEntry } from "./tar.ts";
import { splitPath, type EntryNode, type FileNode, type TreeNode } from "./tree.ts";

/** A tree docker cp reads and writes: a container's root filesystem or the host's files. */
export interface CopyTree {
  /** The node at a path, undefined when there is none. */
  lookup(path: string): EntryNode | undefined;
  readDir(path: string): string[];
  /** Makes a directory; its parent exists. */
  mkdir(path: string): void;
  /** Creates or replaces a file; its parent exists. */
  writeFile(path: string, data: Uint8Array): void;
  remove(path: string): void;
}

/** A source archived for a copy: its entries, and what Docker's CopyInfo says of it. */
export interface Archived {
  readonly entries: TarEntry[];
  readonly isDir: boolean;
  /** The base name its entries start with. */
  readonly base: string;
  /** Bytes of regular files: the size docker cp reports. */
  readonly size: number;
}

/** What a copy's destination is now (Docker's CopyInfo of a destination). */
export interface Destination {
  readonly path: string;
  readonly exists: boolean;
  readonly isDir: boolean;
}

const WRITE: OpenOptions = { read: false, write: true, create: true, createNew: false, truncate: true, append: false };

/** Whether a path says it must be a directory: it ends with "/" or "/.". */
function assertsDirectory(path: string): boolean {
  return path.endsWith("/") || lastPart(path) === ".";
}

/** Go's archive.SplitPathDirEntry: "/a/b/" -> ["/a", "b"], "/a/b/." -> ["/a/b", "."], "/" -> ["/", "."]. */
export function splitPathDirEntry(path: string): [string, string] {
  const parts = splitPath(path);
  if (lastPart(path) === ".") return [`/${parts.join("/")}`, "."];
  if (parts.length === 0) return ["/", "."];
  const base = parts.pop()!;
  return [`/${parts.join("/")}`, base];
}

/** Symbolic links followed per path before giving up (Linux's limit). */
const MAX_LINKS = 40;

/**
 * The path with every symbolic link on it followed, never above the tree's
 * root (Docker's FollowSymlinkInScope): where a link in a container leads.
 * Parts that do not exist are kept as written.
 */
export function resolveInScope(tree: CopyTree, path: string): string {
  const pending = path.split("/");
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === "" || part === ".") continue;
    if (part === "..") {
      resolved.pop();
      continue;
    }
    const node = tree.lookup(`/${[...resolved, part].join("/")}`);
    if (node?.kind !== "symlink") {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) throw new Error(`too many links in ${path}`);
    if (node.target.startsWith("/")) resolved.length = 0;
    pending.unshift(...node.target.split("/"));
  }
  return `/${resolved.join("/")}`;
}

/**
 * The node a copy's source names, checked as Docker checks it: ENOENT when it
 * is missing (`missing` is the first path prefix that is), ENOTDIR when a
 * path asserting a directory names something else.
 */
export function sourceNode(tree: CopyTree, path: string): EntryNode {
  const node = tree.lookup(path);
  if (!node) throw new MountedFsError("ENOENT", firstMissing(tree, path));
  if (assertsDirectory(path) && node.kind !== "directory") throw new MountedFsError("ENOTDIR", path);
  return node;
}

/** The first prefix of `path` that does not exist (what lstat names when a directory on the way is missing). */
function firstMissing(tree: CopyTree, path: string): string {
  const parts = splitPath(path);
  for (let n = 1; n <= parts.length; n++) {
    const prefix = `/${parts.slice(0, n).join("/")}`;
    if (!tree.lookup(prefix)) return prefix;
  }
  return path;
}

/** The resource at `path` as tar entries named from its base name, as Docker's TarResource makes them. */
export function archiveResource(tree: CopyTree, path: string): Archived {
  const node = sourceNode(tree, path);
  const [, base] = splitPathDirEntry(path);
  const entries: TarEntry[] = [];
  const size = walk(tree, `/${splitPath(path).join("/")}`, base, entries);
  return { entries, isDir: node.kind === "directory", base, size };
}

/** Every file of a tree (docker export): entries without a leading "./", the root itself left out. */
export function archiveTree(tree: CopyTree): TarEntry[] {
  const entries: TarEntry[] = [];
  const seen = new Map<FileNode, string>();
  for (const name of tree.readDir("/").sort()) walk(tree, `/${name}`, name, entries, seen);
  return entries;
}

/** Adds the entries of the node at `path` (and below) named `name`; returns the bytes of regular files. */
function walk(tree: CopyTree, path: string, name: string, entries: TarEntry[], seen = new Map<FileNode, string>()): number {
  const node = tree.lookup(path)!;
  const meta = { mode: node.mode, uid: node.uid, gid: node.gid, mtime: Math.floor(node.mtime / 1000) };
  if (node.kind === "symlink") {
    entries.push({ path: name, type: "symlink", linkname: node.target, ...meta });
    return 0;
  }
  if (node.kind === "file") {
    // One file under two names (a hard link) is stored once.
    const first = seen.get(node);
    if (first !== undefined) {
      entries.push({ path: name, type: "hardlink", linkname: first, ...meta });
      return 0;
    }
    seen.set(node, name);
    entries.push({ path: name, type: "file", data: node.data, ...meta });
    return node.data.length;
  }
  entries.push({ path: name, type: "directory", ...meta });
  let size = 0;
  for (const child of tree.readDir(path).sort()) size += walk(tree, path === "/" ? `/${child}` : `${path}/${child}`, `${name}/${child}`, entries, seen);
  return size;
}

/**
 * Docker's PrepareArchiveCopy: the directory to extract into, and the name the
 * source's entries take there (undefined: they keep theirs). Errors in
 * Docker's words: "cannot copy directory", "no such directory".
 */
export function prepareCopy(source: Archived, destination: Destination): { dir: string; rename?: string } {
  const [dir, base] = splitPathDirEntry(destination.path);
  if (destination.exists && destination.isDir) return { dir: destination.path };
  if (destination.exists && source.isDir) throw new Error("cannot copy directory");
  if (!destination.exists && !source.isDir && assertsDirectory(destination.path)) throw new Error("no such directory");
  return { dir, rename: base };
}

/** Entries renamed from one base name to another (Docker's RebaseArchiveEntries). */
export function rebase(entries: readonly TarEntry[], from: string, to: string): TarEntry[] {
  const rename = (name: string) => (name === from ? to : name.startsWith(`${from}/`) ? `${to}${name.slice(from.length)}` : name);
  return entries.map((e) => ({ ...e, path: rename(e.path), ...(e.type === "hardlink" ? { linkname: rename(e.linkname ?? "") } : {}) }));
}

/** How `extractInto` treats owners and what is already there. */
export interface ExtractOptions {
  /** Overrides every entry's owner (files copied into a container belong to root unless -a). */
  readonly owner?: { readonly uid: number; readonly gid: number };
  /**
   * Docker's NoOverwriteDirNonDir (what docker cp asks for): a file never
   * replaces a directory, nor the reverse. Without it the one there goes.
   */
  readonly noOverwriteDirNonDir?: boolean;
}

/**
 * Unpacks entries into the directory `dir` (which exists), as Docker's Untar:
 * parents are made as needed, a file replaces a file, directories merge.
 * Symbolic links are skipped: the kernel's filesystems cannot hold them.
 */
export function extractInto(tree: CopyTree, dir: string, entries: readonly TarEntry[], options: ExtractOptions = {}): void {
  const { owner, noOverwriteDirNonDir = true } = options;
  const root = splitPath(dir);
  const at = (name: string) => `/${[...root, ...splitPath(name)].join("/")}`;
  for (const entry of entries) {
    const parts = splitPath(entry.path);
    if (parts.length === 0 || entry.type === "symlink") continue;
    const path = at(entry.path);
    mkdirAll(tree, path.slice(0, path.lastIndexOf("/")) || "/");
    let existing = tree.lookup(path);
    const isDir = entry.type === "directory";
    if (existing && (existing.kind === "directory") !== isDir) {
      if (noOverwriteDirNonDir && existing.kind === "directory") throw new Error(`cannot overwrite directory "${path}" with non-directory "${dir}"`);
      if (noOverwriteDirNonDir) throw new Error(`cannot overwrite non-directory "${path}" with directory "${dir}"`);
      removeAll(tree, path);
      existing = undefined;
    }
    if (isDir) {
      if (!existing) tree.mkdir(path);
    } else {
      const data = entry.type === "hardlink" ? fileData(tree, at(entry.linkname ?? "")) : (entry.data ?? new Uint8Array());
      if (existing) tree.remove(path);
      tree.writeFile(path, data);
    }
    Object.assign(tree.lookup(path)!, { mode: entry.mode, mtime: entry.mtime * 1000, uid: owner?.uid ?? entry.uid, gid: owner?.gid ?? entry.gid });
  }
}

function removeAll(tree: CopyTree, path: string): void {
  if (tree.lookup(path)?.kind === "directory") for (const child of tree.readDir(path)) removeAll(tree, `${path}/${child}`);
  tree.remove(path);
}

function fileData(tree: CopyTree, path: string): Uint8Array {
  const node = tree.lookup(path);
  if (node?.kind !== "file") throw new Error(`invalid hardlink target: ${path}`);
  return node.data;
}

function mkdirAll(tree: CopyTree, path: string): void {
  const parts = splitPath(path);
  for (let n = 1; n <= parts.length; n++) {
    const prefix = `/${parts.slice(0, n).join("/")}`;
    const node = tree.lookup(prefix);
    if (!node) tree.mkdir(prefix);
    else if (node.kind !== "directory") throw new MountedFsError("ENOTDIR", prefix);
  }
}

function lastPart(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** A container's root filesystem as a copy tree (paths inside it are relative to its root). */
export function overlayCopyTree(fs: OverlayFileSystem): CopyTree {
  const rel = (path: string) => splitPath(path).join("/");
  return {
    lookup: (path) => lookupOrUndefined(() => fs.lookup(rel(path))),
    readDir: (path) => fs.readDir(rel(path)).map((e) => e.name),
    mkdir: (path) => fs.mkdir(rel(path)),
    writeFile: (path, data) => {
      const handle = fs.open(rel(path), WRITE);
      try {
        fs.write(handle, 0, data);
      } finally {
        fs.close(handle);
      }
    },
    remove: (path) => fs.remove(rel(path)),
  };
}

/** A machine's files (the host's) as a copy tree. */
export function machineCopyTree(files: MachineFiles): CopyTree {
  const lookup = (path: string): EntryNode | undefined => {
    let node: EntryNode | undefined = files.root.root;
    for (const part of splitPath(path)) {
      const child: TreeNode | undefined = node?.kind === "directory" ? node.children.get(part) : undefined;
      node = child?.kind === "whiteout" ? undefined : child;
    }
    return node;
  };
  return {
    lookup,
    readDir: (path) => files.readDir(path).map((e) => e.name),
    mkdir: (path) => files.mkdirAll(path),
    writeFile: (path, data) => files.writeFile(path, data),
    remove: (path) => {
      const parent = lookup(path.slice(0, path.lastIndexOf("/")) || "/");
      if (parent?.kind === "directory") parent.children.delete(lastPart(path));
    },
  };
}

function lookupOrUndefined(find: () => EntryNode | undefined): EntryNode | undefined {
  try {
    return find();
  } catch (error) {
    if (error instanceof MountedFsError && error.code === "ENOTDIR") return undefined;
    throw error;
  }
}
