/**
 * The Engine API's requests and responses as plain data, apart from any
 * transport: Node's HTTP server over a socket and the browser Worker's
 * messages hand the same objects to the same handler.
 */
import { BerthError, type ErrorCode } from "../util/index.ts";

export interface ApiRequest {
  readonly method: string;
  /** Path and query, e.g. "/v1.47/containers/json?all=1". */
  readonly url: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/**
 * A connection handed over after `101 UPGRADED` (Docker's hijack for attach
 * and exec): the client's bytes in, ours out, until either side ends it.
 */
export interface HijackedConnection {
  readonly input: AsyncIterable<Uint8Array>;
  /**
   * Settles once the connection can take more: a writer that awaits it goes
   * at the client's pace. Ignored (settled at once) once the connection is
   * gone: a client that left never harms the engine.
   */
  write(data: Uint8Array): Promise<void>;
  /** Ends our side (the client then sees EOF). */
  end(): void;
  /** Settles when the connection is gone, from either side. */
  readonly closed: Promise<void>;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Bytes, or a stream the transport writes as it comes (stopped early when the client leaves). */
  readonly body?: Uint8Array | AsyncIterable<Uint8Array>;
  /** With status 101: serves the connection once the transport has upgraded it. */
  readonly upgrade?: (connection: HijackedConnection) => Promise<void>;
}

export type ApiHandler = (request: ApiRequest) => Promise<ApiResponse>;

const encoder = new TextEncoder();

export function json(status: number, value: unknown): ApiResponse {
  return { status, headers: { "content-type": "application/json" }, body: encoder.encode(`${JSON.stringify(value)}\n`) };
}

export function noContent(status = 204): ApiResponse {
  return { status, headers: {} };
}

/** Docker's error body: `{"message": "..."}`. */
export function errorResponse(status: number, message: string): ApiResponse {
  return json(status, { message });
}

/** The status dockerd gives each kind of error (its errdefs mapping). */
const STATUS_OF: Readonly<Record<ErrorCode, number>> = {
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_ARGUMENT: 400,
  NOT_IMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  INTERNAL: 500,
};

export function statusOf(error: unknown): number {
  // BerthError.is matches any error with a string code, a filesystem's "ENOENT" too: those are 500s.
  return (BerthError.is(error) && STATUS_OF[error.code]) || 500;
}

export function errorFrom(error: unknown): ApiResponse {
  return errorResponse(statusOf(error), error instanceof Error ? error.message : String(error));
}

/**
 * The Go types of the body fields a handler reads. dockerd's decoder (Go's
 * encoding/json) refuses a value of another type with a 400; null is the
 * field's zero value; fields the handler does not read are not looked at.
 */
export type GoType = "string" | "bool" | "int64" | "[]string" | "strslice.StrSlice" | "map[string]string" | "map[string]struct {}" | "[2]uint";

export interface GoStruct {
  /** As Go names the type: "container.HostConfig". */
  readonly name: string;
  readonly fields: { readonly [field: string]: GoType | GoStruct };
}

/** A request body as JSON of `struct`'s shape ({} when empty or null), or dockerd's 400 for what is not. */
export function readJson<T>(request: ApiRequest, struct: GoStruct): T {
  if (request.body.length === 0) return {} as T;
  const type = request.headers["content-type"];
  if (type !== undefined && !/^application\/json\b/.test(type)) {
    throw new BerthError("INVALID_ARGUMENT", `unsupported Content-Type header (${type}): must be 'application/json'`);
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(request.body));
  } catch (error) {
    throw new BerthError("INVALID_ARGUMENT", `invalid JSON: ${(error as Error).message}`);
  }
  if (body === null) return {} as T;
  if (!isObject(body)) throw new BerthError("INVALID_ARGUMENT", `json: cannot unmarshal ${jsonKind(body)} into Go value of type ${struct.name}`);
  checkStruct(body, struct, "");
  return body as T;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** How Go's decoder names a JSON value in its errors. */
function jsonKind(value: unknown, numberText = false): string {
  if (Array.isArray(value)) return "array";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return numberText ? `number ${value}` : "number";
  return typeof value;
}

function checkStruct(value: Record<string, unknown>, struct: GoStruct, path: string): void {
  const name = struct.name.slice(struct.name.lastIndexOf(".") + 1);
  for (const [field, type] of Object.entries(struct.fields)) {
    const v = value[field];
    if (v === undefined || v === null) continue;
    const at = path ? `${path}.${field}` : field;
    const refuse = (what: unknown, goType: string, numberText = false) =>
      new BerthError("INVALID_ARGUMENT", `json: cannot unmarshal ${jsonKind(what, numberText)} into Go struct field ${name}.${at} of type ${goType}`);
    if (typeof type === "object") {
      if (!isObject(v)) throw refuse(v, type.name);
      checkStruct(v, type, at);
      continue;
    }
    /** Checks a list's or map's items; a null item becomes the zero value, as Go decodes it. */
    const each = (items: Record<string, unknown> | unknown[], ok: (item: unknown) => boolean, itemType: string, zero: unknown) => {
      for (const [key, item] of Object.entries(items)) {
        if (item === null) (items as Record<string, unknown>)[key] = zero;
        else if (!ok(item)) throw refuse(item, itemType, itemType === "uint" && typeof item === "number");
      }
    };
    const isString = (item: unknown) => typeof item === "string";
    switch (type) {
      case "string":
      case "bool":
        if (typeof v !== (type === "bool" ? "boolean" : "string")) throw refuse(v, type);
        break;
      case "int64":
        if (typeof v !== "number") throw refuse(v, type);
        if (!Number.isSafeInteger(v)) throw refuse(v, type, true);
        break;
      case "strslice.StrSlice":
        if (typeof v === "string") break;
        if (!Array.isArray(v)) throw refuse(v, type);
        each(v, isString, "string", "");
        break;
      case "[]string":
      case "[2]uint":
        if (!Array.isArray(v)) throw refuse(v, type);
        if (type === "[]string") each(v, isString, "string", "");
        else each(v, (n) => typeof n === "number" && Number.isSafeInteger(n) && n >= 0, "uint", 0);
        break;
      default:
        if (!isObject(v)) throw refuse(v, type);
        if (type === "map[string]string") each(v, isString, "string", "");
        else each(v, isObject, "struct {}", {});
    }
  }
}

/** Docker's query booleans: "1", "true", "True"...; "" and absent are false. */
export function queryBool(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null || value === "") return false;
  if (/^(1|t|true)$/i.test(value)) return true;
  if (/^(0|f|false)$/i.test(value)) return false;
  throw new BerthError("INVALID_ARGUMENT", `invalid value for ${name}: ${value}`);
}

/** JSON values, one a line, as a streamed body (pull progress). */
export async function* jsonLines(values: AsyncIterable<unknown>): AsyncIterable<Uint8Array> {
  for await (const value of values) yield encoder.encode(`${JSON.stringify(value)}\r\n`);
}
