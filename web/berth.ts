/**
 * berth.js — the one script a page needs: defines <berth-playground> (with
 * <berth-terminal> and <berth-xray>) and, where the server cannot send the
 * cross-origin isolation headers, installs Berth's service worker to add them.
 */
import "./elements/berth-playground.ts";
import { isolateWithServiceWorker } from "./isolation.ts";

isolateWithServiceWorker(new URL("./coi-sw.js", import.meta.url));

export { BerthPlayground, type CommandResult } from "./elements/berth-playground.ts";
export { BerthTerminal } from "./elements/berth-terminal.ts";
export { BerthXray } from "./elements/berth-xray.ts";
