/**
 * The docker CLI, in TypeScript, run by the engine for the `docker` command on
 * the host: parses Docker's grammar, runs a command, prints what Docker prints
 * and returns its exit status (125 for the CLI's own errors, as Docker).
 */
import type { DockerIO, DockerRequest, Engine } from "../../engine/index.ts";
import { BerthError } from "../../util/index.ts";
import { formatOptions, parseFlags } from "../flags.ts";
import { loadCommand, saveCommand } from "./archive-commands.ts";
import { buildCommand, historyCommand } from "./build-commands.ts";
import { CommandError, type DockerCommand } from "./command.ts";
import { systemDfCommand } from "./disk-usage-commands.ts";
import { containerInspectCommand, diffCommand, imageInspectCommand, inspectCommand, killCommand, logsCommand, psCommand, rmCommand, runCommand, startCommand, waitCommand } from "./container-commands.ts";
import { imagesCommand, pullCommand, rmiCommand, tagCommand } from "./image-commands.ts";
import { commitCommand, containerPruneCommand, cpCommand, exportCommand, imagePruneCommand } from "./layer-commands.ts";
import { createCommand, execCommand, renameCommand, restartCommand, stopCommand, topCommand } from "./process-commands.ts";
import { eventsCommand } from "./events-commands.ts";
import { STATS_COMMANDS } from "./stats-commands.ts";
import { infoCommand, versionCommand } from "./system-commands.ts";
import { VOLUME_COMMANDS } from "./volume-commands.ts";

export const COMMANDS: readonly DockerCommand[] = [
  runCommand,
  createCommand,
  execCommand,
  psCommand,
  topCommand,
  pullCommand,
  imagesCommand,
  buildCommand,
  historyCommand,
  startCommand,
  stopCommand,
  restartCommand,
  killCommand,
  waitCommand,
  rmCommand,
  renameCommand,
  rmiCommand,
  tagCommand,
  saveCommand,
  loadCommand,
  logsCommand,
  diffCommand,
  commitCommand,
  cpCommand,
  exportCommand,
  containerPruneCommand,
  imagePruneCommand,
  inspectCommand,
  containerInspectCommand,
  imageInspectCommand,
  versionCommand,
  infoCommand,
  systemDfCommand,
  ...VOLUME_COMMANDS,
  ...STATS_COMMANDS,
  eventsCommand,
];

/** Management commands ("docker volume ls" is the command "volume ls" of the group "volume"). */
const GROUP_SUMMARIES: Readonly<Record<string, string>> = {
  container: "Manage containers",
  image: "Manage images",
  system: "Manage Docker",
  volume: "Manage volumes",
};

function groupOf(command: DockerCommand): string | undefined {
  return command.name.includes(" ") ? command.name.split(" ")[0] : undefined;
}

/** Every group a command is in, by its name or an alias ("container run"). */
function groups(): string[] {
  const names = COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
  return [...new Set(names.filter((n) => n.includes(" ")).map((n) => n.split(" ")[0]!))].sort();
}

function groupHelp(group: string): string {
  const members: [string, string][] = [];
  for (const command of COMMANDS) {
    const name = [command.name, ...(command.aliases ?? [])].find((n) => n.startsWith(`${group} `));
    if (name) members.push([name.slice(group.length + 1), command.summary]);
  }
  members.sort((a, b) => a[0].localeCompare(b[0]));
  const width = Math.max(10, ...members.map(([name]) => name.length)) + 2;
  return (
    `Usage:  docker ${group} COMMAND\n\n${GROUP_SUMMARIES[group] ?? ""}\n\nCommands:\n` +
    members.map(([name, summary]) => `  ${name.padEnd(width)}${summary}`).join("\n") +
    `\n\nRun 'docker ${group} COMMAND --help' for more information on a command.\n`
  );
}

/** The command argv starts with (its name or an alias, one word or two) and the words after it. */
export function findCommand(argv: readonly string[]): { command: DockerCommand; rest: readonly string[] } | undefined {
  for (const command of COMMANDS) {
    for (const name of [command.name, ...(command.aliases ?? [])]) {
      const words = name.split(" ");
      if (words.every((w, i) => argv[i] === w)) return { command, rest: argv.slice(words.length) };
    }
  }
  return undefined;
}

