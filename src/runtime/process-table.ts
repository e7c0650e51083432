/**
 * The process table: every process of every machine on the kernel, with a
 * host PID (global, the kernel's one numbering) and, inside a container, a
 * PID in the container's own namespace that starts at 1 for its main process.
 *
 * Guests report themselves through libcompat's process hooks (wasm/README.md,
 * "Process hooks"): each machine has the file /run/berth/proc, served by its
 * namespace's {@link ProcHookDevice}. A parent asks for its child's pid before
 * spawning (`alloc PPID` -> `pid N`), the child announces itself (`start PID
 * PPID ARGS...`) and its end (`exit PID STATUS`). A process killed by the
 * kernel writes no `exit` line, so processes the engine starts itself (a
 * container's main process, `docker exec`, the host's shells) are "roots":
 * when the kernel says a root is gone, its whole tree leaves the table. When
 * a container stops, its namespace is closed and all of it goes.
 *
 * The lifecycle of one entry:
 *
 *   allocate (pid handed out) -> start (args known, listed) -> exit | root gone | namespace closed
 */
import type { CpuClock, KernelProcess, Machine, RunOptions, RunResult, SpawnOptions } from "../kernel/index.ts";
import { ProcHookDevice } from "./proc-hook.ts";

/** One process as seen from one machine. */
export interface ProcessInfo {
  /** PID in the namespace asked about (the container's, or the host's). */
  readonly pid: number;
  /** PID in the host's (root) namespace. */
  readonly hostPid: number;
  /** Parent's PID in the same namespace; 0 for a process the engine started. */
  readonly ppid: number;
  readonly args: readonly string[];
  readonly startedAt: Date;
  /** CPU time used so far, in nanoseconds (user and system); undefined where it cannot be measured (a browser). */
  readonly cpuTime?: number;
}

/** One process in the host's view: host PIDs, and the container it runs in (null: the host itself). */
export interface HostProcessInfo extends ProcessInfo {
  /** The process's PID inside its own namespace (equal to `pid` for the host's processes). */
  readonly namespacePid: number;
  readonly containerId: string | null;
}

interface Entry {
  readonly pid: number;
  readonly hostPid: number;
  ppid: number;
  /** PID of the root of its tree (the process the engine or a JS caller started). */
  readonly root: number;
  /** Unset until the process announced itself. */
  args?: string[];
  startedAt: Date;
  /** Its memory size in bytes, as it last reported it. */
  memory: number;
  /** Whether Ctrl-C is its own (libcompat's `intr`): it catches or ignores SIGINT, or reads its terminal raw. */
  ownsCtrlC?: boolean;
  /** Its program's CPU clock, read from its start line on (the kernel's clock of the process that wrote it). */
  cpu?: CpuAccount;
  /** CPU time of the programs it ran before an exec, in nanoseconds (Linux keeps counting across exec). */
  cpuBefore: number;
}

interface CpuAccount {
  readonly clock: CpuClock;
  /** The clock's reading at the start line. */
  readonly base: number;
  /** The most it has read since, less the base (kept once the clock can no longer be read). */
  used: number;
}

/** How many exit statuses a namespace remembers for `status` questions. */
const MAX_STATUSES = 1024;

export class ProcessTable {
  #nextHostPid = 1;
  readonly #namespaces = new Set<PidNamespace>();
  /** The host's namespace: the root one, where a PID is the host PID. */
  readonly host: PidNamespace;

  constructor(
    /** The CPU clock of the guest whose hook line is being read (Kernel.cpuClockOfCaller); none: CPU times unknown. */
    readonly cpuClockOfCaller: () => CpuClock | undefined = () => undefined,
  ) {
    this.host = new PidNamespace(this, null);
    this.#namespaces.add(this.host);
  }

  /** A new namespace for a container's machine; close it when the container stops. */
  createNamespace(containerId: string): PidNamespace {
    const namespace = new PidNamespace(this, containerId);
    this.#namespaces.add(namespace);
    return namespace;
  }

  /** Every process on the kernel, host PIDs, in PID order. */
  list(): HostProcessInfo[] {
    const all: HostProcessInfo[] = [];
    for (const namespace of this.#namespaces) {
      for (const p of namespace.list()) {
        all.push({
          pid: p.hostPid,
          hostPid: p.hostPid,
          ppid: namespace.hostPidOf(p.ppid),
          args: p.args,
          startedAt: p.startedAt,
          cpuTime: p.cpuTime,
          namespacePid: p.pid,
          containerId: namespace.containerId,
        });
      }
    }
    return all.sort((a, b) => a.pid - b.pid);
  }

