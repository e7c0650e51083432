/**
 * The `--name=value` flags an instruction accepts (BuildKit's BFlags): each instruction
 * declares its flags, then the words the parser split off are checked against them.
 */

type FlagType = "string" | "bool" | "strings";

interface FlagDef {
  readonly type: FlagType;
  readonly default?: string | boolean;
}

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export class InstructionFlags {
  private readonly defs = new Map<string, FlagDef>();
  /** Names of the flags given, in order. */
  readonly used: string[] = [];

  constructor(private readonly words: readonly string[]) {}

  string(name: string, def?: string): this {
    this.defs.set(name, def === undefined ? { type: "string" } : { type: "string", default: def });
    return this;
  }

  bool(name: string, def = false): this {
    this.defs.set(name, { type: "bool", default: def });
    return this;
  }

  strings(name: string): this {
    this.defs.set(name, { type: "strings" });
    return this;
  }

  /** Checks the words; throws with BuildKit's messages on an unknown or malformed flag. */
  parse(): FlagValues {
    const values: FlagValues = {};
    for (const [name, def] of this.defs) values[name] = def.type === "strings" ? [] : def.default;
    const seen = new Set<string>();
    for (const word of this.words) {
      if (!word.startsWith("--")) throw new Error(`Arg ${JSON.stringify(word)} must start with '--'`);
      const body = word.slice(2);
      const eq = body.indexOf("=");
      const name = eq < 0 ? body : body.slice(0, eq);
      const value = eq < 0 ? undefined : body.slice(eq + 1);
      const def = this.defs.get(name);
      if (!def) throw new Error(`unknown flag: ${name}`);
      if (seen.has(name) && def.type !== "strings") throw new Error(`Duplicate flag specified: ${name}`);
      seen.add(name);
      this.used.push(name);
      switch (def.type) {
        case "bool": {
          const v = (value ?? "true").toLowerCase();
          if (v !== "true" && v !== "false") throw new Error(`expecting boolean value for flag ${name}, not: ${value}`);
          values[name] = v === "true";
          break;
        }
        case "string":
          if (value === undefined) throw new Error(`Missing a value on flag: ${name}`);
          values[name] = value;
          break;
        case "strings":
          if (value === undefined) throw new Error(`Missing a value on flag: ${name}`);
          (values[name] as string[]).push(value);
          break;
      }
    }
    return values;
  }
}

const UNITS: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, "μs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration, in nanoseconds ("1m30s" -> 90e9). */
export function parseGoDuration(s: string): number {
  const bad = () => new Error(`time: invalid duration ${JSON.stringify(s)}`);
  let rest = s;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest[0] === "-" ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") throw bad();
  let total = 0;
  const part = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/;
  while (rest !== "") {
    const m = part.exec(rest);
    if (!m || m[1] === "" || m[1] === ".") throw bad();
    total += Number(m[1]) * UNITS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return sign * Math.round(total);
}
