/**
 * The shape of a docker CLI command: its usage line, flags and a handler
 * that gets the engine, parsed flags and the caller's terminal.
 */
import type { DockerIO, DockerRequest, Engine } from "../../engine/index.ts";
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
  readonly flags: readonly FlagSpec[];
  /** Fewest positional arguments; Docker's "requires at least N argument(s)". */
  readonly minArgs?: number;
  readonly maxArgs?: number;
  run(context: CommandContext): Promise<number>;
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
