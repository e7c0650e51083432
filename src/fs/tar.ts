/**
 * Tar archives, the format of image layers (OCI) and of `docker save/export/cp`.
 * Writes POSIX ustar with PAX records for what ustar cannot hold (long names,
 * big sizes), deterministically; reads ustar, PAX and GNU long names. A
 * damaged archive is an error naming the offset, never a crash.
 */
import { BerthError, concatBytes } from "../util/index.ts";

export type TarEntryType = "file" | "directory" | "symlink" | "hardlink";

export interface TarEntry {
  /** Relative path, "/"-separated, no leading "./" or "/". Directories without a trailing slash. */
  readonly path: string;
  readonly type: TarEntryType;
  readonly data?: Uint8Array;
  /** Target of a symlink or hardlink. */
  readonly linkname?: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Modification time in seconds since the epoch. */
  readonly mtime: number;
}

const BLOCK = 512;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The largest numbers ustar's octal fields hold: 8 bytes (uid, gid), 12 (size, mtime), one byte for the NUL. */
const MAX_OCTAL_8 = 0o7777777;
const MAX_OCTAL_12 = 0o77777777777;

/** The number for its octal field; one the field cannot hold goes in a PAX record and the field says 0, as Go's archive/tar writes it. */
function octalOrPax(pax: Record<string, string>, key: string, value: number, max: number): number {
  if (Number.isInteger(value) && value >= 0 && value <= max) return value;
  pax[key] = String(value);
  return 0;
}

const TYPE_FLAGS: Record<TarEntryType, string> = { file: "0", hardlink: "1", symlink: "2", directory: "5" };

export function writeTar(entries: readonly TarEntry[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const entry of entries) {
    const name = entry.type === "directory" ? `${entry.path}/` : entry.path;
    const data = entry.type === "file" ? (entry.data ?? new Uint8Array()) : new Uint8Array();
    const pax: Record<string, string> = {};
    const split = splitUstarName(name);
    if (!split) pax.path = name;
    if (entry.linkname !== undefined && encoder.encode(entry.linkname).length > 100) pax.linkpath = entry.linkname;
    if (data.length > MAX_OCTAL_12) pax.size = String(data.length);
    const uid = octalOrPax(pax, "uid", entry.uid, MAX_OCTAL_8);
    const gid = octalOrPax(pax, "gid", entry.gid, MAX_OCTAL_8);
    const mtime = octalOrPax(pax, "mtime", entry.mtime, MAX_OCTAL_12);
    if (Object.keys(pax).length > 0) {
      const records = encoder.encode(Object.entries(pax).map(([k, v]) => paxRecord(k, v)).join(""));
      chunks.push(header({ name: "PaxHeaders/" + lastPart(name), type: "x", size: records.length, mode: 0o644, uid: 0, gid: 0, mtime }));
      chunks.push(padded(records));
    }
    const [prefix, base] = split ?? ["", lastPart(name)];
    chunks.push(
      header({
        name: base,
        prefix,
        type: TYPE_FLAGS[entry.type],
        size: data.length,
        mode: entry.mode,
        uid,
        gid,
        mtime,
        linkname: entry.linkname,
      }),
    );
    if (data.length > 0) chunks.push(padded(data));
  }
  chunks.push(new Uint8Array(BLOCK * 2));
  return concatBytes(chunks);
}

export interface ReadTarOptions {
  /** Refuse absolute paths as well as "..": an archive whose entries must stay inside one directory (docker load). */
  readonly confined?: boolean;
}

export function readTar(archive: Uint8Array, options: ReadTarOptions = {}): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  while (offset + BLOCK <= archive.length) {
    const headerOffset = offset;
    const block = archive.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) break;
    verifyChecksum(block, offset);
    const type = String.fromCharCode(block[156]!) || "0";
    const size = pax.size !== undefined ? paxNumber(pax, "size", offset) : readOctal(block, 124, 12, offset);
    const dataStart = offset + BLOCK;
    const dataEnd = dataStart + size;
    if (!Number.isSafeInteger(size) || size < 0 || dataEnd > archive.length) {
      throw new BerthError("DATA_LOSS", `tar: entry at offset ${offset} runs past the end of the archive`);
    }
    const data = archive.subarray(dataStart, dataEnd);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    if (type === "x") {
      pax = { ...pax, ...parsePax(data, dataStart) };
      continue;
    }
    if (type === "g") continue;
    if (type === "L") {
      longName = cString(data);
      continue;
    }
    if (type === "K") {
      longLink = cString(data);
      continue;
    }
    const ustarName = cString(block.subarray(0, 100));
    const prefix = decoder.decode(block.subarray(257, 263)).startsWith("ustar") ? cString(block.subarray(345, 500)) : "";
    const rawName = pax.path ?? longName ?? (prefix ? `${prefix}/${ustarName}` : ustarName);
    const linkname = pax.linkpath ?? longLink ?? cString(block.subarray(157, 257));
    const kind = entryType(type, rawName);
    const mtime = pax.mtime !== undefined ? paxNumber(pax, "mtime", headerOffset) : readOctal(block, 136, 12, headerOffset);
    const uid = pax.uid !== undefined ? paxNumber(pax, "uid", headerOffset) : readOctal(block, 108, 8, headerOffset);
    const gid = pax.gid !== undefined ? paxNumber(pax, "gid", headerOffset) : readOctal(block, 116, 8, headerOffset);
    pax = {};
    longName = longLink = undefined;
    if (!kind) continue; // devices, fifos: layers may hold them; a container cannot use them here
    entries.push({
      path: normalizeEntryPath(rawName, headerOffset, options.confined ?? false),
      type: kind,
      data: kind === "file" ? data.slice() : undefined,
      linkname: kind === "symlink" || kind === "hardlink" ? linkname : undefined,
      mode: readOctal(block, 100, 8, headerOffset) & 0o7777,
      uid,
      gid,
      mtime,
    });
  }
  const rest = archive.subarray(offset);
  if (rest.length < BLOCK && rest.some((b) => b !== 0)) {
    throw new BerthError("DATA_LOSS", `tar: archive ends inside a header at offset ${offset}`);
  }
  return entries;
}

