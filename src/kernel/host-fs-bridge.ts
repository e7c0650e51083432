/**
 * Serves the SDK's host filesystem bridge (DESIGN.md, "Host filesystem bridge").
 *
 * A guest's file call inside an SDK worker becomes a `wasmer-filesystem-rpc`
 * message to the scope that created the Wasmer instance; the SDK passes it to
 * `globalThis.__wasmerHandleFileSystemRpc`, which we define here. We answer
 * through the SDK's own reply writer, so the wire format stays the SDK's.
 * The guest is blocked until the answer arrives, so every call is answered,
 * errors included.
 */
import { MountedFsError, type MountedFileSystem } from "./mounted-fs.ts";

/** The SDK's reply writer (`respondToHostFileSystem` in its `dist/host-filesystem.js`). */
export type HostFsResponder = (request: unknown, result: unknown) => void;

interface HostFsRequest {
  readonly type: "wasmer-filesystem-rpc";
  readonly mount: number;
  readonly method: string;
  readonly args: unknown;
  readonly response: SharedArrayBuffer;
}

const mounts = new Map<number, MountedFileSystem>();
let nextMountId = 1;
let installed = false;
let respondToHostFileSystem: HostFsResponder = () => {
  throw new Error("host filesystem bridge: no SDK reply writer; boot the kernel through bootNodeKernel or bootBrowserKernel");
};

/**
 * Sets the reply writer. It must come from the same SDK module instance that
 * runs the guests (Node and the browser load it from different places).
 */
export function useHostFsResponder(respond: HostFsResponder): void {
  respondToHostFileSystem = respond;
}

/** Registers a filesystem and returns the id the SDK's mountHost takes. */
export function registerMount(fs: MountedFileSystem): number {
  install();
  const id = nextMountId++;
  mounts.set(id, fs);
  return id;
}

export function unregisterMount(id: number): void {
  mounts.delete(id);
}

function install(): void {
  if (installed) return;
  installed = true;
  const scope = globalThis as {
    __wasmerHandleFileSystemRpc?: (message: unknown) => boolean;
    __wasmerHostFileSystem?: (mount: number, method: string, args: unknown) => unknown;
  };
  const previous = scope.__wasmerHandleFileSystemRpc;
  scope.__wasmerHandleFileSystemRpc = (message: unknown) => {
    if (!isRequest(message)) return previous?.(message) ?? false;
    void answer(message);
    return true;
  };
  // The SDK also touches mounts from this scope itself (it checks a command's
  // cwd before starting it), calling the bridge directly: answer synchronously.
  scope.__wasmerHostFileSystem = (mount, method, args) => answerHere(mount, method, args);
}

function answerHere(mount: number, method: string, args: unknown): unknown {
  try {
    const fs = mounts.get(mount);
    if (!fs) throw new MountedFsError("EIO", `no filesystem for mount ${mount}`);
    const value = dispatch(fs, method, Array.isArray(args) ? args : []);
    if (value instanceof Promise) throw new MountedFsError("EIO", `${method} cannot wait in the scope that owns the kernel`);
    return value ?? null;
  } catch (error) {
    const code = error instanceof MountedFsError ? error.code : "EIO";
    throw Object.assign(new Error(error instanceof Error ? error.message : String(error)), { code });
  }
}

function isRequest(message: unknown): message is HostFsRequest {
  return typeof message === "object" && message !== null && (message as { type?: unknown }).type === "wasmer-filesystem-rpc";
}

async function answer(request: HostFsRequest): Promise<void> {
  try {
    const fs = mounts.get(request.mount);
    if (!fs) throw new MountedFsError("EIO", `no filesystem for mount ${request.mount}`);
    const value = await dispatch(fs, request.method, Array.isArray(request.args) ? request.args : []);
    respondToHostFileSystem(request, { value: value ?? null });
  } catch (error) {
    const code = error instanceof MountedFsError ? error.code : "EIO";
    const message = error instanceof Error ? error.message : String(error);
    respondToHostFileSystem(request, { error: { code, message } });
  }
}

function dispatch(fs: MountedFileSystem, method: string, args: unknown[]): unknown {
  const [a, b, c, d, e, f, g] = args;
  switch (method) {
    case "stat":
      return fs.stat(a as string);
    case "readDir":
      return fs.readDir(a as string);
    case "open":
      return fs.open(a as string, {
        read: !!b,
        write: !!c,
        create: !!d,
        createNew: !!e,
        truncate: !!f,
        append: !!g,
      });
    case "read":
      return fs.read(a as number, Number(b), c as number);
    case "write":
      return fs.write(a as number, Number(b), toBytes(c));
    case "setLen":
      return fs.setLen(a as number, Number(b));
    case "flush":
      return fs.flush(a as number);
    case "close":
      return fs.close(a as number);
    case "mkdir":
      return fs.mkdir(a as string);
    case "remove":
      return fs.remove(a as string);
    case "rename":
      return fs.rename(a as string, b as string);
    case "sync":
      return fs.sync();
    default:
      throw new MountedFsError("ENOTSUP", `unknown filesystem call ${method}`);
  }
}

/** Write payloads arrive as a Uint8Array or, from older workers, a plain array. */
function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return Uint8Array.from(value as number[]);
  throw new MountedFsError("EINVAL", "write without bytes");
}