  /** The memory every process on the kernel uses, in bytes (see PidNamespace.memoryUsage). */
  memoryUsage(): number {
    let total = 0;
    for (const namespace of this.#namespaces) total += namespace.memoryUsage();
    return total;
  }

  /** @internal the next host PID (PidNamespace's). */
  nextHostPid(): number {
    return this.#nextHostPid++;
  }

  /** @internal (PidNamespace's). */
  forget(namespace: PidNamespace): void {
    this.#namespaces.delete(namespace);
  }
}

export class PidNamespace {
  readonly #entries = new Map<number, Entry>();
  /** Exit statuses reported lately, for parents whose join saw the kernel's 79 (bounded). */
  readonly #statuses = new Map<number, number>();
  #nextPid = 1;
  #closed = false;
  /** The most processes at once (`--pids-limit`, a cgroup's pids.max); 0: no limit. */
  pidsLimit = 0;
  /** Whether a process ran out of memory and was killed (a cgroup's oom_kill count > 0). */
  oomKilled = false;
  /** The file guests write their hooks to, to be mounted at /run/berth. */
  readonly device: ProcHookDevice;

  constructor(
    readonly table: ProcessTable,
    /** The container this namespace belongs to; null for the host's. */
    readonly containerId: string | null,
  ) {
    this.device = new ProcHookDevice({
      allocate: (parent) => this.#allocateForGuest(parent),
      start: (pid, ppid, args) => this.start(pid, ppid, args),
      exit: (pid, status) => this.exit(pid, status),
      reaped: (pid) => this.exit(pid),
      // A process still listed has written no exit line: asked by its parent, it ended without one.
      status: (pid) => this.#statuses.get(pid) ?? (this.#entries.has(pid) ? "none" : undefined),
      memory: (pid, bytes) => {
        const entry = this.#entries.get(pid);
        if (entry) entry.memory = bytes;
      },
      oom: () => {
        if (!this.#closed) this.oomKilled = true;
      },
      ownsCtrlC: (pid, owns) => {
        const entry = this.#entries.get(pid);
        if (entry) entry.ownsCtrlC = owns;
      },
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Hands out a PID for a process about to start, child of `parentPid` (0:
   * a new root, started from outside the machine). 0 once closed.
   */
  allocate(parentPid: number): number {
    if (this.#closed) return 0;
    const hostPid = this.table.nextHostPid();
    const pid = this.containerId === null ? hostPid : this.#nextPid++;
    const parent = this.#entries.get(parentPid);
    this.#entries.set(pid, { pid, hostPid, ppid: parentPid, root: parent ? parent.root : pid, startedAt: new Date(), memory: 0, cpuBefore: 0 });
    return pid;
  }

  /**
   * A PID a guest asks for (libcompat's `alloc`), refused (-1) past the pids
   * limit and once the namespace is closed: the kernel cannot end a killed
   * container's leftover processes, but they may start no more.
   */
  #allocateForGuest(parentPid: number): number {
    if (this.#closed || (this.pidsLimit > 0 && this.#entries.size >= this.pidsLimit)) return -1;
    return this.allocate(parentPid);
  }

  /** A root's PID, listed at once with the arguments it is started with (its start line confirms them). */
  #allocateRoot(argv: readonly string[]): number {
    const pid = this.allocate(0);
    const entry = this.#entries.get(pid);
    if (entry) entry.args = [...argv];
    return pid;
  }

  /** A process announced itself; a known PID that starts again is an exec (same PID, new program). */
  start(pid: number, ppid: number, args: readonly string[]): void {
    if (this.#closed || pid <= 0) return;
    const cpu = this.#cpuAccountOfCaller();
    const entry = this.#entries.get(pid);
    if (entry) {
      if (!entry.args) entry.startedAt = new Date();
      else entry.cpuBefore = cpuUsed(entry) ?? entry.cpuBefore;
      entry.args = [...args];
      entry.cpu = cpu;
      // An exec: the new program starts with SIGINT's default (libcompat tells only of changes).
      entry.ownsCtrlC = false;
      return;
    }
    // A PID the engine did not hand out (a guest without a namespace pid): keep it if free.
    const parent = this.#entries.get(ppid);
    const hostPid = this.containerId === null ? pid : this.table.nextHostPid();
    this.#entries.set(pid, { pid, hostPid, ppid, root: parent ? parent.root : pid, args: [...args], startedAt: new Date(), memory: 0, cpuBefore: 0, cpu });
    if (pid >= this.#nextPid) this.#nextPid = pid + 1;
  }

  /** The clock of the guest writing its start line now (each process writes its own). */
  #cpuAccountOfCaller(): CpuAccount | undefined {
    const clock = this.table.cpuClockOfCaller();
    const base = clock?.();
    return clock && base !== undefined ? { clock, base, used: 0 } : undefined;
  }

  exit(pid: number, status?: number): void {
    this.#entries.delete(pid);
    if (status === undefined) return;
    this.#statuses.set(pid, status);
    if (this.#statuses.size > MAX_STATUSES) this.#statuses.delete(this.#statuses.keys().next().value!);
  }

  /** The kernel says this root is gone: its tree goes with it (their exits will never be written). */
  dropTree(root: number): void {
    for (const [pid, entry] of this.#entries) if (entry.root === root) this.#entries.delete(pid);
  }

  /** The machine stopped: every process is gone and no PID will be handed out again. */
  close(): void {
    this.#closed = true;
    this.#entries.clear();
    this.table.forget(this);
  }

  /** Processes that have started, in PID order, PIDs of this namespace. */
  list(): ProcessInfo[] {
    const list: ProcessInfo[] = [];
    for (const e of this.#entries.values()) {
      if (!e.args) continue;
      list.push({ pid: e.pid, hostPid: e.hostPid, ppid: this.#parentOf(e), args: e.args, startedAt: e.startedAt, cpuTime: cpuUsed(e) });
    }
    return list.sort((a, b) => a.pid - b.pid);
  }

  /**
   * The memory its processes use, in bytes: the sum of their WebAssembly
   * memories as each last reported it (a cgroup's memory.current; the
   * kernel's own bookkeeping is not counted).
   */
  memoryUsage(): number {
    let total = 0;
    for (const e of this.#entries.values()) total += e.memory;
    return total;
  }

  /** How many processes it has (a cgroup's pids.current). */
  get processCount(): number {
    return this.#entries.size;
  }

  /**
   * Whether Ctrl-C on the terminal of `root`'s tree ends it: the kernel
   * sends SIGINT to the root only, and none of the tree's processes catches
   * or ignores it or reads the terminal raw. A root that computes without
   * system calls never reaches that SIGINT (wasm/README.md, "Signals"), so
   * the engine carries it out (Runtime.attachInput).
   */
  ctrlCEnds(root: number): boolean {
    for (const entry of this.#entries.values()) if (entry.root === root && entry.ownsCtrlC) return false;
    return this.#entries.has(root);
  }

  /** As Linux: an orphan's parent becomes the namespace's PID 1 (0 when that is gone too). */
  #parentOf(entry: Entry): number {
    if (entry.ppid === 0 || this.#entries.get(entry.ppid)?.args) return entry.ppid;
    return entry.pid !== 1 && this.#entries.get(1)?.args ? 1 : 0;
  }

  /** The host PID of a PID of this namespace; 0 when there is no such process. */
  hostPidOf(pid: number): number {
    return this.#entries.get(pid)?.hostPid ?? 0;
  }

  /**
   * Starts a process on `machine` as a root of this namespace: it gets the
   * next PID (1 for a container's first) and PPID 0, and leaves the table
   * with its whole tree when the kernel reports it gone.
   */
  async spawn(machine: Machine, argv: readonly string[], options: SpawnOptions = {}): Promise<{ pid: number; process: KernelProcess }> {
    const pid = this.#allocateRoot(argv);
    let process: KernelProcess;
    try {
      process = await machine.spawn(argv, { ...options, env: { ...options.env, ...pidEnv(pid) } });
    } catch (error) {
      this.dropTree(pid);
      throw error;
    }
    return { pid, process: joinedProcess(process, () => this.dropTree(pid)) };
  }

  /** `machine.run` as a root of this namespace. */
  async run(machine: Machine, argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const pid = this.#allocateRoot(argv);
    try {
      return await machine.run(argv, { ...options, env: { ...options.env, ...pidEnv(pid) } });
    } finally {
      this.dropTree(pid);
    }
  }
}

/** CPU time a process has used (its programs before an exec included), in nanoseconds; undefined when unmeasured. */
function cpuUsed(entry: Entry): number | undefined {
  const account = entry.cpu;
  if (!account) return entry.cpuBefore || undefined;
  const now = account.clock();
  if (now !== undefined) account.used = Math.max(account.used, now - account.base);
  return entry.cpuBefore + account.used;
}

/** What libcompat reads at start: its own PID and its parent's (wasm/README.md, "Process hooks"). */
function pidEnv(pid: number): Record<string, string> {
  return pid > 0 ? { BERTH_PID: String(pid), BERTH_PPID: "0" } : {};
}

/** The process, with `onGone` called once when the kernel reports it ended (however it ended). */
function joinedProcess(process: KernelProcess, onGone: () => void): KernelProcess {
  let waited: ReturnType<KernelProcess["wait"]> | undefined;
  const wait = () =>
    (waited ??= process.wait().finally(onGone));
  void wait().catch(() => undefined);
  return {
    id: process.id,
    write: (data) => process.write(data),
    closeStdin: () => process.closeStdin(),
    stdout: process.stdout,
    stderr: process.stderr,
    resize: (columns, rows) => process.resize(columns, rows),
    wait,
    kill: () => process.kill(),
    terminate: (gracePeriodMs) => process.terminate(gracePeriodMs),
  };
}

/** A machine whose every process is a root of `namespace` (the host's shells and commands). */
export function namespacedMachine(machine: Machine, namespace: PidNamespace): Machine {
  return {
    run: (argv, options) => namespace.run(machine, argv, options),
    spawn: async (argv, options) => (await namespace.spawn(machine, argv, options)).process,
    cpuTime: () => machine.cpuTime(),
    close: () => machine.close(),
  };
}
