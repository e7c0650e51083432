/**
 * Where a build reads files: the build context (a directory of the host's
 * filesystem) or an earlier stage. Paths are relative, without a leading slash.
 */
export interface FileSource {
  stat(path: string): { kind: "file" | "directory"; size: number };
  readDir(path: string): { name: string; kind: "file" | "directory" }[];
  readFile(path: string): Uint8Array;
}

/** A filesystem of the host by top-level directory (Host.filesystems). */
export interface TopLevelFileSystem {
  stat(path: string): { kind: "file" | "directory"; size: number };
  readDir(path: string): { name: string; kind: "file" | "directory" }[];
  readFile(path: string): Uint8Array;
}

/**
 * The host's files as one tree, from its filesystems by top-level directory:
 * how the engine reads a build context (`docker build PATH` on the host).
 */
export function hostFiles(filesystems: ReadonlyMap<string, TopLevelFileSystem>): FileSource {
  const split = (path: string): [TopLevelFileSystem, string] | undefined => {
    const parts = path.split("/").filter((p) => p && p !== ".");
    const fs = filesystems.get(parts[0] ?? "");
    return fs ? [fs, parts.slice(1).join("/")] : undefined;
  };
  const missing = (path: string) => Object.assign(new Error(`${path}: no such file or directory`), { code: "ENOENT" });
  return {
    stat(path) {
      if (path.split("/").filter(Boolean).length === 0) return { kind: "directory", size: 0 };
      const found = split(path);
      if (!found) throw missing(path);
      return found[0].stat(found[1]);
    },
    readDir(path) {
      if (path.split("/").filter(Boolean).length === 0) return [...filesystems.keys()].map((name) => ({ name, kind: "directory" as const }));
      const found = split(path);
      if (!found) throw missing(path);
      return found[0].readDir(found[1]);
    },
    readFile(path) {
      const found = split(path);
      if (!found) throw missing(path);
      return found[0].readFile(found[1]);
    },
  };
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
