/**
 * Docker's ways of printing things: tables aligned like Go's tabwriter with
 * three spaces of padding, human durations ("2 minutes ago"), decimal sizes
 * ("7.38MB"), shortened IDs and quoted, truncated commands.
 */
import { humanDuration } from "../../util/index.ts";
import { CommandError } from "./command.ts";
import { renderTemplate, TemplateError } from "./template.ts";

/**
 * Columns as the docker CLI's tabwriter lays them out (minimum width 10,
 * padding 3): each column as wide as its widest cell plus three spaces, at
 * least ten (twenty for `docker top`); the last column is not padded, so a
 * row whose last cell is empty ends in the padding before it, as Docker's does.
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[], minWidth = 10): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(minWidth, 3 + Math.max(...all.map((r) => [...(r[i] ?? "")].length))));
  return all
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat(widths[i]! - [...cell].length))).join(""))
    .join("\n") + "\n";
}

export { humanDuration };

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

/** What every `docker … prune` prints: what it deleted (if anything), then the space it freed (Go's units.HumanSize). */
export function pruneReport(heading: string, deleted: readonly string[], reclaimedBytes: number): string {
  const list = deleted.length ? `${heading}:\n${deleted.map((line) => `${line}\n`).join("")}\n` : "";
  return `${list}Total reclaimed space: ${humanSize(reclaimedBytes, 4)}\n`;
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
  return JSON.stringify(truncate ? ellipsis(line, 20) : line);
}

/** The docker CLI's Ellipsis: text longer than `width` characters cut to width - 1 and "…". */
export function ellipsis(text: string, width: number): string {
  const chars = [...text];
  return chars.length > width ? chars.slice(0, width - 1).join("") + "…" : text;
}

/**
 * `--format` over a list, as the docker CLI's formatter: "table ..." prints a
 * header (each field's column title) and aligned columns (cells split at
 * tabs); any other template prints one line per item.
 */
function formatList(format: string, titles: Readonly<Record<string, string>>, items: readonly Record<string, unknown>[]): string {
  const tableMatch = /^table\s*(.*)$/s.exec(format);
  const source = (tableMatch ? tableMatch[1]! : format).replace(/\\t/g, "\t").replace(/\\n/g, "\n");
  const lines = items.map((item) => renderTemplate(source, item));
  if (!tableMatch) return lines.map((line) => `${line}\n`).join("");
  const header = renderTemplate(source, titles).split("\t");
  return table(header, lines.map((line) => line.split("\t")));
}

/** Go's time.Time as the docker CLI prints CreatedAt: "2006-01-02 15:04:05 +0000 UTC". */
export function goTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} +0000 UTC`;
}

/** Go's time.Format(time.RFC3339) of seconds since the epoch, in UTC as goTime: "2006-01-02T15:04:05Z". */
export function rfc3339(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
}

/** `--format`: "json" prints each item as JSON; else a template (see formatList); template errors as Docker's. */
export function templateOutput(format: string, titles: Readonly<Record<string, string>>, items: readonly Record<string, unknown>[]): string {
  try {
    if (format === "json") return items.map((item) => `${JSON.stringify(item)}\n`).join("");
    return formatList(format, titles, items);
  } catch (error) {
    if (error instanceof TemplateError) throw new CommandError(`template parsing error: ${error.message}`, 1);
    throw error;
  }
}
