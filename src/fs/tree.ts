/**
 * In-memory directory trees: the storage under every filesystem Berth serves
 * (a layer, a container's writable layer, a volume, /proc).
 *
 * A tree is plain data. Metadata that the kernel bridge cannot carry (modes,
 * owners, times) is still kept, because layers and `docker diff/save` need it.
 */
export interface Meta {
  mode: number;
  uid: number;
  gid: number;
  /** Modification time, ms since the epoch. */
  mtime: number;
}

export interface FileNode extends Meta {
  readonly kind: "file";
  data: Uint8Array;
  /** Set for computed files (/proc): called on every open; never written. */
  readonly compute?: () => Uint8Array | string;
}

export interface DirNode extends Meta {
  readonly kind: "directory";
  readonly children: Map<string, TreeNode>;
  /** In an overlay's upper layer: hide everything the lower layers hold here. */
  opaque?: boolean;
}

export interface SymlinkNode extends Meta {
  readonly kind: "symlink";
  target: string;
}

/** In an overlay's upper layer: the path was deleted from the lower layers. */
export interface WhiteoutNode {
  readonly kind: "whiteout";
}

export type TreeNode = FileNode | DirNode | SymlinkNode | WhiteoutNode;
export type EntryNode = FileNode | DirNode | SymlinkNode;

const encoder = new TextEncoder();

export function newDir(meta: Partial<Meta> = {}): DirNode {
  return { kind: "directory", children: new Map(), mode: 0o755, uid: 0, gid: 0, mtime: Date.now(), ...meta };
}

export function newFile(data: Uint8Array | string = new Uint8Array(), meta: Partial<Meta> = {}): FileNode {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return { kind: "file", data: bytes, mode: 0o644, uid: 0, gid: 0, mtime: Date.now(), ...meta };
}

export function newComputedFile(compute: () => Uint8Array | string): FileNode {
  return { kind: "file", data: new Uint8Array(), compute, mode: 0o444, uid: 0, gid: 0, mtime: Date.now() };
}

export function newSymlink(target: string, meta: Partial<Meta> = {}): SymlinkNode {
  return { kind: "symlink", target, mode: 0o777, uid: 0, gid: 0, mtime: Date.now(), ...meta };
}

export const WHITEOUT: WhiteoutNode = { kind: "whiteout" };

/** "a//b/./c/" -> ["a", "b", "c"]; ".." is refused (paths from the kernel are already resolved). */
export function splitPath(path: string): string[] {
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new Error(`path with "..": ${path}`);
  return parts;
}

/** A file's bytes now: stored, or computed. */
export function fileContents(node: FileNode): Uint8Array {
  if (!node.compute) return node.data;
  const value = node.compute();
  return typeof value === "string" ? encoder.encode(value) : value;
}

/** Bytes of the files under a directory: a writable layer's or a volume's size, as Docker counts them. */
export function treeSize(dir: DirNode): number {
  let size = 0;
  for (const node of dir.children.values()) {
    if (node.kind === "directory") size += treeSize(node);
    else if (node.kind === "file") size += node.data.length;
  }
  return size;
}

/** A deep copy of a node: what copy-up puts in an upper layer. */
export function cloneNode<T extends EntryNode>(node: T): T {
  if (node.kind === "directory") {
    const children = new Map<string, TreeNode>();
    for (const [name, child] of node.children) children.set(name, child.kind === "whiteout" ? child : cloneNode(child));
    return { ...node, children, opaque: false };
  }
  if (node.kind === "file") return { ...node, data: node.data.slice() };
  return { ...node };
}
