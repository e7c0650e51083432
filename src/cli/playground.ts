/**
 * The whole playground on one kernel: the engine, and the host whose `docker`
 * command reaches it through the docker device at /run/berth. Beside the
 * device, /run/berth/proc takes the host's process hooks; the host's /proc
 * lists every process on the kernel under host PIDs.
 */
import { createEngine, DockerDevice, type Engine, type TerminalInput } from "../engine/index.ts";
import { MachineFiles, UnionDirectory } from "../fs/index.ts";
import { createHost, type Host } from "../host/index.ts";
import type { Registry } from "../image/index.ts";
import type { Kernel } from "../kernel/index.ts";
import { namespacedMachine } from "../runtime/index.ts";
import { runDocker } from "./docker/index.ts";

export interface Playground {
  readonly engine: Engine;
  readonly host: Host;
}

export async function bootPlayground(options: {
  kernel: Kernel;
  registry: Registry;
  rootfs: Readonly<Record<string, string | Uint8Array>>;
  term?: string;
  /** The host terminal's keys, for `docker run -it` and `exec -it` (see TerminalInput). */
  terminalInput?: TerminalInput;
}): Promise<Playground> {
  const engine = createEngine({ kernel: options.kernel, registry: options.registry });
  const device = new DockerDevice((request, io) => runDocker(engine, request, io), options.terminalInput);
  const processes = engine.runtime.processTable;
  const host = await createHost(options.kernel, {
    rootfs: options.rootfs,
    term: options.term,
    mounts: [{ path: "/run/berth", fs: new UnionDirectory([device, processes.host.device]) }],
    processes: () =>
      processes.list().map((p) => ({
        pid: p.pid,
        ppid: p.ppid,
        args: p.args,
        startedAt: p.startedAt.getTime(),
        cpuTime: p.cpuTime,
        nsPids: p.containerId === null ? [] : [p.namespacePid],
      })),
    memoryUsed: () => processes.memoryUsage(),
  });
  engine.hostFiles = new MachineFiles(host.rootfs);
  // Every process started on the host (its shells, `berth -c`) is a root of the host's namespace.
  return { engine, host: { ...host, machine: namespacedMachine(host.machine, processes.host) } };
}

/**
 * The owner's side of TerminalInput: every key read from the terminal goes
 * through `deliver`, to the docker session that diverted it or else to the
 * host's shell.
 */
export class TerminalKeys implements TerminalInput {
  #sink: ((data: Uint8Array) => void) | undefined;

  divert(sink: (data: Uint8Array) => void): () => void {
    this.#sink = sink;
    return () => {
      if (this.#sink === sink) this.#sink = undefined;
    };
  }

  deliver(data: Uint8Array, toShell: (data: Uint8Array) => void): void {
    (this.#sink ?? toShell)(data);
  }
}
