/**
 * /run/berth, the directory through which libcompat tells the engine about
 * processes (wasm/README.md, "Process hooks"). It holds the file `proc`, and
 * for each question a guest asks, a file `ask.HEX` the guest creates for it
 * and removes after reading the answer. Each open is a session of lines:
 *
 *   start PID PPID ARG0 ARG1 ...   a process began (arguments escaped as in /proc/mounts)
 *   exit PID STATUS                a process ended
 *   reaped PID                     a parent collected this child (the kernel ends
 *                                  some processes without their exit line)
 *   mem PID BYTES                  the process's memory size (at start, and as it grows)
 *   oom PID                        the process could not grow its memory (the
 *                                  container's --memory): killed, as by the OOM killer
 *   intr PID 1|0                   Ctrl-C is the process's own (it catches or ignores
 *                                  SIGINT, or its terminal is raw), or no longer is
 *   alloc PPID                     a PID for a child about to start; the answer,
 *                                  read back on the same descriptor, is "pid N\n",
 *                                  or "refused\n" at the container's pids limit
 *   status PID                     the status an ended process reported in its exit
 *                                  line, answered "status N\n" (the kernel's join
 *                                  gives 79 for any status from 80 up), or "none\n"
 *                                  when it wrote none (the kernel ended it: its
 *                                  join's 12 then means a trap, not exit(12))
 *
 * Questions (alloc, status) go to files of their own because the kernel keeps
 * one host handle per file for everyone who opens it: on the shared `proc`,
 * another process's open between a question's write and its read would
 * receive the answer.
 *
 * A line that does not parse is ignored: a guest can never hurt the engine
 * through this directory.
 */
import { MountedFsError, type MountedDirEntry, type MountedFileSystem, type MountedStat, type OpenOptions } from "../kernel/index.ts";

export interface ProcHooks {
  /** A PID for a child about to start; 0 for none, -1 to refuse it (the pids limit). */
  allocate(parentPid: number): number;
  start(pid: number, ppid: number, args: readonly string[]): void;
  exit(pid: number, status: number): void;
  /** Gone, whatever its status was (reported by the parent that waited for it). */
  reaped(pid: number): void;
  /** The status a recently ended process reported, "none" if it reported none, undefined if unknown. */
  status?(pid: number): number | "none" | undefined;
  /** The process's memory (WebAssembly linear memory) is now this many bytes. */
  memory?(pid: number, bytes: number): void;
  /** Out of memory: the process kills itself (its exit line follows). */
  oom?(pid: number): void;
  /** Whether Ctrl-C is the process's own now (see PidNamespace.ctrlCEnds). */
  ownsCtrlC?(pid: number, owns: boolean): void;
}

const FILE = "proc";
/** A question's file: `ask.` and the 16 hex digits of a random nonce (libcompat's pids.c). */
const QUESTION = /^ask\.[0-9a-f]{16}$/;
/** Question files left by guests killed between create and remove are dropped past this many. */
const MAX_QUESTIONS = 256;
/** Longer than any line libcompat writes (4096): a guest cannot grow a session without bound. */
const MAX_LINE = 8192;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Session {
  pending: string;
  reply: Uint8Array;
}

export class ProcHookDevice implements MountedFileSystem {
  readonly #sessions = new Map<number, Session>();
  /** Question files by name: each is one session, whichever handle reaches it. */
  readonly #questions = new Map<string, Session>();
  #next = 1;

  constructor(readonly hooks: ProcHooks) {}

