/**
 * Runs containers on the shared kernel. Each container is a machine of its
 * own: its root filesystem (the image's layers, shared, under a private
 * writable layer) mounted at every top-level directory and, whole, at
 * ROOT_MOUNT, which libcompat makes each process's "/"; its own /proc and
 * hostname; the userland's programs come from the kernel, shared by all.
 *
 * create -> start -> (exit | kill) -> start again | remove
 */
import { copyTree, createProcFs, KERNEL_DIRECTORIES, layerTree, MemoryFileSystem, MountTree, OverlayFileSystem, ROOT_MOUNT, readTar, SubtreeFileSystem, type ContentProvider, type DirNode } from "../fs/index.ts";
import type { Image, ImageStore } from "../image/index.ts";
import type { Kernel, KernelProcess, Machine, Mount, MountedFileSystem } from "../kernel/index.ts";
import { BerthError, EventLog, type Digest } from "../util/index.ts";
import { checkVolumeName, type VolumeStore } from "../volume/index.ts";
import { ContainerLog } from "./container-log.ts";
import { newContainerId, type Container, type ContainerConfig, type ContainerResources, type LogEntry, type MountPoint } from "./container.ts";
import { randomName } from "./names.ts";
import { ProcessTable, type HostProcessInfo, type PidNamespace, type ProcessInfo } from "./process-table.ts";
import { isRunning, transition } from "./state.ts";

export interface CreateOptions {
  readonly image: string;
  readonly name?: string;
  readonly cmd?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly env?: readonly string[];
  readonly workingDir?: string;
  readonly hostname?: string;
  readonly user?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly tty?: boolean;
  readonly openStdin?: boolean;
  readonly autoRemove?: boolean;
  /** The most processes the container may have at once (a cgroup's pids.max); 0 or less: no limit. */
  readonly pidsLimit?: number;
  /** The most memory, in bytes, each of its processes may have (a cgroup's memory.max, per process here); 0: no limit. */
  readonly memory?: number;
  readonly memorySwap?: number;
  /** `--cpus` in billionths of a CPU, and `--cpu-shares`: accounted and recorded (ContainerResources). */
  readonly nanoCpus?: number;
  readonly cpuShares?: number;
  /** Run this manifest (an unnamed image, e.g. a build step's) instead of resolving `image`. */
  readonly manifestDigest?: Digest;
  /** `-v`: volumes and host directories to mount. */
  readonly volumes?: readonly VolumeRequest[];
}

/** One `-v`: a volume by name (created when missing; anonymous without a name) or a host directory. */
export type VolumeRequest =
  | { readonly type: "volume"; readonly name?: string; readonly destination: string; readonly readOnly: boolean; readonly noCopy?: boolean; readonly spec?: string }
  | {
      readonly type: "bind";
      readonly source: string;
      readonly fs: MountedFileSystem;
      /** The source is a file (the fs serves it at ""). */
      readonly file?: boolean;
      readonly destination: string;
      readonly readOnly: boolean;
      readonly spec?: string;
    };

export interface StartOptions {
  /** Receives the container's output as it is written; the next output waits for what it returns (see attachOutput). */
  readonly onOutput?: (entry: LogEntry) => void | Promise<void>;
  readonly terminal?: { readonly columns: number; readonly rows: number };
}

/** The files of Container.etcFiles, mounted at /etc/NAME. */
const ETC_FILES = ["hostname", "hosts"] as const;

/** Docker's /etc/hosts for a container without a network (--network none): Berth's have none. */
const NO_NETWORK_HOSTS = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback", "fe00::\tip6-localnet", "ff00::\tip6-mcastprefix", "ff02::1\tip6-allnodes", "ff02::2\tip6-allrouters", ""].join("\n");

/** runc's PATH for a container whose environment sets none. */
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** How long the output of a main process that ended may still take to arrive. */
const OUTPUT_GRACE_MS = 1000;
/**
 * The same, after the engine killed it: Docker's kill takes the whole cgroup,
 * so no leftover child holds the output open; what is left is only in transit.
 */
const KILLED_OUTPUT_GRACE_MS = 100;

/** Ctrl-C: a terminal's interrupt character (VINTR). */
const INTERRUPT_KEY = 0x03;
/** What Docker reports for a main process SIGINT ended: 128 + 2. */
const INTERRUPTED_STATUS = 130;

/** Memory a container reports without --memory. */
const DEFAULT_MEMORY_BYTES = 2 * 1024 ** 3;

export interface ExecOptions {
  readonly cmd: readonly string[];
  /** NAME=value entries, over the container's environment. */
  readonly env?: readonly string[];
  /** Default: the container's working directory. */
  readonly workingDir?: string;
  /** Default: the container's user. */
  readonly user?: string;
  readonly terminal?: { readonly columns: number; readonly rows: number };
}

export interface StopOptions {
  /** Seconds between the SIGTERM and the SIGKILL; Docker's default is 10. */
  readonly timeoutSeconds?: number;
  /** "SIGKILL"/"KILL"/"9" kills at once; any other signal is sent as the kernel's SIGTERM. */
  readonly signal?: string;
}

