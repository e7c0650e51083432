/**
 * Docker's filter arguments (its filters.Args), the one home for every
 * listing's filters: the docker CLI's `--filter key=value` flags and the
 * Engine API's `filters` query parse here into the same map, each listing
 * checks its keys here, and the ways dockerd compares a value (exactly, as a
 * prefix, as an unanchored regular expression, as label lists, as a boolean,
 * as a time) live here. What each key means for containers, images, volumes
 * and events lives beside that listing.
 */
import { parseGoDuration } from "../build/index.ts";
import { BerthError } from "../util/index.ts";

/** Each key's values, each value once, in the order given. */
export type Filters = ReadonlyMap<string, readonly string[]>;

/**
 * The `filters` query: `{"key":{"value":true}}`, or the legacy
 * `{"key":["value"]}`; dockerd's bare "invalid filter" for anything else.
 */
export function parseFilters(text: string | null): Filters {
  const filters = new Map<string, string[]>();
  if (!text) return filters;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BerthError("INVALID_ARGUMENT", "invalid filter");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new BerthError("INVALID_ARGUMENT", "invalid filter");
  for (const [key, values] of Object.entries(value)) {
    if (Array.isArray(values) && values.every((v) => typeof v === "string")) filters.set(key, [...new Set(values)]);
    else if (typeof values === "object" && values !== null && Object.values(values).every((v) => typeof v === "boolean")) filters.set(key, Object.keys(values));
    else throw new BerthError("INVALID_ARGUMENT", "invalid filter");
  }
  return filters;
}

/**
 * The docker CLI's `--filter` values (its FilterOpt): `key=value`, the key
 * trimmed and lower-cased, the value trimmed; an empty one is skipped. A value
 * without "=" is refused with the words the CLI gives its flag.
 */
export function filtersFromFlags(values: readonly string[]): Filters {
  const filters = new Map<string, string[]>();
  for (const text of values) {
    if (text === "") continue;
    const eq = text.indexOf("=");
    if (eq < 0) throw new BerthError("INVALID_ARGUMENT", "bad format of filter (expected name=value)");
    const key = text.slice(0, eq).trim().toLowerCase();
    const value = text.slice(eq + 1).trim();
    const known = filters.get(key) ?? [];
    if (!known.includes(value)) filters.set(key, [...known, value]);
  }
  return filters;
}

/** dockerd's refusal of a key a listing does not know, or of a key's values. */
export function invalidFilter(key: string, values?: readonly string[]): BerthError {
  // Go prints the values as a slice: [a b].
  return new BerthError("INVALID_ARGUMENT", `invalid filter '${key}${values ? `=[${values.join(" ")}]` : ""}'`);
}

/** Refuses the first key not in `accepted` (filters.Args.Validate). */
export function validateFilters(filters: Filters, accepted: readonly string[]): void {
  for (const key of filters.keys()) if (!accepted.includes(key)) throw invalidFilter(key);
}

/** No values for the key (or no key): the filter lets everything through. */
function unfiltered(filters: Filters, key: string): boolean {
  return (filters.get(key) ?? []).length === 0;
}

/** Whether `source` is one of the key's values (ExactMatch). */
export function matchesExactly(filters: Filters, key: string, source: string): boolean {
  return unfiltered(filters, key) || filters.get(key)!.includes(source);
}

/** Whether one of the key's values is `source` or begins it (FuzzyMatch). */
export function matchesPrefix(filters: Filters, key: string, source: string): boolean {
  return unfiltered(filters, key) || filters.get(key)!.some((v) => source.startsWith(v));
}

/**
 * Whether one of the key's values is `source` or an unanchored regular
 * expression found in it (Match): `name=web` matches "my-web-1", `name=^web$`
 * only "web". A value that is no valid expression matches only exactly.
 */
export function matchesPattern(filters: Filters, key: string, source: string): boolean {
  if (matchesExactly(filters, key, source)) return true;
  return filters.get(key)!.some((v) => {
    try {
      return new RegExp(v).test(source);
    } catch {
      return false;
    }
  });
}

/** Whether the labels have every `key` and `key=value` the filter names (MatchKVList). */
export function matchesLabels(filters: Filters, key: string, labels: Readonly<Record<string, string>>): boolean {
  if (unfiltered(filters, key)) return true;
  return filters.get(key)!.every((wanted) => {
    const eq = wanted.indexOf("=");
    const name = eq < 0 ? wanted : wanted.slice(0, eq);
    return Object.hasOwn(labels, name) && (eq < 0 || labels[name] === wanted.slice(eq + 1));
  });
}

/** A yes/no filter (GetBoolOrDefault): true|1 or false|0; undefined when absent; both, or neither, refused. */
export function filterBool(filters: Filters, key: string): boolean | undefined {
  const values = filters.get(key);
  if (values === undefined) return undefined;
  const isTrue = values.includes("true") || values.includes("1");
  const isFalse = values.includes("false") || values.includes("0");
  if (isTrue === isFalse) throw invalidFilter(key, values);
  return isTrue;
}

/**
 * A time a filter names, in milliseconds since the epoch, as Docker's
 * timestamp.GetTimestamp reads it: a Go duration back from `now` ("10m",
 * "1h30m"), a date or RFC 3339 time ("2024-01-02", "2024-01-02T15:04:05Z"),
 * or Unix seconds ("1700000000", "1700000000.5").
 */
export function filterTime(value: string, now: number): number {
  if (value !== "0") {
    try {
      return now - parseGoDuration(value) / 1e6;
    } catch {
      // Not a duration: a time.
    }
  }
  if (value.includes("-")) {
    const time = Date.parse(value);
    if (!Number.isNaN(time)) return time;
  } else if (/^\d+(\.\d+)?$/.test(value)) {
    return Number(value) * 1000;
  }
  throw new BerthError("INVALID_ARGUMENT", `failed to parse value as time or duration: invalid seconds ${JSON.stringify(value)}: invalid syntax`);
}

/**
 * Go's path.Match, which dockerd's `reference` filter uses: `*` any run of
 * characters but "/", `?` one such character, `[...]` a class (`[^...]`
 * negated, `a-z` ranges), `\` escaping; the whole name must match. A
 * malformed pattern is Go's ErrBadPattern, which dockerd returns as it is (500).
 */
export function pathMatch(pattern: string, name: string): boolean {
  const bad = () => new BerthError("INTERNAL", "syntax error in pattern");
  const escape = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else if (c === "\\") {
      if (++i >= pattern.length) throw bad();
      source += escape(pattern[i]!);
    } else if (c === "[") {
      let cls = "";
      i++;
      if (pattern[i] === "^") {
        cls += "^";
        i++;
      }
      const char = () => {
        if (i >= pattern.length) throw bad();
        let ch = pattern[i++]!;
        if (ch === "\\") {
          if (i >= pattern.length) throw bad();
          ch = pattern[i++]!;
        } else if (ch === "-" || ch === "]") throw bad();
        return ch;
      };
      let ranges = 0;
      while (pattern[i] !== "]" || ranges === 0) {
        const lo = char();
        let hi = lo;
        if (pattern[i] === "-") {
          i++;
          hi = char();
          if (hi < lo) throw bad();
        }
        cls += lo === hi ? escape(lo) : `${escape(lo)}-${escape(hi)}`;
        ranges++;
        if (i >= pattern.length) throw bad();
      }
      source += `[${cls}]`;
    } else source += escape(c);
  }
  return new RegExp(`^${source}$`, "s").test(name);
}
