/**
 * What the API needs to know about a container's lifecycle beyond the
 * runtime's state: the main process of a container it started (for attach's
 * stdin and resize), and who waits for the next start or the removal —
 * `docker run` attaches and waits before it starts the container.
 */
import type { KernelProcess } from "../kernel/index.ts";

export class ContainerLifecycle {
  readonly #processes = new Map<string, KernelProcess>();
  readonly #onStart = new Map<string, Set<(process: KernelProcess) => void>>();
  readonly #onRemove = new Map<string, Set<() => void>>();

  /** Called once the container's main process runs; `exited` settles when it ends. */
  started(id: string, process: KernelProcess, exited: Promise<unknown>): void {
    this.#processes.set(id, process);
    void exited.finally(() => {
      if (this.#processes.get(id) === process) this.#processes.delete(id);
    });
    for (const resolve of this.#onStart.get(id) ?? []) resolve(process);
    this.#onStart.delete(id);
  }

  removed(id: string): void {
    // Nothing starts a removed container: its start waiters are dropped.
    this.#onStart.delete(id);
    for (const resolve of this.#onRemove.get(id) ?? []) resolve();
    this.#onRemove.delete(id);
  }

  /** The main process while it runs, when this API started it. */
  process(id: string): KernelProcess | undefined {
    return this.#processes.get(id);
  }

  nextStart(id: string): Promise<KernelProcess> {
    return new Promise((resolve) => add(this.#onStart, id, resolve));
  }

  removal(id: string): Promise<void> {
    return new Promise((resolve) => add(this.#onRemove, id, resolve));
  }
}

function add<T>(map: Map<string, Set<T>>, id: string, value: T): void {
  let set = map.get(id);
  if (!set) map.set(id, (set = new Set()));
  set.add(value);
}
