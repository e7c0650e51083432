/**
 * The fuzzer's mutations: a seeded random source (the same seed gives the
 * same inputs, so a test run is repeatable) and AFL-style "havoc" over bytes —
 * bit flips, interesting bytes, inserts, deletes, the format's own tokens,
 * chunks of another input, truncation and repetition, stacked 1 to 8 at a time.
 */

/** xorshift32: tiny, fast, and the same sequence everywhere for one seed. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0 || 0x9e3779b9;
  }

  /** A uint32. */
  next(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }

  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }
}

/** Bytes that sit on the edges of parsers: NUL, high bit, separators, quotes, escapes. */
const INTERESTING = [0x00, 0x01, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x23, 0x24, 0x27, 0x2d, 0x2e, 0x2f, 0x30, 0x37, 0x3a, 0x3d, 0x40, 0x5c, 0x60, 0x7b, 0x7d, 0x7f, 0x80, 0xc0, 0xff];

const encoder = new TextEncoder();

export class Mutator {
  readonly #tokens: Uint8Array[];

  constructor(
    readonly rng: Rng,
    dictionary: readonly (string | Uint8Array)[],
    readonly maxLength: number,
  ) {
    this.#tokens = dictionary.map((t) => (typeof t === "string" ? encoder.encode(t) : t));
  }

  /** A new input from `parent`, with chunks taken from `others` (the corpus) now and then. */
  havoc(parent: Uint8Array, others: readonly Uint8Array[]): Uint8Array {
    let data = parent;
    const rounds = 1 + this.rng.below(8);
    for (let i = 0; i < rounds; i++) data = this.#once(data, others);
    return data.length > this.maxLength ? data.subarray(0, this.maxLength) : data;
  }

  #once(data: Uint8Array, others: readonly Uint8Array[]): Uint8Array {
    const rng = this.rng;
    const at = () => rng.below(data.length + 1);
    const token = () => (this.#tokens.length ? rng.pick(this.#tokens) : Uint8Array.of(rng.below(256)));
    switch (rng.below(12)) {
      case 0: {
        if (data.length === 0) return token();
        const out = data.slice();
        out[rng.below(out.length)]! ^= 1 << rng.below(8);
        return out;
      }
      case 1: {
        if (data.length === 0) return token();
        const out = data.slice();
        out[rng.below(out.length)] = rng.chance(0.5) ? rng.pick(INTERESTING) : rng.below(256);
        return out;
      }
      case 2: {
        if (data.length === 0) return token();
        const out = data.slice();
        const i = rng.below(out.length);
        out[i] = (out[i]! + (rng.chance(0.5) ? 1 : -1) * (1 + rng.below(35))) & 0xff;
        return out;
      }
      case 3: {
        // delete a run
        if (data.length === 0) return token();
        const start = rng.below(data.length);
        return splice(data, start, 1 + rng.below(Math.min(32, data.length - start)), new Uint8Array());
      }
      case 4: {
        const bytes = new Uint8Array(1 + rng.below(8)).map(() => (rng.chance(0.5) ? rng.pick(INTERESTING) : rng.below(256)));
        return splice(data, at(), 0, bytes);
      }
      case 5:
      case 6:
        return splice(data, at(), 0, token());
      case 7: {
        const t = token();
        const start = rng.below(data.length);
        return splice(data, start, Math.min(t.length, data.length - start), t);
      }
      case 8: {
        // copy a chunk of this input elsewhere in it
        if (data.length === 0) return token();
        const start = rng.below(data.length);
        const chunk = data.slice(start, start + 1 + rng.below(Math.min(64, data.length - start)));
        return splice(data, at(), 0, chunk);
      }
      case 9: {
        // crossover: a chunk of another input, inserted or replacing the tail
        const other = others.length ? rng.pick(others) : token();
        const start = rng.below(other.length);
        const chunk = other.subarray(start, start + 1 + rng.below(Math.max(1, other.length - start)));
        const cut = at();
        return rng.chance(0.5) ? splice(data, cut, 0, chunk) : concat(data.subarray(0, cut), chunk);
      }
      case 10:
        return data.subarray(0, at());
      default: {
        // a chunk repeated: long names, deep nesting, many lines
        if (data.length === 0) return token();
        const start = rng.below(data.length);
        const chunk = data.slice(start, start + 1 + rng.below(Math.min(16, data.length - start)));
        const times = 1 + rng.below(rng.chance(0.2) ? 512 : 16);
        const repeated = new Uint8Array(Math.min(chunk.length * times, this.maxLength));
        for (let i = 0; i < repeated.length; i++) repeated[i] = chunk[i % chunk.length]!;
        return splice(data, at(), 0, repeated);
      }
    }
  }
}

function splice(data: Uint8Array, start: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length - remove + insert.length);
  out.set(data.subarray(0, start));
  out.set(insert, start);
  out.set(data.subarray(start + remove), start + insert.length);
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
