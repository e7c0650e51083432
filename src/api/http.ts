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
  /** Ignored once the connection is gone: a client that left never harms the engine. */
  write(data: Uint8Array): void;
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
  return BerthError.is(error) ? STATUS_OF[error.code] : 500;
}

export function errorFrom(error: unknown): ApiResponse {
  return errorResponse(statusOf(error), error instanceof Error ? error.message : String(error));
}

/** A request body as JSON, or dockerd's 400 for what is not. */
export function readJson<T>(request: ApiRequest): T | undefined {
  if (request.body.length === 0) return undefined;
  const type = request.headers["content-type"];
  if (type !== undefined && !/^application\/json\b/.test(type)) {
    throw new BerthError("INVALID_ARGUMENT", `unsupported Content-Type header (${type}): must be 'application/json'`);
  }
  try {
    return JSON.parse(new TextDecoder().decode(request.body)) as T;
  } catch (error) {
    throw new BerthError("INVALID_ARGUMENT", `invalid JSON: ${(error as Error).message}`);
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
