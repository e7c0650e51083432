/**
 * The docker device: how the `docker` command on the host reaches the engine.
 * Served as a directory through the kernel's host filesystem bridge (mounted
 * at /run/berth): opening `docker` starts a session; the guest writes its
 * request as one JSON line and reads frames of output until the exit frame
 * (the frame format is documented in wasm/docker/docker.c and wasm/README.md).
 *
 * A guest's read blocks until there is output, up to READ_WAIT_MS (well
 * within the bridge's 30 s limit), then gets a "nothing yet" frame and asks
 * again.
 */
import { MountedFsError, type MountedDirEntry, type MountedFileSystem, type MountedStat, type OpenOptions } from "../kernel/index.ts";

export interface DockerRequest {
  readonly argv: readonly string[];
  readonly stdinTty: boolean;
  readonly stdoutTty: boolean;
  readonly columns: number;
  readonly rows: number;
  readonly cwd: string;
}

/** What a docker command may do with its caller's terminal. */
export interface DockerIO {
  stdout(data: Uint8Array | string): void;
  stderr(data: Uint8Array | string): void;
  /** The caller's stdin, from now until EOF (asks the guest to start forwarding it). */
  stdin(): AsyncIterable<Uint8Array>;
  /** Asks the caller's terminal to stop echoing and buffering lines (docker run -t). */
  rawTerminal(): void;
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
const SESSION_FILE = "docker";
const STDIN_DIR = "docker-stdin";
const encoder = new TextEncoder();

class Session {
  readonly #frames: Uint8Array[] = [];
  #wake: (() => void) | undefined;
  #request = "";
  #started = false;
  #stdinQueue: Uint8Array[] = [];
  #stdinEnded = false;
  #stdinWake: (() => void) | undefined;
  #stdinAsked = false;

  #restoreTerminal: (() => void) | undefined;

  constructor(
    readonly id: number,
    readonly handler: DockerHandler,
    readonly terminal: TerminalInput | undefined,
  ) {}

  /** The guest's request, arriving in one or more writes. */
  receive(data: Uint8Array): void {
    if (this.#started) throw new MountedFsError("EINVAL", "request already sent");
    this.#request += new TextDecoder().decode(data);
    const newline = this.#request.indexOf("\n");
    if (newline < 0) return;
    this.#started = true;
    let request: DockerRequest;
    try {
      request = JSON.parse(this.#request.slice(0, newline)) as DockerRequest;
    } catch {
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
      rawTerminal: () => this.#push(Frame.RawTerminal, new Uint8Array()),
    };
    let status: number;
    try {
      status = await this.handler(request, io);
    } catch (error) {
      io.stderr(`docker: ${error instanceof Error ? error.message : String(error)}\n`);
      status = 125;
    }
    this.#exit(status);
  }

  #exit(status: number): void {
    this.#restoreTerminal?.();
    this.#restoreTerminal = undefined;
    const payload = new Uint8Array(4);
    new DataView(payload.buffer).setInt32(0, status, true);
    this.#push(Frame.Exit, payload);
  }

  #push(type: Frame, payload: Uint8Array): void {
    const frame = new Uint8Array(5 + payload.length);
    frame[0] = type;
    new DataView(frame.buffer).setUint32(1, payload.length, true);
    frame.set(payload, 5);
    this.#frames.push(frame);
    this.#wake?.();
  }

  /** Frames for the guest: what is queued (up to `length` bytes), else "nothing yet" after a wait. */
  async read(length: number): Promise<Uint8Array> {
    if (this.#frames.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, READ_WAIT_MS);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    if (this.#frames.length === 0) return new Uint8Array(5); // a "nothing yet" frame
    const out: Uint8Array[] = [];
    let size = 0;
    while (this.#frames.length > 0) {
      const next = this.#frames[0]!;
      if (size + next.length > length) {
        if (size > 0) break;
        // A frame larger than the read: hand over its first part, keep the rest.
        this.#frames[0] = next.subarray(length);
        return next.subarray(0, length);
      }
      out.push(this.#frames.shift()!);
      size += next.length;
    }
    const joined = new Uint8Array(size);
    let at = 0;
    for (const frame of out) {
      joined.set(frame, at);
      at += frame.length;
    }
    return joined;
  }

  async *#stdin(request: DockerRequest): AsyncIterable<Uint8Array> {
    if (!this.#stdinAsked) {
      this.#stdinAsked = true;
      if (request.stdinTty && this.terminal) this.#restoreTerminal = this.terminal.divert((data) => this.feedStdin(data));
      else this.#push(Frame.StdinWanted, encoder.encode(`/run/berth/${STDIN_DIR}/${this.id}`));
    }
    for (;;) {
      while (this.#stdinQueue.length > 0) yield this.#stdinQueue.shift()!;
      if (this.#stdinEnded) return;
      await new Promise<void>((resolve) => (this.#stdinWake = resolve));
      this.#stdinWake = undefined;
    }
  }

  feedStdin(data: Uint8Array): void {
    this.#stdinQueue.push(data.slice());
    this.#stdinWake?.();
  }

  endStdin(): void {
    this.#stdinEnded = true;
    this.#stdinWake?.();
  }

  /** The guest hung up: its input ends, and the terminal's keys go back to the host. */
  close(): void {
    this.#restoreTerminal?.();
    this.#restoreTerminal = undefined;
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

  write(handle: number, _offset: number, data: Uint8Array): number {
    const open = this.#get(handle);
    if (open.role === "session") open.session.receive(data);
    else open.session.feedStdin(data);
    return data.length;
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
