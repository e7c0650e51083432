/**
 * The one shared "host kernel": a WASIX runtime from @wasmer/sdk with the
 * guest userland loaded as one package of commands. Machines (the host, and
 * later containers) are sandboxes on it; their processes are guest programs.
 *
 * This folder is the only place that imports @wasmer/sdk.
 */
import type { Package, Process, Sandbox, Wasmer } from "@wasmer/sdk";

import type { Userland } from "./userland.ts";

export interface MachineOptions {
  /** Files placed in the machine's filesystem (read-only templates for now). */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /** Environment every process starts with, unless a call overrides it. */
  readonly env?: Readonly<Record<string, string>>;
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

export interface RunResult {
  readonly exitCode: number;
  /** "exited", "terminated" (killed) or "timeout" */
  readonly reason: string;
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
  wait(): Promise<{ exitCode: number; reason: string }>;
  kill(): Promise<void>;
}

export interface Machine {
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  spawn(argv: readonly string[], options?: SpawnOptions): Promise<KernelProcess>;
  close(): Promise<void>;
}

export interface Kernel {
  /** Command names the userland provides (each runs as /bin/NAME). */
  readonly commands: readonly string[];
  createMachine(options?: MachineOptions): Promise<Machine>;
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Boots a kernel on an SDK instance that is already `ready()`. */
export async function createKernel(wasmer: Wasmer, userland: Userland): Promise<Kernel> {
  const commands: Record<string, { module: string }> = {};
  for (const [name, module] of Object.entries(userland.commands)) commands[name] = { module };
  const pkg: Package = await wasmer.packages.create({ modules: userland.modules, commands });
  const machines = new Set<Machine>();
  return {
    commands: Object.keys(userland.commands),
    async createMachine(options = {}) {
      const sandbox = await wasmer.sandboxes.create({
        packages: [pkg],
        files: options.files,
        env: options.env,
      });
      const machine = sandboxMachine(sandbox, options.env ?? {}, () => machines.delete(machine));
      machines.add(machine);
      return machine;
    },
    async close() {
      for (const machine of [...machines]) await machine.close();
      await wasmer.close();
    },
  };
}

function sandboxMachine(sandbox: Sandbox, baseEnv: Readonly<Record<string, string>>, onClose: () => void): Machine {
  const command = (argv: readonly string[], options: ProcessOptions) => {
    if (argv.length === 0) throw new Error("empty command");
    return sandbox.command(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: { ...baseEnv, ...options.env },
    });
  };
  return {
    async run(argv, options = {}) {
      const output = await command(argv, options).run({
        stdin: options.stdin ?? "",
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        check: false,
      });
      return {
        exitCode: output.exitCode,
        reason: output.reason,
        stdout: output.stdout.text(),
        stderr: output.stderr.text(),
      };
    },
    async spawn(argv, options = {}) {
      const process = await command(argv, options).spawn({
        stdin: "pipe",
        stdout: "pipe",
        stderr: options.terminal ? "discard" : "pipe",
        terminal: options.terminal ?? false,
      });
      return kernelProcess(process);
    },
    async close() {
      onClose();
      await sandbox.close();
    },
  };
}

function kernelProcess(process: Process): KernelProcess {
  const stdout = process.stdout;
  if (!stdout || !process.stdin) throw new Error("spawned process has no pipes");
  const stdin = process.stdin;
  return {
    id: process.id,
    write: (data) => stdin.write(data),
    closeStdin: () => stdin.close(),
    stdout,
    stderr: process.stderr,
    resize: (columns, rows) => process.resizeTerminal(columns, rows),
    async wait() {
      const output = await process.wait({ check: false });
      return { exitCode: output.exitCode, reason: output.reason };
    },
    kill: () => process.kill(),
  };
}
