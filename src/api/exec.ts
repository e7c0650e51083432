/**
 * docker exec as dockerd serves it: `POST /containers/{name}/exec` records an
 * exec instance, `POST /exec/{id}/start` runs it (attached through the hijack,
 * or detached), `GET /exec/{id}/json` tells its exit code (the client's exit
 * status), `POST /exec/{id}/resize` sizes its terminal.
 */
import type { Engine } from "../engine/index.ts";
import type { KernelProcess } from "../kernel/index.ts";
import { newContainerId, type Container } from "../runtime/index.ts";
import { BerthError } from "../util/index.ts";
import { Channel } from "./channel.ts";
import { json, noContent, readJson, type ApiResponse, type GoStruct } from "./http.ts";
import type { Route, RouteContext } from "./router.ts";
import { MULTIPLEXED_STREAM, outputEncoder, RAW_STREAM } from "./stdcopy.ts";

/** The part of Docker's ExecConfig Berth honours (DetachKeys and Privileged are taken and ignored). */
interface ExecCreateBody {
  Cmd?: string[] | null;
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
  Tty?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  /** [height, width] */
  ConsoleSize?: [number, number] | null;
}

interface ExecStartBody {
  Detach?: boolean;
  /** Whether the output goes out raw (dockerd takes it from here, not from the exec's Tty). */
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
}

const EXEC_OPTIONS: GoStruct = {
  name: "container.ExecOptions",
  fields: {
    Cmd: "[]string",
    Env: "[]string",
    WorkingDir: "string",
    User: "string",
    Tty: "bool",
    AttachStdin: "bool",
    AttachStdout: "bool",
    AttachStderr: "bool",
    ConsoleSize: "[2]uint",
  },
};

const EXEC_START_OPTIONS: GoStruct = { name: "container.ExecStartOptions", fields: { Detach: "bool", Tty: "bool", ConsoleSize: "[2]uint" } };

interface ExecInstance {
  readonly id: string;
  readonly containerId: string;
  readonly cmd: readonly string[];
  readonly env: readonly string[];
  readonly workingDir: string;
  readonly user: string;
  readonly tty: boolean;
  readonly consoleSize: readonly [number, number] | undefined;
  readonly attachStdin: boolean;
  readonly attachStdout: boolean;
  readonly attachStderr: boolean;
  running: boolean;
  exitCode: number | null;
  pid: number;
  process: KernelProcess | undefined;
  endedAt: number | undefined;
}

/** dockerd forgets ended execs in its next sweep, every 5 minutes. */
const ENDED_EXEC_KEPT_MS = 5 * 60 * 1000;

/** dockerd's exit code for an exec that could not start (EACCES) unless the program is missing. */
const EXIT_CANNOT_INVOKE = 126;
const EXIT_NOT_FOUND = 127;
/** 128 + SIGKILL */
const EXIT_KILLED = 137;

/**
 * What dockerd says (through runc) when an exec'd program cannot start, and
 * the exit code it records; undefined for errors that are not the program's.
 */
export function execStartFailure(error: unknown): { message: string; exitCode: number } | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (!message.startsWith("exec: ")) return undefined;
  return {
    message: `OCI runtime exec failed: exec failed: unable to start container process: ${message}: unknown`,
    exitCode: /executable file not found|no such file or directory/i.test(message) ? EXIT_NOT_FOUND : EXIT_CANNOT_INVOKE,
  };
}

const encoder = new TextEncoder();

/** A decimal integer as Go's strconv.Atoi takes it, or its error as dockerd's 400. */
function atoi(value: string | null): number {
  const text = value ?? "";
  if (!/^[+-]?\d+$/.test(text)) throw new BerthError("INVALID_ARGUMENT", `strconv.Atoi: parsing "${text}": invalid syntax`);
  return Number(text);
}

