/**
 * What a suite of docker command tests stands on: a kernel and the playground,
 * booted before the suite (alpine pulled) and closed after it. `docker(...)`
 * runs the host's docker guest, the path a command typed at the prompt takes;
 * `keys` types at the host's terminal (docker run -it takes them from there).
 * Call it inside the suite's `describe`.
 */
import { after, before } from "node:test";

import type { Engine } from "../../engine/index.ts";
import type { Kernel, Machine, RunResult } from "../../kernel/index.ts";
import { bootNodeKernel } from "../../kernel/node-index.ts";
import { bootNodePlayground } from "../node-playground.ts";
import { TerminalKeys } from "../playground.ts";

export interface DockerTestBed {
  readonly kernel: Kernel;
  /** The host's machine. */
  readonly host: Machine;
  readonly engine: Engine;
  /** The host terminal's keys, as the page or the berth command delivers them. */
  readonly keys: TerminalKeys;
  docker(...args: string[]): Promise<RunResult>;
}

export function dockerTestBed(options: { includeTestCommands?: boolean; timeoutMs?: number } = {}): DockerTestBed {
  let booted: { kernel: Kernel; host: Machine; engine: Engine } | undefined;
  const ready = () => {
    if (!booted) throw new Error("the test bed is used before its suite booted it");
    return booted;
  };
  const bed: DockerTestBed = {
    get kernel() {
      return ready().kernel;
    },
    get host() {
      return ready().host;
    },
    get engine() {
      return ready().engine;
    },
    keys: new TerminalKeys(),
    docker: (...args) => ready().host.run(["docker", ...args], { timeoutMs: options.timeoutMs ?? 30_000 }),
  };
  before(async () => {
    const kernel = await bootNodeKernel({ includeTestCommands: options.includeTestCommands });
    const playground = await bootNodePlayground(kernel, { terminalInput: bed.keys });
    booted = { kernel, host: playground.host.machine, engine: playground.engine };
    await bed.docker("pull", "alpine");
  });
  after(async () => booted?.kernel.close());
  return bed;
}
