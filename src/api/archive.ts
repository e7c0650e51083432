/**
 * /containers/{name}/archive: docker cp's daemon half. GET is a path as tar
 * (its stat in a header), HEAD the stat alone, PUT a tar unpacked into a
 * directory.
 */
import { containerArchive, containerPathStat, extractToContainer, type ContainerPathStat, type Engine } from "../engine/index.ts";
import { writeTar } from "../fs/index.ts";
import { BerthError } from "../util/index.ts";
import { noContent, queryBool, type ApiResponse } from "./http.ts";
import type { Route, RouteContext } from "./router.ts";

/** Where dockerd puts a path's stat: base64 of its ContainerPathStat as JSON. */
const STAT_HEADER = "x-docker-container-path-stat";

/** Go's os.FileMode bits for what a Unix mode says elsewhere. */
const GO_MODE = { directory: 2 ** 31, symlink: 2 ** 27, setuid: 2 ** 23, setgid: 2 ** 22, sticky: 2 ** 20 } as const;

/** The stat as Go encodes it: the mode as an os.FileMode, the time in RFC 3339. */
function statHeader(stat: ContainerPathStat): Record<string, string> {
  let mode = stat.mode & 0o777;
  if (stat.mode & 0o4000) mode += GO_MODE.setuid;
  if (stat.mode & 0o2000) mode += GO_MODE.setgid;
  if (stat.mode & 0o1000) mode += GO_MODE.sticky;
  if (stat.kind === "directory") mode += GO_MODE.directory;
  if (stat.kind === "symlink") mode += GO_MODE.symlink;
  const json = JSON.stringify({ name: stat.name, size: stat.size, mode, mtime: stat.mtime.toISOString(), linkTarget: stat.linkTarget });
  // btoa takes Latin-1: each UTF-8 byte as one character (Node and the browser's Worker both have it).
  return { [STAT_HEADER]: btoa(String.fromCharCode(...new TextEncoder().encode(json))) };
}

/** dockerd's ArchiveFormValues: the path is required (its message lacks a space, as dockerd's does). */
function archivePath(query: URLSearchParams): string {
  const path = query.get("path");
  if (!path) throw new BerthError("INVALID_ARGUMENT", "bad parameter: pathcannot be empty");
  return path;
}

export function archiveRoutes(engine: Engine): Route[] {
  async function get({ request, params, query }: RouteContext): Promise<ApiResponse> {
    const path = archivePath(query);
    // HEAD asks for the stat only: no need to archive what nobody reads.
    if (request.method === "HEAD") return { status: 200, headers: statHeader(containerPathStat(engine, params.name!, path)) };
    const { stat, archived } = containerArchive(engine, params.name!, path);
    return { status: 200, headers: { "content-type": "application/x-tar", ...statHeader(stat) }, body: writeTar(archived.entries) };
  }

  async function put({ request, params, query }: RouteContext): Promise<ApiResponse> {
    const path = archivePath(query);
    extractToContainer(engine, params.name!, path, request.body, {
      noOverwriteDirNonDir: queryBool(query, "noOverwriteDirNonDir"),
      copyUIDGID: queryBool(query, "copyUIDGID"),
    });
    return noContent(200);
  }

  return [
    { method: "GET", path: "/containers/{name}/archive", handle: get },
    { method: "PUT", path: "/containers/{name}/archive", handle: put },
  ];
}
