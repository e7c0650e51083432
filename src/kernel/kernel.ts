/**
 * The one shared "host kernel": a WASIX runtime from @wasmer/sdk with the
 * guest userland loaded as one package of commands. Machines (the host, and
 * later containers) are sandboxes on it; their processes are guest programs.
 *
 * This folder is the only place that imports @wasmer/sdk.
 */
import type { Package, Process, Sandbox, Wasmer } from "@wasmer/sdk";

import { settlesWithin } from "../util/index.ts";
import { guestFault } from "./faults.ts";
import { registerMount, unregisterMount } from "./host-fs-bridge.ts";
import type { Mount } from "./mounted-fs.ts";
import { limitModuleMemory, PAGE_BYTES } from "./memory-limit.ts";
import { withPendingMounts } from "./sandbox-mounts.ts";
import type { Userland } from "./userland.ts";
import { workerWatch, type Owner } from "./worker-watch.ts";

export interface MachineOptions {
  /**
   * Read-only files placed in the machine's filesystem. The SDK places them only
   * in directories its default root already has (/etc, /tmp, /proc...), not in new ones.
   */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /**
   * Directories served by filesystems written in TypeScript (rootfs, /proc,
   * volumes). Mounting /bin would hide the userland's commands.
   */
  readonly mounts?: readonly Mount[];
  /** Environment every process starts with, unless a call overrides it. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The most memory each of its processes may have, in bytes (rounded down to
   * WebAssembly pages): a program's growth past it fails (memory-limit.ts).
   */
  readonly memoryLimit?: number;
}

export interface ProcessOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

export interface RunOptions extends ProcessOptions {
  readonly stdin?: string | Uint8Array;
  /** Kill the process after this long; default 30 s. */
  readonly timeoutMs?: number;
}

/** How a process ended. */
export interface ProcessExit {
  /** For a trap, 139: a segfault's status on Linux (faults.ts). */
  readonly exitCode: number;
  /** "exited", "terminated" (killed), "timeout" or "trapped" (the guest's own fault) */
  readonly reason: string;
  /** What the fault was, when trapped: "wasm trap: unreachable". */
  readonly error?: string;
}

export interface RunResult extends ProcessExit {
  readonly stdout: string;
  readonly stderr: string;
}

export interface SpawnOptions extends ProcessOptions {
  /** Attach a terminal of this size (stdout and stderr then share it). */
  readonly terminal?: { readonly columns: number; readonly rows: number };
}

/** A running guest process, with its standard streams. */
export interface KernelProcess {
  readonly id: number;
  write(data: string | Uint8Array): Promise<void>;
  closeStdin(): Promise<void>;
  readonly stdout: AsyncIterable<Uint8Array>;
  readonly stderr: AsyncIterable<Uint8Array> | null;
  resize(columns: number, rows: number): void;
  /** Resolves however the process ended, a trap included; never rejects for the guest's own fault. */
  wait(): Promise<ProcessExit>;
  kill(): Promise<void>;
  /** Asks the process to exit (the kernel's SIGTERM), then kills it after `gracePeriodMs`. */
  terminate(gracePeriodMs: number): Promise<void>;
}

export interface Machine {
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  spawn(argv: readonly string[], options?: SpawnOptions): Promise<KernelProcess>;
  /**
   * The CPU time its processes have used so far, in nanoseconds (user and
   * system, as a cgroup's cpuacct.usage); undefined where the platform cannot
   * measure a thread's CPU time (a browser).
   */
  cpuTime(): number | undefined;
  close(): Promise<void>;
}

export interface Kernel {
  /** Command names the userland provides (each runs as /bin/NAME). */
  readonly commands: readonly string[];
  /** How many CPUs the kernel's processes can run on at once (the host's cores). */
  readonly cpus: number;
  createMachine(options?: MachineOptions): Promise<Machine>;
  /**
   * For a filesystem served in TypeScript, while it answers a guest's call:
   * the CPU clock of the process making it (its `/proc/<pid>/stat` times).
   * Undefined outside such a call or where a thread's CPU time cannot be
   * read (a browser).
   */
  cpuClockOfCaller(): CpuClock | undefined;
  close(): Promise<void>;
}

