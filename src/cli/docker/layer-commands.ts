/**
 * The container-side layer commands: docker commit (the writable layer becomes
 * an image layer), docker export and docker cp (a container's files as tar,
 * files in and out of a container), and the prunes of stopped containers and
 * unused images.
 */
import { joinPath } from "../../build/index.ts";
import { commitContainer, containerArchive, containerPathStat, copyPath, extractToContainer, type DockerIO, type Engine } from "../../engine/index.ts";
import {
  archiveResource,
  archiveTree,
  extractInto,
  machineCopyTree,
  overlayCopyTree,
  prepareCopy,
  rebase,
  splitPathDirEntry,
  treeSize,
  writeTar,
  type Archived,
  type CopyTree,
  type Destination,
  type MachineFiles,
} from "../../fs/index.ts";
import { familiarReference, parseReference } from "../../image/index.ts";
import { MountedFsError } from "../../kernel/index.ts";
import { BerthError, concatBytes, type Digest } from "../../util/index.ts";
import { CommandError, confirmed, type DockerCommand } from "./command.ts";
import { humanSize, pruneReport } from "./format.ts";

export const commitCommand: DockerCommand = {
  name: "commit",
  aliases: ["container commit"],
  usage: "commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
  summary: "Create a new image from a container's changes",
  flags: [
    { name: "author", short: "a", kind: "string", description: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' },
    { name: "change", short: "c", kind: "list", description: "Apply Dockerfile instruction to the created image" },
    { name: "message", short: "m", kind: "string", description: "Commit message" },
    // A commit reads the writable layer in one synchronous pass: the container cannot change it meanwhile, paused or not.
    { name: "pause", short: "p", kind: "bool", description: "Pause container during commit", defaultValue: "true" },
  ],
  minArgs: 1,
  maxArgs: 2,
  async run({ engine, flags, io }) {
    const [ref, reference] = flags.args as [string, string | undefined];
    if (reference !== undefined) {
      try {
        parseReference(reference);
      } catch (error) {
        throw new CommandError((error as Error).message);
      }
    }
    const container = engine.runtime.get(ref);
    const id = await commitContainer(engine, container, {
      author: flags.strings.get("author"),
      message: flags.strings.get("message"),
      changes: flags.lists.get("change") ?? [],
      reference,
    });
    io.stdout(`${id}\n`);
    return 0;
  },
};

export const exportCommand: DockerCommand = {
  name: "export",
  aliases: ["container export"],
  usage: "export [OPTIONS] CONTAINER",
  summary: "Export a container's filesystem as a tar archive",
  flags: [{ name: "output", short: "o", kind: "string", description: "Write to a file, instead of STDOUT" }],
  minArgs: 1,
  maxArgs: 1,
  async run({ engine, flags, io, request }) {
    const output = flags.strings.get("output");
    if (output === undefined && request.stdoutTty) {
      throw new CommandError("cowardly refusing to save to a terminal. Use the -o flag or redirect");
    }
    const files = output === undefined ? undefined : hostFiles(engine);
    const path = output === undefined ? "" : joinPath(request.cwd || "/", output);
    if (files) {
      const invalid = invalidOutputPath(files, output!, path);
      if (invalid) throw new CommandError(`failed to export container: ${invalid}`);
    }
    const container = engine.runtime.get(flags.args[0]!);
    const tar = writeTar(archiveTree(overlayCopyTree(container.rootfs)));
    if (files) writeHostFile(files, path, output!, tar);
    else io.stdout(tar);
    return 0;
  },
};

export const cpCommand: DockerCommand = {
  name: "cp",
  aliases: ["container cp"],
  usage: "cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tdocker cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
  summary: "Copy files/folders between a container and the local filesystem",
  flags: [
    { name: "archive", short: "a", kind: "bool", description: "Archive mode (copy all uid/gid information)" },
    { name: "follow-link", short: "L", kind: "bool", description: "Always follow symlinks in SRC_PATH" },
    {
      name: "quiet",
      short: "q",
      kind: "bool",
      description: "Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached",
    },
  ],
  minArgs: 2,
  maxArgs: 2,
  async run({ engine, flags, io, request }) {
    const [source, destination] = flags.args as [string, string];
    if (source === "") throw new CommandError("source can not be empty");
    if (destination === "") throw new CommandError("destination can not be empty");
    const from = splitCpArg(source);
    const to = splitCpArg(destination);
    const options: CopyOptions = {
      cwd: request.cwd || "/",
      // As Docker: without -q the summary is printed only to a terminal.
      quiet: (flags.bools.get("quiet") ?? false) || !request.stdoutTty,
      followLink: flags.bools.get("follow-link") ?? false,
      keepOwner: flags.bools.get("archive") ?? false,
    };
    if (from.container !== undefined && to.container !== undefined) throw new CommandError("copying between containers is not supported");
    if (from.container !== undefined) return copyFromContainer(engine, io, from.container, from.path, to.path, options);
    if (to.container !== undefined) return copyToContainer(engine, io, source === "-" ? "-" : from.path, to.container, to.path, options);
    throw new CommandError("must specify at least one container source");
  },
};

interface CopyOptions {
  readonly cwd: string;
  readonly quiet: boolean;
  readonly followLink: boolean;
  readonly keepOwner: boolean;
}

/**
 * "CONTAINER:PATH" or a local path: an absolute path, a path without ":",
 * or one starting with "." (`./file:name.txt`) is local, as Docker splits it.
 */
function splitCpArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith("/")) return { path: arg };
  const colon = arg.indexOf(":");
  if (colon < 0 || arg.startsWith(".")) return { path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

async function copyFromContainer(engine: Engine, io: DockerIO, name: string, srcPath: string, dstPath: string, options: CopyOptions): Promise<number> {
  const files = dstPath === "-" ? undefined : hostFiles(engine);
  const dst = dstPath === "-" ? "-" : copyPath(options.cwd, dstPath);
  if (files) {
    const invalid = invalidOutputPath(files, dst, dst.replace(/\/\.?$/, "") || "/");
    if (invalid) throw new CommandError(invalid);
  }
  const source = archiveFromContainer(engine, name, srcPath, options.followLink);
  if (!files) {
    io.stdout(writeTar(source.entries));
    return 0;
  }
  const host = machineCopyTree(files);
  const destination = hostDestination(host, dst);
  const { dir, rename } = prepareOrFail(source, destination);
  const entries = rename === undefined ? source.entries : rebase(source.entries, source.base, rename);
  try {
    // Files copied out belong to the user who runs docker cp: root on the host.
    extractInto(host, dir, entries, { owner: { uid: 0, gid: 0 } });
  } catch (error) {
    throw new CommandError((error as Error).message);
  }
  if (!options.quiet) io.stderr(`Successfully copied ${humanSize(writeTar(entries).length)} to ${dst}\n`);
  return 0;
}

/**
 * The container's resource as the daemon archives it. With -L a symbolic
 * link is followed first and its target's entries take the link's name (the
 * docker CLI's GetRebaseName); a failed stat is left for the archive to report.
 */
function archiveFromContainer(engine: Engine, name: string, srcPath: string, followLink: boolean): Archived {
  const stat = followLink ? daemonAnswer(() => containerPathStat(engine, name, srcPath)) : undefined;
  if (stat?.kind !== "symlink") return containerArchive(engine, name, srcPath).archived;
  const path = copyPath("/", srcPath);
  const target = path.endsWith("/.") ? `${stat.linkTarget}/.` : path.endsWith("/") ? `${stat.linkTarget}/` : stat.linkTarget;
  const { archived } = containerArchive(engine, name, target);
  const base = splitPathDirEntry(path)[1];
  return archived.base === base ? archived : { ...archived, entries: rebase(archived.entries, archived.base, base), base };
}

async function copyToContainer(engine: Engine, io: DockerIO, srcPath: string, name: string, dstPath: string, options: CopyOptions): Promise<number> {
  const destination = containerDestination(engine, name, dstPath);
  let archive: Uint8Array;
  let dir: string;
  if (srcPath === "-") {
    if (!destination.isDir) throw new CommandError(`destination "${name}:${dstPath}" must be a directory`);
    archive = await readAll(io.stdin());
    dir = destination.path;
  } else {
    const files = hostFiles(engine);
    const host = machineCopyTree(files);
    const src = copyPath(options.cwd, srcPath);
    let source: Archived;
    try {
      source = archiveResource(host, src);
    } catch (error) {
      if (error instanceof MountedFsError && error.code === "ENOENT") throw new CommandError(`lstat ${error.message}: no such file or directory`);
      if (error instanceof MountedFsError && error.code === "ENOTDIR") throw new CommandError(`lstat ${src}: not a directory`);
      throw error;
    }
    const prepared = prepareOrFail(source, destination);
    dir = prepared.dir;
    archive = writeTar(prepared.rename === undefined ? source.entries : rebase(source.entries, source.base, prepared.rename));
  }
  extractToContainer(engine, name, dir, archive, { copyUIDGID: options.keepOwner, noOverwriteDirNonDir: true });
  if (!options.quiet && srcPath !== "-") io.stderr(`Successfully copied ${humanSize(archive.length)} to ${name}:${dstPath}\n`);
  return 0;
}

/**
 * What the destination in the container is, as the docker CLI learns it
 * before copying: a symbolic link is followed; a failed stat (a missing
 * container too) means "does not exist" and the copy itself reports.
 */
function containerDestination(engine: Engine, name: string, dstPath: string): Destination {
  let path = copyPath("/", dstPath);
  let stat = daemonAnswer(() => containerPathStat(engine, name, path));
  if (stat?.kind === "symlink") {
    path = stat.linkTarget;
    stat = daemonAnswer(() => containerPathStat(engine, name, path));
  }
  return { path, exists: stat !== undefined, isDir: stat?.kind === "directory" };
}

/** What the engine answers, or undefined where it refuses (an error response). */
function daemonAnswer<T>(ask: () => T): T | undefined {
  try {
    return ask();
  } catch (error) {
    if (BerthError.is(error)) return undefined;
    throw error;
  }
}

/** Docker's PrepareArchiveCopy; its errors are the CLI's ("cannot copy directory"). */
function prepareOrFail(source: Archived, destination: Destination): { dir: string; rename?: string } {
  try {
    return prepareCopy(source, destination);
  } catch (error) {
    throw new CommandError((error as Error).message);
  }
}

/** What a host destination is now (Docker's CopyInfoDestinationPath): its parent must be a directory. */
function hostDestination(host: CopyTree, path: string): Destination {
  const node = host.lookup(path);
  if (node) return { path, exists: true, isDir: node.kind === "directory" };
  const [parent] = splitPathDirEntry(path);
  if (host.lookup(parent)?.kind !== "directory") throw new CommandError("not a directory");
  return { path, exists: false, isDir: false };
}

/**
 * Docker's ValidateOutputPath: the directory an output path is in must exist.
 * `shown` is the path as the user wrote it: the message names its directory.
 */
function invalidOutputPath(files: MachineFiles, shown: string, path: string): string | undefined {
  const dir = path.slice(0, path.lastIndexOf("/")) || "/";
  if (files.exists(dir)) return undefined;
  return `invalid output path: directory "${goDir(shown)}" does not exist`;
}

/** Go's filepath.Dir(filepath.Clean(path)), for the paths users write. */
function goDir(path: string): string {
  if (path.startsWith("/")) {
    const clean = joinPath("/", path);
    return clean.slice(0, clean.lastIndexOf("/")) || "/";
  }
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  return parts.slice(0, -1).join("/") || ".";
}

function writeHostFile(files: MachineFiles, path: string, shown: string, data: Uint8Array): void {
  try {
    if (files.exists(path) && files.stat(path).kind === "directory") throw new Error("is a directory");
    files.writeFile(path, data);
  } catch (error) {
    const reason = error instanceof MountedFsError ? "no such file or directory" : (error as Error).message;
    throw new CommandError(`open ${shown}: ${reason}`);
  }
}

function hostFiles(engine: Engine): MachineFiles {
  if (!engine.hostFiles) throw new CommandError("this engine has no host filesystem");
  return engine.hostFiles;
}

async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return concatBytes(parts);
}

