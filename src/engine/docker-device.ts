/**
 * The docker device: how the `docker` command on the host reaches the engine.
 * Served as a directory through the kernel's host filesystem bridge (mounted
 * at /run/berth): opening `docker` starts a session; the guest writes its
 * request as one JSON line and reads frames of output until the exit frame
 * (the frame format is documented in wasm/docker/docker.c and wasm/README.md).
 *
 * A guest's read blocks until there is output, up to READ_WAIT_MS (well
 * within the bridge's 30 s limit), then gets a "nothing yet" frame and asks
 * again. Output waits in the session until the guest reads it; past
 * QUEUE_HIGH_BYTES, writers wait too (DockerIO's stdout and stderr).
 */
import { MountedFsError, type MountedDirEntry, type MountedFileSystem, type MountedStat, type OpenOptions } from "../kernel/index.ts";

export interface DockerRequest {
  readonly argv: readonly string[];
  readonly stdinTty: boolean;
  readonly stdoutTty: boolean;
  /** Where progress goes (docker build's live view): a terminal? */
  readonly stderrTty: boolean;
  readonly columns: number;
  readonly rows: number;
  readonly cwd: string;
  /** The caller's environment (NAME=value), where `-e NAME` and `--build-arg NAME` find their values. */
  readonly env?: readonly string[];
}

/** What a docker command may do with its caller's terminal. */
/**
 * The request line the docker guest writes, checked field by field: any
 * program in a machine can open the device and write anything.
 */
export function parseDockerRequest(line: string): DockerRequest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const r = value as Record<string, unknown>;
  const size = (n: unknown) => typeof n === "number" && Number.isInteger(n) && n >= 0;
  if (!Array.isArray(r.argv) || !r.argv.every((a) => typeof a === "string")) return undefined;
  if (typeof r.stdinTty !== "boolean" || typeof r.stdoutTty !== "boolean" || typeof r.stderrTty !== "boolean" || typeof r.cwd !== "string") return undefined;
  if (!size(r.columns) || !size(r.rows)) return undefined;
  if (r.env !== undefined && !(Array.isArray(r.env) && r.env.every((e) => typeof e === "string"))) return undefined;
  return { argv: r.argv as string[], ...(r.env ? { env: r.env as string[] } : {}), stdinTty: r.stdinTty, stdoutTty: r.stdoutTty, stderrTty: r.stderrTty, columns: r.columns as number, rows: r.rows as number, cwd: r.cwd };
}

export interface DockerIO {
  /**
   * Output for the caller. The promise settles once the caller can take more
   * (at once while little waits for it): a command with much to write awaits
   * it, so that a slow terminal slows the command, not the engine's memory.
   */
  stdout(data: Uint8Array | string): Promise<void> | void;
  stderr(data: Uint8Array | string): Promise<void> | void;
  /** The caller's stdin, from now until EOF (asks the guest to start forwarding it). */
  stdin(): AsyncIterable<Uint8Array>;
  /** Asks the caller's terminal to stop echoing and buffering lines (docker run -t). */
  rawTerminal(): void;
  /**
   * Settles when the caller has gone (its docker command exited or was
   * killed: Ctrl-C): a command that runs until interrupted stops then.
   */
  readonly closed?: Promise<void>;
}

export type DockerHandler = (request: DockerRequest, io: DockerIO) => Promise<number>;

/**
 * The host terminal's keystrokes, offered by whoever owns the terminal (the
 * page's Worker, the Node CLI). A docker session reading a terminal takes
 * them directly, the way a foreground process group owns a Linux tty,
 * instead of through a forwarding guest: a guest stopped while it waits in
 * read() would take the next line typed at the host's prompt with it.
 */
export interface TerminalInput {
  /** Sends the terminal's input to `sink` until the returned function is called. */
  divert(sink: (data: Uint8Array) => void): () => void;
}

