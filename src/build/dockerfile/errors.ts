/**
 * Errors that point into a Dockerfile. A `DockerfileError` carries the line range it
 * is about (1-based, inclusive); `formatSnippet` prints it as BuildKit does:
 *
 *   Dockerfile:3
 *   --------------------
 *      1 |     FROM busybox
 *      2 |
 *      3 | >>> ENV PATH
 *   --------------------
 *
 * The message is the one Docker prints after `ERROR: failed to solve:`, e.g.
 * `dockerfile parse error on line 3: ENV must have two arguments`.
 */
import { BerthError, type ErrorCode } from "../../util/index.ts";

/** Lines of a Dockerfile, 1-based and inclusive. */
export interface LineRange {
  readonly start: number;
  readonly end: number;
}

export type DockerfileErrorKind = "parse" | "instruction";

export class DockerfileError extends BerthError {
  /** The message without its location prefix. */
  readonly detail: string;

  constructor(
    readonly kind: DockerfileErrorKind,
    detail: string,
    readonly range: LineRange,
    options?: { cause?: unknown; code?: ErrorCode },
  ) {
    super(options?.code ?? "INVALID_ARGUMENT", kind === "parse" ? `dockerfile parse error on line ${range.start}: ${detail}` : detail, options);
    this.name = "DockerfileError";
    this.detail = detail;
  }

  override toJSON(): { code: ErrorCode; message: string; range: LineRange } {
    return { code: this.code, message: this.message, range: this.range };
  }
}

/** An error of the word lexer (`${VAR:?}`, unterminated quotes); the caller adds the line. */
export class ShellWordError extends BerthError {
  constructor(message: string) {
    super("INVALID_ARGUMENT", message);
    this.name = "ShellWordError";
  }
}

/** Turns any error met while handling lines `range` into a DockerfileError of that range. */
export function withRange(error: unknown, range: LineRange, kind: DockerfileErrorKind = "parse"): DockerfileError {
  if (error instanceof DockerfileError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const code = BerthError.is(error) ? error.code : undefined;
  return new DockerfileError(kind, detail, range, code ? { cause: error, code } : { cause: error });
}

/**
 * The source snippet BuildKit prints above an error: the range marked `>>>`, with four
 * lines of context for a single line, two for a range (split between before and after).
 */
export function formatSnippet(source: string, range: LineRange, filename = "Dockerfile"): string {
  const lines = source.split("\n");
  let start = range.start;
  let end = Math.min(range.end > 0 ? range.end : range.start, lines.length);
  if (start < 1 || start > lines.length) return "";
  const pad = end === start ? 4 : 2;
  for (let p = 0; p < pad; p++) {
    if (start > 1) {
      start--;
      p++;
    }
    if (end !== lines.length) {
      end++;
      p++;
    }
  }
  const rangeEnd = range.end > 0 ? range.end : range.start;
  const out = [`${filename}:${range.start}`, "--------------------"];
  for (let i = start; i <= end; i++) {
    const marker = i >= range.start && i <= rangeEnd ? ">>>" : "   ";
    out.push(` ${String(i).padStart(3)} | ${marker} ${lines[i - 1]}`);
  }
  out.push("--------------------");
  return out.join("\n") + "\n";
}