/** Signals by name (without SIG) as `docker stop -s` and `docker kill -s` take them. */
const SIGNALS: Readonly<Record<string, number>> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11, USR2: 12,
  PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22,
  URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, PWR: 30, SYS: 31,
};

/** A signal's number from "SIGTERM", "TERM" or "15"; Docker's error otherwise. */
export function parseSignal(signal: string): number {
  const upper = signal.toUpperCase().replace(/^SIG/, "");
  const number = /^\d+$/.test(signal) ? Number(signal) : SIGNALS[upper];
  if (number === undefined || number < 1 || number > 64) throw new BerthError("INVALID_ARGUMENT", `Invalid signal: ${signal}`);
  return number;
}

/** A running container's counters (docker stats). */
export interface ContainerUsage {
  /** CPU time its processes used since it started, in nanoseconds; undefined where it cannot be measured (a browser). */
  readonly cpuTime: number | undefined;
  /** Memory its processes use, in bytes (their WebAssembly memories). */
  readonly memory: number;
  /** Its memory limit, or the host's memory without one. */
  readonly memoryLimit: number;
  readonly pids: number;
}

interface Task {
  readonly machine: Machine;
  readonly process: KernelProcess;
  /** The main process's PID in its namespace. */
  readonly pid: number;
  readonly namespace: PidNamespace;
  readonly exited: Promise<number>;
  /** The top-level directories the kernel's namespace has: those there at start (see exec's BERTH_CWD). */
  readonly topLevel: ReadonlySet<string>;
  /** Set by stop: when the SIGTERM was sent and how long the grace period is. */
  stopping?: { readonly at: number; readonly graceMs: number };
  /** Set when Ctrl-C on its terminal ended it (attachInput). */
  interrupted?: boolean;
}

export class Runtime {
  readonly #containers = new Map<string, Container>();
  readonly #tasks = new Map<string, Task>();
  readonly #layers: LayerCache;
  readonly #logListeners = new Map<string, Set<(entry: LogEntry) => void | Promise<void>>>();
  /** Every process on the kernel: the host's and each running container's. */
  readonly processTable = new ProcessTable(() => this.kernel.cpuClockOfCaller());

  constructor(
    readonly kernel: Kernel,
    readonly images: ImageStore,
    readonly volumes: VolumeStore,
    /** Where its container events go (create, start, kill, die, stop, restart, rename, destroy). */
    readonly events = new EventLog(),
  ) {
    this.#layers = new LayerCache(images.content);
  }

