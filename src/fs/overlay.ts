/**
 * A container's root filesystem: read-only image layers under one writable
 * layer, seen as one tree — the idea behind Docker's overlay2 storage driver.
 *
 * The lifecycle, in containerd's snapshotter words:
 *
 * - prepare: `new OverlayFileSystem(layers)` over the image's layer trees
 *   (shared with every other container of that image) and an empty upper
 *   layer. Creating a container copies nothing.
 * - use: a read falls through to the highest layer that has the path. The
 *   first write to a lower file copies it up into the upper layer: the write
 *   itself, not a writable open (the kernel opens read-write files it only
 *   reads, and `docker diff` must not list those). Deleting a
 *   lower path leaves a whiteout in the upper layer; a directory made where a
 *   lower one was deleted is opaque (hides the lower contents).
 * - commit: the upper layer, whiteouts included, is the container's diff:
 *   `changes()` lists it (docker diff); a layer is made from it (docker commit).
 * - remove: drop the upper layer; the image layers never changed.
 */
import { MountedFsError, type MountedDirEntry, type MountedFileSystem, type MountedStat, type OpenOptions } from "../kernel/index.ts";
import { checkReplace, statOf } from "./memory-fs.ts";
import { HandleFileSystem } from "./open-files.ts";
import { cloneNode, newDir, newFile, splitPath, WHITEOUT, type DirNode, type EntryNode, type FileNode } from "./tree.ts";

export interface Change {
  /** A added, C changed, D deleted — `docker diff`'s letters. */
  readonly kind: "A" | "C" | "D";
  readonly path: string;
}

/** One layer's directory at some path, and whether it is the writable layer's. */
interface LayerDir {
  readonly dir: DirNode;
  readonly upper: boolean;
}

interface Resolved {
  /** The visible node: the highest layer's. */
  readonly node: EntryNode;
  /** Whether the visible node is the writable layer's own (a file there may change in place). */
  readonly upper: boolean;
  /** For a directory: every layer's directory at this path that shows through, highest first. */
  readonly stack: readonly LayerDir[];
  /** Whether a lower layer shows something at this path (deleting it then needs a whiteout). */
  readonly inLower: boolean;
}

export class OverlayFileSystem extends HandleFileSystem implements MountedFileSystem {

  /**
   * @param lowers image layers, highest first; never modified.
   * @param upper the writable layer.
   */
  constructor(
    readonly lowers: readonly DirNode[],
    readonly upper: DirNode = newDir(),
  ) {
    super();
  }

