/**
 * Docker's command-line grammar (spf13/pflag, as the docker CLI configures it):
 *
 * - long flags `--name value` or `--name=value`; booleans `--rm`, `--rm=false`
 * - short flags `-e X`, `-eX`, and booleans combined: `-it`, `-itd`, `-dp 80:80`
 * - repeated flags collect (`-e A -e B`)
 * - parsing stops at the first positional argument (interspersed=false, so
 *   `docker run alpine ls -l` gives `-l` to ls) or after `--`
 *
 * Errors use pflag's words, which the docker CLI prints before its usage hint.
 */
import { BerthError } from "../util/index.ts";

export type FlagKind = "bool" | "string" | "list";

export interface FlagSpec {
  readonly name: string;
  readonly short?: string;
  readonly kind: FlagKind;
  readonly description: string;
  /** Placeholder shown in --help, e.g. "list", "string". */
  readonly valueName?: string;
  readonly defaultValue?: string;
  readonly hidden?: boolean;
}

export interface ParsedFlags {
  readonly bools: ReadonlyMap<string, boolean>;
  readonly strings: ReadonlyMap<string, string>;
  readonly lists: ReadonlyMap<string, readonly string[]>;
  /** Arguments after the flags. */
  readonly args: readonly string[];
}

/**
 * Parses argv as pflag does: flags may come between the arguments
 * (interspersed), unless `interspersed` is false, where the first argument
 * ends the flags (docker run IMAGE COMMAND...: the rest is the command's).
 * "--" ends the flags either way.
 */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[], interspersed = true): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const bools = new Map<string, boolean>();
  const strings = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const set = (spec: FlagSpec, value: string) => {
    if (spec.kind === "list") lists.set(spec.name, [...(lists.get(spec.name) ?? []), value]);
    else strings.set(spec.name, value);
  };

  const args: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      if (!interspersed) break;
      args.push(arg);
      continue;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      const spec = byName.get(name);
      if (!spec) throw flagError(`unknown flag: --${name}`);
      if (spec.kind === "bool") {
        bools.set(name, eq >= 0 ? parseBool(arg.slice(eq + 1), `--${name}`) : true);
      } else if (eq >= 0) {
        set(spec, arg.slice(eq + 1));
      } else {
        if (i + 1 >= argv.length) throw flagError(`flag needs an argument: --${name}`);
        set(spec, argv[++i]!);
      }
      continue;
    }
    // A cluster of short flags: booleans, until one that takes a value eats the rest.
    for (let j = 1; j < arg.length; j++) {
      const c = arg[j]!;
      const spec = byShort.get(c);
      if (!spec) throw flagError(`unknown shorthand flag: '${c}' in ${arg}`);
      if (spec.kind === "bool") {
        if (arg[j + 1] === "=") {
          bools.set(spec.name, parseBool(arg.slice(j + 2), `-${c}`));
          break;
        }
        bools.set(spec.name, true);
        continue;
      }
      let value = arg.slice(j + 1);
      if (value.startsWith("=")) value = value.slice(1);
      else if (value === "") {
        if (i + 1 >= argv.length) throw flagError(`flag needs an argument: '${c}' in -${c}`);
        value = argv[++i]!;
      }
      set(spec, value);
      break;
    }
  }
  return { bools, strings, lists, args: [...args, ...argv.slice(i)] };
}

function parseBool(value: string, flag: string): boolean {
  if (["1", "t", "T", "true", "TRUE", "True"].includes(value)) return true;
  if (["0", "f", "F", "false", "FALSE", "False"].includes(value)) return false;
  throw flagError(`invalid argument "${value}" for "${flag}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`);
}

function flagError(message: string): BerthError {
  return new BerthError("INVALID_ARGUMENT", message);
}

const NUMERIC_VALUES = new Set(["int", "uint", "decimal", "float"]);

/** The "Options:" block of --help, laid out as the docker CLI does. */
export function formatOptions(specs: readonly FlagSpec[]): string {
  const rows = specs
    .filter((s) => !s.hidden)
    .map((s) => {
      const names = (s.short ? `-${s.short}, ` : "    ") + `--${s.name}` + (s.kind === "bool" ? "" : ` ${s.valueName ?? (s.kind === "list" ? "list" : "string")}`);
      // pflag quotes a string's default, not a bool's or a number's.
      const quoted = s.kind !== "bool" && !NUMERIC_VALUES.has(s.valueName ?? "");
      const shown = s.defaultValue === undefined ? "" : ` (default ${quoted ? JSON.stringify(s.defaultValue) : s.defaultValue})`;
      const description = s.description + shown;
      return [names, description] as const;
    });
  const width = Math.max(...rows.map(([n]) => n.length));
  return rows.map(([n, d]) => `  ${n.padEnd(width)}   ${d}`).join("\n");
}
