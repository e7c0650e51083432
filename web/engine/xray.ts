/**
 * The X-ray view's model: what the engine knows about images, containers and
 * their layers, taken as plain data in the Worker and drawn by `<berth-xray>`.
 * Nothing here is computed for show: every field is read from the stores.
 */
import type { Engine } from "../../src/engine/index.ts";
import { familiarReference, parseReference } from "../../src/image/index.ts";

export interface XrayLayer {
  /** The layer's diff ID (digest of its uncompressed tar), "sha256:…". */
  readonly diffId: string;
  /** Size of the layer blob in bytes. */
  readonly size: number;
  /** The instruction that made it, from the image's history. */
  readonly createdBy: string;
}

export interface XrayImage {
  readonly id: string;
  readonly names: readonly string[];
  readonly layers: readonly XrayLayer[];
  readonly os: string;
  readonly architecture: string;
}

export interface XrayContainer {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly imageId: string;
  readonly status: string;
  readonly exitCode: number;
  /** Host PID of the main process while it runs, else 0. */
  readonly pid: number;
  readonly hostname: string;
  readonly command: readonly string[];
  /** Its mount namespace beyond the root filesystem: volumes and host directories. */
  readonly mounts: readonly XrayMount[];
}

export interface XrayMount {
  readonly type: "volume" | "bind";
  /** Volume name, or the host directory. */
  readonly source: string;
  readonly destination: string;
  readonly readOnly: boolean;
}

export interface XrayChange {
  readonly kind: "A" | "C" | "D";
  readonly path: string;
}

export interface XraySelection {
  readonly container: XrayContainer;
  /** The image's layers, bottom first. */
  readonly layers: readonly XrayLayer[];
  /** The writable layer, as `docker diff` lists it. */
  readonly changes: readonly XrayChange[];
  /** Its processes while it runs: PIDs in its own namespace beside host PIDs. */
  readonly processes: readonly XrayProcess[];
  /** Its cgroup: limits, and what it uses while it runs. */
  readonly cgroup: XrayCgroup;
}

/** A container's limits (0: none) and usage (as `docker stats` reads it). */
export interface XrayCgroup {
  /** Bytes its processes' memories take now; 0 when it is not running. */
  readonly memoryUsed: number;
  /** `--memory`: each process's maximum, in bytes. */
  readonly memoryLimit: number;
  readonly pids: number;
  readonly pidsLimit: number;
  /** CPU time used since it started, in nanoseconds; null where a thread cannot be measured (a browser) or it is not running. */
  readonly cpuTime: number | null;
  /** `--cpus` in billionths of a CPU: recorded, not enforced. */
  readonly nanoCpus: number;
}

export interface XrayProcess {
  readonly pid: number;
  readonly hostPid: number;
  readonly ppid: number;
  readonly command: string;
}

/** A process as the host sees it: host PIDs, and the container it runs in. */
export interface XrayHostProcess {
  readonly hostPid: number;
  readonly ppid: number;
  /** Its PID inside its container (the same as hostPid on the host itself). */
  readonly namespacePid: number;
  /** Container name, or null for the host's own processes. */
  readonly container: string | null;
  readonly command: string;
}

export interface XraySnapshot {
  readonly takenAt: number;
  readonly images: readonly XrayImage[];
  readonly containers: readonly XrayContainer[];
  readonly selected: XraySelection | null;
  /** Every process on the kernel, in the host's view. */
  readonly hostProcesses: readonly XrayHostProcess[];
}

export async function takeXray(engine: Engine, selected?: string): Promise<XraySnapshot> {
  const images = new Map<string, XrayImage>();
  for (const record of engine.images.list()) {
    const image = await engine.images.resolve(record.name);
    const known = images.get(image.id);
    const name = familiarReference(parseReference(record.name));
    if (known) {
      images.set(image.id, { ...known, names: [...known.names, name] });
      continue;
    }
    images.set(image.id, {
      id: image.id,
      names: [name],
      os: image.config.os,
      architecture: image.config.architecture,
      layers: layersOf(image.config.history ?? [], image.config.rootfs.diff_ids, image.manifest.layers.map((l) => l.size)),
    });
  }
  const containers = engine.runtime.list({ all: true }).map(
    (c): XrayContainer => ({
      id: c.id,
      name: c.name,
      image: c.config.image,
      imageId: c.config.imageId,
      status: c.state.status,
      exitCode: c.state.exitCode,
      pid: c.state.pid,
      hostname: c.config.hostname,
      command: [...c.config.entrypoint, ...c.config.cmd],
      mounts: c.mounts.map((m) => ({ type: m.type, source: m.type === "volume" ? m.name! : m.source, destination: m.destination, readOnly: m.readOnly })),
    }),
  );
  const chosen = containers.find((c) => c.id === selected || c.name === selected) ?? containers[0];
  let selection: XraySelection | null = null;
  if (chosen) {
    const container = engine.runtime.get(chosen.id);
    selection = {
      container: chosen,
      layers: images.get(chosen.imageId)?.layers ?? [],
      changes: container.rootfs.changes(),
      processes: engine.runtime.processes(chosen.id).map((p) => ({ pid: p.pid, hostPid: p.hostPid, ppid: p.ppid, command: p.args.join(" ") })),
      cgroup: cgroupOf(engine, chosen.id),
    };
  }
  const names = new Map(containers.map((c) => [c.id, c.name]));
  const hostProcesses = engine.runtime.processes().map(
    (p): XrayHostProcess => ({
      hostPid: p.hostPid,
      ppid: p.ppid,
      namespacePid: p.namespacePid,
      container: p.containerId ? (names.get(p.containerId) ?? p.containerId.slice(0, 12)) : null,
      command: p.args.join(" "),
    }),
  );
  return { takenAt: Date.now(), images: [...images.values()], containers, selected: selection, hostProcesses };
}

function cgroupOf(engine: Engine, id: string): XrayCgroup {
  const { resources } = engine.runtime.get(id);
  const usage = engine.runtime.usage(id);
  return {
    memoryUsed: usage?.memory ?? 0,
    memoryLimit: resources.memory,
    pids: usage?.pids ?? 0,
    pidsLimit: resources.pidsLimit,
    cpuTime: usage?.cpuTime ?? null,
    nanoCpus: resources.nanoCpus,
  };
}

/** Pairs each layer with the history entry that made it (empty layers have no blob). */
function layersOf(
  history: readonly { created_by?: string; empty_layer?: boolean }[],
  diffIds: readonly string[],
  sizes: readonly number[],
): XrayLayer[] {
  const steps = history.filter((h) => !h.empty_layer);
  return diffIds.map((diffId, i) => ({ diffId, size: sizes[i] ?? 0, createdBy: steps[i]?.created_by ?? "" }));
}
