/**
 * The playground in Node, from the files on disk: the offline registry built
 * from fixtures/images and the host's root filesystem from fixtures/host (or
 * the one given). What the tests, the benches and the berth command boot.
 */
import { readRootfs } from "../host/node-index.ts";
import { FixtureRegistry } from "../image/index.ts";
import { readRecipes } from "../image/node-index.ts";
import type { Kernel } from "../kernel/index.ts";
import { bootPlayground, type Playground } from "./playground.ts";

export async function bootNodePlayground(
  kernel: Kernel,
  options: Omit<Parameters<typeof bootPlayground>[0], "kernel" | "registry" | "rootfs"> & { rootfs?: Readonly<Record<string, string | Uint8Array>> } = {},
): Promise<Playground> {
  const registry = await FixtureRegistry.build(await readRecipes());
  return bootPlayground({ ...options, kernel, registry, rootfs: options.rootfs ?? (await readRootfs()) });
}
