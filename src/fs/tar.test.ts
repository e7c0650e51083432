import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";

import { BerthError } from "../util/index.ts";
import { readTar, writeTar, type TarEntry } from "./tar.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const longDir = "very/".repeat(30) + "deep";
const entries: TarEntry[] = [
  { path: "etc", type: "directory", mode: 0o755, uid: 0, gid: 0, mtime: 1700000000 },
  { path: "etc/os-release", type: "file", data: bytes("ID=alpine\n"), mode: 0o644, uid: 0, gid: 0, mtime: 1700000001 },
  { path: "bin/sh", type: "symlink", linkname: "/bin/busybox", mode: 0o777, uid: 0, gid: 0, mtime: 1700000002 },
  { path: "home/user/.profile", type: "file", data: bytes("export A=1\n"), mode: 0o600, uid: 1000, gid: 1000, mtime: 1700000003 },
  { path: `${longDir}/file-with-a-long-path.txt`, type: "file", data: bytes("long\n"), mode: 0o644, uid: 0, gid: 0, mtime: 1700000004 },
  { path: "x".repeat(180), type: "file", data: bytes("one long name\n"), mode: 0o644, uid: 0, gid: 0, mtime: 1700000005 },
  { path: "bin/link", type: "hardlink", linkname: "etc/os-release", mode: 0o644, uid: 0, gid: 0, mtime: 1700000006 },
];

/** The archive with its first header's checksum made right again (and its size field set, when given). */
function fixChecksum(archive: Uint8Array, size?: number): Uint8Array {
  const header = archive.subarray(0, 512);
  if (size !== undefined) header.set(bytes(size.toString(8).padStart(11, "0") + "\0"), 124);
  header.fill(0x20, 148, 156);
  const sum = header.reduce((a, b) => a + b, 0);
  header.set(bytes(sum.toString(8).padStart(6, "0") + "\0 "), 148);
  return archive;
}

describe("tar", () => {
  const scratch = mkdtempSync(path.join(tmpdir(), "berth-tar-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("reads back what it writes", () => {
    const back = readTar(writeTar(entries));
    assert.deepEqual(
      back.map((e) => ({ ...e, data: e.data && Buffer.from(e.data).toString() })),
      entries.map((e) => ({ ...e, data: e.data && Buffer.from(e.data).toString(), linkname: e.linkname })),
    );
  });

  it("writes the same bytes for the same entries", () => {
    assert.deepEqual(writeTar(entries), writeTar(entries));
  });

  it("writes archives GNU tar reads", () => {
    const file = path.join(scratch, "ours.tar");
    writeFileSync(file, writeTar(entries));
    const listed = execFileSync("tar", ["-tf", file], { encoding: "utf8" }).trim().split("\n");
    assert.deepEqual(listed, entries.map((e) => (e.type === "directory" ? `${e.path}/` : e.path)));
    const out = path.join(scratch, "out");
    mkdirSync(out);
    execFileSync("tar", ["-xf", file, "-C", out]);
    assert.equal(readFileSync(path.join(out, longDir, "file-with-a-long-path.txt"), "utf8"), "long\n");
  });

  it("reads archives GNU tar writes, in its gnu and pax formats", () => {
    const src = path.join(scratch, "src");
    mkdirSync(path.join(src, longDir), { recursive: true });
    writeFileSync(path.join(src, longDir, "f"), "from gnu tar\n");
    symlinkSync("f", path.join(src, longDir, "l"));
    for (const format of ["gnu", "pax"]) {
      const file = path.join(scratch, `${format}.tar`);
      execFileSync("tar", [`--format=${format}`, "-cf", file, "-C", src, "."]);
      const read = readTar(new Uint8Array(readFileSync(file)));
      const f = read.find((e) => e.path === `${longDir}/f`);
      assert.equal(f && Buffer.from(f.data!).toString(), "from gnu tar\n", format);
      assert.equal(read.find((e) => e.path === `${longDir}/l`)?.linkname, "f", format);
    }
  });

  it("refuses damaged archives with a clear error", () => {
    const good = writeTar(entries);
    const flipped = good.slice();
    flipped[10] ^= 0xff;
    assert.throws(() => readTar(flipped), (e: unknown) => e instanceof BerthError && e.code === "DATA_LOSS" && /checksum at offset 0/.test(e.message));
    assert.throws(() => readTar(good.subarray(0, 700)), (e: unknown) => BerthError.is(e, "DATA_LOSS"));
  });

  it("refuses entries that climb out with ..", () => {
    const evil = writeTar([{ path: "../../etc/passwd", type: "file", data: bytes("x"), mode: 0o644, uid: 0, gid: 0, mtime: 0 }]);
    assert.throws(() => readTar(evil), /"\.\." path/);
  });

  it("refuses absolute paths when confined, and keeps them relative otherwise", () => {
    const absolute = writeTar([{ path: "/etc/passwd", type: "file", data: bytes("x"), mode: 0o644, uid: 0, gid: 0, mtime: 0 }]);
    assert.equal(readTar(absolute)[0]!.path, "etc/passwd");
    assert.throws(() => readTar(absolute, { confined: true }), /^BerthError: tar: entry at offset 0 has an absolute path: \/etc\/passwd$/);
  });

  // Found by the fuzzer: a uid or mtime too big for its octal field was written cut short, so it read back as another number.
  it("keeps numbers ustar's fields cannot hold in PAX records, which GNU tar reads too", () => {
    const big: TarEntry = { path: "big", type: "file", data: bytes("x"), mode: 0o644, uid: 3_000_000, gid: 5_000_000, mtime: 181197090864 };
    const early: TarEntry = { path: "early", type: "directory", mode: 0o755, uid: 0, gid: 0, mtime: -86400 };
    const archive = writeTar([big, early]);
    assert.deepEqual(
      readTar(archive).map(({ data: _, ...e }) => e),
      [big, early].map(({ data: _, ...e }) => ({ linkname: undefined, ...e })),
    );
    const file = path.join(scratch, "big.tar");
    writeFileSync(file, archive);
    assert.match(execFileSync("tar", ["--numeric-owner", "-tvf", file], { encoding: "utf8" }), /^-rw-r--r-- 3000000\/5000000 /);
  });

  it("refuses PAX numbers that are not numbers, and base-256 numbers past 2^53", () => {
    const withRecord = (record: string) => {
      const archive = writeTar([{ path: "x".repeat(120), type: "file", data: bytes("x"), mode: 0o644, uid: 0, gid: 0, mtime: 0 }]);
      // The PAX header's data, one record: a two-digit length, a space, the record, a newline.
      const line = `${record.length + 4} ${record}\n`;
      archive.subarray(512, 1024).fill(0).set(bytes(line));
      return fixChecksum(archive, line.length);
    };
    assert.throws(() => readTar(withRecord("mtime=soon")), /^BerthError: tar: bad PAX mtime "soon" for the entry at offset 1024$/);
    assert.throws(() => readTar(withRecord("uid=-1")), /^BerthError: tar: bad PAX uid "-1"/);
    const huge = writeTar([{ path: "f", type: "file", data: bytes("x"), mode: 0o644, uid: 0, gid: 0, mtime: 0 }]);
    huge.fill(0xff, 136, 148);
    assert.throws(() => readTar(fixChecksum(huge)), /^BerthError: tar: number too large in header at offset 0$/);
  });

  it("reads an empty archive", () => {
    assert.deepEqual(readTar(writeTar([])), []);
    assert.deepEqual(readTar(new Uint8Array()), []);
  });
});
