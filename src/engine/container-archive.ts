/**
 * The daemon's half of docker cp (dockerd's container archive endpoints): a
 * path in a container stated, a path archived as tar, a tar extracted into a
 * container's directory. The client's half (host paths, which directory to
 * extract into, renaming entries) belongs to whoever calls: Berth's CLI or
 * the official one through the Engine API.
 *
 * Paths are as the client sends them: made absolute inside the container,
 * never above its root, a trailing "/" or "/." kept (it says "a directory").
 */
import { joinPath } from "../build/index.ts";
import { archiveResource, extractInto, overlayCopyTree, readTar, resolveInScope, sourceNode, splitPathDirEntry, type Archived, type CopyTree, type TarEntry } from "../fs/index.ts";
import { MountedFsError } from "../kernel/index.ts";
import { BerthError } from "../util/index.ts";
import type { Engine } from "./engine.ts";

/** What dockerd's stat of a container path says (its ContainerPathStat). */
export interface ContainerPathStat {
  readonly name: string;
  readonly kind: "file" | "directory" | "symlink";
  readonly size: number;
  /** Permission and special bits (0o7777). */
  readonly mode: number;
  readonly mtime: Date;
  /** For a symbolic link: where it leads from the container's root, every link on the way followed; else "". */
  readonly linkTarget: string;
}

/**
 * `path` made absolute from `base` and cleaned, keeping a trailing "/" or "/."
 * that says "a directory" (Docker's PreserveTrailingDotOrSeparator of a
 * joined path); ".." never climbs above the root.
 */
export function copyPath(base: string, path: string): string {
  const cleaned = joinPath(base, path);
  if (path === "." || path.endsWith("/.")) return cleaned === "/" ? "/." : `${cleaned}/.`;
  if (path.endsWith("/") && cleaned !== "/") return `${cleaned}/`;
  return cleaned;
}

/** HEAD /containers/{name}/archive: what is at `path`, as lstat sees it. */
export function containerPathStat(engine: Engine, name: string, path: string): ContainerPathStat {
  const tree = overlayCopyTree(engine.runtime.get(name).rootfs);
  return statOf(tree, name, path);
}

/** GET /containers/{name}/archive: what is at `path` as tar entries named from its base name, and its stat. */
export function containerArchive(engine: Engine, name: string, path: string): { readonly stat: ContainerPathStat; readonly archived: Archived } {
  const tree = overlayCopyTree(engine.runtime.get(name).rootfs);
  const stat = statOf(tree, name, path);
  return { stat, archived: archiveResource(tree, copyPath("/", path)) };
}

export interface ExtractToContainerOptions {
  /** Keep the archive's owners (docker cp -a); otherwise files belong to root. */
  readonly copyUIDGID?: boolean;
  /** Refuse to put a file where a directory is, or the reverse (docker cp always asks this). */
  readonly noOverwriteDirNonDir?: boolean;
}

/**
 * PUT /containers/{name}/archive: unpacks a tar into the directory at `path`
 * (a symbolic link there is followed), which must exist.
 */
export function extractToContainer(engine: Engine, name: string, path: string, archive: Uint8Array, options: ExtractToContainerOptions = {}): void {
  const tree = overlayCopyTree(engine.runtime.get(name).rootfs);
  const dir = resolveInScope(tree, copyPath("/", path));
  const node = tree.lookup(dir);
  if (!node) throw fileNotFound(path, name);
  if (node.kind !== "directory") throw new BerthError("INVALID_ARGUMENT", "extraction point is not a directory");
  let entries: TarEntry[];
  try {
    entries = readTar(archive);
  } catch (error) {
    throw new BerthError("INTERNAL", `Error processing tar file(exit status 1): ${(error as Error).message}`);
  }
  try {
    extractInto(tree, dir, entries, { owner: options.copyUIDGID ? undefined : { uid: 0, gid: 0 }, noOverwriteDirNonDir: options.noOverwriteDirNonDir ?? false });
  } catch (error) {
    throw new BerthError("INTERNAL", (error as Error).message);
  }
}

function statOf(tree: CopyTree, name: string, path: string): ContainerPathStat {
  const absolute = copyPath("/", path);
  try {
    const node = sourceNode(tree, absolute);
    return {
      // Go's filepath.Base: "/" for the root, "." for a path ending in "/.".
      name: absolute === "/" ? "/" : splitPathDirEntry(absolute)[1],
      kind: node.kind,
      size: node.kind === "file" ? node.data.length : node.kind === "symlink" ? node.target.length : 0,
      mode: node.mode & 0o7777,
      mtime: new Date(node.mtime),
      linkTarget: node.kind === "symlink" ? resolveInScope(tree, absolute) : "",
    };
  } catch (error) {
    if (error instanceof MountedFsError && error.code === "ENOENT") throw fileNotFound(path, name);
    if (error instanceof MountedFsError && error.code === "ENOTDIR") {
      throw new BerthError("INTERNAL", `lstat ${absolute.replace(/\/\.?$/, "/")}: not a directory`);
    }
    throw error;
  }
}

/** dockerd's containerFileNotFound: the path as the client sent it, the container as it named it. */
function fileNotFound(path: string, name: string): BerthError {
  return new BerthError("NOT_FOUND", `Could not find the file ${path} in container ${name}`);
}
