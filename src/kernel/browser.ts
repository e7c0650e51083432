/**
 * Booting the kernel in a browser Worker.
 *
 * The SDK is not bundled: its wasm and its workers find each other through
 * `import.meta.url`, so the site hosts the SDK's `dist/` and `pkg/` files as
 * published and we import it from there. The SDK's browser worker already runs
 * the worker half of the host filesystem bridge; we supply the other half.
 */
import type * as Sdk from "@wasmer/sdk";

import { useHostFsResponder, type HostFsResponder } from "./host-fs-bridge.ts";
import { createKernel, type Kernel } from "./kernel.ts";
import { wrapSandboxFactory } from "./sandbox-mounts.ts";
import type { Userland } from "./userland.ts";

export interface BrowserKernelOptions {
  /** URL of the SDK's `dist/index.js` as the site hosts it. */
  readonly sdkUrl: string | URL;
  /** The userland, or its download in flight (the SDK starts meanwhile). */
  readonly userland: Userland | Promise<Userland>;
  /** SDK worker threads kept for concurrent processes; the SDK's own default is 2. */
  readonly parallelism?: number;
}

/** Why the kernel cannot run on this page, or null when it can. */
export function browserKernelProblem(): string | null {
  if (typeof SharedArrayBuffer === "undefined" || !(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) {
    return "this page is not cross-origin isolated (it needs the COOP and COEP headers), so WebAssembly threads are off";
  }
  return null;
}

export async function bootBrowserKernel(options: BrowserKernelOptions): Promise<Kernel> {
  const problem = browserKernelProblem();
  // Without isolation the SDK fails silently (runs "succeed" with no output).
  if (problem) throw new Error(`cannot start the kernel: ${problem}`);
  const sdkUrl = new URL(options.sdkUrl);
  const sdk = (await import(/* @vite-ignore */ sdkUrl.href)) as typeof Sdk;
  const bridge = (await import(/* @vite-ignore */ new URL("host-filesystem.js", sdkUrl).href)) as {
    respondToHostFileSystem: HostFsResponder;
  };
  useHostFsResponder(bridge.respondToHostFileSystem);

  class BridgedWasmer extends sdk.Wasmer {
    protected static override async initializeCore(coreOptions: ConstructorParameters<typeof Sdk.Wasmer>[0] = {}) {
      const core = await super.initializeCore(coreOptions);
      wrapSandboxFactory(core as unknown as Parameters<typeof wrapSandboxFactory>[0]);
      return core;
    }
  }
  const wasmer = await BridgedWasmer.create({ cache: "memory", parallelism: options.parallelism ?? 6 });
  return createKernel(wasmer, options.userland);
}
