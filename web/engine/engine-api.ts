/**
 * The engine Worker's calls (protocol.ts) on its one kernel: every
 * playground's engine and host, and each terminal's shell session. The
 * Worker's first script (worker.ts) loads this code while the SDK downloads.
 */
import * as Comlink from "comlink";

import { createApiHandler, type ApiHandler } from "../../src/api/index.ts";
import { bootPlayground, TerminalKeys, type Playground } from "../../src/cli/playground.ts";
import { FixtureRegistry, pull, type Registry } from "../../src/image/index.ts";
import type { Kernel, KernelProcess } from "../../src/kernel/index.ts";
import { concatBytes } from "../../src/util/index.ts";
import type { EngineApi, TerminalSize } from "./protocol.ts";
import { decodeFiles, type SiteFixtures } from "./site-data.ts";
import { takeXray } from "./xray.ts";

interface World {
  readonly kernel: Kernel;
  readonly registry: Registry;
  readonly hostRootfs: Record<string, Uint8Array>;
}

interface PlaygroundEntry {
  readonly playground: Playground;
  /** The terminal's keys: to the host shell, or to a `docker run -it` that took them. */
  readonly keys: TerminalKeys;
  /** Its Docker Engine API: the routes `berth daemon` serves, over the same engine. */
  readonly engineApi: ApiHandler;
}

interface Session {
  readonly shell: KernelProcess;
  readonly keys: TerminalKeys;
}

/**
 * Output sent to the page and not yet drawn, past which the shell's output
 * waits: xterm.js would queue all of a flood (and drop past 50 MB), its
 * screen minutes behind the keys. Enough for a screenful many times over.
 */
const UNDRAWN_LIMIT_BYTES = 256 * 1024;
const encoder = new TextEncoder();

async function bootWorld(boot: { kernel: Promise<Kernel>; fixtures: Promise<SiteFixtures> }): Promise<World> {
  // The kernel first: on two cores, building these meanwhile held up the SDK's start.
  const kernel = await boot.kernel;
  const fixtures = await boot.fixtures;
  const registry = await FixtureRegistry.build(fixtures.images.map(({ recipe, files }) => ({ recipe, files: decodeFiles(files) })));
  const hostRootfs = decodeFiles(fixtures.host);
  return { kernel, registry, hostRootfs };
}

/**
 * The engine's calls on a kernel that is booting: each waits for what it
 * needs, so the page may call before the boot is done.
 */
export function createEngineApi(boot: { kernel: Promise<Kernel>; fixtures: Promise<SiteFixtures> }): EngineApi {
  const world = bootWorld(boot);
  const playgrounds = new Map<number, PlaygroundEntry>();
  const sessions = new Map<number, Session>();
  let nextId = 1;
  const playground = (id: number): PlaygroundEntry => {
    const found = playgrounds.get(id);
    if (!found) throw new Error(`no playground ${id}`);
    return found;
  };
  const session = (id: number): Session => {
    const found = sessions.get(id);
    if (!found) throw new Error(`no terminal session ${id}`);
    return found;
  };
  return {
    async createPlayground() {
      const { kernel, registry, hostRootfs } = await world;
      const id = nextId++;
      const keys = new TerminalKeys();
      const booted = await bootPlayground({ kernel, registry, rootfs: hostRootfs, term: "xterm-256color", terminalInput: keys });
      playgrounds.set(id, { keys, playground: booted, engineApi: createApiHandler(booted.engine) });
      return id;
    },

    async openShell(playgroundId: number, size: TerminalSize, onOutput, onExit) {
      const { playground: { host }, keys } = playground(playgroundId);
      const shell = await host.machine.spawn(["sh", "-i"], {
        cwd: "/root",
        terminal: size,
        // The shell marks each prompt and command's end (OSC 133), so the page
        // can tell a command's exit status without parsing the screen.
        env: { BERTH_SHELL_INTEGRATION: "1" },
      });
      const id = nextId++;
      sessions.set(id, { shell, keys });
      void (async () => {
        let undrawn = 0;
        let drawn: (() => void) | undefined;
        for await (const chunk of shell.stdout) {
          // A copy of our own to hand over: the chunk may share the SDK's buffer.
          const data = chunk.slice();
          const bytes = data.length;
          undrawn += bytes;
          const done = () => {
            undrawn -= bytes;
            drawn?.();
          };
          // Not awaited one by one: chunks stream on while the page draws, up to the limit.
          void Promise.resolve(onOutput(Comlink.transfer(data, [data.buffer]))).then(done, done);
          while (undrawn > UNDRAWN_LIMIT_BYTES) await new Promise<void>((resolve) => (drawn = resolve));
        }
        const { exitCode } = await shell.wait();
        sessions.delete(id);
        onExit(exitCode);
      })();
      return id;
    },

    async write(sessionId, data) {
      // Returns at once: the SDK takes writes in call order, and a guest that
      // is not reading must not hold up the page.
      const { shell, keys } = session(sessionId);
      keys.deliver(encoder.encode(data), (bytes) => void shell.write(bytes).catch(() => undefined));
    },

    async resize(sessionId, size) {
      session(sessionId).shell.resize(size.columns, size.rows);
    },

    async pull(playgroundId, image) {
      const { engine } = playground(playgroundId).playground;
      await pull({ reference: image, registry: engine.registry, images: engine.images });
    },

    async xray(playgroundId, selected) {
      return takeXray(playground(playgroundId).playground.engine, selected);
    },

    async engineRequest(playgroundId, request) {
      const headers: Record<string, string> = request.body ? { "content-type": "application/json" } : {};
      const response = await playground(playgroundId).engineApi({ method: request.method, url: request.url, headers, body: request.body ?? new Uint8Array() });
      let body: Uint8Array = new Uint8Array();
      if (response.body instanceof Uint8Array) body = response.body;
      else if (response.body) {
        const parts: Uint8Array[] = [];
        for await (const part of response.body) parts.push(part);
        body = concatBytes(parts);
      }
      // A copy of our own to hand over: the body may be the engine's own bytes (a blob, a layer).
      const copy = body.slice();
      return Comlink.transfer({ status: response.status, headers: response.headers, body: copy }, [copy.buffer]);
    },
  };
}
