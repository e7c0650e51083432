/**
 * The page's side of the engine Worker: one Worker (one kernel) per page,
 * shared by every playground element on it.
 */
import * as Comlink from "comlink";

import type { EngineApi } from "./protocol.ts";

let engine: Comlink.Remote<EngineApi> | undefined;

/** The page's engine Worker, started on first use. */
export function pageEngine(): Comlink.Remote<EngineApi> {
  if (!engine) {
    const worker = new Worker(new URL("./engine-worker.js", import.meta.url), { type: "module", name: "berth-engine" });
    engine = Comlink.wrap<EngineApi>(worker);
  }
  return engine;
}

/** Why the engine cannot run on this page, or null when it can. */
export function pageProblem(): string | null {
  if (!globalThis.crossOriginIsolated) {
    return "This page is not cross-origin isolated, so Berth's WebAssembly kernel cannot run threads. Serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp (npm start does), or let Berth's service worker add them and reload.";
  }
  return null;
}

export { Comlink };
