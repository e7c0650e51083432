/**
 * One error type for the engine, with a stable code. The API maps codes to
 * HTTP statuses, the CLI to Docker's messages and exit codes. Errors cross
 * Worker boundaries as plain objects, so match them by `code`, not instanceof.
 */
export type ErrorCode =
  | "NOT_FOUND"
  | "CONFLICT"
  | "INVALID_ARGUMENT"
  | "NOT_IMPLEMENTED"
  | "UNAVAILABLE"
  | "DATA_LOSS"
  | "INTERNAL";

export class BerthError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "BerthError";
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }

  static is(error: unknown, code?: ErrorCode): error is { code: ErrorCode; message: string } {
    if (typeof error !== "object" || error === null) return false;
    const c = (error as { code?: unknown }).code;
    return typeof c === "string" && (code === undefined || c === code) && typeof (error as { message?: unknown }).message === "string";
  }
}
