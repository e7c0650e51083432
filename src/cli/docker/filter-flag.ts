/**
 * `-f, --filter key=value` of docker ps, docker images and docker volume ls:
 * read into Docker's filter arguments by the API's own parser, so Berth's CLI
 * and the Engine API filter with one implementation.
 */
import { filtersFromFlags, type Filters } from "../../api/index.ts";
import type { FlagSpec, ParsedFlags } from "../flags.ts";
import { CommandError, type DockerCommand } from "./command.ts";

/** The flag, with the command's own description of it. */
export function filterFlag(description = "Filter output based on conditions provided"): FlagSpec {
  return { name: "filter", short: "f", kind: "list", valueName: "filter", description };
}

/**
 * The filters given, with `implied` ones (key=value) the command adds, or the
 * docker CLI's refusal of a value that is not key=value (a flag error: 125).
 */
export function filtersOf(flags: ParsedFlags, command: DockerCommand, implied: readonly string[] = []): Filters {
  const values = flags.lists.get("filter") ?? [];
  const bad = values.find((v) => v !== "" && !v.includes("="));
  if (bad !== undefined) {
    throw new CommandError(
      `invalid argument "${bad}" for "-f, --filter" flag: bad format of filter (expected name=value)\n\nUsage:  docker ${command.usage}\n\nRun 'docker ${command.name} --help' for more information`,
      125,
    );
  }
  return filtersFromFlags([...values, ...implied]);
}
