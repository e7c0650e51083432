/**
 * The Engine API on Node's HTTP server: unix sockets (owner-only) and TCP.
 * Requests become ApiRequests; streamed bodies go out as they come and stop
 * when the client leaves; attach's `101 UPGRADED` hands the raw socket over.
 */
import fs from "node:fs";
import http from "node:http";
import type { Socket } from "node:net";
import path from "node:path";
import type { ApiHandler, ApiRequest, ApiResponse, HijackedConnection } from "../api/index.ts";

/** Larger request bodies get 413 (Docker's API takes JSON here; build contexts will stream). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** A hijacked connection's input read ahead of the container (its stdin) at most. */
const INPUT_HIGH_BYTES = 1024 * 1024;

export type Listen = { readonly kind: "unix"; readonly path: string } | { readonly kind: "tcp"; readonly host: string; readonly port: number };

/** `unix:///path` or `tcp://host:port` (host defaults to 127.0.0.1, port to 2375), as dockerd's -H. */
export function parseHost(host: string): Listen {
  if (host.startsWith("unix://")) {
    const socketPath = host.slice("unix://".length);
    if (!socketPath.startsWith("/")) throw new Error(`invalid unix socket path: ${host}`);
    return { kind: "unix", path: socketPath };
  }
  if (host.startsWith("tcp://")) {
    const url = new URL(`http://${host.slice("tcp://".length) || "127.0.0.1:2375"}`);
    return { kind: "tcp", host: url.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1", port: url.port ? Number(url.port) : 2375 };
  }
  throw new Error(`invalid host '${host}': use unix:///path or tcp://host:port`);
}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

export interface ApiServer {
  /** Where it listens, as `DOCKER_HOST` takes it. */
  readonly address: string;
  close(): Promise<void>;
}

function requestOf(req: http.IncomingMessage, body: Uint8Array): ApiRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  return { method: req.method ?? "GET", url: req.url ?? "/", headers, body };
}

async function readBody(req: http.IncomingMessage): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

const TOO_LARGE: ApiResponse = {
  status: 413,
  headers: { "content-type": "application/json" },
  body: new TextEncoder().encode(`${JSON.stringify({ message: "request body too large" })}\n`),
};

/** Writes a streamed body, giving up (and letting the stream go) once the client has left. */
async function writeStream(res: http.ServerResponse, body: AsyncIterable<Uint8Array>): Promise<void> {
  const iterator = body[Symbol.asyncIterator]();
  const gone = new Promise<"gone">((resolve) => res.once("close", () => resolve("gone")));
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), gone]);
      if (next === "gone" || next.done) break;
      if (!res.write(next.value)) await Promise.race([new Promise((resolve) => res.once("drain", resolve)), gone]);
    }
  } finally {
    void iterator.return?.()?.catch(() => undefined);
    res.end();
  }
}

async function respond(res: http.ServerResponse, response: ApiResponse): Promise<void> {
  res.writeHead(response.status, { ...response.headers, server: "Berth" });
  if (response.body === undefined) res.end();
  else if (response.body instanceof Uint8Array) res.end(response.body);
  else {
    res.flushHeaders();
    await writeStream(res, response.body);
  }
}

/**
 * A hijacked socket as the API sees it; `leftover` is what the client sent
 * past the request. Its bytes are buffered from the start (stdin may be read
 * only once the container runs), up to INPUT_HIGH_BYTES: then the socket
 * pauses until they are read; the input ends at the client's half-close.
 */
