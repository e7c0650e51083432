/**
 * A container's log: the tail of what it wrote, bounded. Docker's json-file
 * driver keeps everything unless told otherwise (`--log-opt max-size`); a
 * playground's engine lives in one tab's memory, so each container keeps
 * about its last LOG_LIMIT_BYTES and drops its oldest entries first.
 */
import type { LogEntry } from "./container.ts";

/** What a container's log holds at most: its entries' bytes plus ENTRY_COST for each. */
export const LOG_LIMIT_BYTES = 4 * 1024 * 1024;

/**
 * What an entry costs beyond its bytes: its object, date and array (measured
 * in Node: 200 to 400 bytes), so that a flood of tiny writes is bounded too.
 */
export const ENTRY_COST = 256;

/**
 * Writes of one stream within one millisecond join one entry up to this size:
 * their times are the same at a Date's resolution, so nothing is lost, and
 * `yes` (a write per line) does not cost an entry per line.
 */
const JOIN_LIMIT = 4096;

/** Where a reader is: an entry (counted from the log's first entry ever) and how much of it it has read. */
export interface LogPosition {
  readonly entry: number;
  readonly offset: number;
}

export class ContainerLog implements Iterable<LogEntry> {
  #entries: LogEntry[] = [];
  /** The number, since the log began, of #entries[0]. */
  #base = 0;
  /** #entries before this index were dropped (removed from the array in batches). */
  #start = 0;
  #cost = 0;
  #bytes = 0;
  /** The buffer behind the last entry while writes may still join it. */
  #joinable: Uint8Array | undefined;
  readonly #waiters = new Set<() => void>();

  constructor(readonly limit = LOG_LIMIT_BYTES) {}

  /** Bytes of output held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Entries held. */
  get size(): number {
    return this.#entries.length - this.#start;
  }

  /** After the last byte held: where a reader that has seen everything is. */
  get end(): LogPosition {
    const next = this.#base + this.#entries.length;
    const last = this.#entries.at(-1);
    return last && this.size > 0 ? { entry: next - 1, offset: last.data.length } : { entry: next, offset: 0 };
  }

  /** The entries held, oldest first. */
  entries(): LogEntry[] {
    return this.#entries.slice(this.#start);
  }

  [Symbol.iterator](): Iterator<LogEntry> {
    return this.entries()[Symbol.iterator]();
  }

  append(entry: LogEntry): void {
    if (entry.data.length === 0) return;
    const last = this.size > 0 ? this.#entries.at(-1)! : undefined;
    if (
      last &&
      this.#joinable &&
      last.stream === entry.stream &&
      last.time.getTime() === entry.time.getTime() &&
      last.data.length + entry.data.length <= JOIN_LIMIT
    ) {
      const length = last.data.length + entry.data.length;
      if (length > this.#joinable.length) {
        const grown = new Uint8Array(Math.min(JOIN_LIMIT, Math.max(length, this.#joinable.length * 2)));
        grown.set(last.data);
        this.#joinable = grown;
      }
      // Past the last entry's bytes: views of it handed out before stay as they were.
      this.#joinable.set(entry.data, last.data.length);
      this.#entries[this.#entries.length - 1] = { stream: last.stream, time: last.time, data: this.#joinable.subarray(0, length) };
      this.#cost += entry.data.length;
      this.#bytes += entry.data.length;
    } else {
      let data = entry.data;
      if (data.length < JOIN_LIMIT) {
        // A copy of its own: a small write must not keep the producer's larger buffer alive.
        this.#joinable = new Uint8Array(Math.min(JOIN_LIMIT, Math.max(64, data.length * 2)));
        this.#joinable.set(data);
        data = this.#joinable.subarray(0, data.length);
      } else {
        this.#joinable = undefined;
        if (data.buffer.byteLength > data.length * 2) data = data.slice();
      }
      this.#entries.push({ stream: entry.stream, time: entry.time, data });
      this.#cost += data.length + ENTRY_COST;
      this.#bytes += data.length;
    }
    this.#trim();
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  /**
   * Entries from `from` on, as they are written, until `until` settles and
   * all written by then is read. A reader that fell behind what the log still
   * holds goes on from its oldest entry.
   */
  async *follow(from: LogPosition, until: Promise<unknown>): AsyncGenerator<LogEntry> {
    let ended = false;
    let wake: (() => void) | undefined;
    const end = () => {
      ended = true;
      wake?.();
    };
    void until.then(end, end);
    let { entry: at, offset } = from;
    for (;;) {
      const first = this.#base + this.#start;
      const next = this.#base + this.#entries.length;
      if (at < first) [at, offset] = [first, 0];
      if (at < next) {
        const entry = this.#entries[at - this.#base]!;
        if (entry.data.length > offset) {
          const data = entry.data.subarray(offset);
          offset = entry.data.length;
          yield { stream: entry.stream, time: entry.time, data };
          continue;
        }
        if (at + 1 < next) {
          [at, offset] = [at + 1, 0];
          continue;
        }
      }
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        this.#waiters.add(resolve);
      });
      wake = undefined;
    }
  }

  #trim(): void {
    while (this.#cost > this.limit && this.size > 1) {
      const dropped = this.#entries[this.#start++]!;
      this.#cost -= dropped.data.length + ENTRY_COST;
      this.#bytes -= dropped.data.length;
    }
    if (this.#cost > this.limit) {
      // One write larger than the whole log: its end is the tail.
      const only = this.#entries[this.#start]!;
      const keep = Math.max(0, this.limit - ENTRY_COST);
      this.#entries[this.#start] = { stream: only.stream, time: only.time, data: only.data.slice(only.data.length - keep) };
      this.#joinable = undefined;
      this.#cost = keep + ENTRY_COST;
      this.#bytes = keep;
    }
    // Dropped entries leave the array in batches, so that dropping stays cheap.
    if (this.#start > 1024 && this.#start * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#start);
      this.#base += this.#start;
      this.#start = 0;
    }
  }
}