export const containerPruneCommand: DockerCommand = {
  name: "container prune",
  usage: "container prune [OPTIONS]",
  summary: "Remove all stopped containers",
  flags: [{ name: "force", short: "f", kind: "bool", description: "Do not prompt for confirmation" }],
  maxArgs: 0,
  async run({ engine, flags, io }) {
    // Cancelled: Docker exits 0 and says nothing more.
    if (!flags.bools.get("force") && !(await confirmed(io, "WARNING! This will remove all stopped containers."))) return 0;
    const sizes = new Map(engine.runtime.list({ all: true }).map((c) => [c.id, treeSize(c.rootfs.upper)]));
    const removed = await engine.runtime.prune();
    const reclaimed = removed.reduce((n, c) => n + (sizes.get(c.id) ?? 0), 0);
    io.stdout(pruneReport("Deleted Containers", removed.map((c) => c.id), reclaimed));
    return 0;
  },
};

export const imagePruneCommand: DockerCommand = {
  name: "image prune",
  usage: "image prune [OPTIONS]",
  summary: "Remove unused images",
  flags: [
    { name: "all", short: "a", kind: "bool", description: "Remove all unused images, not just dangling ones" },
    { name: "force", short: "f", kind: "bool", description: "Do not prompt for confirmation" },
  ],
  maxArgs: 0,
  async run({ engine, flags, io }) {
    const all = flags.bools.get("all") ?? false;
    const warning = all
      ? "WARNING! This will remove all images without at least one container associated to them."
      : "WARNING! This will remove all dangling images.";
    if (!flags.bools.get("force") && !(await confirmed(io, warning))) return 0;
    const { lines, reclaimed } = await pruneImages(engine, all);
    io.stdout(pruneReport("Deleted Images", lines, reclaimed));
    return 0;
  },
};

