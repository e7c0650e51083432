/**
 * The shape of a docker CLI command: its usage line, flags and a handler
 * that gets the engine, parsed flags and the caller's terminal.
 */
import type { DockerIO, DockerRequest, Engine } from "../../engine/index.ts";
import { concatBytes } from "../../util/index.ts";
import type { FlagSpec, ParsedFlags } from "../flags.ts";

export interface CommandContext {
  readonly engine: Engine;
  readonly flags: ParsedFlags;
  readonly io: DockerIO;
  readonly request: DockerRequest;
}

export interface DockerCommand {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** "docker run [OPTIONS] IMAGE [COMMAND] [ARG...]" without "docker " */
  readonly usage: string;
  readonly summary: string;
  /** Where Berth's command differs from Docker's, at the end of its --help. */
  readonly notes?: string;
  readonly flags: readonly FlagSpec[];
  /** Fewest positional arguments; Docker's "requires at least N argument(s)". */
  readonly minArgs?: number;
  readonly maxArgs?: number;
  /** Its arguments end with a command line of its own (run, create, exec): flags stop at the first argument. */
  readonly commandLine?: boolean;
  run(context: CommandContext): Promise<number>;
}

/** Docker's "Are you sure" after a warning, answered on the caller's terminal: true for y or yes. */
export async function confirmed(io: DockerIO, warning: string): Promise<boolean> {
  io.stdout(`${warning}\nAre you sure you want to continue? [y/N] `);
  let answer = "";
  const decoder = new TextDecoder();
  for await (const chunk of io.stdin()) {
    answer += decoder.decode(chunk, { stream: true });
    if (answer.includes("\n")) break;
  }
  const word = answer.split("\n")[0]!.trim().toLowerCase();
  return word === "y" || word === "yes";
}

/** Runs `action` for each name given (containers, images, volumes); prints what it returns, errors as Docker does. */
export async function eachName(
  names: readonly string[],
  io: DockerIO,
  action: (name: string) => Promise<string | undefined>,
): Promise<number> {
  let status = 0;
  for (const name of names) {
    try {
      const out = await action(name);
      if (out !== undefined) io.stdout(`${out}\n`);
    } catch (error) {
      io.stderr(`Error response from daemon: ${(error as Error).message}\n`);
      status = 1;
    }
  }
  return status;
}

/** An error a command reports in Docker's words, with its exit status. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly status: number = 1,
  ) {
    super(message);
  }
}

/** pflag's error for a flag value it cannot take (the CLI exits 125 with the usage hint). */
export function flagValueError(value: string, spec: FlagSpec, reason: string, usage: string): CommandError {
  const names = spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;
  return new CommandError(
    `invalid argument "${value}" for "${names}" flag: ${reason}\n\nUsage:  docker ${usage}\n\nRun 'docker ${usage.split(" ")[0]} --help' for more information`,
    125,
  );
}

/** An integer flag's value (given as a string flag), or pflag's error for anything else. */
export function intFlag(flags: ParsedFlags, spec: FlagSpec, usage: string): number | undefined {
  const value = flags.strings.get(spec.name);
  if (value === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(value)) throw flagValueError(value, spec, `strconv.ParseInt: parsing "${value}": invalid syntax`, usage);
  return Number(value);
}

/**
 * `-e NAME`, `--env-file` lines and `--build-arg NAME` without a value take
 * it from the caller's environment, as the docker CLI does; a name the
 * caller has not set is left out.
 */
export function withCallerEnv(entries: readonly string[], callerEnv: readonly string[] = []): string[] {
  return entries.flatMap((entry) => {
    if (entry.includes("=")) return [entry];
    const found = callerEnv.find((e) => e.startsWith(`${entry}=`));
    return found === undefined ? [] : [found];
  });
}

/** The caller's stdin, whole (docker load, docker build -). */
export async function readStdin(io: DockerIO): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of io.stdin()) chunks.push(chunk);
  return concatBytes(chunks);
}