/** A process's CPU time so far (user and system), in nanoseconds; undefined once it cannot be read. */
export type CpuClock = () => number | undefined;

const DEFAULT_TIMEOUT_MS = 30_000;
/** How long `run()` waits for output after its process ended (as the runtime's OUTPUT_GRACE_MS). */
const RUN_OUTPUT_GRACE_MS = 1_000;
/** How long the SDK's shutdown may take (measured: under 50 ms when it can finish at all). */
const SHUTDOWN_GRACE_MS = 1_000;

/** What the kernel's host offers, as the caller of createKernel knows it. */
export interface KernelPlatform {
  /** How many CPUs the kernel's processes can run on at once (the host's cores). */
  readonly cpus: number;
  /**
   * Whether the SDK there has the faults `warmUp` works around, so that the
   * boot must run it before handing out the kernel: Node's does. In Chromium
   * neither showed (measured on the page without it: the shell's first
   * command a timed `sleep 0.05`, or `echo $(echo $(echo x)) $(echo y)`,
   * returned at once in 11 of 11 fresh loads), and there the warm-up's five
   * workers, started at once on two cores, held the first prompt up by
   * about 300 ms.
   */
  readonly warmUp: boolean;
}

/**
 * Boots a kernel on an SDK instance that is already `ready()`. The userland
 * may still be loading: the warm-up, where the platform needs it, runs meanwhile.
 */
export async function createKernel(wasmer: Wasmer, userlandSource: Userland | Promise<Userland>, platform: KernelPlatform): Promise<Kernel> {
  const warm = platform.warmUp ? warmUp(wasmer) : Promise.resolve();
  const userland = await userlandSource;
  const commands: Record<string, { module: string }> = {};
  for (const [name, module] of Object.entries(userland.commands)) commands[name] = { module };
  const [pkg]: [Package, void] = await Promise.all([wasmer.packages.create({ modules: userland.modules, commands }), warm]);
  /** The userland again with a memory limit in its modules, one package per limit in use. */
  const limited = new Map<number, Promise<Package>>();
  const userlandWithin = (pages: number) => {
    let made = limited.get(pages);
    if (!made) {
      const modules = Object.fromEntries(Object.entries(userland.modules).map(([name, bytes]) => [name, limitModuleMemory(bytes, pages)]));
      made = wasmer.packages.create({ modules, commands });
      limited.set(pages, made);
    }
    return made;
  };
  const machines = new Set<Machine>();
  /** This kernel's machines as the worker watch knows them, closed ones included. */
  const owners = new Set<Owner>();
  let machineCount = 0;
  return {
    commands: Object.keys(userland.commands),
    cpus: platform.cpus,
    cpuClockOfCaller: () => workerWatch.clockOfCaller(),
    async createMachine(options = {}) {
      const packages = [options.memoryLimit ? await userlandWithin(Math.floor(options.memoryLimit / PAGE_BYTES)) : pkg];
      if (options.files) packages.push(await filesPackage(wasmer, options.files, ++machineCount));
      const mounts = (options.mounts ?? []).map((m) => ({ path: m.path, id: registerMount(m.fs), readOnly: m.readOnly ?? false }));
      const sandbox = await withPendingMounts(mounts, () => wasmer.sandboxes.create({ packages, env: options.env }));
      const owner = workerWatch.newOwner();
      owners.add(owner);
      workerWatch.mounted(owner, mounts.map((m) => m.id));
      const machine = sandboxMachine(sandbox, owner, options.env ?? {}, () => {
        machines.delete(machine);
        for (const mount of mounts) unregisterMount(mount.id);
        // Whatever of it still computes (a loop without system calls, a killed root's children) ends here.
        workerWatch.closed(owner);
      });
      machines.add(machine);
      return machine;
    },
    async close() {
      for (const machine of [...machines]) await machine.close();
      await workerWatch.settled();
      const shutdown = wasmer.close();
      // The SDK's shutdown waits for every worker it counts busy, also those the watch
      // terminated (worker-watch.ts); past a grace period, the rest of its workers go too.
      if (await settlesWithin(shutdown, SHUTDOWN_GRACE_MS)) return;
      workerWatch.terminateInstance(owners);
      void shutdown.catch(() => undefined);
    },
  };
}