/**
 * Removes the dangling images (with `all`, every image) no container uses,
 * each with the blobs no image left (nor the build cache) needs; returns
 * Docker's report lines ("untagged: ...", "deleted: sha256:...") and the
 * bytes of the layers freed.
 */
async function pruneImages(engine: Engine, all: boolean): Promise<{ lines: string[]; reclaimed: number }> {
  const { images } = engine;
  const used = new Set(engine.runtime.list({ all: true }).map((c) => c.config.imageId));
  const everyImage = await Promise.all([...images.list().map((r) => r.target), ...images.dangling()].map((t) => images.load(t.digest)));
  const unique = [...new Map(everyImage.map((image) => [image.manifestDigest, image])).values()];
  const candidates = new Set(all ? unique.map((i) => i.manifestDigest) : images.dangling().map((d) => d.digest));
  const pruned = unique.filter((image) => candidates.has(image.manifestDigest) && !used.has(image.id));
  // Blobs still needed: every remaining image's, and the layers the build cache would reuse.
  const kept = new Set<Digest>(engine.buildCache.layers());
  for (const image of unique.filter((i) => !pruned.includes(i))) {
    kept.add(image.manifestDigest).add(image.id);
    for (const layer of image.manifest.layers) kept.add(layer.digest);
  }
  const lines: string[] = [];
  let reclaimed = 0;
  for (const image of pruned) {
    for (const name of image.names) {
      images.untag(name, image);
      lines.push(`untagged: ${familiarReference(parseReference(name))}`);
    }
    images.remove(image);
    lines.push(`deleted: ${image.id}`);
    for (const digest of [image.manifestDigest, image.id, ...image.manifest.layers.map((l) => l.digest)]) {
      if (kept.has(digest) || !(await images.content.has(digest))) continue;
      kept.add(digest);
      const size = await images.content.size(digest);
      await images.content.delete(digest);
      if (digest === image.manifestDigest || digest === image.id) continue;
      reclaimed += size;
      lines.push(`deleted: ${digest}`);
    }
  }
  return { lines, reclaimed };
}
