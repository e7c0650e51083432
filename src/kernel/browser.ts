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
import { workerWatch } from "./worker-watch.ts";

export interface BrowserKernelOptions {
  /** URL of the SDK's `dist/index.js` as the site hosts it. */
  readonly sdkUrl: string | URL;
  /** The userland, or its download in flight (the SDK starts meanwhile). */
  readonly userland: Userland | Promise<Userland>;
  /**
   * The SDK's modules that its entry and `host-filesystem.js` import, as the
   * site hosts them: all requested at once instead of one import depth after
   * another (four round trips before the SDK can start).
   */
  readonly sdkModules?: readonly (string | URL)[];
}

/** Why the kernel cannot run on this page, or null when it can. */
export function browserKernelProblem(): string | null {
  if (typeof SharedArrayBuffer === "undefined" || !(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) {
    return "this page is not cross-origin isolated (it needs the COOP and COEP headers), so WebAssembly threads are off";
  }
  return null;
}

type SdkOptions = NonNullable<ConstructorParameters<typeof Sdk.Wasmer>[0]>;

/** The part of WebAssembly's JS API used here (src/ is typed without the DOM library). */
interface StreamingCompiler {
  compileStreaming(source: Promise<Response>): Promise<NonNullable<SdkOptions["wasm"]>>;
}

export async function bootBrowserKernel(options: BrowserKernelOptions): Promise<Kernel> {
  const problem = browserKernelProblem();
  // Without isolation the SDK fails silently (runs "succeed" with no output).
  if (problem) throw new Error(`cannot start the kernel: ${problem}`);
  const sdkUrl = new URL(options.sdkUrl);
  // Compile the SDK's 4.7 MB module while its JavaScript loads (the SDK would only
  // start fetching it afterwards); if this fails, the SDK fetches it itself.
  const { WebAssembly: wasmApi } = globalThis as unknown as { WebAssembly: StreamingCompiler };
  const sdkModule = wasmApi.compileStreaming(fetch(new URL("../pkg/wasmer_sdk_js_bg.wasm", sdkUrl))).catch(() => undefined);
  // The module map loads each once: the SDK's own imports find these in flight.
  for (const url of options.sdkModules ?? []) void import(/* @vite-ignore */ new URL(url).href).catch(() => undefined);
  const [sdk, bridge] = (await Promise.all([
    import(/* @vite-ignore */ sdkUrl.href),
    import(/* @vite-ignore */ new URL("host-filesystem.js", sdkUrl).href),
  ])) as [typeof Sdk, { respondToHostFileSystem: HostFsResponder }];
  useHostFsResponder(bridge.respondToHostFileSystem);
  // Before the SDK's first worker: the watch must see them all (worker-watch.ts).
  workerWatch.install(globalThis as { Worker?: unknown });

  class BridgedWasmer extends sdk.Wasmer {
    protected static override async initializeCore(coreOptions: SdkOptions = {}) {
      const core = await super.initializeCore(coreOptions);
      wrapSandboxFactory(core as unknown as Parameters<typeof wrapSandboxFactory>[0]);
      return core;
    }
  }
  const wasm = await sdkModule;
  const wasmer = await BridgedWasmer.create({ cache: "memory", ...(wasm ? { wasm } : {}) });
  return createKernel(wasmer, options.userland, { cpus: (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency || 1, warmUp: false });
}