function hijacked(socket: Socket, leftover: Uint8Array): HijackedConnection {
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const chunks: Uint8Array[] = leftover.length > 0 ? [leftover] : [];
  let buffered = leftover.length;
  let ended = false;
  let wake: (() => void) | undefined;
  socket.on("data", (chunk: Buffer) => {
    chunks.push(new Uint8Array(chunk));
    buffered += chunk.length;
    if (buffered > INPUT_HIGH_BYTES) socket.pause();
    wake?.();
  });
  const finish = () => {
    ended = true;
    wake?.();
  };
  socket.once("end", finish);
  socket.once("close", finish);
  socket.resume();
  async function* input(): AsyncIterable<Uint8Array> {
    for (;;) {
      while (chunks.length > 0) {
        const chunk = chunks.shift()!;
        buffered -= chunk.length;
        if (buffered <= INPUT_HIGH_BYTES && socket.isPaused()) socket.resume();
        yield chunk;
      }
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  }
  /** While the socket's buffer is full: settles when it has room again, or the client is gone. */
  let drained: Promise<void> | undefined;
  return {
    input: input(),
    write: (data) => {
      if (!socket.writable || socket.write(data)) return Promise.resolve();
      drained ??= Promise.race([new Promise<void>((resolve) => socket.once("drain", () => resolve())), closed]).finally(() => (drained = undefined));
      return drained;
    },
    end: () => {
      if (socket.writable) socket.end();
    },
    closed,
  };
}

/** The body of an upgrade request (exec start sends JSON), read from the socket; the rest is the stream's start. */
async function readUpgradeBody(socket: Socket, head: Buffer, length: number): Promise<{ body: Uint8Array; rest: Uint8Array }> {
  let buffered = head;
  while (buffered.length < length) {
    const chunk = await new Promise<Buffer | null>((resolve) => {
      socket.once("data", resolve);
      socket.once("end", () => resolve(null));
    });
    if (!chunk) break;
    buffered = Buffer.concat([buffered, chunk]);
  }
  socket.pause();
  return { body: new Uint8Array(buffered.subarray(0, length)), rest: new Uint8Array(buffered.subarray(length)) };
}

const REASONS: Readonly<Record<number, string>> = { 101: "UPGRADED" };

function statusLine(status: number): string {
  return `HTTP/1.1 ${status} ${REASONS[status] ?? http.STATUS_CODES[status] ?? ""}\r\n`;
}

async function serveUpgrade(handler: ApiHandler, req: http.IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
  socket.on("error", () => undefined);
  const length = Number(req.headers["content-length"] ?? 0);
  if (length > MAX_BODY_BYTES) {
    socket.end(`${statusLine(413)}content-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify({ message: "request body too large" })}\n`);
    return;
  }
  const { body, rest } = await readUpgradeBody(socket, head, length);
  const response = await handler(requestOf(req, body));
  const headerLines = Object.entries(response.headers).map(([name, value]) => `${name}: ${value}\r\n`).join("");
  if (response.status === 101 && response.upgrade) {
    socket.write(`${statusLine(101)}${headerLines}\r\n`);
    await response.upgrade(hijacked(socket, rest));
    return;
  }
  // Not upgraded (an error): a plain response, then the connection closes.
  const bytes = response.body instanceof Uint8Array ? response.body : new Uint8Array();
  socket.end(Buffer.concat([Buffer.from(`${statusLine(response.status)}${headerLines}content-length: ${bytes.length}\r\nconnection: close\r\n\r\n`), bytes]));
}

function createServer(handler: ApiHandler, upgraded: Set<Socket>): http.Server {
  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      await respond(res, body === undefined ? TOO_LARGE : await handler(requestOf(req, body)));
    })().catch(() => res.destroy());
  });
  server.on("upgrade", (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    upgraded.add(socket);
    socket.once("close", () => upgraded.delete(socket));
    void serveUpgrade(handler, req, socket, head).catch(() => socket.destroy());
  });
  return server;
}

/** Starts listening; a unix socket is created owner-only (0600), replacing a stale one. */
export async function listenApi(handler: ApiHandler, listen: Listen): Promise<ApiServer> {
  // Hijacked sockets leave the server's books: they are closed with it from here.
  const upgraded = new Set<Socket>();
  const server = createServer(handler, upgraded);
  if (listen.kind === "unix") {
    fs.mkdirSync(path.dirname(listen.path), { recursive: true, mode: 0o700 });
    fs.rmSync(listen.path, { force: true });
    const umask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => server.once("error", reject).listen(listen.path, resolve));
    } finally {
      process.umask(umask);
    }
    fs.chmodSync(listen.path, 0o600);
  } else {
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(listen.port, listen.host, resolve));
  }
  const bound = server.address();
  const address = listen.kind === "unix" ? `unix://${listen.path}` : `tcp://${listen.host}:${typeof bound === "object" && bound ? bound.port : listen.port}`;
  return {
    address,
    close: async () => {
      server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (listen.kind === "unix") fs.rmSync(listen.path, { force: true });
    },
  };
}
