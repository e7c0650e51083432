/**
 * berth.js — the one script a page needs: defines <berth-playground> (with
 * <berth-terminal> and <berth-xray>) and, where the server cannot send the
 * cross-origin isolation headers, installs Berth's service worker to add them.
 *
 * The kernel takes longest to start, so this small entry starts the engine
 * Worker first and loads the elements (Lit, xterm) meanwhile.
 */
import { pageEngine, pageProblem } from "./engine/client.ts";
import { isolateWithServiceWorker } from "./isolation.ts";

isolateWithServiceWorker(new URL("./coi-sw.js", import.meta.url));
if (!pageProblem()) void pageEngine().boot().catch(() => undefined);
await import("./elements/berth-playground.ts");

export type { BerthPlayground, CommandResult, EngineApiResult } from "./elements/berth-playground.ts";
export type { BerthTerminal } from "./elements/berth-terminal.ts";
export type { BerthXray } from "./elements/berth-xray.ts";
