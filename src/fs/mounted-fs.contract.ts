/**
 * The contract every MountedFileSystem keeps, as one suite run against each
 * implementation (containerd's habit: one conformance suite per interface).
 * `make(files)` returns a filesystem already holding `files`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { MountedFsError, type MountedFileSystem } from "../kernel/index.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (s: string) => new TextEncoder().encode(s);

const READ = { read: true, write: false, create: false, createNew: false, truncate: false, append: false };
const WRITE = { read: false, write: true, create: true, createNew: false, truncate: true, append: false };
const APPEND = { read: false, write: true, create: true, createNew: false, truncate: false, append: true };

export async function readAll(fs: MountedFileSystem, path: string): Promise<string> {
  const handle = await fs.open(path, READ);
  try {
    return text(await fs.read(handle, 0, 1 << 20));
  } finally {
    await fs.close(handle);
  }
}

export async function writeAll(fs: MountedFileSystem, path: string, contents: string, options = WRITE): Promise<void> {
  const handle = await fs.open(path, options);
  try {
    await fs.write(handle, 0, bytes(contents));
  } finally {
    await fs.close(handle);
  }
}

export async function code(promise: unknown): Promise<string | undefined> {
  try {
    await (typeof promise === "function" ? promise() : promise);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof MountedFsError, `expected a MountedFsError, got ${String(error)}`);
    return error.code;
  }
}

export function mountedFsContract(
  name: string,
  make: (files: Record<string, string>) => MountedFileSystem,
): void {
  describe(`MountedFileSystem contract: ${name}`, () => {
    const initial = () => make({ "a.txt": "alpha\n", "dir/b.txt": "beta\n", "dir/sub/c.txt": "gamma\n", "empty/.keep": "" });

    it("stats files and directories", async () => {
      const fs = initial();
      assert.deepEqual(await fs.stat("a.txt"), { kind: "file", size: 6 });
      assert.deepEqual(await fs.stat("dir"), { kind: "directory", size: 0 });
      assert.deepEqual(await fs.stat(""), { kind: "directory", size: 0 });
      assert.equal(await code(() => fs.stat("nope")), "ENOENT");
      assert.equal(await code(() => fs.stat("a.txt/x")), "ENOTDIR");
    });

    it("lists a directory", async () => {
      const fs = initial();
      const names = (await fs.readDir("dir")).map((e) => `${e.name}:${e.kind}`).sort();
      assert.deepEqual(names, ["b.txt:file", "sub:directory"]);
      assert.equal(await code(() => fs.readDir("a.txt")), "ENOTDIR");
    });

    it("reads at offsets and past the end", async () => {
      const fs = initial();
      const h = await fs.open("a.txt", READ);
      assert.equal(text(await fs.read(h, 2, 3)), "pha");
      assert.equal((await fs.read(h, 100, 10)).length, 0);
      await fs.close(h);
      await fs.close(h); // closing twice is harmless
    });

    it("creates, truncates and appends", async () => {
      const fs = initial();
      await writeAll(fs, "new.txt", "one");
      assert.equal(await readAll(fs, "new.txt"), "one");
      await writeAll(fs, "a.txt", "replaced");
      assert.equal(await readAll(fs, "a.txt"), "replaced");
      await writeAll(fs, "a.txt", "+more", APPEND);
      assert.equal(await readAll(fs, "a.txt"), "replaced+more");
      assert.deepEqual(await fs.stat("a.txt"), { kind: "file", size: 13 });
    });

    it("writes at an offset beyond the end, zero-filling", async () => {
      const fs = initial();
      const h = await fs.open("gap", WRITE);
      await fs.write(h, 3, bytes("x"));
      await fs.close(h);
      assert.equal(await readAll(fs, "gap"), "\0\0\0x");
    });

    it("refuses createNew on an existing file and opening a missing one", async () => {
      const fs = initial();
      assert.equal(await code(() => fs.open("a.txt", { ...WRITE, createNew: true })), "EEXIST");
      assert.equal(await code(() => fs.open("missing", READ)), "ENOENT");
      assert.equal(await code(() => fs.open("dir", READ)), "EISDIR");
      assert.equal(await code(() => fs.open("nodir/x", WRITE)), "ENOENT");
    });

    it("refuses writes through a read-only handle", async () => {
      const fs = initial();
      const h = await fs.open("a.txt", READ);
      assert.equal(await code(() => fs.write(h, 0, bytes("x"))), "EBADF");
      await fs.close(h);
      assert.equal(await code(() => fs.read(h, 0, 1)), "EBADF");
    });

    it("sets a file's length", async () => {
      const fs = initial();
      const h = await fs.open("a.txt", { ...WRITE, truncate: false });
      await fs.setLen(h, 2);
      await fs.close(h);
      assert.equal(await readAll(fs, "a.txt"), "al");
    });

    it("makes and removes directories", async () => {
      const fs = initial();
      await fs.mkdir("made");
      assert.equal(await code(() => fs.mkdir("made")), "EEXIST");
      assert.equal(await code(() => fs.mkdir("a.txt")), "EEXIST");
      await writeAll(fs, "made/f", "f");
      assert.equal(await code(() => fs.remove("made")), "ENOTEMPTY");
      await fs.remove("made/f");
      await fs.remove("made");
      assert.equal(await code(() => fs.stat("made")), "ENOENT");
    });

    it("removes files that came with it, and they stay gone", async () => {
      const fs = initial();
      await fs.remove("dir/b.txt");
      assert.equal(await code(() => fs.stat("dir/b.txt")), "ENOENT");
      assert.deepEqual((await fs.readDir("dir")).map((e) => e.name), ["sub"]);
      await writeAll(fs, "dir/b.txt", "again");
      assert.equal(await readAll(fs, "dir/b.txt"), "again");
    });

    it("removes a directory that came with it once emptied", async () => {
      const fs = initial();
      await fs.remove("dir/sub/c.txt");
      await fs.remove("dir/sub");
      assert.deepEqual((await fs.readDir("dir")).map((e) => e.name), ["b.txt"]);
      await fs.mkdir("dir/sub");
      assert.deepEqual(await fs.readDir("dir/sub"), []);
    });

    it("renames files and whole directories", async () => {
      const fs = initial();
      await fs.rename("a.txt", "dir/moved.txt");
      assert.equal(await code(() => fs.stat("a.txt")), "ENOENT");
      assert.equal(await readAll(fs, "dir/moved.txt"), "alpha\n");
      await fs.rename("dir", "renamed");
      assert.equal(await code(() => fs.stat("dir")), "ENOENT");
      assert.equal(await readAll(fs, "renamed/sub/c.txt"), "gamma\n");
      assert.equal(await readAll(fs, "renamed/moved.txt"), "alpha\n");
    });

    it("follows POSIX rename rules for existing targets", async () => {
      const fs = initial();
      await writeAll(fs, "x", "x");
      await fs.rename("x", "a.txt");
      assert.equal(await readAll(fs, "a.txt"), "x");
      assert.equal(await code(() => fs.rename("a.txt", "dir")), "EISDIR");
      assert.equal(await code(() => fs.rename("dir", "a.txt")), "ENOTDIR");
      assert.equal(await code(() => fs.rename("empty", "dir")), "ENOTEMPTY");
      assert.equal(await code(() => fs.rename("missing", "b")), "ENOENT");
    });
  });
}
