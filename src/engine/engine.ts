/**
 * The engine (Docker's daemon): one kernel, the image store and registry, the
 * container runtime, and the host machine whose `docker` command talks to it.
 */
import { BuildCache } from "../build/index.ts";
import { MemoryContentStore, type MachineFiles } from "../fs/index.ts";
import { ImageStore, type Registry } from "../image/index.ts";
import type { Kernel } from "../kernel/index.ts";
import { Runtime } from "../runtime/index.ts";
import { EventLog } from "../util/index.ts";
import { VolumeStore } from "../volume/index.ts";

export interface Engine {
  readonly kernel: Kernel;
  readonly registry: Registry;
  readonly images: ImageStore;
  readonly runtime: Runtime;
  readonly volumes: VolumeStore;
  /** What happened to containers, images and volumes: `docker events`. */
  readonly events: EventLog;
  readonly startedAt: Date;
  /** What `docker build` steps made, for reuse (CACHED). */
  readonly buildCache: BuildCache;
  /**
   * The host machine's files, for what the docker CLI reads and writes on its
   * caller's machine: `docker build PATH`, `--env-file`, bind mounts, `docker
   * cp`. Set by whoever boots the host (bootPlayground).
   */
  hostFiles?: MachineFiles;
}

export function createEngine(options: { kernel: Kernel; registry: Registry }): Engine {
  const events = new EventLog();
  const images = new ImageStore(new MemoryContentStore(), events);
  const volumes = new VolumeStore(events);
  return {
    kernel: options.kernel,
    registry: options.registry,
    images,
    runtime: new Runtime(options.kernel, images, volumes, events),
    volumes,
    events,
    startedAt: new Date(),
    buildCache: new BuildCache(),
  };
}
