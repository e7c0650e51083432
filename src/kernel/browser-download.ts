/**
 * What the kernel downloads in a browser, started at once: the SDK's 4.7 MB
 * module (compiled while it arrives), the SDK's JavaScript modules (requested
 * all at once, not one import depth after another), and the userland.
 *
 * This module imports nothing that loads code, so a Worker's first script can
 * start the downloads before any of the kernel's code has loaded (the engine
 * Worker's does); bootBrowserKernel (browser.ts) takes them from there.
 */
import type * as Sdk from "@wasmer/sdk";

import type { HostFsResponder } from "./host-fs-bridge.ts";
import { userlandFromManifest, type Userland, type UserlandManifest } from "./userland.ts";

export interface BrowserKernelSite {
  /** URL of the SDK's `dist/index.js` as the site hosts it. */
  readonly sdkUrl: string | URL;
  /** The SDK's modules that its entry and `host-filesystem.js` import, as the site hosts them. */
  readonly sdkModules?: readonly (string | URL)[];
  /** URL of the userland's `manifest.json` (its modules are beside it). */
  readonly userlandUrl: string | URL;
}

type SdkOptions = NonNullable<ConstructorParameters<typeof Sdk.Wasmer>[0]>;
export type CompiledSdk = NonNullable<SdkOptions["wasm"]>;

export interface BrowserKernelDownload {
  /** The SDK's module, compiled; undefined if that failed (the SDK then fetches it itself). */
  readonly sdkWasm: Promise<CompiledSdk | undefined>;
  /** The SDK's entry and its host filesystem bridge (whose responder the kernel installs). */
  readonly sdk: Promise<readonly [typeof Sdk, { respondToHostFileSystem: HostFsResponder }]>;
  readonly userland: Promise<Userland>;
}

/** The part of WebAssembly's JS API used here (src/ is typed without the DOM library). */
interface StreamingCompiler {
  compileStreaming(source: Promise<Response>): Promise<CompiledSdk>;
}

export function downloadBrowserKernel(site: BrowserKernelSite): BrowserKernelDownload {
  const sdkUrl = new URL(site.sdkUrl);
  const { WebAssembly: wasmApi } = globalThis as unknown as { WebAssembly: StreamingCompiler };
  const sdkWasm = wasmApi.compileStreaming(fetch(new URL("../pkg/wasmer_sdk_js_bg.wasm", sdkUrl))).catch(() => undefined);
  // The module map loads each once: the SDK's own imports find these in flight.
  for (const url of site.sdkModules ?? []) void import(/* @vite-ignore */ new URL(url).href).catch(() => undefined);
  const sdk = Promise.all([
    import(/* @vite-ignore */ sdkUrl.href) as Promise<typeof Sdk>,
    import(/* @vite-ignore */ new URL("host-filesystem.js", sdkUrl).href) as Promise<{ respondToHostFileSystem: HostFsResponder }>,
  ] as const);
  const userlandUrl = new URL(site.userlandUrl);
  const userland = fetchBytes(userlandUrl).then((bytes) =>
    userlandFromManifest(JSON.parse(new TextDecoder().decode(bytes)) as UserlandManifest, (file) => fetchBytes(new URL(file, userlandUrl))),
  );
  // A failed download reaches the boot, which waits for it (perhaps only later).
  for (const download of [sdk, userland]) download.catch(() => undefined);
  return { sdkWasm, sdk, userland };
}

async function fetchBytes(url: URL): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load ${url.pathname}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