export function execRoutes(engine: Engine): Route[] {
  const runtime = engine.runtime;
  const instances = new Map<string, ExecInstance>();

  function exists(containerId: string): boolean {
    return runtime.list({ all: true }).some((c) => c.id === containerId);
  }

  /** A container exec can enter: running and not paused, else dockerd's 409. */
  function activeContainer(ref: string): Container {
    const container = runtime.get(ref);
    if (!runtime.isRunning(container.id)) throw new BerthError("CONFLICT", `container ${container.id} is not running`);
    if (container.state.status === "paused") throw new BerthError("CONFLICT", `Container ${ref} is paused, unpause the container before exec`);
    return container;
  }

  /** The instance while its container exists (dockerd answers 404 for either). */
  function instance(id: string): ExecInstance {
    const found = instances.get(id);
    if (found && exists(found.containerId)) return found;
    instances.delete(id);
    throw new BerthError("NOT_FOUND", `No such exec instance: ${id}`);
  }

  /** Drops what dockerd's sweep would: execs long ended, or of removed containers. */
  function sweep(now: number): void {
    for (const [id, exec] of instances) {
      if ((exec.endedAt !== undefined && now - exec.endedAt >= ENDED_EXEC_KEPT_MS) || !exists(exec.containerId)) instances.delete(id);
    }
  }

  async function create({ request, params }: RouteContext): Promise<ApiResponse> {
    const body = readJson<ExecCreateBody>(request, EXEC_OPTIONS);
    if (!body.Cmd || body.Cmd.length === 0) throw new BerthError("INVALID_ARGUMENT", "No exec command specified");
    const container = activeContainer(params.name!);
    sweep(Date.now());
    // dockerd draws exec IDs as it draws container IDs.
    const id = newContainerId();
    instances.set(id, {
      id,
      containerId: container.id,
      cmd: body.Cmd,
      env: body.Env ?? [],
      workingDir: body.WorkingDir || container.config.workingDir,
      user: body.User || container.config.user,
      tty: body.Tty ?? false,
      consoleSize: body.ConsoleSize ?? undefined,
      attachStdin: body.AttachStdin ?? false,
      attachStdout: body.AttachStdout ?? false,
      attachStderr: body.AttachStderr ?? false,
      running: false,
      exitCode: null,
      pid: 0,
      process: undefined,
      endedAt: undefined,
    });
    return json(201, { Id: id });
  }

  /** Starts the process; a start failure is recorded as dockerd does (exit code set, nothing runs) and thrown. */
  async function launch(exec: ExecInstance, consoleSize: readonly [number, number] | undefined): Promise<KernelProcess> {
    exec.running = true;
    try {
      // The client sends [0, 0] when its own output is no terminal.
      const sized = (size: readonly [number, number] | undefined) => (size && size[0] > 0 && size[1] > 0 ? size : undefined);
      const [rows, columns] = sized(consoleSize) ?? sized(exec.consoleSize) ?? [24, 80];
      const { pid, process } = await runtime.exec(exec.containerId, {
        cmd: exec.cmd,
        env: exec.env,
        workingDir: exec.workingDir,
        user: exec.user,
        terminal: exec.tty ? { columns, rows } : undefined,
      });
      exec.pid = pid;
      exec.process = process;
      return process;
    } catch (error) {
      const failure = execStartFailure(error);
      exec.running = false;
      exec.exitCode = failure?.exitCode ?? EXIT_CANNOT_INVOKE;
      exec.endedAt = Date.now();
      throw failure ? new BerthError("INVALID_ARGUMENT", failure.message) : error;
    }
  }

  /**
   * Copies the output to `send` (each stream only if attached) and `input`
   * to stdin, until the process ends; then records its exit. The process runs
   * on when the client leaves: `send` then goes nowhere. What `send` returns
   * is awaited: a client slower than the process slows it.
   */
  async function serve(
    exec: ExecInstance,
    process: KernelProcess,
    send: (stream: "stdout" | "stderr", data: Uint8Array) => void | Promise<void>,
    input?: AsyncIterable<Uint8Array>,
  ): Promise<void> {
    const copy = async (stream: "stdout" | "stderr", from: AsyncIterable<Uint8Array> | null, attached: boolean) => {
      if (from) for await (const chunk of from) if (attached) await send(stream, chunk);
    };
    const output = Promise.all([copy("stdout", process.stdout, exec.attachStdout), copy("stderr", process.stderr, exec.attachStderr)]).catch(() => undefined);
    if (input) {
      void (async () => {
        for await (const chunk of input) await process.write(chunk);
        await process.closeStdin();
      })().catch(() => undefined);
    } else {
      await process.closeStdin();
    }
    // The container's end takes its exec'd processes along (the kernel leaves their waits unsettled): Docker's SIGKILL, 137.
    const containerEnded = runtime.wait(exec.containerId).then(() => undefined);
    const ended = await Promise.race([process.wait(), containerEnded]);
    if (ended) await output;
    else void process.kill().catch(() => undefined);
    exec.running = false;
    exec.exitCode = ended ? ended.exitCode : EXIT_KILLED;
    exec.endedAt = Date.now();
    exec.process = undefined;
  }

  async function start({ request, params }: RouteContext): Promise<ApiResponse> {
    const body = readJson<ExecStartBody>(request, EXEC_START_OPTIONS);
    const exec = instance(params.id!);
    activeContainer(exec.containerId);
    if (exec.exitCode !== null) throw new BerthError("CONFLICT", `exec command ${exec.id} has already run`);
    if (exec.running) throw new BerthError("CONFLICT", `exec command ${exec.id} is already running`);
    const consoleSize = body.Tty ? (body.ConsoleSize ?? undefined) : undefined;
    if (body.Detach) {
      const process = await launch(exec, consoleSize);
      void serve(exec, process, () => undefined).catch(() => undefined);
      return noContent(200);
    }
    const encode = outputEncoder(body.Tty ?? false);
    /** dockerd writes a start failure into the output stream (stdout), the client then reads the exit code. */
    const run = async (write: (data: Uint8Array) => Promise<void>, input?: AsyncIterable<Uint8Array>) => {
      let process: KernelProcess;
      try {
        process = await launch(exec, consoleSize);
      } catch (error) {
        await write(encode("stdout", encoder.encode(`${(error as Error).message}\r\n`)));
        return;
      }
      await serve(exec, process, (stream, data) => write(encode(stream, data)), input);
    };
    if (!request.headers.upgrade) {
      // Without the hijack: the output as the response body, no stdin (dockerd names it a raw stream either way).
      const channel = new Channel<Uint8Array>();
      void run((data) => channel.push(data)).finally(() => channel.close());
      async function* body(): AsyncIterable<Uint8Array> {
        try {
          yield* channel;
        } finally {
          // A client that left takes no more output.
          channel.close();
        }
      }
      return { status: 200, headers: { "content-type": RAW_STREAM }, body: body() };
    }
    return {
      status: 101,
      headers: { "content-type": body.Tty ? RAW_STREAM : MULTIPLEXED_STREAM, connection: "Upgrade", upgrade: "tcp" },
      upgrade: async (connection) => {
        try {
          // The client half-closes once its stdin is done (at once without -i).
          await run((data) => connection.write(data), exec.attachStdin ? connection.input : undefined);
        } finally {
          connection.end();
        }
      },
    };
  }

  function inspect(exec: ExecInstance): unknown {
    return {
      ID: exec.id,
      Running: exec.running,
      ExitCode: exec.exitCode,
      ProcessConfig: { tty: exec.tty, entrypoint: exec.cmd[0], arguments: exec.cmd.slice(1), privileged: false, user: exec.user || undefined },
      OpenStdin: exec.attachStdin,
      OpenStderr: exec.attachStderr,
      OpenStdout: exec.attachStdout,
      CanRemove: false,
      ContainerID: exec.containerId,
      // dockerd's default detach keys (ctrl-p, ctrl-q) as its []byte goes out in JSON.
      DetachKeys: "EBE=",
      Pid: exec.pid,
    };
  }

  return [
    { method: "POST", path: "/containers/{name}/exec", handle: create },
    { method: "POST", path: "/exec/{id}/start", handle: start },
    { method: "GET", path: "/exec/{id}/json", handle: async ({ params }) => json(200, inspect(instance(params.id!))) },
    {
      method: "POST",
      path: "/exec/{id}/resize",
      handle: async ({ params, query }) => {
        const [rows, columns] = [atoi(query.get("h")), atoi(query.get("w"))];
        const exec = instance(params.id!);
        activeContainer(exec.containerId);
        // Without a terminal there is nothing to size (containerd's shim ignores it too).
        if (exec.tty) exec.process?.resize(columns, rows);
        return noContent(200);
      },
    },
  ];
}
