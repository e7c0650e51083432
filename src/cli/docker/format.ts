/**
 * Docker's ways of printing things: tables aligned like Go's tabwriter with
 * three spaces of padding, human durations ("2 minutes ago"), decimal sizes
 * ("7.38MB"), shortened IDs and quoted, truncated commands.
 */

/**
 * Columns as the docker CLI's tabwriter lays them out (minimum width 10,
 * padding 3): each column as wide as its widest cell plus three spaces, at
 * least ten (twenty for `docker top`); the last column is not padded.
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[], minWidth = 10): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(minWidth, 3 + Math.max(...all.map((r) => [...(r[i] ?? "")].length))));
  return all
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat(widths[i]! - [...cell].length))).join(""))
    .map((line) => line.trimEnd())
    .join("\n") + "\n";
}

/** Go's units.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return "Less than a second";
  if (seconds === 1) return "1 second";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return "About an hour";
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

export function ago(date: Date, now: number = Date.now()): string {
  return `${humanDuration(now - date.getTime())} ago`;
}

/** Go's units.HumanSizeWithPrecision(size, 3): decimal units, three significant digits (units.HumanSize: four). */
export function humanSize(bytes: number, precision = 3): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(precision))}${units[unit]}`;
}

/** "sha256:abc…" or "abc…" -> the 12 characters Docker shows. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, "").slice(0, 12);
}

/**
 * The COMMAND column: the daemon joins path and arguments with spaces (no
 * quoting), the CLI cuts it to 20 characters with "…" and quotes it like Go.
 */
export function quotedCommand(argv: readonly string[], truncate = true): string {
  const line = argv.join(" ");
  const cut = truncate && [...line].length > 20 ? [...line].slice(0, 19).join("") + "…" : line;
  return JSON.stringify(cut);
}
