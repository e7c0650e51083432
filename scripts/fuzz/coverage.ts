/**
 * Block coverage of the code under test, from V8 through `node:inspector`
 * (Profiler.takePreciseCoverage in binary block mode, which resets the
 * counts on every take): after each input, how many blocks of src/ ran that
 * no input reached before. That is what keeps an input in the corpus.
 *
 * V8 reports a function's whole range and then only the nested ranges whose
 * count differs from their parent's, so a block is known by its range once
 * it has been reported, and it ran when the innermost reported range holding
 * it ran.
 */
import { Session } from "node:inspector";

interface Range {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly count: number;
}

interface ScriptCoverage {
  readonly url: string;
  readonly functions: readonly { readonly ranges: readonly Range[] }[];
}

/** start and end of a range in one number (source files stay far below 1e6 characters). */
const key = (r: Range) => r.startOffset * 1e6 + r.endOffset;

export class BlockCoverage {
  readonly #session = new Session();
  /** Per function (url and start): each known block, and whether any input ran it. */
  readonly #blocks = new Map<string, Map<number, boolean>>();
  #covered = 0;

  constructor(readonly include: (url: string) => boolean) {
    this.#session.connect();
    this.#post("Profiler.enable");
    this.#post("Profiler.startPreciseCoverage", { callCount: false, detailed: true });
  }

  /** Blocks ran so far by any input. */
  get covered(): number {
    return this.#covered;
  }

  /** Blocks the code ran since the last call that nothing ran before. */
  take(): number {
    const { result } = this.#post("Profiler.takePreciseCoverage") as { result: ScriptCoverage[] };
    let fresh = 0;
    for (const script of result) {
      if (!this.include(script.url)) continue;
      for (const fn of script.functions) {
        const [whole] = fn.ranges;
        if (!whole || whole.count === 0) continue;
        const id = `${script.url}#${whole.startOffset}`;
        let blocks = this.#blocks.get(id);
        if (!blocks) this.#blocks.set(id, (blocks = new Map()));
        for (const r of fn.ranges) if (!blocks.has(key(r))) blocks.set(key(r), false);
        for (const [k, covered] of blocks) {
          if (covered || !ran(fn.ranges, Math.floor(k / 1e6), k % 1e6)) continue;
          blocks.set(k, true);
          fresh++;
        }
      }
    }
    this.#covered += fresh;
    return fresh;
  }

  close(): void {
    this.#session.disconnect();
  }

  #post(method: string, params?: object): unknown {
    // A session on this thread answers synchronously.
    let out: unknown;
    let failure: Error | null = null;
    this.#session.post(method, params ?? {}, (error, result) => {
      failure = error;
      out = result;
    });
    if (failure) throw failure;
    return out;
  }
}

/** Whether the block [start, end) ran: the count of the innermost reported range holding it. */
function ran(ranges: readonly Range[], start: number, end: number): boolean {
  let count = 0;
  for (const r of ranges) if (r.startOffset <= start && r.endOffset >= end) count = r.count;
  return count > 0;
}
