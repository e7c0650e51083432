/**
 * The page's side of the engine Worker: one Worker (one kernel) per page,
 * shared by every playground element on it.
 */
import { wrap, type Remote } from "comlink";

import type { EngineApi } from "./protocol.ts";

interface PageEngine {
  readonly api: Remote<EngineApi>;
  readonly worker: Worker;
}

let engine: PageEngine | undefined;
const stopListeners = new Set<(reason: string) => void>();
let startWorker: (() => Worker) | undefined;
let startedWorker: Worker | undefined;

/**
 * How the page starts its engine Worker (berth.js knows where the site keeps
 * it), and the Worker berth.js already started, if any: the first engine.
 */
export function useEngineWorker(start: () => Worker, started?: Worker): void {
  startWorker = start;
  startedWorker = started;
}

/** The page's engine Worker, started on first use (again after it stopped). */
export function pageEngine(): Remote<EngineApi> {
  if (!engine) {
    if (!startWorker) throw new Error("the engine Worker is started by berth.js, which has not run");
    const worker = startedWorker ?? startWorker();
    startedWorker = undefined;
    const current: PageEngine = { worker, api: wrap<EngineApi>(worker) };
    // An error nobody caught in the Worker means the kernel's state is unknown:
    // every playground on the page says so instead of freezing.
    const stopped = (reason: string) => {
      if (engine !== current) return;
      engine = undefined;
      worker.terminate();
      for (const listener of stopListeners) listener(reason);
    };
    worker.addEventListener("error", (event) => stopped(event.message || "the engine Worker failed"));
    worker.addEventListener("messageerror", () => stopped("the engine Worker sent a message the page cannot read"));
    engine = current;
  }
  return engine.api;
}

/** Calls `listener` when the page's engine stops; returns the unsubscribe function. */
export function onEngineStopped(listener: (reason: string) => void): () => void {
  stopListeners.add(listener);
  return () => stopListeners.delete(listener);
}

/** Why the engine cannot run on this page, or null when it can. */
export function pageProblem(): string | null {
  if (!globalThis.crossOriginIsolated) {
    return "This page is not cross-origin isolated, so Berth's WebAssembly kernel cannot run threads. Serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp (npm start does), or let Berth's service worker add them and reload.";
  }
  return null;
}
