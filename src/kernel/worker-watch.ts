/**
 * The SDK's workers, watched: which machine each runs a process for, and
 * whether it is still running it.
 *
 * Why: the kernel cannot stop a process that computes without system calls
 * (DESIGN.md, "Signals"): its kill reports 137 while its worker spins on at
 * 100% of a core, and the processes a killed root started keep running. So
 * when a machine closes, the workers still busy for it after a grace period
 * are terminated. The SDK then counts them busy for ever and never gives
 * them another task; the instance keeps working.
 *
 * How a worker is tied to a machine, since the SDK's tasks carry no process
 * id (measured, SDK 0.16.0): every process starts as a `spawn-wasm` task
 * that the kernel's scope posts to the worker that will run it; the worker
 * then says `busy`, and `idle` when its process has ended. A task comes from
 * a spawn in JavaScript (we know for which machine) or from a guest's
 * `proc_spawn2` (the parent's worker first sends a `scheduler` message
 * `spawn-wasm`; the task inherits the parent's machine). The scope posts
 * tasks in the order it received their requests, but a request from
 * JavaScript and one from a guest can cross: so a task is given every
 * machine with a request pending or just taken. Then its process's first
 * file call settles it: the host filesystem bridge's messages name the mount,
 * and each machine's mounts are its own (every guest writes its start line to
 * its machine's /run/berth/proc before main). A worker is terminated only
 * when all of its machines are closed: it never ends a process of a machine
 * still open.
 *
 * The same tie accounts CPU time per machine (`docker stats`, a cgroup's
 * cpuacct): where the platform can read a thread's CPU time (Node on Linux:
 * each worker says which thread it is, see node-bridge-worker.mjs), the time
 * a worker's thread used while busy goes to the machine it was busy for.
 * A browser cannot read a thread's CPU time: there the figure is unknown.
 */

import { pause } from "../util/index.ts";

/** A machine, as the watch knows it. */
export type Owner = number;

/** What the watch needs of a worker: the DOM's Worker shape, which the SDK's Node adapter copies. */
interface WorkerLike {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown, transfer?: unknown): void;
  terminate(): void;
}

type WorkerClass = new (url: string | URL, options?: unknown) => WorkerLike;

interface Watched {
  readonly worker: WorkerLike;
  /** The SDK instance it works for: its shared memory, given in the worker's `init` message. */
  instance?: unknown;
  busy: boolean;
  /** The machines its current task may belong to (more than one only when requests crossed). */
  owners: ReadonlySet<Owner>;
  /** Its OS thread, once the worker said (where threads can be measured). */
  thread?: number;
  /** The thread's CPU time when last accounted, in nanoseconds. */
  cpuSeen: number;
}

/** A thread's CPU time so far in nanoseconds (undefined once it is gone). */
export type ThreadCpuClock = (thread: number) => number | undefined;

interface Request {
  readonly owners: ReadonlySet<Owner>;
  readonly at: number;
}

interface ReapTiming {
  /** How long a closed machine's processes may take to end on their own. */
  readonly graceMs: number;
  /** How long after the close the watch keeps looking for its busy workers. */
  readonly patienceMs: number;
}

/** A request taken amid others stays a candidate this long (tasks follow their requests within milliseconds). */
const CROSSING_WINDOW_MS = 100;
/** How long a closed machine's processes may take to end on their own (the SDK's kill is not instant). */
const REAP_GRACE_MS = 300;
/** How long the watch keeps looking for a closed machine's busy workers. */
const REAP_PATIENCE_MS = 2_000;
const REAP_POLL_MS = 100;

