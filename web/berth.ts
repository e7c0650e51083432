/**
 * berth.js — the one script a page needs: defines <berth-playground> (with
 * <berth-terminal> and <berth-xray>) and, where the server cannot send the
 * cross-origin isolation headers, installs Berth's service worker to add them.
 *
 * The kernel takes longest to start, so this script starts the engine Worker
 * before anything else loads, and the elements (Lit, xterm) load meanwhile.
 * It has no static import: each would be a round trip before the Worker
 * starts (esbuild.config.mjs checks that none crept in).
 */
const startEngineWorker = () => new Worker(new URL("./engine-worker.js", import.meta.url), { type: "module", name: "berth-engine" });
// Without cross-origin isolation the kernel cannot run; the elements say why.
const firstWorker = globalThis.crossOriginIsolated ? startEngineWorker() : undefined;

const [{ useEngineWorker }, { isolateWithServiceWorker }] = await Promise.all([import("./engine/client.ts"), import("./isolation.ts")]);
useEngineWorker(startEngineWorker, firstWorker);
isolateWithServiceWorker(new URL("./coi-sw.js", import.meta.url));
await import("./elements/berth-playground.ts");

export type { BerthPlayground, CommandResult, EngineApiResult } from "./elements/berth-playground.ts";
export type { BerthTerminal } from "./elements/berth-terminal.ts";
export type { BerthXray } from "./elements/berth-xray.ts";
