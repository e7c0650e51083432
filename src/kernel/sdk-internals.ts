/**
 * Undocumented parts of @wasmer/sdk 0.16.0 that the host filesystem bridge needs
 * (DESIGN.md). They are not in the package's exports map, so they are loaded by
 * file URL next to the SDK's own entry point. Pinned SDK version; the contract
 * suite (host-fs-bridge.test.ts) fails loudly if an update moves them.
 */
const SDK_DIST = new URL(".", import.meta.resolve("@wasmer/sdk/node"));

interface HostFileSystemModule {
  respondToHostFileSystem(request: unknown, result: unknown): void;
}

interface NodeWorkerAdapterModule {
  NodeWorkerAdapter: new (url: string | URL, options?: unknown) => {
    onmessage: ((event: { data: unknown }) => void) | null;
    postMessage(message: unknown, transfer?: unknown): void;
    terminate(): void;
  };
}

interface SdkCoreModule {
  setWorkerUrl(url: string): void;
}

const hostFileSystem = (await import(new URL("host-filesystem.js", SDK_DIST).href)) as HostFileSystemModule;
const nodeWorkerAdapter = (await import(new URL("node-worker-adapter.js", SDK_DIST).href)) as NodeWorkerAdapterModule;
const sdkCore = (await import(new URL("../pkg/wasmer_sdk_js.js", SDK_DIST).href)) as SdkCoreModule;

/** Writes a reply (`{value}` or `{error: {code, message}}`) and wakes the blocked guest. */
export const respondToHostFileSystem = hostFileSystem.respondToHostFileSystem;

/** The Worker class the SDK installs in Node (where there is no global Worker): `worker_threads` in the DOM's shape. */
export const NodeWorkerAdapter = nodeWorkerAdapter.NodeWorkerAdapter;

/** Points the SDK at the module its workers start from. */
export const setWorkerUrl = sdkCore.setWorkerUrl;

/** The SDK's Node worker entry, which our worker module wraps. */
export const NODE_WORKER_URL = new URL("node-worker.js", SDK_DIST).href;
export const HOST_FILESYSTEM_URL = new URL("host-filesystem.js", SDK_DIST).href;
