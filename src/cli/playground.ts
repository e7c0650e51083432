/**
 * The whole playground on one kernel: the engine, and the host whose `docker`
 * command reaches it through the docker device at /run/berth.
 */
import { createEngine, DockerDevice, type Engine } from "../engine/index.ts";
import { createHost, type Host } from "../host/index.ts";
import type { Registry } from "../image/index.ts";
import type { Kernel } from "../kernel/index.ts";
import { runDocker } from "./docker/index.ts";

export interface Playground {
  readonly engine: Engine;
  readonly host: Host;
}

export async function bootPlayground(options: {
  kernel: Kernel;
  registry: Registry;
  rootfs: Readonly<Record<string, string | Uint8Array>>;
  term?: string;
}): Promise<Playground> {
  const engine = createEngine({ kernel: options.kernel, registry: options.registry });
  const device = new DockerDevice((request, io) => runDocker(engine, request, io));
  const host = await createHost(options.kernel, {
    rootfs: options.rootfs,
    term: options.term,
    mounts: [{ path: "/run/berth", fs: device }],
  });
  return { engine, host };
}