function usageBlock(command: DockerCommand, verb: "Run" | "See"): string {
  return `\nUsage:  docker ${command.usage}\n\n${verb} 'docker ${command.name} --help' for more information\n`;
}

function help(command: DockerCommand): string {
  const aliases = command.aliases?.length ? `\nAliases:\n  ${[...command.aliases.map((a) => `docker ${a}`), `docker ${command.name}`].join(", ")}\n` : "";
  const options = command.flags.length ? `\nOptions:\n${formatOptions(command.flags)}\n` : "";
  const notes = command.notes ? `\n${command.notes}\n` : "";
  return `Usage:  docker ${command.usage}\n\n${command.summary}\n${aliases}${options}${notes}`;
}

function mainHelp(): string {
  const commands = COMMANDS.filter((c) => !groupOf(c));
  const width = Math.max(...commands.map((c) => c.name.length), ...groups().map((g) => g.length)) + 2;
  return (
    "Usage:  docker [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers, running on Berth's WebAssembly kernel\n\nCommands:\n" +
    commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join("\n") +
    "\n\nManagement Commands:\n" +
    groups().map((g) => `  ${g.padEnd(width)}${GROUP_SUMMARIES[g] ?? ""}`).join("\n") +
    "\n\nRun 'docker COMMAND --help' for more information on a command.\n"
  );
}

function argsError(command: DockerCommand, count: number): string | undefined {
  const { minArgs = 0, maxArgs } = command;
  const plural = (n: number) => `${n} argument${n === 1 ? "" : "s"}`;
  if (maxArgs === 0 && count > 0) return `docker: 'docker ${command.name}' accepts no arguments\n${usageBlock(command, "Run")}`;
  if (minArgs === maxArgs && count !== minArgs) return `docker: 'docker ${command.name}' requires ${plural(minArgs)}\n${usageBlock(command, "Run")}`;
  if (count < minArgs) return `docker: 'docker ${command.name}' requires at least ${plural(minArgs)}\n${usageBlock(command, "See")}`;
  if (maxArgs !== undefined && count > maxArgs) return `docker: 'docker ${command.name}' requires at most ${plural(maxArgs)}\n${usageBlock(command, "Run")}`;
  return undefined;
}

export async function runDocker(engine: Engine, request: DockerRequest, io: DockerIO): Promise<number> {
  const argv = request.argv;
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    io.stdout(mainHelp());
    return 0;
  }
  if (argv[0] === "--version" || argv[0] === "-v") {
    io.stdout("Docker version 28.2.2-berth, build wasm32\n");
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = groups().includes(argv[0]!) ? argv[0]! : undefined;
    if (group && (argv.length === 1 || argv[1] === "--help")) {
      io.stdout(groupHelp(group));
      return 0;
    }
    const unknown = group ? `${group} ${argv[1]}` : argv[0];
    io.stderr(`docker: unknown command: docker ${unknown}\n\nRun 'docker ${group ? `${group} ` : ""}--help' for more information\n`);
    return 1;
  }
  const { command, rest } = found;
  if (rest.includes("--help") && rest.indexOf("--help") < (rest.indexOf("--") < 0 ? Infinity : rest.indexOf("--"))) {
    io.stdout(help(command));
    return 0;
  }
  let flags;
  try {
    flags = parseFlags(rest, command.flags, !command.commandLine);
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${usageBlock(command, "Run")}`);
    return 125;
  }
  const wrongArgs = argsError(command, flags.args.length);
  if (wrongArgs) {
    io.stderr(wrongArgs);
    return 1;
  }
  try {
    return await command.run({ engine, flags, io, request });
  } catch (error) {
    if (error instanceof CommandError) {
      io.stderr(`${error.message}\n`);
      return error.status;
    }
    if (BerthError.is(error)) {
      io.stderr(`Error response from daemon: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