/** "./a/b/" -> "a/b"; refuses "..", which no layer may hold, and when confined absolute paths. */
function normalizeEntryPath(raw: string, offset: number, confined: boolean): string {
  if (confined && raw.startsWith("/")) throw new BerthError("DATA_LOSS", `tar: entry at offset ${offset} has an absolute path: ${raw}`);
  const parts = raw.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new BerthError("DATA_LOSS", `tar: entry at offset ${offset} has a ".." path: ${raw}`);
  return parts.join("/");
}

function entryType(flag: string, name: string): TarEntryType | undefined {
  switch (flag) {
    case "0":
    case "\0":
    case "7":
      return name.endsWith("/") ? "directory" : "file";
    case "1":
      return "hardlink";
    case "2":
      return "symlink";
    case "5":
      return "directory";
    default:
      return undefined;
  }
}

interface Header {
  name: string;
  prefix?: string;
  type: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkname?: string;
}

function header(h: Header): Uint8Array {
  const block = new Uint8Array(BLOCK);
  putString(block, 0, 100, h.name);
  putOctal(block, 100, 8, h.mode);
  putOctal(block, 108, 8, h.uid);
  putOctal(block, 116, 8, h.gid);
  putOctal(block, 124, 12, Math.min(h.size, MAX_OCTAL_12));
  putOctal(block, 136, 12, h.mtime);
  block.fill(0x20, 148, 156); // checksum field counts as spaces
  block[156] = h.type.charCodeAt(0);
  putString(block, 157, 100, h.linkname ?? "");
  putString(block, 257, 6, "ustar");
  putString(block, 263, 2, "00");
  putString(block, 265, 32, h.uid === 0 ? "root" : "");
  putString(block, 297, 32, h.gid === 0 ? "root" : "");
  putString(block, 345, 155, h.prefix ?? "");
  const sum = block.reduce((a, b) => a + b, 0);
  putString(block, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return block;
}

/** A name as ustar's prefix (155) + name (100), or undefined when it does not fit. */
function splitUstarName(name: string): [string, string] | undefined {
  const bytes = encoder.encode(name);
  if (bytes.length <= 100) return ["", name];
  for (let i = name.lastIndexOf("/", name.length - 2); i > 0; i = name.lastIndexOf("/", i - 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (encoder.encode(prefix).length <= 155 && encoder.encode(rest).length <= 100) return [prefix, rest];
  }
  return undefined;
}

function lastPart(name: string): string {
  const trimmed = name.endsWith("/") ? name.slice(0, -1) : name;
  const base = trimmed.slice(trimmed.lastIndexOf("/") + 1);
  return (name.endsWith("/") ? `${base}/` : base).slice(0, 99);
}

function paxRecord(key: string, value: string): string {
  // The length field counts itself: find the fixed point.
  const body = ` ${key}=${value}\n`;
  let length = encoder.encode(body).length;
  while (String(length).length + encoder.encode(body).length !== length) length = String(length).length + encoder.encode(body).length;
  return `${length}${body}`;
}

function parsePax(data: Uint8Array, offset: number): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) break;
    const length = Number(decoder.decode(data.subarray(i, space)));
    if (!Number.isInteger(length) || length <= 0 || i + length > data.length) {
      throw new BerthError("DATA_LOSS", `tar: bad PAX record at offset ${offset + i}`);
    }
    const record = decoder.decode(data.subarray(space + 1, i + length - 1));
    const eq = record.indexOf("=");
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += length;
  }
  return out;
}

/** A PAX record's number: whole for size, uid and gid; mtime may have a fraction (dropped) and a sign. */
function paxNumber(pax: Record<string, string>, key: "size" | "uid" | "gid" | "mtime", offset: number): number {
  const text = pax[key]!;
  const valid = key === "mtime" ? /^[+-]?\d+(?:\.\d*)?$/ : /^\d+$/;
  const value = valid.test(text) ? Math.floor(Number(text)) : NaN;
  if (!Number.isSafeInteger(value)) throw new BerthError("DATA_LOSS", `tar: bad PAX ${key} "${text}" for the entry at offset ${offset}`);
  return value;
}

function verifyChecksum(block: Uint8Array, offset: number): void {
  const stored = readOctal(block, 148, 8, offset);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  if (sum !== stored) throw new BerthError("DATA_LOSS", `tar: bad header checksum at offset ${offset}`);
}

function readOctal(block: Uint8Array, at: number, length: number, offset: number): number {
  const field = block.subarray(at, at + length);
  if (field[0]! & 0x80) {
    // base-256 (GNU) for big numbers
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    if (!Number.isSafeInteger(value)) throw new BerthError("DATA_LOSS", `tar: number too large in header at offset ${offset}`);
    return value;
  }
  const text = cString(field).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new BerthError("DATA_LOSS", `tar: bad number "${text}" in header at offset ${offset}`);
  return parseInt(text, 8);
}

function putOctal(block: Uint8Array, at: number, length: number, value: number): void {
  putString(block, at, length, value.toString(8).padStart(length - 1, "0"));
}

function putString(block: Uint8Array, at: number, length: number, value: string): void {
  block.set(encoder.encode(value).subarray(0, length), at);
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return decoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / BLOCK) * BLOCK);
  out.set(data);
  return out;
}

