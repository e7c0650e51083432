/**
 * A memory limit the kernel can enforce: a WebAssembly module's memory
 * maximum, rewritten before the SDK loads it (DESIGN.md, "Memory limits":
 * honoured exactly; the guest's `memory.grow` past it fails). So `--memory`
 * is a per-process limit, set when a container's machine loads its programs.
 */
import { concatBytes } from "../util/index.ts";

/** WebAssembly's page size. */
export const PAGE_BYTES = 65_536;

const MEMORY_IMPORT = 0x02;
const IMPORT_SECTION = 2;
const MEMORY_SECTION = 5;
const HAS_MAXIMUM = 0x01;
const SHARED = 0x02;
const MEMORY64 = 0x04;

/**
 * The module with every memory's maximum at most `maxPages` (a lower maximum
 * the module declares stays). A minimum above it is refused: such a program
 * could not start under the limit at all.
 */
export function limitModuleMemory(module: Uint8Array, maxPages: number): Uint8Array {
  if (module.length < 8 || module[0] !== 0x00 || module[1] !== 0x61 || module[2] !== 0x73 || module[3] !== 0x6d) {
    throw new Error("not a WebAssembly module");
  }
  // Sections are copied as slices: spreading a 300 KB code section into an array would not do.
  const parts: Uint8Array[] = [module.subarray(0, 8)];
  const reader = new Reader(module, 8);
  while (!reader.done) {
    const id = reader.byte();
    const size = reader.u32();
    const start = reader.at;
    const payload = module.subarray(start, start + size);
    reader.at = start + size;
    const rewritten =
      id === MEMORY_SECTION ? rewriteMemories(payload, maxPages) : id === IMPORT_SECTION ? rewriteImports(payload, maxPages) : payload;
    parts.push(Uint8Array.from([id, ...u32(rewritten.length)]), rewritten);
  }
  return concatBytes(parts);
}

function rewriteMemories(payload: Uint8Array, maxPages: number): Uint8Array {
  const reader = new Reader(payload, 0);
  const count = reader.u32();
  const out = [...u32(count)];
  for (let i = 0; i < count; i++) out.push(...limits(reader, maxPages));
  return Uint8Array.from(out);
}

function rewriteImports(payload: Uint8Array, maxPages: number): Uint8Array {
  const reader = new Reader(payload, 0);
  const count = reader.u32();
  const out = [...u32(count)];
  for (let i = 0; i < count; i++) {
    const from = reader.at;
    reader.skip(reader.u32()); // module name
    reader.skip(reader.u32()); // field name
    const kind = reader.byte();
    out.push(...payload.subarray(from, reader.at));
    if (kind === MEMORY_IMPORT) {
      out.push(...limits(reader, maxPages));
      continue;
    }
    const rest = reader.at;
    switch (kind) {
      case 0x00: // function: type index
        reader.u32();
        break;
      case 0x01: {
        reader.byte(); // table: element type, then limits
        const flags = reader.byte();
        reader.u32();
        if (flags & HAS_MAXIMUM) reader.u32();
        break;
      }
      case 0x03: // global: value type, mutability
        reader.skip(2);
        break;
      case 0x04: // tag: attribute, type index
        reader.byte();
        reader.u32();
        break;
      default:
        throw new Error(`unknown import kind ${kind}`);
    }
    out.push(...payload.subarray(rest, reader.at));
  }
  return Uint8Array.from(out);
}

/** One memory's limits, re-encoded with the maximum capped (the shared bit kept). */
function limits(reader: Reader, maxPages: number): number[] {
  const flags = reader.byte();
  if (flags & MEMORY64) throw new Error("64-bit memories are not supported");
  const min = reader.u32();
  const max = flags & HAS_MAXIMUM ? reader.u32() : Infinity;
  if (min > maxPages) throw new Error(`the program needs ${min * PAGE_BYTES} bytes of memory to start, more than the limit`);
  return [(flags & SHARED) | HAS_MAXIMUM, ...u32(min), ...u32(Math.min(max, maxPages))];
}

class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public at: number,
  ) {}

  get done(): boolean {
    return this.at >= this.bytes.length;
  }

  byte(): number {
    if (this.at >= this.bytes.length) throw new Error("truncated WebAssembly module");
    return this.bytes[this.at++]!;
  }

  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
    }
    throw new Error("malformed LEB128 in WebAssembly module");
  }

  skip(n: number): void {
    this.at += n;
  }
}

/** Unsigned LEB128. */
function u32(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return out;
}
