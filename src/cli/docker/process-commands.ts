/**
 * Commands about a container's processes and lifecycle after `run`: exec,
 * top, stop, restart, rename, create.
 */
import { containerTop, execStartFailure, topUser } from "../../api/index.ts";
import type { ProcessInfo } from "../../runtime/index.ts";
import { BerthError } from "../../util/index.ts";
import type { FlagSpec } from "../flags.ts";
import { CommandError, eachName, intFlag, withCallerEnv, type DockerCommand } from "./command.ts";
import { createContainer, imageCommandUsage, RUN_FLAGS } from "./container-commands.ts";
import { table } from "./format.ts";

const EXEC_FLAGS: FlagSpec[] = [
  { name: "detach", short: "d", kind: "bool", description: "Detached mode: run command in the background" },
  { name: "env", short: "e", kind: "list", description: "Set environment variables" },
  { name: "interactive", short: "i", kind: "bool", description: "Keep STDIN open even if not attached" },
  { name: "privileged", kind: "bool", description: "Give extended privileges to the command" },
  { name: "tty", short: "t", kind: "bool", description: "Allocate a pseudo-TTY" },
  { name: "user", short: "u", kind: "string", description: "Username or UID (format: \"<name|uid>[:<group|gid>]\")" },
  { name: "workdir", short: "w", kind: "string", description: "Working directory inside the container" },
];

export const execCommand: DockerCommand = {
  name: "exec",
  commandLine: true,
  aliases: ["container exec"],
  usage: "exec [OPTIONS] CONTAINER COMMAND [ARG...]",
  summary: "Execute a command in a running container",
  flags: EXEC_FLAGS,
  minArgs: 2,
  async run({ engine, flags, io, request }) {
    const [ref, ...cmd] = flags.args as string[];
    const bool = (name: string) => flags.bools.get(name) ?? false;
    const tty = bool("tty");
    const interactive = bool("interactive");
    let started;
    try {
      started = await engine.runtime.exec(ref!, {
        cmd,
        env: withCallerEnv(flags.lists.get("env") ?? [], request.env),
        workingDir: flags.strings.get("workdir"),
        user: flags.strings.get("user"),
        terminal: tty ? { columns: request.columns || 80, rows: request.rows || 24 } : undefined,
      });
    } catch (error) {
      const failure = execStartFailure(error);
      throw failure ? new CommandError(failure.message, failure.exitCode) : error;
    }
    const { process } = started;
    if (bool("detach")) {
      await process.closeStdin();
      void drain(process.stdout);
      if (process.stderr) void drain(process.stderr);
      return 0;
    }
    const output = Promise.all([
      (async () => {
        // Awaited: a terminal slower than the process slows it instead of queueing its output.
        for await (const chunk of process.stdout) await io.stdout(chunk);
      })(),
      (async () => {
        if (process.stderr) for await (const chunk of process.stderr) await io.stderr(chunk);
      })(),
    ]);
    if (tty && interactive && request.stdinTty) io.rawTerminal();
    if (interactive) {
      void (async () => {
        for await (const chunk of io.stdin()) await process.write(chunk);
        await process.closeStdin();
      })().catch(() => undefined);
    } else {
      await process.closeStdin();
    }
    const { exitCode } = await process.wait();
    await output;
    return exitCode;
  },
};

async function drain(stream: AsyncIterable<Uint8Array>): Promise<void> {
  try {
    for await (const _ of stream);
  } catch {
    // the process is gone
  }
}

/** `docker top`'s table (the CLI lays out the daemon's rows at width 20). */
export function topTable(processes: readonly ProcessInfo[], user: string, now = new Date()): string {
  const top = containerTop(processes, user, now);
  return table(top.Titles, top.Processes, 20);
}

export const topCommand: DockerCommand = {
  name: "top",
  aliases: ["container top"],
  usage: "top CONTAINER [ps OPTIONS]",
  summary: "Display the running processes of a container",
  flags: [],
  minArgs: 1,
  async run({ engine, flags, io }) {
    const [ref, ...psOptions] = flags.args as string[];
    const container = engine.runtime.get(ref!);
    if (!engine.runtime.isRunning(container.id)) throw new BerthError("CONFLICT", `container ${container.id} is not running`);
    if (psOptions.length > 0 && psOptions.join(" ") !== "-ef") {
      throw new BerthError("INVALID_ARGUMENT", `ps options are not supported here (only the default, -ef): ${psOptions.join(" ")}`);
    }
    io.stdout(topTable(engine.runtime.processes(container.id), topUser(container)));
    return 0;
  },
};

const STOP_FLAGS: FlagSpec[] = [
  { name: "signal", short: "s", kind: "string", description: "Signal to send to the container" },
  { name: "timeout", short: "t", kind: "string", valueName: "int", description: "Seconds to wait before killing the container" },
];

export const stopCommand: DockerCommand = {
  name: "stop",
  aliases: ["container stop"],
  usage: "stop [OPTIONS] CONTAINER [CONTAINER...]",
  summary: "Stop one or more running containers",
  flags: STOP_FLAGS,
  minArgs: 1,
  async run({ engine, flags, io }) {
    const timeoutSeconds = intFlag(flags, STOP_FLAGS[1]!, stopCommand.usage);
    const signal = flags.strings.get("signal");
    return eachName(flags.args, io, async (name) => {
      await engine.runtime.stop(name, { timeoutSeconds, signal });
      return name;
    });
  },
};

export const restartCommand: DockerCommand = {
  name: "restart",
  aliases: ["container restart"],
  usage: "restart [OPTIONS] CONTAINER [CONTAINER...]",
  summary: "Restart one or more containers",
  flags: STOP_FLAGS,
  minArgs: 1,
  async run({ engine, flags, io }) {
    const timeoutSeconds = intFlag(flags, STOP_FLAGS[1]!, restartCommand.usage);
    const signal = flags.strings.get("signal");
    return eachName(flags.args, io, async (name) => {
      await engine.runtime.restart(name, { timeoutSeconds, signal });
      return name;
    });
  },
};

export const renameCommand: DockerCommand = {
  name: "rename",
  aliases: ["container rename"],
  usage: "rename CONTAINER NEW_NAME",
  summary: "Rename a container",
  flags: [],
  minArgs: 2,
  maxArgs: 2,
  async run({ engine, flags }) {
    const [ref, name] = flags.args as [string, string];
    if (!name.trim()) throw new BerthError("INVALID_ARGUMENT", "Neither old nor new names may be empty");
    engine.runtime.rename(ref, name);
    return 0;
  },
};

export const createCommand: DockerCommand = {
  name: "create",
  commandLine: true,
  aliases: ["container create"],
  usage: imageCommandUsage("create"),
  summary: "Create a new container",
  flags: RUN_FLAGS.filter((f) => f.name !== "detach"),
  minArgs: 1,
  async run({ engine, flags, io, request }) {
    const container = await createContainer(engine, flags, io, "create", request);
    io.stdout(`${container.id}\n`);
    return 0;
  },
};