  stat(path: string): MountedStat {
    if (path === "") return { kind: "directory", size: 0 };
    if (path === FILE || this.#questions.has(path)) return { kind: "file", size: 0 };
    throw new MountedFsError("ENOENT", path);
  }

  readDir(path: string): MountedDirEntry[] {
    if (path === "") return [FILE, ...this.#questions.keys()].map((name) => ({ name, kind: "file", size: 0 }));
    if (path === FILE || this.#questions.has(path)) throw new MountedFsError("ENOTDIR", path);
    throw new MountedFsError("ENOENT", path);
  }

  open(path: string, options: OpenOptions): number {
    if (path === "") throw new MountedFsError("EISDIR", path);
    const handle = this.#next++;
    if (path === FILE) {
      this.#sessions.set(handle, newSession());
      return handle;
    }
    const question = this.#questions.get(path);
    if (question) {
      if (options.createNew) throw new MountedFsError("EEXIST", path);
      this.#sessions.set(handle, question);
      return handle;
    }
    if (!options.create && !options.createNew) throw new MountedFsError("ENOENT", path);
    if (!QUESTION.test(path)) throw new MountedFsError("EACCES", path);
    if (this.#questions.size >= MAX_QUESTIONS) this.#questions.delete(this.#questions.keys().next().value!);
    const session = newSession();
    this.#questions.set(path, session);
    this.#sessions.set(handle, session);
    return handle;
  }

  write(handle: number, _offset: number, data: Uint8Array): number {
    const session = this.#get(handle);
    session.pending += decoder.decode(data);
    let newline: number;
    while ((newline = session.pending.indexOf("\n")) >= 0) {
      const line = session.pending.slice(0, newline);
      session.pending = session.pending.slice(newline + 1);
      this.#line(session, line);
    }
    if (session.pending.length > MAX_LINE) session.pending = "";
    return data.length;
  }

  /** The answer to the session's last `alloc`, once; then end of file. */
  read(handle: number, _offset: number, length: number): Uint8Array {
    const session = this.#get(handle);
    const out = session.reply.subarray(0, length);
    session.reply = session.reply.subarray(out.length);
    return out;
  }

  close(handle: number): void {
    this.#sessions.delete(handle);
  }

  setLen(handle: number): void {
    this.#get(handle);
  }
  flush(handle: number): void {
    this.#get(handle);
  }
  sync(): void {}
  mkdir(path: string): void {
    throw new MountedFsError("EACCES", path);
  }
  /** A question's file, once its answer is read. */
  remove(path: string): void {
    if (!this.#questions.delete(path)) throw new MountedFsError(path === FILE || path === "" ? "EACCES" : "ENOENT", path);
  }
  rename(from: string): void {
    throw new MountedFsError("EACCES", from);
  }

  #line(session: Session, line: string): void {
    const words = line.split(" ");
    const number = (i: number) => (words[i] !== undefined && /^\d{1,9}$/.test(words[i]!) ? Number(words[i]) : -1);
    switch (words[0]) {
      case "start": {
        const pid = number(1);
        const ppid = number(2);
        if (pid > 0 && ppid >= 0) this.hooks.start(pid, ppid, words.slice(3).map(unescapeArg));
        break;
      }
      case "exit": {
        const pid = number(1);
        const status = number(2);
        if (pid > 0 && status >= 0) this.hooks.exit(pid, status & 0xff);
        break;
      }
      case "reaped": {
        // A parent collected this child; the kernel may have ended it without its exit line.
        const pid = number(1);
        if (pid > 0 && words.length === 2) this.hooks.reaped(pid);
        break;
      }
      case "mem": {
        // Up to WebAssembly's 4 GiB: ten digits.
        const bytes = words.length === 3 && /^\d{1,10}$/.test(words[2]!) ? Number(words[2]) : -1;
        const pid = number(1);
        if (pid > 0 && bytes >= 0) this.hooks.memory?.(pid, bytes);
        break;
      }
      case "oom": {
        const pid = number(1);
        if (pid > 0 && words.length === 2) this.hooks.oom?.(pid);
        break;
      }
      case "intr": {
        const pid = number(1);
        if (pid > 0 && words.length === 3 && (words[2] === "0" || words[2] === "1")) this.hooks.ownsCtrlC?.(pid, words[2] === "1");
        break;
      }
      case "status": {
        const pid = number(1);
        const status = words.length === 2 && pid > 0 ? this.hooks.status?.(pid) : undefined;
        if (status === "none") session.reply = encoder.encode("none\n");
        else if (status !== undefined) session.reply = encoder.encode(`status ${status}\n`);
        break;
      }
      case "alloc": {
        const parent = number(1);
        if (words.length !== 2 || parent < 0) break;
        const pid = this.hooks.allocate(parent);
        if (pid > 0) session.reply = encoder.encode(`pid ${pid}\n`);
        else if (pid < 0) session.reply = encoder.encode("refused\n");
        break;
      }
    }
  }

  #get(handle: number): Session {
    const session = this.#sessions.get(handle);
    if (!session) throw new MountedFsError("EBADF", `bad handle ${handle}`);
    return session;
  }
}

function newSession(): Session {
  return { pending: "", reply: new Uint8Array() };
}

/** Undoes libcompat's octal escapes (\134 \040 \011 \012, and any other \NNN). */
export function unescapeArg(arg: string): string {
  return arg.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
