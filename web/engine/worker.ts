/**
 * The engine Worker: the one kernel of the page and every playground's engine
 * and host on it. The page reaches it through Comlink (see protocol.ts); the
 * UI thread never runs guest code or waits on it.
 *
 * The kernel starts as soon as this small entry runs: the SDK's module, the
 * userland and the fixtures download while the engine's own code (most of the
 * Worker's bytes, engine-api.ts) arrives. Calls made meanwhile wait for it.
 */
import * as Comlink from "comlink";

import { bootBrowserKernel } from "../../src/kernel/browser-index.ts";
import { userlandFromManifest, type UserlandManifest } from "../../src/kernel/index.ts";
import type { EngineApi } from "./protocol.ts";
import type { SiteFixtures } from "./site-data.ts";

/** Where the site keeps what the Worker loads, relative to this script. */
const SITE = {
  sdk: new URL("./sdk/dist/index.js", import.meta.url),
  userland: new URL("./wasm/", import.meta.url),
  fixtures: new URL("./fixtures.json", import.meta.url),
};

async function fetchBytes(url: URL): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load ${url.pathname}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function fetchJson<T>(url: URL): Promise<T> {
  return JSON.parse(new TextDecoder().decode(await fetchBytes(url))) as T;
}

const userland = fetchJson<UserlandManifest>(new URL("manifest.json", SITE.userland)).then((manifest) =>
  userlandFromManifest(manifest, (file) => fetchBytes(new URL(file, SITE.userland))),
);
const kernel = bootBrowserKernel({
  sdkUrl: SITE.sdk,
  sdkModules: BERTH_SDK_MODULES.map((file) => new URL(`./${file}`, import.meta.url)),
  userland,
});
const boot = { kernel, fixtures: fetchJson<SiteFixtures>(SITE.fixtures) };
// A failed boot reaches the page through the calls that wait for it.
boot.kernel.catch(() => undefined);
boot.fixtures.catch(() => undefined);
const engine = import("./engine-api.ts").then(({ createEngineApi }) => createEngineApi(boot));

const api: EngineApi = {
  boot: async () => (await engine).boot(),
  createPlayground: async () => (await engine).createPlayground(),
  openShell: async (...args) => (await engine).openShell(...args),
  write: async (...args) => (await engine).write(...args),
  resize: async (...args) => (await engine).resize(...args),
  pull: async (...args) => (await engine).pull(...args),
  xray: async (...args) => (await engine).xray(...args),
  engineRequest: async (...args) => (await engine).engineRequest(...args),
};

Comlink.expose(api);
