import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { copyTree, readWholeFile } from "./copy.ts";
import { MemoryFileSystem } from "./memory-fs.ts";
import { OverlayFileSystem } from "./overlay.ts";

describe("copyTree", () => {
  it("copies a directory tree into another filesystem, merging with what is there", async () => {
    const from = MemoryFileSystem.from({ "srv/a.txt": "A", "srv/sub/b.txt": "B", "other.txt": "no" });
    const to = MemoryFileSystem.from({ "keep.txt": "K" });
    await copyTree(from, "srv", to, "");
    assert.deepEqual(to.readDir("").map((e) => e.name).sort(), ["a.txt", "keep.txt", "sub"]);
    assert.equal(new TextDecoder().decode(await readWholeFile(to, "sub/b.txt")), "B");
  });

  it("copies one file, and reads through an overlay", async () => {
    const overlay = new OverlayFileSystem([MemoryFileSystem.from({ "etc/motd": "hello" }).root]);
    const to = new MemoryFileSystem();
    await copyTree(overlay, "etc/motd", to, "motd");
    assert.equal(new TextDecoder().decode(to.readFile("motd")), "hello");
  });
});