const enum Frame {
  None = 0,
  Stdout = 1,
  Stderr = 2,
  Exit = 3,
  StdinWanted = 4,
  RawTerminal = 5,
}

const READ_WAIT_MS = 5_000;
/** Output waiting for the guest past which writers wait, and below which they go on. */
const QUEUE_HIGH_BYTES = 256 * 1024;
const QUEUE_LOW_BYTES = 64 * 1024;
/** Consecutive writes to one stream go to the guest as one frame up to this size: each frame costs the guest a read for its header. */
const FRAME_JOIN_BYTES = 64 * 1024;
const SESSION_FILE = "docker";
const STDIN_DIR = "docker-stdin";
const encoder = new TextEncoder();

interface Output {
  readonly type: Frame;
  readonly payload: Uint8Array;
}

class Session {
  /** Output not yet framed for the guest, from #first on. */
  #outputs: Output[] = [];
  #first = 0;
  /** Framed bytes the guest has not read yet. */
  #framed: Uint8Array = new Uint8Array();
  /** Bytes in #outputs (each with its frame's header) and #framed: what the guest has still to read. */
  #queued = 0;
  #wake: (() => void) | undefined;
  /** Writers waiting for the queue to shrink. */
  #drained: (() => void)[] = [];
  #closed = false;
  #request = "";
  #started = false;
  #stdinQueue: Uint8Array[] = [];
  #stdinQueued = 0;
  #stdinEnded = false;
  #stdinWake: (() => void) | undefined;
  /** Lets the guest's held stdin write return. */
  #stdinRoom: (() => void) | undefined;
  #stdinAsked = false;

  #restoreTerminal: (() => void) | undefined;
  #hangUp!: () => void;
  /** Settles at close(): the guest hung up. */
  readonly #hungUp = new Promise<void>((resolve) => (this.#hangUp = resolve));

  constructor(
    readonly id: number,
    readonly handler: DockerHandler,
    readonly terminal: TerminalInput | undefined,
  ) {}

  /** The guest hung up. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The guest's request, arriving in one or more writes. */
  receive(data: Uint8Array): void {
    if (this.#started) throw new MountedFsError("EINVAL", "request already sent");
    this.#request += new TextDecoder().decode(data);
    const newline = this.#request.indexOf("\n");
    if (newline < 0) return;
    this.#started = true;
    const request = parseDockerRequest(this.#request.slice(0, newline));
    if (!request) {
      this.#push(Frame.Stderr, encoder.encode("docker: malformed request from the client\n"));
      this.#exit(125);
      return;
    }
    void this.#run(request);
  }

  async #run(request: DockerRequest): Promise<void> {
    const io: DockerIO = {
      stdout: (data) => this.#push(Frame.Stdout, typeof data === "string" ? encoder.encode(data) : data),
      stderr: (data) => this.#push(Frame.Stderr, typeof data === "string" ? encoder.encode(data) : data),
      stdin: () => this.#stdin(request),
      rawTerminal: () => void this.#push(Frame.RawTerminal, new Uint8Array()),
      closed: this.#hungUp,
    };
    let status: number;
    try {
      status = await this.handler(request, io);
    } catch (error) {
      await io.stderr(`docker: ${error instanceof Error ? error.message : String(error)}\n`);
      status = 125;
    }
    this.#exit(status);
  }

  #exit(status: number): void {
    this.#restoreTerminal?.();
    this.#restoreTerminal = undefined;
    const payload = new Uint8Array(4);
    new DataView(payload.buffer).setInt32(0, status, true);
    void this.#push(Frame.Exit, payload);
  }

