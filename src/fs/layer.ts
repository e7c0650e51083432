/**
 * Image layers in OCI's format: a tar of the files a layer adds or changes,
 * with deletions written as whiteouts — `.wh.NAME` deletes NAME from the
 * layers below, `.wh..wh..opq` in a directory hides everything below it.
 *
 * `layerTree` turns a layer tar into the tree an overlay stacks; `layerEntries`
 * turns an overlay's writable layer back into a layer tar (docker commit/build).
 */
import { BerthError } from "../util/index.ts";
import type { TarEntry } from "./tar.ts";
import { newDir, newFile, newSymlink, splitPath, WHITEOUT, type DirNode, type EntryNode, type FileNode, type TreeNode } from "./tree.ts";

const WHITEOUT_PREFIX = ".wh.";
const OPAQUE_MARKER = ".wh..wh..opq";

/** The tree a layer's tar entries describe, whiteouts included. */
export function layerTree(entries: readonly TarEntry[]): DirNode {
  const root = newDir({ mtime: 0 });
  const files = new Map<string, FileNode>();
  for (const entry of entries) {
    const parts = splitPath(entry.path);
    const name = parts.pop();
    if (!name) continue; // the layer's root directory itself
    const parent = ensureDir(root, parts);
    const meta = { mode: entry.mode, uid: entry.uid, gid: entry.gid, mtime: entry.mtime * 1000 };
    if (name === OPAQUE_MARKER) {
      parent.opaque = true;
    } else if (name.startsWith(WHITEOUT_PREFIX)) {
      parent.children.set(name.slice(WHITEOUT_PREFIX.length), WHITEOUT);
    } else if (entry.type === "directory") {
      const existing = parent.children.get(name);
      if (existing?.kind === "directory") Object.assign(existing, meta);
      else parent.children.set(name, newDir(meta));
    } else if (entry.type === "file") {
      const node = newFile(entry.data ?? new Uint8Array(), meta);
      parent.children.set(name, node);
      files.set(parts.concat(name).join("/"), node);
    } else if (entry.type === "symlink") {
      parent.children.set(name, newSymlink(entry.linkname ?? "", meta));
    } else {
      // A hard link is the same file node under a second name.
      const target = files.get(splitPath(entry.linkname ?? "").join("/"));
      if (!target) throw new BerthError("DATA_LOSS", `layer: hard link ${entry.path} to missing ${entry.linkname}`);
      parent.children.set(name, target);
    }
  }
  return root;
}

/** The tar entries of a layer tree (an overlay's upper layer): sorted, whiteouts as OCI writes them. */
export function layerEntries(root: DirNode): TarEntry[] {
  const out: TarEntry[] = [];
  const seenFiles = new Map<FileNode, string>();
  const walk = (dir: DirNode, prefix: string) => {
    if (dir.opaque) out.push(marker(`${prefix}${OPAQUE_MARKER}`));
    // Sorted by the names the tar will hold (a whiteout sorts as ".wh.NAME").
    const tarName = (name: string) => (dir.children.get(name)!.kind === "whiteout" ? WHITEOUT_PREFIX + name : name);
    for (const name of [...dir.children.keys()].sort((a, b) => (tarName(a) < tarName(b) ? -1 : 1))) {
      const node = dir.children.get(name)!;
      const path = `${prefix}${name}`;
      out.push(...entriesOf(node, path, seenFiles));
      if (node.kind === "directory") walk(node, `${path}/`);
    }
  };
  walk(root, "");
  return out;
}

function entriesOf(node: TreeNode, path: string, seenFiles: Map<FileNode, string>): TarEntry[] {
  if (node.kind === "whiteout") {
    const slash = path.lastIndexOf("/");
    return [marker(`${path.slice(0, slash + 1)}${WHITEOUT_PREFIX}${path.slice(slash + 1)}`)];
  }
  const meta = { mode: node.mode, uid: node.uid, gid: node.gid, mtime: Math.floor(node.mtime / 1000) };
  switch (node.kind) {
    case "directory":
      return [{ path, type: "directory", ...meta }];
    case "symlink":
      return [{ path, type: "symlink", linkname: node.target, ...meta }];
    case "file": {
      const first = seenFiles.get(node);
      if (first) return [{ path, type: "hardlink", linkname: first, ...meta }];
      seenFiles.set(node, path);
      return [{ path, type: "file", data: node.data, ...meta }];
    }
  }
}

function marker(path: string): TarEntry {
  return { path, type: "file", data: new Uint8Array(), mode: 0o644, uid: 0, gid: 0, mtime: 0 };
}

function ensureDir(root: DirNode, parts: readonly string[]): DirNode {
  let dir = root;
  for (const part of parts) {
    let child: EntryNode | typeof WHITEOUT | undefined = dir.children.get(part);
    if (!child || child.kind !== "directory") {
      child = newDir({ mtime: 0 });
      dir.children.set(part, child);
    }
    dir = child;
  }
  return dir;
}
