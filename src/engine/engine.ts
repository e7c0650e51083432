/**
 * The engine (Docker's daemon): one kernel, the image store and registry, the
 * container runtime, and the host machine whose `docker` command talks to it.
 */
import { MemoryContentStore } from "../fs/index.ts";
import { ImageStore, type Registry } from "../image/index.ts";
import type { Kernel } from "../kernel/index.ts";
import { Runtime } from "../runtime/index.ts";

export interface Engine {
  readonly kernel: Kernel;
  readonly registry: Registry;
  readonly images: ImageStore;
  readonly runtime: Runtime;
  readonly startedAt: Date;
}

export function createEngine(options: { kernel: Kernel; registry: Registry }): Engine {
  const images = new ImageStore(new MemoryContentStore());
  return {
    kernel: options.kernel,
    registry: options.registry,
    images,
    runtime: new Runtime(options.kernel, images),
    startedAt: new Date(),
  };
}
