/**
 * The engine Worker once its code has loaded: boots the kernel on the
 * downloads its first script (worker.ts) started, and answers the page.
 */
import * as Comlink from "comlink";

import { bootBrowserKernel, type BrowserKernelDownload } from "../../src/kernel/browser-index.ts";
import { createEngineApi } from "./engine-api.ts";
import type { SiteFixtures } from "./site-data.ts";

export function serveEngine(downloads: { kernel: BrowserKernelDownload; fixtures: Promise<Response> }): void {
  const boot = { kernel: bootBrowserKernel(downloads.kernel), fixtures: fixturesOf(downloads.fixtures) };
  // A failed boot reaches the page through the calls that wait for it.
  boot.kernel.catch(() => undefined);
  boot.fixtures.catch(() => undefined);
  Comlink.expose(createEngineApi(boot));
}

async function fixturesOf(download: Promise<Response>): Promise<SiteFixtures> {
  const response = await download;
  if (!response.ok) throw new Error(`cannot load fixtures.json: HTTP ${response.status}`);
  return (await response.json()) as SiteFixtures;
}
