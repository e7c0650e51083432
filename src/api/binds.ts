/**
 * A bind as the daemon reads it (HostConfig.Binds, and the docker CLI's `-v`):
 * `[SOURCE:]DESTINATION[:MODES]`, checked in dockerd's words.
 */
import { joinPath } from "../build/index.ts";
import type { Engine } from "../engine/index.ts";
import type { VolumeRequest } from "../runtime/index.ts";
import { BerthError } from "../util/index.ts";

/** Mount options `-v` takes on Linux; only ro/rw and nocopy change anything here. */
const VOLUME_MODES = new Set(["ro", "rw", "z", "Z", "nocopy", "shared", "rshared", "slave", "rslave", "private", "rprivate", "consistent", "cached", "delegated"]);

/**
 * `-v [SOURCE:]DESTINATION[:MODES]`: SOURCE is a host path when absolute (or
 * starting with "."), else a volume name; no SOURCE is an anonymous volume.
 * A host directory that does not exist is made, as Docker's -v does.
 */
export function volumeRequest(engine: Engine, spec: string, cwd: string): VolumeRequest {
  const parts = spec.split(":");
  if (parts.length > 3 || parts.some((p) => p === "")) throw new BerthError("INVALID_ARGUMENT", `invalid volume specification: '${spec}'`);
  const [source, destination, modeList] = parts.length === 1 ? [undefined, parts[0]!, undefined] : (parts as [string, string, string?]);
  const modes = modeList?.split(",") ?? [];
  for (const mode of modes) if (!VOLUME_MODES.has(mode)) throw new BerthError("INVALID_ARGUMENT", `invalid mode: ${mode}`);
  const readOnly = modes.includes("ro");
  if (source === undefined || !(source.startsWith("/") || source.startsWith("."))) {
    return { type: "volume", name: source, destination, readOnly, noCopy: modes.includes("nocopy"), spec };
  }
  const files = engine.hostFiles;
  if (!files) throw new BerthError("INVALID_ARGUMENT", "this engine has no host filesystem to bind");
  const hostPath = joinPath(cwd, source);
  if (!files.exists(hostPath)) files.mkdirAll(hostPath);
  if (files.stat(hostPath).kind !== "directory") {
    throw new BerthError("INVALID_ARGUMENT", `invalid mount config for type "bind": ${hostPath} is a file; Berth's kernel can bind only directories`);
  }
  return { type: "bind", source: hostPath, fs: files.directory(hostPath), destination, readOnly, spec };
}