/**
 * The smallest WASI command: `(module (memory (export "memory") 1) (func (export "_start")))`.
 * A package must hold a command, and package files are the only way to place files
 * outside /workspace, so a machine's files travel in a package with this one.
 */
const NOOP_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02,
  0x01, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x13, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72,
  0x79, 0x02, 0x00, 0x06, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x00, 0x0a, 0x04, 0x01, 0x02,
  0x00, 0x0b,
]);

/**
 * Workers the SDK creates for the first processes of an instance. Measured
 * (SDK 0.16.0, Node): when the first command runs alone, the next command
 * that needs three processes at once (a shell, a subshell, a program: `echo
 * $(ls)`) hangs until killed; once at least three processes have run side by
 * side, any later number works. So we run that many no-op programs at boot.
 */
const WARM_UP_PROCESSES = 4;

/**
 * A WASI command that waits 1 ms on the monotonic clock (`poll_oneoff` with
 * one clock subscription at address 0, its event written at 64):
 * ```wat
 * (module
 *   (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
 *   (memory (export "memory") 1)
 *   (data (i32.const 16) "\01")            ;; clock id: monotonic
 *   (data (i32.const 24) "\40\42\0f")      ;; timeout: 1 000 000 ns
 *   (func (export "_start")
 *     (drop (call $poll_oneoff (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))
 * ```
 */
const TIMED_WAIT_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0c, 0x02, 0x60, 0x04, 0x7f, 0x7f, 0x7f,
  0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00, 0x02, 0x26, 0x01, 0x16, 0x77, 0x61, 0x73, 0x69, 0x5f, 0x73,
  0x6e, 0x61, 0x70, 0x73, 0x68, 0x6f, 0x74, 0x5f, 0x70, 0x72, 0x65, 0x76, 0x69, 0x65, 0x77, 0x31,
  0x0b, 0x70, 0x6f, 0x6c, 0x6c, 0x5f, 0x6f, 0x6e, 0x65, 0x6f, 0x66, 0x66, 0x00, 0x00, 0x03, 0x02,
  0x01, 0x01, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x13, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72,
  0x79, 0x02, 0x00, 0x06, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x01, 0x0a, 0x11, 0x01, 0x0f,
  0x00, 0x41, 0x00, 0x41, 0xc0, 0x00, 0x41, 0x01, 0x41, 0x80, 0x01, 0x10, 0x00, 0x1a, 0x0b, 0x0b,
  0x0f, 0x02, 0x00, 0x41, 0x10, 0x0b, 0x01, 0x01, 0x00, 0x41, 0x18, 0x0b, 0x03, 0x40, 0x42, 0x0f,
]);

/**
 * Timed waits the SDK loses (SDK 0.16.0, measured in Node): a guest's timed
 * wait (`usleep`, `poll` with a timeout) that starts within about the first
 * second of an SDK instance never wakes on time; it returns after about 84 s,
 * and the `run()` timeout, itself a timer, is late with it (`sleep 0.05` as the
 * first command after boot: 84 s in 5 of 5 kernels). Waits started later
 * return on time, even while an early one is still lost. So the boot keeps
 * making a 1 ms wait, killing each one that is late, until one returns:
 * the kernel is handed out only once timed waits work.
 */