  stat(path: string): MountedStat {
    return statOf(this.#resolve(path).node);
  }

  readDir(path: string): MountedDirEntry[] {
    const { node, stack } = this.#resolve(path);
    if (node.kind !== "directory") throw new MountedFsError("ENOTDIR", path);
    return mergedEntries(stack).map(([name, child]) => ({ name, ...statOf(child) }));
  }

  open(path: string, options: OpenOptions): number {
    const writable = options.write || options.append;
    const existing = this.#find(path);
    if (existing && options.createNew) throw new MountedFsError("EEXIST", path);
    let node: EntryNode;
    if (!existing) {
      if (!options.create && !options.createNew) throw new MountedFsError("ENOENT", path);
      const { dir, name } = this.#upperParent(path);
      dir.children.set(name, (node = newFile()));
    } else {
      node = existing.node;
    }
    if (node.kind !== "file") throw new MountedFsError("EISDIR", path);
    const file = node;
    // A lower file is copied up by the first write, not here: the kernel opens read-write files it only reads.
    const copyUp = writable && existing && !existing.upper ? () => this.#copyUp(path, file) : undefined;
    return this.openNode(node, { writable, append: options.append, truncate: options.truncate, copyUp });
  }

  mkdir(path: string): void {
    if (this.#find(path)) throw new MountedFsError("EEXIST", path);
    const { dir, name } = this.#upperParent(path);
    const created = newDir();
    // Made where a lower directory was deleted: the old contents must stay hidden.
    if (dir.children.get(name)?.kind === "whiteout") created.opaque = true;
    dir.children.set(name, created);
  }

  remove(path: string): void {
    const found = this.#resolve(path);
    if (found.node.kind === "directory" && mergedEntries(found.stack).length > 0) {
      throw new MountedFsError("ENOTEMPTY", path);
    }
    this.#delete(path, found);
  }

  rename(from: string, to: string): void {
    const fromParts = splitPath(from);
    const toParts = splitPath(to);
    if (toParts.length > fromParts.length && fromParts.every((p, i) => toParts[i] === p)) {
      throw new MountedFsError("EINVAL", `cannot move ${from} into itself`);
    }
    const source = this.#resolve(from);
    checkReplace(source.node, this.#find(to)?.node, to);
    let moved: EntryNode;
    if (!source.inLower && source.stack.length <= 1) {
      // Only the upper layer has it: move the node itself, so open handles follow it.
      moved = source.node;
    } else {
      // A merged directory moves as one copy; its lower parts stay, whited out. Open handles move to the copies.
      moved = copyOf(source, (original, copy) => this.retargetHandles(original, copy));
      if (moved.kind === "directory") moved.opaque = true;
    }
    this.#delete(from, source);
    const target = this.#upperParent(to);
    target.dir.children.set(target.name, moved);
  }

  /** What the upper layer holds, as `docker diff` lists it: parents before children. */
  changes(): Change[] {
    const out: Change[] = [];
    const walk = (dir: DirNode, parts: string[]) => {
      for (const name of [...dir.children.keys()].sort()) {
        const child = dir.children.get(name)!;
        const childParts = [...parts, name];
        const path = "/" + childParts.join("/");
        const below = resolveIn(this.lowers, childParts);
        if (child.kind === "whiteout") {
          if (below) out.push({ kind: "D", path });
          continue;
        }
        out.push({ kind: below ? "C" : "A", path });
        if (child.kind !== "directory") continue;
        if (child.opaque && below?.node.kind === "directory") {
          // An opaque directory replaced a lower one: what the lower one held is gone.
          for (const [gone] of mergedEntries(below.stack)) {
            if (!child.children.has(gone)) out.push({ kind: "D", path: `${path}/${gone}` });
          }
        }
        walk(child, childParts);
      }
    };
    walk(this.upper, []);
    return out;
  }

  /**
   * The node a path shows (kind, metadata, bytes), or undefined when there is
   * none: what docker cp and docker export read. A directory's own children
   * are one layer's; readDir lists the merged ones.
   */
  lookup(path: string): EntryNode | undefined {
    return this.#find(path)?.node;
  }

  /** The visible node at a path, or undefined when there is none. */
  #find(path: string): Resolved | undefined {
    try {
      return this.#resolve(path);
    } catch (error) {
      if (error instanceof MountedFsError && error.code === "ENOENT") return undefined;
      throw error;
    }
  }

  #resolve(path: string): Resolved {
    let resolved: Resolved = {
      node: this.upper,
      upper: true,
      stack: [{ dir: this.upper, upper: true }, ...this.lowers.map((dir) => ({ dir, upper: false }))],
      inLower: true,
    };
    for (const part of splitPath(path)) {
      if (resolved.node.kind !== "directory") throw new MountedFsError("ENOTDIR", path);
      const next = lookupChild(resolved.stack, part);
      if (!next) throw new MountedFsError("ENOENT", path);
      resolved = next;
    }
    return resolved;
  }

  /** The upper layer's directory for a path's parent, copied up as needed. */
  #upperParent(path: string): { dir: DirNode; name: string } {
    const parts = splitPath(path);
    const name = parts.pop();
    if (!name) throw new MountedFsError("EINVAL", "the mount root has no parent");
    if (this.#resolve(parts.join("/")).node.kind !== "directory") throw new MountedFsError("ENOTDIR", path);
    let dir = this.upper;
    for (let i = 0; i < parts.length; i++) {
      let child = dir.children.get(parts[i]!);
      if (!child || child.kind === "whiteout") {
        const visible = this.#resolve(parts.slice(0, i + 1).join("/")).node;
        child = newDir({ mode: visible.mode, uid: visible.uid, gid: visible.gid, mtime: visible.mtime });
        dir.children.set(parts[i]!, child);
      }
      if (child.kind !== "directory") throw new MountedFsError("ENOTDIR", path);
      dir = child;
    }
    return { dir, name };
  }

  /** The upper layer's copy of a lower file opened at `path`, made on its first write. */
  #copyUp(path: string, node: FileNode): FileNode {
    const copy = cloneNode(node);
    // Deleted or replaced since it was opened, the file lives on only in its handles (an unlinked file on Linux).
    if (this.#shows(path, node)) {
      const { dir, name } = this.#upperParent(path);
      dir.children.set(name, copy);
    }
    return copy;
  }