  list(options: { all?: boolean } = {}): Container[] {
    return [...this.#containers.values()]
      .filter((c) => options.all || isRunning(c.state.status))
      .sort((a, b) => b.created.getTime() - a.created.getTime());
  }

  /** Whether a container with this full ID exists (not removed). */
  exists(id: string): boolean {
    return this.#containers.has(id);
  }

  /** A container by full ID, name, or unique ID prefix — Docker's lookup order. */
  get(ref: string): Container {
    const byId = this.#containers.get(ref);
    if (byId) return byId;
    const name = ref.startsWith("/") ? ref.slice(1) : ref;
    for (const c of this.#containers.values()) if (c.name === name) return c;
    const matches = [...this.#containers.values()].filter((c) => c.id.startsWith(ref));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new BerthError("INVALID_ARGUMENT", `multiple IDs found with provided prefix: ${ref}`);
    throw new BerthError("NOT_FOUND", `No such container: ${ref}`);
  }

  async create(options: CreateOptions): Promise<Container> {
    const image = options.manifestDigest ? await this.images.load(options.manifestDigest) : await this.images.resolve(options.image);
    checkPlatform(image, options.image);
    if (options.name !== undefined) this.#checkName(options.name);
    const id = newContainerId();
    const run = image.config.config;
    const config: ContainerConfig = {
      image: options.image,
      imageId: image.id,
      entrypoint: options.entrypoint ?? run.Entrypoint ?? [],
      cmd: options.cmd?.length ? options.cmd : options.entrypoint ? [] : (run.Cmd ?? []),
      env: mergeEnv(run.Env ?? [], options.env ?? []),
      workingDir: options.workingDir || run.WorkingDir || "/",
      hostname: options.hostname ?? id.slice(0, 12),
      user: options.user ?? run.User ?? "",
      labels: { ...(run.Labels ?? {}), ...(options.labels ?? {}) },
      tty: options.tty ?? false,
      openStdin: options.openStdin ?? false,
      autoRemove: options.autoRemove ?? false,
    };
    const resources = this.#checkResources({
      pidsLimit: Math.max(0, options.pidsLimit ?? 0),
      memory: Math.max(0, options.memory ?? 0),
      memorySwap: options.memorySwap ?? 0,
      nanoCpus: options.nanoCpus ?? 0,
      cpuShares: options.cpuShares ?? 0,
    });
    // The image's VOLUMEs that no -v covers get anonymous volumes, as Docker's.
    const requests = [...(options.volumes ?? [])];
    for (const destination of Object.keys(run.Volumes ?? {})) {
      if (!requests.some((r) => samePath(r.destination, destination))) requests.push({ type: "volume", destination, readOnly: false });
    }
    checkVolumeRequests(requests);
    const lowers = await Promise.all([...image.manifest.layers].reverse().map((layer) => this.#layers.get(layer.digest)));
    const rootfs = new OverlayFileSystem(lowers);
    const container: Container = {
      id,
      name: options.name ?? randomName((n) => this.#nameTaken(n)),
      created: new Date(),
      config,
      resources,
      state: { status: "created", pid: 0, exitCode: 0, error: "", oomKilled: false },
      rootfs,
      mounts: await this.#mountPoints(rootfs, requests),
      etcFiles: MemoryFileSystem.from({ hostname: `${config.hostname}\n`, hosts: NO_NETWORK_HOSTS }),
      logs: new ContainerLog(),
      restartCount: 0,
    };
    this.#containers.set(id, container);
    this.#log(container, "create");
    return container;
  }

  /** Starts the container's main process; resolves once it runs. */
  async start(ref: string, options: StartOptions = {}): Promise<KernelProcess> {
    const container = this.get(ref);
    const next = transition(container.id, container.state.status, "start");
    const argv = [...container.config.entrypoint, ...container.config.cmd];
    if (argv.length === 0) throw new BerthError("INVALID_ARGUMENT", "no command specified");
    const commandLine = this.#commandLine(container, argv, this.#env(container), container.config.workingDir || "/");
    const userEnv = this.#userEnv(container, container.config.user);
    const namespace = this.processTable.createNamespace(container.id);
    namespace.pidsLimit = container.resources.pidsLimit;
    let machine: Machine | undefined;
    let process: KernelProcess;
    let pid: number;
    const mounts = this.#mounts(container, namespace);
    const topLevel = new Set(["bin", "dev", ...mounts.map((m) => m.path.split("/")[1]!)]);
    try {
      machine = await this.kernel.createMachine({
        mounts,
        env: this.#env(container),
        memoryLimit: container.resources.memory || undefined,
      });
      ({ pid, process } = await namespace.spawn(machine, commandLine, {
        cwd: container.config.workingDir,
        env: userEnv,
        terminal: container.config.tty ? (options.terminal ?? { columns: 80, rows: 24 }) : undefined,
      }));
    } catch (error) {
      namespace.close();
      await machine?.close();
      container.state.error = error instanceof Error ? error.message : String(error);
      throw error;
    }
    container.state.status = next;
    container.state.pid = namespace.hostPidOf(pid);
    container.state.startedAt = new Date();
    container.state.exitCode = 0;
    container.state.error = "";
    container.state.oomKilled = false;
    container.restartCount++;
    const record = (stream: LogEntry["stream"]) => async (chunks: AsyncIterable<Uint8Array> | null) => {
      if (!chunks) return;
      for await (const data of chunks) {
        const entry = { stream, time: new Date(), data };
        container.logs.append(entry);
        // Attached readers are awaited: one slower than the container slows its writes (the
        // kernel's pipe fills), as Docker's attach does, instead of the engine queueing for it.
        await options.onOutput?.(entry);
        const listeners = this.#logListeners.get(container.id);
        if (listeners) await Promise.all([...listeners].map((listener) => listener(entry)));
      }
    };
    const output = Promise.all([record("stdout")(process.stdout), record("stderr")(process.stderr)]);
    const exited = (async () => {
      const { exitCode, reason, error } = await process.wait();
      // A child still holding the main process's stdout (sh -c 'sleep 1000' killed) keeps the
      // pipe open: the container stops with its main process, as Docker's does, output or not.
      // So does Ctrl-C: on Linux the tty's SIGINT reaches the whole foreground process group.
      const ending = this.#tasks.get(container.id);
      const killed = (ending?.stopping !== undefined && reason === "terminated") || ending?.interrupted === true;
      await Promise.race([output, new Promise((resolve) => setTimeout(resolve, killed ? KILLED_OUTPUT_GRACE_MS : OUTPUT_GRACE_MS))]);
      container.state.oomKilled = namespace.oomKilled;
      namespace.close();
      await machine.close();
      const stopping = this.#tasks.get(container.id)?.stopping;
      this.#tasks.delete(container.id);
      container.state.status = transition(container.id, container.state.status, "exit");
      // The kernel reports 143 for any end after a SIGTERM; past the grace period it was the SIGKILL.
      container.state.exitCode =
        stopping && reason === "terminated"
          ? Date.now() - stopping.at >= stopping.graceMs ? 137 : 143
          : ending?.interrupted ? INTERRUPTED_STATUS : exitCode;
      container.state.pid = 0;
      // A trap ("wasm trap: unreachable") is the one end whose cause a status cannot say.
      container.state.error = error ?? "";
      container.state.finishedAt = new Date();
      const execDuration = Math.floor((container.state.finishedAt.getTime() - container.state.startedAt!.getTime()) / 1000);
      this.#log(container, "die", { exitCode: String(container.state.exitCode), execDuration: String(execDuration) });
      if (container.config.autoRemove) this.#delete(container, { volumes: true });
      return container.state.exitCode;
    })();
    this.#tasks.set(container.id, { machine, process, pid, namespace, exited, topLevel });
    this.#log(container, "start");
    return process;
  }

  /**
   * Starts a new process in a running container (docker exec): a root of the
   * container's PID namespace with PPID 0, as Docker's exec'd processes are.
   */
  async exec(ref: string, options: ExecOptions): Promise<{ pid: number; process: KernelProcess }> {
    const container = this.get(ref);
    const task = this.#tasks.get(container.id);
    if (!task || container.state.status !== "running") {
      if (container.state.status === "paused") {
        throw new BerthError("CONFLICT", `Container ${container.id} is paused, unpause the container before exec`);
      }
      throw new BerthError("CONFLICT", `container ${container.id} is not running`);
    }
    if (options.cmd.length === 0) throw new BerthError("INVALID_ARGUMENT", "No exec command specified");
    const env: Record<string, string> = { ...envRecord(options.env ?? []), ...this.#userEnv(container, options.user ?? container.config.user) };
    if (options.terminal) env.TERM ??= "xterm";
    const cwd = options.workingDir || container.config.workingDir;
    const commandLine = this.#commandLine(container, options.cmd, { ...this.#env(container), ...env }, cwd || "/");
    // A directory made at the top since the start: the kernel cannot start a process there, libcompat moves it (BERTH_CWD).
    const kernelHas = !cwd || task.topLevel.has(normalizePath(cwd).split("/")[1] ?? "");
    if (!kernelHas) env.BERTH_CWD = cwd;
    return task.namespace.spawn(task.machine, commandLine, {
      cwd: kernelHas ? cwd : "/",
      env,
      terminal: options.terminal,
    });
  }

  /**
   * docker stop: SIGTERM to the main process, SIGKILL after the timeout (the
   * kernel's terminate does both). Stopping a stopped container does nothing.
   */
  async stop(ref: string, options: StopOptions = {}): Promise<void> {
    const container = this.get(ref);
    const signal = options.signal === undefined ? 15 : parseSignal(options.signal);
    const task = this.#tasks.get(container.id);
    if (!task) return;
    const graceMs = Math.max(0, (options.timeoutSeconds ?? 10) * 1000);
    task.stopping ??= { at: Date.now(), graceMs };
    // dockerd sends the stop signal first, then SIGKILL once the timeout (here none) has passed.
    this.#log(container, "kill", { signal: String(signal) });
    if (signal !== 9 && graceMs === 0) this.#log(container, "kill", { signal: "9" });
    if (signal === 9 || graceMs === 0) await task.process.kill();
    else await task.process.terminate(graceMs);
    await task.exited;
    this.#log(container, "stop");
  }

  /** docker restart: stop (if running), then start again with the same configuration. */
  async restart(ref: string, options: StopOptions = {}): Promise<void> {
    const container = this.get(ref);
    await this.stop(container.id, options);
    const process = await this.start(container.id);
    if (!container.config.openStdin) await process.closeStdin();
    this.#log(container, "restart");
  }

  /** docker rename, with Docker's checks and messages. */
  rename(ref: string, name: string): void {
    const container = this.get(ref);
    const wanted = name.startsWith("/") ? name.slice(1) : name;
    if (wanted === container.name) {
      throw new BerthError("INVALID_ARGUMENT", "Renaming a container with the same name as its current name");
    }
    try {
      this.#checkName(wanted);
    } catch (error) {
      throw new BerthError((error as BerthError).code, `Error when allocating new name: ${(error as Error).message}`);
    }
    const oldName = `/${container.name}`;
    container.name = wanted;
    this.#log(container, "rename", { oldName });
  }

  /**
   * Calls `listener` with each log entry the container writes from now on,
   * the container's next output waiting for what it returns (an attached
   * client's pace); returns the way to stop. Readers that must not slow the
   * container (docker logs -f) follow `container.logs` instead.
   */
  attachOutput(ref: string, listener: (entry: LogEntry) => void | Promise<void>): () => void {
    const container = this.get(ref);
    let listeners = this.#logListeners.get(container.id);
    if (!listeners) this.#logListeners.set(container.id, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#logListeners.delete(container.id);
    };
  }

  /**
   * Input for the container's main process (docker run -i); none once it has
   * stopped. On its terminal, Ctrl-C is SIGINT for the main process, which
   * the kernel sends but delivers only at the process's next system call: a
   * program computing without any (a loop of pure arithmetic) would spin on.
   * So when no process of the main tree takes Ctrl-C itself
   * (PidNamespace.ctrlCEnds), the engine carries the SIGINT out: it kills
   * the main process, and the container exits 130.
   *
   * Why 130 and not Linux's letter: Docker reports 128 + 2 for a main
   * process SIGINT ended, and `sh -c 'while :; do :; done'` as PID 1 under
   * -t exits 130 on Linux (ash catches SIGINT when run with -c). A program
   * that neither catches nor ignores SIGINT would, as a namespace's PID 1,
   * not be interrupted at all on Linux (init is spared signals it does not
   * handle); here Ctrl-C ends it as it ends any such program on a Linux
   * terminal, since a runaway loop could otherwise only be stopped from
   * another terminal.
   */
  async attachInput(ref: string, data: Uint8Array): Promise<void> {
    const container = this.get(ref);
    const task = this.#tasks.get(container.id);
    if (!task) return;
    await task.process.write(data);
    if (!container.config.tty || !data.includes(INTERRUPT_KEY) || !task.namespace.ctrlCEnds(task.pid)) return;
    task.interrupted = true;
    await task.process.kill();
  }

  /** Whether the container has a main process on the kernel now. */
  isRunning(ref: string): boolean {
    return this.#tasks.has(this.get(ref).id);
  }

  /** docker container prune: removes every container that is not running; returns them. */
  async prune(): Promise<Container[]> {
    const stopped = [...this.#containers.values()].filter((c) => !isRunning(c.state.status));
    for (const container of stopped) await this.remove(container.id);
    return stopped;
  }

  /**
   * What a running container uses now, as its cgroup would count it;
   * undefined when it is not running.
   */
  usage(ref: string): ContainerUsage | undefined {
    const container = this.get(ref);
    const task = this.#tasks.get(container.id);
    if (!task) return undefined;
    return {
      cpuTime: task.machine.cpuTime(),
      memory: task.namespace.memoryUsage(),
      memoryLimit: container.resources.memory || DEFAULT_MEMORY_BYTES,
      pids: task.namespace.processCount,
    };
  }

  /**
   * `docker update`: new limits, checked as at create. The pids limit holds
   * at once; the memory limit is each process's, set when it starts, so a
   * running container's would hold only for part of it: refused while it runs.
   */
  update(ref: string, changes: Partial<ContainerResources>): Container {
    const container = this.get(ref);
    const next = this.#checkResources({ ...container.resources, ...changes });
    if (this.#tasks.has(container.id) && (next.memory !== container.resources.memory || next.memorySwap !== container.resources.memorySwap)) {
      throw new BerthError(
        "CONFLICT",
        `Cannot update container ${container.id}: Berth sets a process's memory limit when it starts; stop the container, update it, then start it`,
      );
    }
    container.resources = next;
    const task = this.#tasks.get(container.id);
    if (task) task.namespace.pidsLimit = next.pidsLimit;
    this.#log(container, "update");
    return container;
  }

  /** The daemon's checks of a container's resources, in its words. */
  #checkResources(resources: ContainerResources): ContainerResources {
    checkMemoryLimits(resources);
    const cpus = this.kernel.cpus;
    if (resources.nanoCpus < 0 || (resources.nanoCpus > 0 && (resources.nanoCpus < 0.01e9 || resources.nanoCpus > cpus * 1e9))) {
      throw new BerthError("INVALID_ARGUMENT", `Range of CPUs is from 0.01 to ${cpus}.00, as there are only ${cpus} CPUs available`);
    }
    if (resources.cpuShares < 0) throw new BerthError("INVALID_ARGUMENT", `invalid CPU shares (${resources.cpuShares}): value must be a positive integer`);
    return resources;
  }

  /**
   * A running container's processes, PIDs of its own namespace beside host
   * PIDs (empty when it is not running); without `ref`, every process on the
   * kernel under host PIDs, with the container each runs in (null: the host).
   */
  processes(ref: string): ProcessInfo[];
  processes(): HostProcessInfo[];
  processes(ref?: string): ProcessInfo[] | HostProcessInfo[] {
    if (ref === undefined) return this.processTable.list();
    const task = this.#tasks.get(this.get(ref).id);
    return task ? task.namespace.list() : [];
  }

  /** The exit code, once the container has stopped. */
  async wait(ref: string): Promise<number> {
    const container = this.get(ref);
    const task = this.#tasks.get(container.id);
    return task ? task.exited : container.state.exitCode;
  }

  /** docker kill: SIGKILL by default; the kernel can send a guest only SIGTERM (terminate) or SIGKILL. */
  async kill(ref: string, options: { signal?: string } = {}): Promise<void> {
    const container = this.get(ref);
    const signal = options.signal === undefined ? 9 : parseSignal(options.signal);
    const task = this.#tasks.get(container.id);
    if (!task) throw new BerthError("CONFLICT", `Cannot kill container: ${ref}: container ${container.id} is not running`);
    this.#log(container, "kill", { signal: String(signal) });
    if (signal === 9) {
      task.stopping ??= { at: Date.now(), graceMs: 0 };
      await task.process.kill();
      await task.exited;
    } else {
      // Delivered like docker kill -s: the process may handle it and keep running.
      void task.process.terminate(2 ** 31 - 1).catch(() => undefined);
    }
  }

  /** docker rm; `volumes` (rm -v) also removes its anonymous volumes. */
  async remove(ref: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const container = this.get(ref);
    if (isRunning(container.state.status)) {
      if (!options.force) transition(container.id, container.state.status, "remove");
      await this.kill(container.id);
    }
    this.#delete(container, { volumes: options.volumes ?? false });
  }

  /** IDs of the containers (running or not) that mount a volume. */
  volumeUsers(name: string): string[] {
    return [...this.#containers.values()].filter((c) => c.mounts.some((m) => m.type === "volume" && m.name === name)).map((c) => c.id);
  }

  #delete(container: Container, options: { volumes: boolean }): void {
    if (!this.#containers.delete(container.id)) return;
    this.#log(container, "destroy");
    if (!options.volumes) return;
    for (const mount of container.mounts) {
      if (mount.type !== "volume" || !this.volumes.has(mount.name!) || !this.volumes.get(mount.name!).anonymous) continue;
      if (this.volumeUsers(mount.name!).length === 0) this.volumes.remove(mount.name!);
    }
  }

  /**
   * The volumes and host directories a container mounts. A volume that is
   * still empty first gets the image's files at its destination (Docker's
   * copy; `nocopy` skips it); the destination is made in the container's layer.
   */
  async #mountPoints(rootfs: OverlayFileSystem, requests: readonly VolumeRequest[]): Promise<MountPoint[]> {
    const mounts: MountPoint[] = [];
    for (const request of requests) {
      const destination = normalizePath(request.destination);
      const inRootfs = destination.slice(1);
      if (request.type === "bind") {
        mounts.push({ type: "bind", source: request.source, destination, readOnly: request.readOnly, spec: request.spec, fs: request.fs, file: request.file });
        if (request.file) {
          // Docker makes the mount point: an empty file, its directories on the way.
          const kind = kindOf(rootfs, inRootfs);
          if (kind === "directory") {
            throw new BerthError(
              "INVALID_ARGUMENT",
              `error mounting "${request.source}" to rootfs at "${destination}": not a directory: Are you trying to mount a directory onto a file (or vice-versa)? Check if the specified host path exists and is the expected type`,
            );
          }
          makeDirectories(rootfs, inRootfs.split("/").slice(0, -1).join("/"));
          if (!kind) rootfs.close(rootfs.open(inRootfs, { read: false, write: true, create: true, createNew: false, truncate: false, append: false }));
          continue;
        }
      } else {
        const volume = this.volumes.create({ name: request.name });
        if (volume.fs.root.children.size === 0 && !request.noCopy && isDirectory(rootfs, inRootfs)) {
          await copyTree(rootfs, inRootfs, volume.fs, "");
        }
        mounts.push({ type: "volume", name: volume.name, source: volume.mountpoint, destination, readOnly: request.readOnly, spec: request.spec, fs: volume.fs });
      }
      makeDirectories(rootfs, inRootfs);
    }
    return mounts.sort((a, b) => a.destination.split("/").length - b.destination.split("/").length);
  }

  /** A container event, with its labels, image and name as attributes (dockerd's LogContainerEventWithAttributes). */
  #log(container: Container, action: string, attributes: Readonly<Record<string, string>> = {}): void {
    this.events.log("container", action, container.id, { ...attributes, ...container.config.labels, image: container.config.image, name: container.name });
  }

  #nameTaken(name: string): boolean {
    for (const c of this.#containers.values()) if (c.name === name) return true;
    return false;
  }

  #checkName(name: string): void {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name)) {
      throw new BerthError("INVALID_ARGUMENT", `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    }
    for (const c of this.#containers.values()) {
      if (c.name === name) {
        throw new BerthError(
          "CONFLICT",
          `Conflict. The container name "/${name}" is already in use by container "${c.id}". You have to remove (or rename) that container to be able to reuse that name.`,
        );
      }
    }
  }

  /**
   * The kernel's command line for a container's program, found as runc finds
   * it: a name through the container's PATH, a path in its files. The kernel
   * starts the userland's own commands (served at /bin) by name; a program in
   * the container's files — a script, a binary COPY put there — starts through
   * the shell's exec, which finds it in the container's own "/" (libcompat's
   * root) and gives it the shell's pid.
   */
  #commandLine(container: Container, argv: readonly string[], env: Record<string, string>, cwd: string): string[] {
    const [program, ...args] = argv as [string, ...string[]];
    const launch = (path: string) => ["sh", "-c", 'exec "$@"', "sh", path, ...args];
    const command = program.replace(/^(\/usr)?(\/local)?\/s?bin\//, "");
    const isCommand = !command.includes("/") && this.kernel.commands.includes(command);
    if (program.includes("/")) {
      const path = normalizePath(program.startsWith("/") ? program : `${cwd}/${program}`);
      if (!path.startsWith("/bin/")) {
        const kind = kindOf(container.rootfs, path.slice(1));
        if (kind === "directory") throw new BerthError("INVALID_ARGUMENT", `exec: "${program}": permission denied`);
        if (kind === "file") return launch(program);
      }
      if (isCommand) return [command, ...args];
      throw new BerthError("NOT_FOUND", `exec: "${program}": stat ${program}: no such file or directory`);
    }
    for (const dir of (env.PATH ?? DEFAULT_PATH).split(":")) {
      if (normalizePath(dir) === "/bin") {
        if (isCommand) return [command, ...args];
      } else if (dir.startsWith("/") && kindOf(container.rootfs, `${normalizePath(dir).slice(1)}/${program}`) === "file") {
        return launch(`${normalizePath(dir)}/${program}`);
      }
    }
    if (isCommand) return [command, ...args];
    throw new BerthError("NOT_FOUND", `exec: "${program}": executable file not found in $PATH`);
  }

  /** BERTH_UID/BERTH_GID for libcompat from Docker's --user NAME|UID[:GROUP|GID], looked up in the container's files. */
  #userEnv(container: Container, user: string): Record<string, string> {
    if (!user) return {};
    const [name, group] = user.split(":", 2) as [string, string | undefined];
    const entries = (file: string) =>
      readText(container.rootfs, file)
        .split("\n")
        .map((line) => line.split(":"));
    const passwd = entries("etc/passwd");
    let uid: string;
    let gid: string | undefined;
    if (/^\d+$/.test(name)) {
      uid = name;
      gid = passwd.find((f) => f[2] === name)?.[3];
    } else {
      const entry = passwd.find((f) => f[0] === name);
      if (!entry) throw new BerthError("INVALID_ARGUMENT", `unable to find user ${name}: no matching entries in passwd file`);
      uid = entry[2] ?? "0";
      gid = entry[3];
    }
    if (group !== undefined && /^\d+$/.test(group)) gid = group;
    else if (group !== undefined) {
      const entry = entries("etc/group").find((f) => f[0] === group);
      if (!entry) throw new BerthError("INVALID_ARGUMENT", `unable to find group ${group}: no matching entries in group file`);
      gid = entry[2];
    }
    return { BERTH_UID: uid, BERTH_GID: gid ?? "0" };
  }

  #mounts(container: Container, namespace: PidNamespace): Mount[] {
    const mounts: Mount[] = [];
    for (const entry of container.rootfs.readDir("")) {
      const path = `/${entry.name}`;
      if (entry.kind === "directory" && !KERNEL_DIRECTORIES.has(entry.name) && !container.mounts.some((m) => m.destination === path)) {
        mounts.push({ path, fs: new SubtreeFileSystem(container.rootfs, entry.name) });
      }
    }
    const proc = createProcFs({
      hostname: () => container.config.hostname,
      bootTime: Date.now(),
      processes: () => namespace.list().map((p) => ({ pid: p.pid, ppid: p.ppid, args: p.args, startedAt: p.startedAt.getTime(), cpuTime: p.cpuTime })),
      memoryLimit: container.resources.memory || DEFAULT_MEMORY_BYTES,
      memoryUsed: () => namespace.memoryUsage(),
      mounts: () => [
        { source: "overlay", target: "/", type: "overlay", options: "rw,lowerdir=<image layers>,upperdir=<container layer>" },
        ...container.mounts.map((m) => ({ source: m.source, target: m.destination, type: m.type === "bind" ? "none" : "berthfs", options: m.readOnly ? "ro" : "rw" })),
        ...ETC_FILES.map((name) => ({ source: "berthfs", target: `/etc/${name}`, type: "berthfs", options: "rw" })),
        { source: "proc", target: "/proc", type: "proc", options: "ro" },
      ],
    });
    const served: Mount[] = [
      ...container.mounts.filter((m) => !m.file).map((m) => ({ path: m.destination, fs: m.fs, readOnly: m.readOnly })),
      { path: "/proc", fs: proc, readOnly: true },
      // The process hooks of libcompat (wasm/README.md): how this container's processes reach the table.
      { path: "/run/berth", fs: namespace.device },
    ];
    mounts.push(...served);
    // The whole tree, for libcompat to make it each process's "/" (new top-level directories included),
    // with Docker's files over the image's /etc (the kernel cannot mount a file: the tree only).
    const files = [
      ...ETC_FILES.map((name) => ({ path: `/etc/${name}`, fs: new SubtreeFileSystem(container.etcFiles, name) })),
      ...container.mounts.filter((m) => m.file).map((m) => ({ path: m.destination, fs: m.fs, readOnly: m.readOnly })),
    ];
    mounts.push({ path: ROOT_MOUNT, fs: new MountTree(container.rootfs, [...served, ...files]) });
    return mounts;
  }

  #env(container: Container): Record<string, string> {
    const env = envRecord(container.config.env);
    env.HOSTNAME = container.config.hostname;
    env.HOME ??= "/root";
    if (container.config.tty) env.TERM ??= "xterm";
    return env;
  }
}

/** Layer trees by digest: unpacked once, shared by every container and image that uses them. */
class LayerCache {
  readonly #trees = new Map<Digest, Promise<DirNode>>();

  constructor(readonly content: ContentProvider) {}

  get(digest: Digest): Promise<DirNode> {
    let tree = this.#trees.get(digest);
    if (!tree) {
      tree = this.content.get(digest).then((bytes) => layerTree(readTar(bytes)));
      this.#trees.set(digest, tree);
    }
    return tree;
  }

  get size(): number {
    return this.#trees.size;
  }
}

/** "/data/" and "/data" are one destination. */
function normalizePath(path: string): string {
  return `/${path.split("/").filter((p) => p && p !== ".").join("/")}`;
}

function samePath(a: string, b: string): boolean {
  return normalizePath(a) === normalizePath(b);
}

/** Docker's checks on volume names and mount destinations (and what the kernel serves itself), before anything is made. */
function checkVolumeRequests(requests: readonly VolumeRequest[]): void {
  const seen = new Set<string>();
  for (const request of requests) {
    if (request.type === "volume" && request.name !== undefined) checkVolumeName(request.name);
    const destination = normalizePath(request.destination);
    if (!request.destination.startsWith("/")) {
      throw new BerthError("INVALID_ARGUMENT", `invalid mount config for type "${request.type}": invalid mount path: '${request.destination}' mount path must be absolute`);
    }
    if (destination === "/") throw new BerthError("INVALID_ARGUMENT", `invalid mount config for type "${request.type}": invalid specification: destination can't be '/'`);
    if (destination.split("/").includes("..")) {
      throw new BerthError("INVALID_ARGUMENT", `invalid mount config for type "${request.type}": invalid mount path: '${request.destination}' mount path must be absolute`);
    }
    const top = destination.split("/")[1]!;
    if (KERNEL_DIRECTORIES.has(top)) {
      throw new BerthError("INVALID_ARGUMENT", `cannot mount over ${destination}: Berth's kernel serves /${top} itself`);
    }
    if (seen.has(destination)) throw new BerthError("INVALID_ARGUMENT", `Duplicate mount point: ${destination}`);
    seen.add(destination);
  }
}

function isDirectory(fs: OverlayFileSystem, path: string): boolean {
  return kindOf(fs, path) === "directory";
}

function kindOf(fs: OverlayFileSystem, path: string): "file" | "directory" | undefined {
  try {
    return fs.stat(path).kind;
  } catch {
    return undefined;
  }
}


/** mkdir -p in a container's layer (Docker makes a mount's destination there). */
function makeDirectories(fs: OverlayFileSystem, path: string): void {
  let current = "";
  for (const part of path.split("/").filter(Boolean)) {
    current = current ? `${current}/${part}` : part;
    if (!isDirectory(fs, current)) fs.mkdir(current);
  }
}

function checkPlatform(image: Image, reference: string): void {
  if (image.config.os !== "linux") {
    throw new BerthError(
      "INVALID_ARGUMENT",
      `image with reference ${reference} was found but does not provide the specified platform (linux/wasm32)`,
    );
  }
}

/** A file's text, "" when it cannot be read. */
function readText(fs: OverlayFileSystem, path: string): string {
  try {
    const handle = fs.open(path, { read: true, write: false, create: false, createNew: false, truncate: false, append: false });
    try {
      return new TextDecoder().decode(fs.read(handle, 0, 1 << 20));
    } finally {
      fs.close(handle);
    }
  } catch {
    return "";
  }
}

/** NAME=value entries as a record (entries without "=" are left out). */
function envRecord(entries: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** Image env, then the user's: a later NAME= replaces an earlier one. */
function mergeEnv(base: readonly string[], extra: readonly string[]): string[] {
  const merged = new Map<string, string>();
  for (const entry of [...base, ...extra]) merged.set(entry.split("=")[0]!, entry);
  return [...merged.values()];
}

/** Linux's smallest memory.max Docker accepts (its daemon's linuxMinMemory). */
const MIN_MEMORY_BYTES = 6 * 1024 * 1024;

/** The daemon's checks of --memory and --memory-swap, in its words. */
function checkMemoryLimits(config: Pick<ContainerResources, "memory" | "memorySwap">): void {
  if (config.memory > 0 && config.memory < MIN_MEMORY_BYTES) throw new BerthError("INVALID_ARGUMENT", "Minimum memory limit allowed is 6MB");
  if (config.memorySwap > 0 && config.memory === 0) {
    throw new BerthError("INVALID_ARGUMENT", "You should always set the Memory limit when using Memoryswap limit, see usage");
  }
  if (config.memorySwap > 0 && config.memorySwap < config.memory) {
    throw new BerthError("INVALID_ARGUMENT", "Minimum memoryswap limit should be larger than memory limit, see usage");
  }
}