export class WorkerWatch {
  readonly #workers = new Map<WorkerLike, Watched>();
  readonly #pending: Request[] = [];
  /** Requests taken while others were pending: any of those may have been the next task's. */
  readonly #crossed: Request[] = [];
  readonly #closed = new Set<Owner>();
  /** The SDK instance each owner's tasks ran on (kept past their workers' end). */
  readonly #instances = new Map<Owner, unknown>();
  readonly #reaping = new Set<Promise<void>>();
  #spawnsFromJs: Promise<void> = Promise.resolve();
  readonly #mountOwners = new Map<number, Owner>();
  /** CPU time each machine's processes used, in nanoseconds (measured workers only). */
  readonly #cpu = new Map<Owner, number>();
  #threadCpu: ThreadCpuClock | undefined;
  /** The worker whose file call is being answered now (synchronously, inside its message handler). */
  #answering: Watched | undefined;
  #nextOwner = 1;
  #terminated = 0;

  readonly #timing: ReapTiming;

  constructor(timing: ReapTiming = { graceMs: REAP_GRACE_MS, patienceMs: REAP_PATIENCE_MS }) {
    this.#timing = timing;
  }

  /** A new machine's owner id. */
  newOwner(): Owner {
    return this.#nextOwner++;
  }

  /**
   * The host filesystem bridge's mount ids of `owner`'s machine: a worker's
   * file call on one of them ties its task to that machine for certain (every
   * guest writes its start to /run/berth/proc first thing: wasm/README.md).
   */
  mounted(owner: Owner, mountIds: Iterable<number>): void {
    for (const id of mountIds) this.#mountOwners.set(id, owner);
  }

  /** Reads threads' CPU time with `clock`: workers that say which thread they are are then measured. */
  measureThreads(clock: ThreadCpuClock): void {
    this.#threadCpu = clock;
  }

