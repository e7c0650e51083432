/**
 * Runs containers on the shared kernel. Each container is a machine of its
 * own: its root filesystem (the image's layers, shared, under a private
 * writable layer) mounted at every top-level directory, its own /proc and
 * hostname; the userland's programs come from the kernel, shared by all.
 *
 * create -> start -> (exit | kill) -> start again | remove
 */
import { createProcFs, layerTree, OverlayFileSystem, readTar, SubtreeFileSystem, type ContentProvider, type DirNode } from "../fs/index.ts";
import type { Image, ImageStore } from "../image/index.ts";
import type { Kernel, KernelProcess, Machine, Mount } from "../kernel/index.ts";
import { BerthError, type Digest } from "../util/index.ts";
import { newContainerId, type Container, type ContainerConfig, type LogEntry } from "./container.ts";
import { randomName } from "./names.ts";
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
}

export interface StartOptions {
  /** Receives the container's output as it is written. */
  readonly onOutput?: (entry: LogEntry) => void;
  readonly terminal?: { readonly columns: number; readonly rows: number };
}

/** Directories of a rootfs that are not mounted from it: the kernel serves them. */
const KERNEL_DIRECTORIES = new Set(["bin", "dev", "proc", "sys"]);

/** Memory a container reports without --memory. */
const DEFAULT_MEMORY_BYTES = 2 * 1024 ** 3;

interface Task {
  readonly machine: Machine;
  readonly process: KernelProcess;
  readonly exited: Promise<number>;
}

export class Runtime {
  readonly #containers = new Map<string, Container>();
  readonly #tasks = new Map<string, Task>();
  readonly #layers: LayerCache;

  constructor(
    readonly kernel: Kernel,
    readonly images: ImageStore,
  ) {
    this.#layers = new LayerCache(images.content);
  }

  list(options: { all?: boolean } = {}): Container[] {
    return [...this.#containers.values()]
      .filter((c) => options.all || isRunning(c.state.status))
      .sort((a, b) => b.created.getTime() - a.created.getTime());
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
    const image = await this.images.resolve(options.image);
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
    const lowers = await Promise.all([...image.manifest.layers].reverse().map((layer) => this.#layers.get(layer.digest)));
    const container: Container = {
      id,
      name: options.name ?? randomName((n) => this.#nameTaken(n)),
      created: new Date(),
      config,
      state: { status: "created", pid: 0, exitCode: 0, error: "", oomKilled: false },
      rootfs: new OverlayFileSystem(lowers),
      logs: [],
      restartCount: 0,
    };
    this.#containers.set(id, container);
    return container;
  }

  /** Starts the container's main process; resolves once it runs. */
  async start(ref: string, options: StartOptions = {}): Promise<KernelProcess> {
    const container = this.get(ref);
    const next = transition(container.id, container.state.status, "start");
    const argv = [...container.config.entrypoint, ...container.config.cmd];
    if (argv.length === 0) throw new BerthError("INVALID_ARGUMENT", "no command specified");
    const command = this.#resolveCommand(argv[0]!);
    const machine = await this.kernel.createMachine({ mounts: this.#mounts(container), env: this.#env(container) });
    let process: KernelProcess;
    try {
      process = await machine.spawn([command, ...argv.slice(1)], {
        cwd: container.config.workingDir,
        terminal: container.config.tty ? (options.terminal ?? { columns: 80, rows: 24 }) : undefined,
      });
    } catch (error) {
      await machine.close();
      container.state.error = error instanceof Error ? error.message : String(error);
      throw error;
    }
    container.state.status = next;
    container.state.pid = process.id;
    container.state.startedAt = new Date();
    container.state.exitCode = 0;
    container.state.error = "";
    container.restartCount++;
    const record = (stream: LogEntry["stream"]) => async (chunks: AsyncIterable<Uint8Array> | null) => {
      if (!chunks) return;
      for await (const data of chunks) {
        const entry = { stream, time: new Date(), data };
        container.logs.push(entry);
        options.onOutput?.(entry);
      }
    };
    const output = Promise.all([record("stdout")(process.stdout), record("stderr")(process.stderr)]);
    const exited = (async () => {
      const { exitCode } = await process.wait();
      await output;
      await machine.close();
      this.#tasks.delete(container.id);
      container.state.status = transition(container.id, container.state.status, "exit");
      container.state.exitCode = exitCode;
      container.state.pid = 0;
      container.state.finishedAt = new Date();
      if (container.config.autoRemove) this.#containers.delete(container.id);
      return exitCode;
    })();
    this.#tasks.set(container.id, { machine, process, exited });
    return process;
  }

  /** The exit code, once the container has stopped. */
  async wait(ref: string): Promise<number> {
    const container = this.get(ref);
    const task = this.#tasks.get(container.id);
    return task ? task.exited : container.state.exitCode;
  }

  async kill(ref: string): Promise<void> {
    const container = this.get(ref);
    const task = this.#tasks.get(container.id);
    if (!task) throw new BerthError("CONFLICT", `Cannot kill container: ${ref}: container ${container.id} is not running`);
    await task.process.kill();
    await task.exited;
  }

  async remove(ref: string, options: { force?: boolean } = {}): Promise<void> {
    const container = this.get(ref);
    if (isRunning(container.state.status)) {
      if (!options.force) transition(container.id, container.state.status, "remove");
      await this.kill(container.id);
    }
    this.#containers.delete(container.id);
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

  /** The userland command a program path names (programs live in the kernel, shared by all machines). */
  #resolveCommand(program: string): string {
    const name = program.replace(/^(\/usr)?(\/local)?\/s?bin\//, "");
    if (!name.includes("/") && this.kernel.commands.includes(name)) return name;
    throw new BerthError("NOT_FOUND", `exec: "${program}": executable file not found in $PATH`);
  }

  #mounts(container: Container): Mount[] {
    const mounts: Mount[] = [];
    for (const entry of container.rootfs.readDir("")) {
      if (entry.kind === "directory" && !KERNEL_DIRECTORIES.has(entry.name)) {
        mounts.push({ path: `/${entry.name}`, fs: new SubtreeFileSystem(container.rootfs, entry.name) });
      }
    }
    const proc = createProcFs({
      hostname: () => container.config.hostname,
      bootTime: container.state.startedAt?.getTime() ?? Date.now(),
      memoryLimit: DEFAULT_MEMORY_BYTES,
      // Per-process memory accounting arrives with the process table.
      memoryUsed: () => 0,
      mounts: () => [
        { source: "overlay", target: "/", type: "overlay", options: "rw,lowerdir=<image layers>,upperdir=<container layer>" },
        { source: "proc", target: "/proc", type: "proc", options: "ro" },
      ],
    });
    mounts.push({ path: "/proc", fs: proc, readOnly: true });
    return mounts;
  }

  #env(container: Container): Record<string, string> {
    const env: Record<string, string> = {};
    for (const entry of container.config.env) {
      const eq = entry.indexOf("=");
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
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

function checkPlatform(image: Image, reference: string): void {
  if (image.config.os !== "linux") {
    throw new BerthError(
      "INVALID_ARGUMENT",
      `image with reference ${reference} was found but does not provide the specified platform (linux/wasm32)`,
    );
  }
}

/** Image env, then the user's: a later NAME= replaces an earlier one. */
function mergeEnv(base: readonly string[], extra: readonly string[]): string[] {
  const merged = new Map<string, string>();
  for (const entry of [...base, ...extra]) merged.set(entry.split("=")[0]!, entry);
  return [...merged.values()];
}
