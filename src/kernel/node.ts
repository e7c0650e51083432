import { Wasmer } from "@wasmer/sdk/node";

import { createKernel, type Kernel } from "./kernel.ts";
import { loadUserland } from "./userland-node.ts";
import type { Userland } from "./userland.ts";

/** Boots the kernel in Node with the userland built on disk (or the one given). */
export async function bootNodeKernel(options: { userland?: Userland; includeTestCommands?: boolean } = {}): Promise<Kernel> {
  const userland = options.userland ?? (await loadUserland({ includeTestCommands: options.includeTestCommands }));
  const wasmer = await Wasmer.create();
  await wasmer.ready();
  return createKernel(wasmer, userland);
}