const TIMED_WAIT_GRACE_MS = 100;
/** Gives up after about 5 s (a slow machine): the kernel then boots as before. */
const TIMED_WAIT_ATTEMPTS = 50;

async function warmUp(wasmer: Wasmer): Promise<void> {
  const pkg = await wasmer.packages.create({
    modules: { noop: NOOP_MODULE, "timed-wait": TIMED_WAIT_MODULE },
    commands: { "berth-warm-up": { module: "noop" }, "berth-timed-wait": { module: "timed-wait" } },
  });
  const sandbox = await wasmer.sandboxes.create({ packages: [pkg] });
  try {
    await Promise.all([
      ...Array.from({ length: WARM_UP_PROCESSES }, () => sandbox.command("berth-warm-up").run({ timeoutMs: 10_000, check: false })),
      waitUntilTimedWaitsWork(sandbox),
    ]);
  } finally {
    await sandbox.close();
  }
}

async function waitUntilTimedWaitsWork(sandbox: Sandbox): Promise<void> {
  for (let attempt = 0; attempt < TIMED_WAIT_ATTEMPTS; attempt++) {
    const waiter = await sandbox.command("berth-timed-wait").spawn({ stdin: "closed", stdout: "discard", stderr: "discard" });
    const exited = waiter.wait({ check: false });
    if (await settlesWithin(exited, TIMED_WAIT_GRACE_MS)) return;
    // A lost wait stays lost for the whole 84 s; its process must not outlive the boot.
    await waiter.kill();
    await exited;
  }
}

function filesPackage(wasmer: Wasmer, files: Readonly<Record<string, string | Uint8Array>>, id: number): Promise<Package> {
  return wasmer.packages.create({
    modules: { noop: NOOP_MODULE },
    commands: { [`berth-machine-${id}`]: { module: "noop" } },
    files,
  });
}

function sandboxMachine(sandbox: Sandbox, owner: Owner, baseEnv: Readonly<Record<string, string>>, onClose: () => void): Machine {
  const command = (argv: readonly string[], options: ProcessOptions) => {
    if (argv.length === 0) throw new Error("empty command");
    return sandbox.command(argv[0]!, argv.slice(1), {
      // The SDK would start in /workspace; a Linux process started without one is in /.
      cwd: options.cwd ?? "/",
      env: { ...baseEnv, ...options.env },
    });
  };
  return {
    async run(argv, options = {}) {
      // Pipes, not the SDK's run(): a trap rejects that with the output captured so far,
      // which a program that crashes keeps on Linux.
      const process = await workerWatch.spawning(owner, () =>
        command(argv, options).spawn({
          stdin: "pipe",
          stdout: "pipe",
          stderr: "pipe",
          timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        }),
      );
      const guest = kernelProcess(process, false);
      const stdout = collect(guest.stdout);
      const stderr = collect(guest.stderr);
      void feed(guest, options.stdin ?? "");
      // The SDK's timeout is a kernel timer, and the kernel can lose timers (see warmUp): a
      // timer of our own backs it, so that run() always returns.
      const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const exited = guest.wait();
      if (!(await settlesWithin(exited, timeoutMs + RUN_OUTPUT_GRACE_MS))) {
        await guest.kill();
        return { exitCode: 137, reason: "timeout", stdout: stdout.text(), stderr: stderr.text() };
      }
      const exit = await exited;
      // A killed root's children can hold its pipes open (wasm/README.md): what came by then is the output.
      await settlesWithin(Promise.all([stdout.done, stderr.done]), RUN_OUTPUT_GRACE_MS);
      return { ...exit, stdout: stdout.text(), stderr: stderr.text() };
    },
    async spawn(argv, options = {}) {
      // libcompat joins the guest's stderr to the terminal (wasm/README.md): one device, one order.
      const env = options.terminal ? { ...options.env, BERTH_STDERR_TO_TERMINAL: "1" } : options.env;
      const process = await workerWatch.spawning(owner, () =>
        command(argv, { ...options, env }).spawn({
          stdin: "pipe",
          stdout: "pipe",
          stderr: "pipe",
          terminal: options.terminal ?? false,
        }),
      );
      return kernelProcess(process, options.terminal !== undefined);
    },
    cpuTime: () => workerWatch.cpuTime(owner),
    async close() {
      onClose();
      await sandbox.close();
    },
  };
}

