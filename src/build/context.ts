/**
 * Where a build reads files: the build context (a directory of the host's
 * filesystem, or the tar an API client sent) or an earlier stage. Paths are
 * relative, without a leading slash.
 */
import { layerTree, OverlayFileSystem, readTar, type DirNode, type TarEntry } from "../fs/index.ts";

export interface FileSource {
  stat(path: string): { kind: "file" | "directory"; size: number };
  readDir(path: string): { name: string; kind: "file" | "directory" }[];
  readFile(path: string): Uint8Array;
}

/** The files under `dir` of a source, as a source of their own (the build context). */
export function subSource(source: FileSource, dir: string): FileSource {
  const at = (path: string) => [dir, path].map((p) => p.replace(/^\/+|\/+$/g, "")).filter(Boolean).join("/");
  return {
    stat: (path) => source.stat(at(path)),
    readDir: (path) => source.readDir(at(path)),
    readFile: (path) => source.readFile(at(path)),
  };
}

/** POSIX path resolution: `path` against `base` ("/a", "../b" -> "/b"); the result is absolute. */
export function joinPath(base: string, path: string): string {
  const parts: string[] = [];
  for (const part of (path.startsWith("/") ? path : `${base}/${path}`).split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/**
 * .dockerignore: patterns of paths (Go's filepath.Match per segment, `**` for any
 * number of directories, a leading `!` re-includes); the last pattern that matches
 * a path or one of its parents decides. Comments start with `#`.
 */
export function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const negate = line.startsWith("!");
      const pattern = joinPath("/", (negate ? line.slice(1) : line).trim()).slice(1);
      return { negate, re: patternRegExp(pattern) };
    })
    .filter((r) => r.re !== undefined);
  return (path: string) => {
    const parts = path.split("/").filter(Boolean);
    let ignored = false;
    for (const rule of rules) {
      for (let n = 1; n <= parts.length; n++) {
        if (rule.re!.test(parts.slice(0, n).join("/"))) {
          ignored = !rule.negate;
          break;
        }
      }
    }
    return ignored;
  };
}

function patternRegExp(pattern: string): RegExp | undefined {
  if (!pattern) return undefined;
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      i++;
      if (pattern[i + 1] === "/") {
        i++;
        re += "(?:.*/)?";
      } else re += ".*";
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i);
      if (end < 0) return undefined;
      re += `[${pattern.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\")}]`;
      i = end;
    } else if (c === "\\" && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** A context without the paths `ignored` says to leave out (the Dockerfile and .dockerignore stay readable). */
export function filteredSource(source: FileSource, ignored: (path: string) => boolean): FileSource {
  const check = (path: string) => {
    const clean = path.split("/").filter(Boolean).join("/");
    if (clean && ignored(clean)) throw Object.assign(new Error(`${path}: no such file or directory`), { code: "ENOENT" });
    return clean;
  };
  return {
    stat: (path) => source.stat(check(path)),
    readDir: (path) => {
      const dir = check(path);
      return source.readDir(dir).filter((e) => !ignored(dir ? `${dir}/${e.name}` : e.name));
    },
    readFile: (path) => source.readFile(check(path)),
  };
}

/** Layer trees (an earlier stage's, an image's) as a source, the last one on top. */
export function treeSource(trees: readonly DirNode[]): FileSource {
  const fs = new OverlayFileSystem([...trees].reverse());
  return {
    stat: (p) => fs.stat(p),
    readDir: (p) => fs.readDir(p),
    readFile: (p) => {
      const handle = fs.open(p, { read: true, write: false, create: false, createNew: false, truncate: false, append: false });
      try {
        const size = fs.stat(p).size;
        return fs.read(handle, 0, size);
      } finally {
        fs.close(handle);
      }
    },
  };
}

/** A tar archive's entries (gzip-compressed or not); undefined for anything else. */
export async function archiveEntries(data: Uint8Array): Promise<TarEntry[] | undefined> {
  let bytes = data;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
      bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    } catch {
      return undefined;
    }
  }
  if (bytes.length < 512 || new TextDecoder().decode(bytes.subarray(257, 262)) !== "ustar") return undefined;
  try {
    return readTar(bytes);
  } catch {
    return undefined;
  }
}

/** The context an API client sent (POST /build's body: a tar, plain or gzip), or undefined when it is not one. */
export async function archiveContext(data: Uint8Array): Promise<FileSource | undefined> {
  // A tar of no files is only its end, zero blocks (an empty directory's context).
  const empty = data.length >= 1024 && data.every((byte) => byte === 0);
  const entries = empty ? [] : await archiveEntries(data);
  return entries && treeSource([layerTree(entries)]);
}
