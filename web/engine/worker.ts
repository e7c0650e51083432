/**
 * The engine Worker's first script: the one kernel of the page and every
 * playground's engine and host on it. The page reaches it through Comlink
 * (see protocol.ts); the UI thread never runs guest code or waits on it.
 *
 * The kernel takes longest to start, so this script starts its downloads
 * (the SDK, compiled while it arrives, and the userland) and the fixtures'
 * download, then loads the engine's code (worker-main.ts). It imports nothing
 * else statically: each import would be a round trip before the downloads
 * begin (esbuild.config.mjs checks that none crept in).
 */
import { downloadBrowserKernel } from "../../src/kernel/browser-download.ts";

const site = new URL(".", import.meta.url);
const kernel = downloadBrowserKernel({
  sdkUrl: new URL("sdk/dist/index.js", site),
  sdkModules: BERTH_SDK_MODULES.split(" ").map((file) => new URL(file, site)),
  userlandUrl: new URL("wasm/manifest.json", site),
});
const fixtures = fetch(new URL("fixtures.json", site));
// A failed download reaches the page through the engine's calls, which wait for it.
fixtures.catch(() => undefined);

// The page may call before the engine's code has loaded: its messages wait here.
const held: MessageEvent[] = [];
const hold = (event: MessageEvent) => held.push(event);
addEventListener("message", hold);
const { serveEngine } = await import("./worker-main.ts");
removeEventListener("message", hold);
serveEngine({ kernel, fixtures });
for (const event of held) dispatchEvent(new MessageEvent("message", { data: event.data, ports: [...event.ports] }));