function kernelProcess(process: Process, terminal: boolean): KernelProcess {
  const stdout = process.stdout;
  if (!stdout || !process.stdin) throw new Error("spawned process has no pipes");
  const stdin = process.stdin;
  // The SDK's terminal carries stdout only; on a Linux tty both streams are
  // the one device, so error messages join the screen.
  const merged = terminal && process.stderr;
  const screen = merged ? interleave([stdout, process.stderr!]) : stdout;
  return {
    id: process.id,
    write: (data) => stdin.write(data),
    closeStdin: () => stdin.close(),
    stdout: terminal ? newlinesAsCrLf(screen) : stdout,
    stderr: merged ? null : process.stderr,
    resize: (columns, rows) => process.resizeTerminal(columns, rows),
    async wait() {
      try {
        const output = await process.wait({ check: false });
        return { exitCode: output.exitCode, reason: output.reason };
      } catch (error) {
        const fault = guestFault(error);
        if (!fault) throw error;
        return { exitCode: fault.exitCode, reason: "trapped", error: fault.message };
      }
    },
    kill: () => process.kill(),
    terminate: (gracePeriodMs) => process.terminate({ gracePeriodMs }),
  };
}

/** A stream read to its end in the background: `text()` is what has arrived so far. */
function collect(stream: AsyncIterable<Uint8Array> | null): { done: Promise<void>; text(): string } {
  let text = "";
  const decoder = new TextDecoder();
  const done = (async () => {
    for await (const chunk of stream ?? []) text += decoder.decode(chunk, { stream: true });
    text += decoder.decode();
  })().catch(() => undefined);
  return { done, text: () => text };
}

/** `run()`'s stdin: written, then closed; a process that ended without reading it just loses it. */
async function feed(process: KernelProcess, input: string | Uint8Array): Promise<void> {
  try {
    if (input.length > 0) await process.write(input);
    await process.closeStdin();
  } catch {
    // Its stdin went with it.
  }
}

/** Chunks from several streams as each arrives; ends when all have ended. */
/**
 * A Linux tty's output processing (OPOST and ONLCR, on by default): every
 * "\n" a program writes reaches the terminal as "\r\n". The SDK's terminal
 * passes bytes through, so a client on a real terminal (the docker CLI under
 * `docker run -t`) would print each line further right than the last.
 */
async function* newlinesAsCrLf(output: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of output) {
    let newlines = 0;
    for (const byte of chunk) if (byte === LF) newlines++;
    if (newlines === 0) {
      yield chunk;
      continue;
    }
    const converted = new Uint8Array(chunk.length + newlines);
    let at = 0;
    for (const byte of chunk) {
      if (byte === LF) converted[at++] = CR;
      converted[at++] = byte;
    }
    yield converted;
  }
}

const LF = 0x0a;
const CR = 0x0d;

async function* interleave(streams: readonly AsyncIterable<Uint8Array>[]): AsyncGenerator<Uint8Array> {
  const readers = streams.map((stream) => stream[Symbol.asyncIterator]());
  const next = (i: number) => readers[i]!.next().then((result) => ({ i, result }));
  const pending = new Map(readers.map((_, i) => [i, next(i)]));
  while (pending.size > 0) {
    const { i, result } = await Promise.race(pending.values());
    if (result.done) {
      pending.delete(i);
      continue;
    }
    pending.set(i, next(i));
    yield result.value;
  }
}