  /**
   * The CPU time `owner`'s processes have used so far, in nanoseconds;
   * undefined where threads cannot be measured.
   */
  cpuTime(owner: Owner): number | undefined {
    if (!this.#threadCpu) return undefined;
    for (const watched of this.#workers.values()) if (watched.busy && watched.owners.has(owner)) this.#account(watched);
    return this.#cpu.get(owner) ?? 0;
  }

  /**
   * The CPU clock of the process whose file call is being answered now: its
   * worker's thread, which runs that process alone until it ends (nanoseconds
   * used so far, read on each call). Undefined outside a file call, before
   * the worker said which thread it is, or where threads cannot be measured.
   */
  clockOfCaller(): (() => number | undefined) | undefined {
    const thread = this.#answering?.thread;
    const read = this.#threadCpu;
    if (thread === undefined || !read) return undefined;
    return () => read(thread);
  }

  /** How many workers the watch has terminated. */
  get terminated(): number {
    return this.#terminated;
  }

  /** Workers running a task now, by the machines they run it for. */
  busyWorkers(): ReadonlySet<Owner>[] {
    return [...this.#workers.values()].filter((w) => w.busy).map((w) => w.owners);
  }

  /** A Worker class whose instances the watch sees: install it where the SDK looks for `Worker`. */
  wrap(Base: WorkerClass): WorkerClass {
    const watch = this;
    return class WatchedWorker extends Base {
      constructor(url: string | URL, options?: unknown) {
        super(url, options);
        watch.#adopt(this);
      }
    };
  }

  /**
   * Runs `spawn` (a process started from JavaScript on `owner`'s machine)
   * with its task's request pending, so the worker that runs it is tied to it.
   */
  async spawning<T>(owner: Owner, spawn: () => Promise<T>): Promise<T> {
    // One at a time: two spawns from JavaScript in flight at once would always cross.
    const previous = this.#spawnsFromJs;
    let done!: () => void;
    this.#spawnsFromJs = new Promise<void>((resolve) => (done = resolve));
    await previous;
    const request = this.#request(new Set([owner]));
    try {
      return await spawn();
    } catch (error) {
      // Refused before any task was posted: nothing will take the request.
      const at = this.#pending.indexOf(request);
      if (at >= 0) this.#pending.splice(at, 1);
      throw error;
    } finally {
      done();
    }
  }

  /** Makes `scope.Worker` (or `fallback` where there is none) a watched class, once per scope. */
  install(scope: { Worker?: unknown }, fallback?: WorkerClass): void {
    if (watchedScopes.has(scope)) return;
    const Base = (scope.Worker as WorkerClass | undefined) ?? fallback;
    if (!Base) throw new Error("no Worker class to watch");
    Object.defineProperty(scope, "Worker", { configurable: true, writable: true, value: this.wrap(Base) });
    watchedScopes.add(scope);
  }

  /**
   * The machine has closed: its workers still busy after the grace period
   * are terminated (in the background; {@link settled} waits for it).
   */
  closed(owner: Owner): void {
    this.#closed.add(owner);
    const reaping = this.#reap(owner).finally(() => this.#reaping.delete(reaping));
    this.#reaping.add(reaping);
  }

  /**
   * Terminates every worker of the SDK instance that ran `owners`' tasks: the
   * end of a kernel whose instance cannot shut down (its shutdown waits for
   * the workers the watch terminated, which it still counts busy).
   */
  terminateInstance(owners: Iterable<Owner>): void {
    const instances = new Set<unknown>();
    for (const owner of owners) if (this.#instances.has(owner)) instances.add(this.#instances.get(owner));
    for (const watched of [...this.#workers.values()]) if (watched.instance !== undefined && instances.has(watched.instance)) this.#terminate(watched);
  }

  /** Resolves once every closed machine's workers are idle or terminated. */
  async settled(): Promise<void> {
    while (this.#reaping.size > 0) await Promise.all(this.#reaping);
  }

  async #reap(owner: Owner): Promise<void> {
    const start = Date.now();
    await pause(this.#timing.graceMs);
    for (;;) {
      const mine = [...this.#workers.values()].filter((w) => w.busy && w.owners.has(owner));
      for (const watched of mine) {
        if ([...watched.owners].every((o) => this.#closed.has(o))) this.#terminate(watched);
      }
      const waiting = mine.some((w) => this.#workers.has(w.worker));
      if (!waiting || Date.now() - start >= this.#timing.patienceMs) return;
      await pause(Math.min(REAP_POLL_MS, this.#timing.graceMs));
    }
  }

  /**
   * The thread's CPU time since it was last accounted goes to the machines it
   * was busy for (shared when requests crossed and the task is not settled yet).
   */
  #account(watched: Watched): void {
    if (watched.thread === undefined || !this.#threadCpu) return;
    const now = this.#threadCpu(watched.thread);
    if (now === undefined) return;
    const used = now - watched.cpuSeen;
    watched.cpuSeen = now;
    if (!watched.busy || used <= 0 || watched.owners.size === 0) return;
    const share = used / watched.owners.size;
    for (const owner of watched.owners) this.#cpu.set(owner, (this.#cpu.get(owner) ?? 0) + share);
  }

  #terminate(watched: Watched): void {
    this.#account(watched);
    this.#workers.delete(watched.worker);
    this.#terminated++;
    watched.worker.terminate();
  }

  #request(owners: ReadonlySet<Owner>): Request {
    const request = { owners, at: Date.now() };
    this.#pending.push(request);
    return request;
  }

  /**
   * The machines a task just posted may belong to. With one request pending
   * (and none taken amid others lately) it is that request's; with more, the
   * oldest is taken but any of them, or of those taken amid others within the
   * crossing window, may be the task's.
   */
  #ownersOfTask(): ReadonlySet<Owner> {
    const now = Date.now();
    while (this.#crossed.length > 0 && now - this.#crossed[0]!.at > CROSSING_WINDOW_MS) this.#crossed.shift();
    const exact = this.#pending.length === 1 && this.#crossed.length === 0;
    const candidates = [...this.#pending, ...this.#crossed];
    const taken = this.#pending.shift();
    if (exact) return taken!.owners;
    if (taken) this.#crossed.push({ owners: taken.owners, at: now });
    const owners = new Set<Owner>();
    for (const request of candidates) for (const o of request.owners) owners.add(o);
    return owners;
  }

  #adopt(worker: WorkerLike): void {
    const watched: Watched = { worker, busy: false, owners: new Set(), cpuSeen: 0 };
    this.#workers.set(worker, watched);
    const post = worker.postMessage.bind(worker);
    worker.postMessage = (message: unknown, transfer?: unknown) => {
      if (taskType(message) === "spawn-wasm") this.#settle(watched, this.#ownersOfTask());
      else if ((message as { type?: unknown } | null)?.type === "init") watched.instance = (message as { memory?: unknown }).memory;
      post(message, transfer);
    };
    // The SDK sets `onmessage` once per worker. A browser's Worker keeps it in a
    // setter on its prototype, the SDK's Node adapter in a plain field it reads.
    const native = accessorOf(worker, "onmessage");
    let handler: WorkerLike["onmessage"] = null;
    Object.defineProperty(worker, "onmessage", {
      configurable: true,
      get: () => handler,
      set: (next: WorkerLike["onmessage"]) => {
        handler = next && ((event) => {
          if (!this.#observe(watched, event.data)) return;
          // The SDK answers a file call within this handler: the bridge's filesystems may ask whose it is.
          const fileCall = isFileCall(event.data);
          if (fileCall) this.#answering = watched;
          try {
            next(event);
          } finally {
            if (fileCall) this.#answering = undefined;
          }
        });
        native?.set?.call(worker, handler);
      },
    });
  }

  #settle(watched: Watched, owners: ReadonlySet<Owner>): void {
    this.#account(watched);
    watched.owners = owners;
    const [only, ...more] = owners;
    if (only !== undefined && more.length === 0) this.#instances.set(only, watched.instance);
  }

  /** Notes what a worker's message says; false for the watch's own messages, which the SDK must not see. */
  #observe(watched: Watched, data: unknown): boolean {
    const type = (data as { type?: unknown } | null)?.type;
    if (type === THREAD_MESSAGE) {
      const thread = (data as { thread?: unknown }).thread;
      if (typeof thread === "number" && Number.isInteger(thread)) {
        watched.thread = thread;
        watched.cpuSeen = this.#threadCpu?.(thread) ?? 0;
      }
      return false;
    }
    if (isFileCall(data)) {
      // A file call on one machine's mount: the task is that machine's, whatever its pairing said.
      const owner = this.#mountOwners.get((data as { mount?: unknown }).mount as number);
      if (owner !== undefined && (watched.owners.size !== 1 || !watched.owners.has(owner))) this.#settle(watched, new Set([owner]));
    } else if (type === "busy" || type === "idle") {
      // What the thread used while idle (the SDK's own bookkeeping) is no machine's.
      this.#account(watched);
      watched.busy = type === "busy";
    } else if (type === "scheduler" && taskType((data as { msg?: unknown }).msg) === "spawn-wasm") this.#request(watched.owners);
    return true;
  }
}

/** A guest's call to a filesystem served in TypeScript (host-fs-bridge.ts), as its worker posts it. */
function isFileCall(data: unknown): boolean {
  return (data as { type?: unknown } | null)?.type === "wasmer-filesystem-rpc";
}

/** What a worker posts to say which OS thread it is: `{type, thread}` (node-bridge-worker.mjs). */
export const THREAD_MESSAGE = "berth-thread";

const watchedScopes = new WeakSet<object>();

/** The one watch: workers are the SDK's, and every kernel in this scope shares its Worker class. */
export const workerWatch = new WorkerWatch();

/** The kind of a task message (`[objects id, {type, ptr}, transfers]`), if it is one. */
function taskType(message: unknown): unknown {
  return Array.isArray(message) ? (message[1] as { type?: unknown } | undefined)?.type : undefined;
}

/** A property's getter and setter from the object's prototype chain, if it is an accessor there. */
function accessorOf(object: object, name: string): PropertyDescriptor | undefined {
  for (let o: object | null = object; o; o = Object.getPrototypeOf(o) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(o, name);
    if (descriptor) return descriptor.set ? descriptor : undefined;
  }
  return undefined;
}