  /** Queues output for the guest; settles once the queue is short enough for more (or the guest is gone). */
  #push(type: Frame, payload: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#outputs.push({ type, payload });
    this.#queued += 5 + payload.length;
    this.#wake?.();
    if (this.#queued <= QUEUE_HIGH_BYTES) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /** The next frame: consecutive output to one stream joined up to FRAME_JOIN_BYTES. */
  #nextFrame(): Uint8Array {
    const { type, payload: head } = this.#outputs[this.#first++]!;
    const parts = [head];
    let length = head.length;
    const joins = type === Frame.Stdout || type === Frame.Stderr;
    while (joins && this.#first < this.#outputs.length) {
      const next = this.#outputs[this.#first]!;
      if (next.type !== type || length + next.payload.length > FRAME_JOIN_BYTES) break;
      parts.push(next.payload);
      length += next.payload.length;
      this.#first++;
    }
    if (this.#first === this.#outputs.length) [this.#outputs, this.#first] = [[], 0];
    this.#queued -= 5 * (parts.length - 1);
    const frame = new Uint8Array(5 + length);
    frame[0] = type;
    new DataView(frame.buffer).setUint32(1, length, true);
    let at = 5;
    for (const part of parts) {
      frame.set(part, at);
      at += part.length;
    }
    return frame;
  }

  /** Frames for the guest: what is queued (up to `length` bytes), else "nothing yet" after a wait. */
  async read(length: number): Promise<Uint8Array> {
    if (this.#framed.length === 0 && this.#first === this.#outputs.length) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, READ_WAIT_MS);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    if (this.#framed.length === 0 && this.#first === this.#outputs.length) return new Uint8Array(5); // a "nothing yet" frame
    const out: Uint8Array[] = [];
    let size = 0;
    while (size < length) {
      if (this.#framed.length === 0) {
        if (this.#first === this.#outputs.length) break;
        this.#framed = this.#nextFrame();
      }
      const part = this.#framed.subarray(0, length - size);
      this.#framed = this.#framed.subarray(part.length);
      out.push(part);
      size += part.length;
    }
    this.#queued -= size;
    if (this.#queued <= QUEUE_LOW_BYTES) this.#release();
    if (out.length === 1) return out[0]!;
    const joined = new Uint8Array(size);
    let at = 0;
    for (const part of out) {
      joined.set(part, at);
      at += part.length;
    }
    return joined;
  }

  #release(): void {
    for (const resolve of this.#drained.splice(0)) resolve();
  }

  async *#stdin(request: DockerRequest): AsyncIterable<Uint8Array> {
    if (!this.#stdinAsked) {
      this.#stdinAsked = true;
      if (request.stdinTty && this.terminal) this.#restoreTerminal = this.terminal.divert((data) => void this.feedStdin(data));
      else void this.#push(Frame.StdinWanted, encoder.encode(`/run/berth/${STDIN_DIR}/${this.id}`));
    }
    for (;;) {
      while (this.#stdinQueue.length > 0) {
        const chunk = this.#stdinQueue.shift()!;
        this.#stdinQueued -= chunk.length;
        if (this.#stdinQueued <= QUEUE_LOW_BYTES) this.#stdinRoom?.();
        yield chunk;
      }
      if (this.#stdinEnded) return;
      await new Promise<void>((resolve) => (this.#stdinWake = resolve));
      this.#stdinWake = undefined;
    }
  }

  /** Input for the command; past QUEUE_HIGH_BYTES not yet taken, settles once it is taken (or READ_WAIT_MS passed). */
  feedStdin(data: Uint8Array): Promise<void> | undefined {
    this.#stdinQueue.push(data.slice());
    this.#stdinQueued += data.length;
    this.#stdinWake?.();
    if (this.#stdinQueued <= QUEUE_HIGH_BYTES || this.#stdinEnded) return undefined;
    // The guest's write waits, within the bridge's 30 s limit: a command that takes no input holds up `cat big |` a write at a time.
    return new Promise((resolve) => {
      const room = () => {
        clearTimeout(timer);
        this.#stdinRoom = undefined;
        resolve();
      };
      const timer = setTimeout(room, READ_WAIT_MS);
      this.#stdinRoom = room;
    });
  }

  endStdin(): void {
    this.#stdinEnded = true;
    this.#stdinWake?.();
    this.#stdinRoom?.();
  }

  /** The guest hung up: its input ends, the terminal's keys go back to the host, writers go on (their output goes nowhere). */
  close(): void {
    this.#restoreTerminal?.();
    this.#restoreTerminal = undefined;
    this.#closed = true;
    this.#hangUp();
    [this.#outputs, this.#first, this.#framed, this.#queued] = [[], 0, new Uint8Array(), 0];
    this.#release();
    this.endStdin();
  }
}

interface OpenHandle {
  readonly session: Session;
  readonly role: "session" | "stdin";
}

export class DockerDevice implements MountedFileSystem {
  readonly #sessions = new Map<number, Session>();
  readonly #handles = new Map<number, OpenHandle>();
  #next = 1;

  constructor(
    readonly handler: DockerHandler,
    readonly terminal?: TerminalInput,
  ) {}

  stat(path: string): MountedStat {
    if (path === "" || path === STDIN_DIR) return { kind: "directory", size: 0 };
    if (path === SESSION_FILE || this.#stdinSession(path)) return { kind: "file", size: 0 };
    throw new MountedFsError("ENOENT", path);
  }

  readDir(path: string): MountedDirEntry[] {
    if (path === "") return [
      { name: SESSION_FILE, kind: "file", size: 0 },
      { name: STDIN_DIR, kind: "directory", size: 0 },
    ];
    if (path === STDIN_DIR) return [...this.#sessions.keys()].map((id) => ({ name: String(id), kind: "file", size: 0 }));
    throw new MountedFsError("ENOTDIR", path);
  }

  open(path: string, _options: OpenOptions): number {
    const handle = this.#next++;
    if (path === SESSION_FILE) {
      const session = new Session(handle, this.handler, this.terminal);
      this.#sessions.set(handle, session);
      this.#handles.set(handle, { session, role: "session" });
      return handle;
    }
    const session = this.#stdinSession(path);
    if (!session) throw new MountedFsError("ENOENT", path);
    this.#handles.set(handle, { session, role: "stdin" });
    return handle;
  }

  read(handle: number, _offset: number, length: number): Promise<Uint8Array> {
    const open = this.#get(handle);
    if (open.role !== "session") throw new MountedFsError("EBADF", "stdin is write-only");
    return open.session.read(length);
  }

  write(handle: number, _offset: number, data: Uint8Array): number | Promise<number> {
    const open = this.#get(handle);
    if (open.role === "session") {
      open.session.receive(data);
      return data.length;
    }
    // The forwarding guest outlives a command that did not read its stdin to the end; this is how it learns to stop.
    if (open.session.closed) throw new MountedFsError("EIO", "the docker command has exited");
    const room = open.session.feedStdin(data);
    return room ? room.then(() => data.length) : data.length;
  }

  close(handle: number): void {
    const open = this.#handles.get(handle);
    if (!open) return;
    this.#handles.delete(handle);
    if (open.role === "stdin") open.session.endStdin();
    else {
      open.session.close();
      this.#sessions.delete(open.session.id);
    }
  }

  setLen(): void {}
  flush(): void {}
  sync(): void {}
  mkdir(path: string): void {
    throw new MountedFsError("EACCES", path);
  }
  remove(path: string): void {
    throw new MountedFsError("EACCES", path);
  }
  rename(from: string): void {
    throw new MountedFsError("EACCES", from);
  }

  #stdinSession(path: string): Session | undefined {
    const match = /^docker-stdin\/(\d+)$/.exec(path);
    return match ? this.#sessions.get(Number(match[1])) : undefined;
  }

  #get(handle: number): OpenHandle {
    const open = this.#handles.get(handle);
    if (!open) throw new MountedFsError("EBADF", `bad handle ${handle}`);
    return open;
  }
}
