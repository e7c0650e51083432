/**
 * Booting the kernel in a browser Worker.
 *
 * The SDK is not bundled: its wasm and its workers find each other through
 * `import.meta.url`, so the site hosts the SDK's `dist/` and `pkg/` files as
 * published and we import it from there. The SDK's browser worker already runs
 * the worker half of the host filesystem bridge; we supply the other half.
 */
import type * as Sdk from "@wasmer/sdk";

import type { BrowserKernelDownload } from "./browser-download.ts";
import { useHostFsResponder } from "./host-fs-bridge.ts";
import { createKernel, type Kernel } from "./kernel.ts";
import { wrapSandboxFactory } from "./sandbox-mounts.ts";
import { workerWatch } from "./worker-watch.ts";

/** Why the kernel cannot run on this page, or null when it can. */
export function browserKernelProblem(): string | null {
  if (typeof SharedArrayBuffer === "undefined" || !(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) {
    return "this page is not cross-origin isolated (it needs the COOP and COEP headers), so WebAssembly threads are off";
  }
  return null;
}

/** Boots the kernel on its downloads (started by downloadBrowserKernel, perhaps long before). */
export async function bootBrowserKernel(download: BrowserKernelDownload): Promise<Kernel> {
  const problem = browserKernelProblem();
  // Without isolation the SDK fails silently (runs "succeed" with no output).
  if (problem) throw new Error(`cannot start the kernel: ${problem}`);
  const [sdk, bridge] = await download.sdk;
  useHostFsResponder(bridge.respondToHostFileSystem);
  // Before the SDK's first worker: the watch must see them all (worker-watch.ts).
  workerWatch.install(globalThis as { Worker?: unknown });

  class BridgedWasmer extends sdk.Wasmer {
    protected static override async initializeCore(coreOptions: ConstructorParameters<typeof Sdk.Wasmer>[0] = {}) {
      const core = await super.initializeCore(coreOptions);
      wrapSandboxFactory(core as unknown as Parameters<typeof wrapSandboxFactory>[0]);
      return core;
    }
  }
  const wasm = await download.sdkWasm;
  const wasmer = await BridgedWasmer.create({ cache: "memory", ...(wasm ? { wasm } : {}) });
  return createKernel(wasmer, download.userland, { cpus: (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency || 1, warmUp: false });
}