  /** Whether a path still shows this node: not deleted, replaced, or under what is now a file. */
  #shows(path: string, node: EntryNode): boolean {
    try {
      return this.#resolve(path).node === node;
    } catch (error) {
      if (error instanceof MountedFsError) return false;
      throw error;
    }
  }

  #delete(path: string, found: Resolved): void {
    const { dir, name } = this.#upperParent(path);
    if (found.inLower) dir.children.set(name, WHITEOUT);
    else dir.children.delete(name);
  }
}

/**
 * One step down a path: what a stack of layer directories shows under `name`.
 * The highest layer's node wins; a whiteout hides everything below it; a
 * directory merges with lower directories of that name down to an opaque one.
 */
function lookupChild(stack: readonly LayerDir[], name: string): Resolved | undefined {
  let node: EntryNode | undefined;
  let nodeUpper = false;
  const next: LayerDir[] = [];
  for (const { dir, upper } of stack) {
    const child = dir.children.get(name);
    if (!child) continue;
    if (child.kind === "whiteout") break;
    if (!node) {
      node = child;
      nodeUpper = upper;
    }
    if (node.kind !== "directory" || child.kind !== "directory") break;
    next.push({ dir: child, upper });
    if (child.opaque) break;
  }
  if (!node) return undefined;
  const lower = stack.filter((l) => !l.upper);
  const inLower = lower.length === stack.length || lookupChild(lower, name) !== undefined;
  return { node, upper: nodeUpper, stack: node.kind === "directory" ? next : [], inLower };
}

/** What read-only layers alone show at a path (for `changes`). */
function resolveIn(layers: readonly DirNode[], parts: readonly string[]): Resolved | undefined {
  if (layers.length === 0) return undefined;
  let resolved: Resolved | undefined = { node: layers[0]!, upper: false, stack: layers.map((dir) => ({ dir, upper: false })), inLower: true };
  for (const part of parts) {
    if (resolved.node.kind !== "directory") return undefined;
    resolved = lookupChild(resolved.stack, part);
    if (!resolved) return undefined;
  }
  return resolved;
}

/** The names a stack of directories shows; the highest layer wins, whiteouts hide lower names. */
function mergedEntries(stack: readonly LayerDir[]): [string, EntryNode][] {
  const seen = new Map<string, EntryNode>();
  const hidden = new Set<string>();
  for (const { dir } of stack) {
    for (const [name, child] of dir.children) {
      if (seen.has(name) || hidden.has(name)) continue;
      if (child.kind === "whiteout") hidden.add(name);
      else seen.set(name, child);
    }
  }
  return [...seen];
}

/** A deep copy of what a path shows, a merged directory as one; `copied` hears of each file copied. */
function copyOf({ node, stack }: Resolved, copied: (from: FileNode, to: FileNode) => void): EntryNode {
  switch (node.kind) {
    case "directory": {
      const copy = newDir({ mode: node.mode, uid: node.uid, gid: node.gid, mtime: node.mtime });
      for (const [name] of mergedEntries(stack)) copy.children.set(name, copyOf(lookupChild(stack, name)!, copied));
      return copy;
    }
    case "file": {
      const copy = cloneNode(node);
      copied(node, copy);
      return copy;
    }
    case "symlink":
      return cloneNode(node);
  }
}
