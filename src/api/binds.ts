/**
 * A bind as the daemon reads it (HostConfig.Binds, and the docker CLI's `-v`):
 * `[SOURCE:]DESTINATION[:MODES]`, checked in dockerd's words.
 */
import { joinPath } from "../build/index.ts";
import type { Engine } from "../engine/index.ts";
import { MountedFsError } from "../kernel/index.ts";
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
  try {
    if (!files.exists(hostPath)) files.mkdirAll(hostPath);
  } catch (error) {
    if (!(error instanceof MountedFsError)) throw error;
    // dockerd's words for the host filesystem's error.
    const reason = error.code === "ENOTDIR" ? "not a directory" : error.code === "ENOENT" ? "no such file or directory" : error.message;
    throw new BerthError("INVALID_ARGUMENT", `error while creating mount source path '${hostPath}': mkdir ${hostPath}: ${reason}`);
  }
  const file = files.stat(hostPath).kind === "file";
  return { type: "bind", source: hostPath, fs: files.subtree(hostPath), file, destination, readOnly, spec };
}


/**
 * `--mount type=volume|bind,source=…,target=…[,readonly][,volume-nocopy]`
 * (Docker's keys and their aliases: src, destination/dst, ro). Unlike -v, a
 * bind's source must exist.
 */
export function mountRequest(engine: Engine, spec: string, cwd: string): VolumeRequest {
  const fields = new Map<string, string>();
  for (const field of spec.split(",")) {
    const eq = field.indexOf("=");
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    const canonical = { src: "source", dst: "target", destination: "target", ro: "readonly" }[key] ?? key;
    fields.set(canonical, eq < 0 ? "true" : field.slice(eq + 1));
  }
  const type = fields.get("type") ?? "volume";
  const target = fields.get("target");
  if (!target) throw new BerthError("INVALID_ARGUMENT", `invalid argument "${spec}" for "--mount" flag: target is required`);
  const readOnly = ["true", "1"].includes(fields.get("readonly") ?? "false");
  if (type === "volume") {
    return { type: "volume", name: fields.get("source") || undefined, destination: target, readOnly, noCopy: fields.get("volume-nocopy") === "true" };
  }
  if (type !== "bind") throw new BerthError("INVALID_ARGUMENT", `invalid argument "${spec}" for "--mount" flag: mount type '${type}' is not supported by Berth (volume, bind)`);
  const source = fields.get("source");
  if (!source) throw new BerthError("INVALID_ARGUMENT", `invalid mount config for type "bind": field Source must not be empty`);
  const files = engine.hostFiles;
  const hostPath = joinPath(cwd, source);
  if (!files?.exists(hostPath)) throw new BerthError("INVALID_ARGUMENT", `invalid mount config for type "bind": bind source path does not exist: ${hostPath}`);
  // Not a -v: nothing for HostConfig.Binds.
  return { ...volumeRequest(engine, `${hostPath}:${target}${readOnly ? ":ro" : ""}`, cwd), spec: undefined };
}
