import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { MemoryFileSystem } from "./memory-fs.ts";
import { code, mountedFsContract, readAll, writeAll } from "./mounted-fs.contract.ts";
import { OverlayFileSystem } from "./overlay.ts";
import type { DirNode } from "./tree.ts";

/** A read-only layer tree from path -> contents. */
function layer(files: Record<string, string>): DirNode {
  return MemoryFileSystem.from(files).root;
}

// Files in the lower layer: every write is a copy-up, every delete a whiteout.
mountedFsContract("OverlayFileSystem over one lower layer", (files) => new OverlayFileSystem([layer(files)]));
// Files spread over two layers.
mountedFsContract("OverlayFileSystem over two lower layers", (files) => {
  const entries = Object.entries(files);
  const half = Math.ceil(entries.length / 2);
  return new OverlayFileSystem([layer(Object.fromEntries(entries.slice(half))), layer(Object.fromEntries(entries.slice(0, half)))]);
});
// Everything in the writable layer.
mountedFsContract("OverlayFileSystem with an empty lower layer", (files) => {
  const overlay = new OverlayFileSystem([layer({})]);
  for (const [path, contents] of Object.entries(files)) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      try {
        overlay.mkdir(dir);
      } catch {
        // already made for an earlier file
      }
    }
    const h = overlay.open(path, { read: false, write: true, create: true, createNew: false, truncate: true, append: false });
    overlay.write(h, 0, new TextEncoder().encode(contents));
    overlay.close(h);
  }
  return overlay;
});

describe("OverlayFileSystem: layers (after containerd's snapshotter suite)", () => {
  const base = () => layer({ "etc/os-release": "ID=alpine\n", "etc/hosts": "127.0.0.1 localhost\n", "bin/sh": "#sh", "var/lib/x": "x" });

  it("shows the higher layer's file over the lower one", async () => {
    const top = layer({ "etc/os-release": "ID=custom\n" });
    const fs = new OverlayFileSystem([top, base()]);
    assert.equal(await readAll(fs, "etc/os-release"), "ID=custom\n");
    assert.equal(await readAll(fs, "etc/hosts"), "127.0.0.1 localhost\n");
  });

  it("never changes a lower layer (two containers on one image)", async () => {
    const image = base();
    const one = new OverlayFileSystem([image]);
    const two = new OverlayFileSystem([image]);
    await writeAll(one, "etc/hosts", "changed by one");
    await one.remove("bin/sh");
    await writeAll(one, "new-file", "only in one");
    assert.equal(await readAll(two, "etc/hosts"), "127.0.0.1 localhost\n");
    assert.equal(await readAll(two, "bin/sh"), "#sh");
    await assert.rejects(async () => two.stat("new-file"));
    assert.equal(await readAll(new OverlayFileSystem([image]), "etc/hosts"), "127.0.0.1 localhost\n");
  });

  it("deleted files in a child layer stay deleted (whiteouts)", async () => {
    const lower = base();
    const child = layer({});
    child.children.set("etc", { ...layer({}), children: new Map([["hosts", { kind: "whiteout" }]]) });
    const fs = new OverlayFileSystem([child, lower]);
    await assert.rejects(async () => fs.stat("etc/hosts"));
    assert.deepEqual((await fs.readDir("etc")).map((e) => e.name), ["os-release"]);
  });

  it("removing a directory of a lower layer, then making it again, hides the old contents (opaque)", async () => {
    const fs = new OverlayFileSystem([base()]);
    await fs.remove("var/lib/x");
    await fs.remove("var/lib");
    await fs.mkdir("var/lib");
    assert.deepEqual(await fs.readDir("var/lib"), []);
    assert.deepEqual(fs.changes(), [
      { kind: "C", path: "/var" },
      { kind: "C", path: "/var/lib" },
      { kind: "D", path: "/var/lib/x" },
    ]);
  });

  it("lists changes as docker diff does", async () => {
    const fs = new OverlayFileSystem([base()]);
    await writeAll(fs, "etc/hosts", "changed");
    await fs.remove("bin/sh");
    await fs.mkdir("data");
    await writeAll(fs, "data/new", "new");
    assert.deepEqual(fs.changes(), [
      { kind: "C", path: "/bin" },
      { kind: "D", path: "/bin/sh" },
      { kind: "A", path: "/data" },
      { kind: "A", path: "/data/new" },
      { kind: "C", path: "/etc" },
      { kind: "C", path: "/etc/hosts" },
    ]);
  });

  it("renames a directory that spans layers as a whole", async () => {
    const fs = new OverlayFileSystem([layer({ "d/top": "t" }), layer({ "d/bottom": "b" })]);
    await fs.rename("d", "e");
    assert.deepEqual((await fs.readDir("e")).map((x) => x.name).sort(), ["bottom", "top"]);
    await assert.rejects(async () => fs.stat("d"));
    await fs.mkdir("d");
    assert.deepEqual(await fs.readDir("d"), []);
  });

  describe("copies a lower file up on its first write, not when opened writable", () => {
    const RW = { read: true, write: true, create: false, createNew: false, truncate: false, append: false };
    const bytes = (s: string) => new TextEncoder().encode(s);
    const text = (b: Uint8Array) => new TextDecoder().decode(b);

    it("leaves the writable layer empty after a read-write open that only reads", async () => {
      const fs = new OverlayFileSystem([base()]);
      const h = await fs.open("etc/os-release", RW);
      assert.equal(text(await fs.read(h, 0, 100)), "ID=alpine\n");
      await fs.close(h);
      await fs.stat("etc/hosts");
      await fs.readDir("etc");
      assert.equal(await code(() => fs.open("etc", RW)), "EISDIR");
      assert.equal(fs.upper.children.size, 0);
      assert.deepEqual(fs.changes(), []);
    });

    it("copies up on write, setLen, or an open that truncates", async () => {
      for (const change of [
        (fs: OverlayFileSystem, h: number) => fs.write(h, 0, bytes("ID=")),
        (fs: OverlayFileSystem, h: number) => fs.setLen(h, 3),
        (fs: OverlayFileSystem) => fs.close(fs.open("etc/os-release", { ...RW, truncate: true })),
      ]) {
        const image = base();
        const fs = new OverlayFileSystem([image]);
        const h = await fs.open("etc/os-release", RW);
        assert.deepEqual(fs.changes(), []);
        await change(fs, h);
        await fs.close(h);
        assert.deepEqual(fs.changes(), [
          { kind: "C", path: "/etc" },
          { kind: "C", path: "/etc/os-release" },
        ]);
        assert.equal(await readAll(new OverlayFileSystem([image]), "etc/os-release"), "ID=alpine\n");
      }
    });

    it("shows one handle's write to the others opened before it, and in stat", async () => {
      const fs = new OverlayFileSystem([base()]);
      const reader = await fs.open("etc/hosts", { ...RW, write: false });
      const other = await fs.open("etc/hosts", RW);
      const writer = await fs.open("etc/hosts", RW);
      await fs.write(writer, 0, bytes("::1"));
      await fs.write(other, 20, bytes("!"));
      assert.equal(text(await fs.read(reader, 0, 100)), "::1.0.0.1 localhost\n!");
      assert.equal(text(await fs.read(writer, 0, 100)), "::1.0.0.1 localhost\n!");
      assert.deepEqual(await fs.stat("etc/hosts"), { kind: "file", size: 21 });
      assert.equal(await readAll(fs, "etc/hosts"), "::1.0.0.1 localhost\n!");
    });

    it("writes where the file went after a rename (of it or of its directory)", async () => {
      const fs = new OverlayFileSystem([base()]);
      const file = await fs.open("etc/hosts", RW);
      const inDir = await fs.open("var/lib/x", RW);
      await fs.rename("etc/hosts", "etc/hosts.old");
      await fs.rename("var", "var2");
      await fs.write(file, 0, bytes("#"));
      await fs.write(inDir, 1, bytes("y"));
      assert.equal(await readAll(fs, "etc/hosts.old"), "#27.0.0.1 localhost\n");
      assert.equal(await readAll(fs, "var2/lib/x"), "xy");
      assert.equal(await code(() => fs.stat("etc/hosts")), "ENOENT");
    });

    it("writes to a file deleted or replaced since the open without bringing it back", async () => {
      const fs = new OverlayFileSystem([base()]);
      const deleted = await fs.open("bin/sh", RW);
      const replaced = await fs.open("etc/hosts", RW);
      const underFile = await fs.open("var/lib/x", RW);
      await fs.remove("bin/sh");
      await fs.remove("etc/hosts");
      await writeAll(fs, "etc/hosts", "new");
      await fs.remove("var/lib/x");
      await fs.remove("var/lib");
      await writeAll(fs, "var/lib", "now a file");
      for (const h of [deleted, replaced, underFile]) await fs.write(h, 0, bytes("!"));
      assert.equal(text(await fs.read(deleted, 0, 100)), "!sh");
      assert.equal(await code(() => fs.stat("bin/sh")), "ENOENT");
      assert.equal(await readAll(fs, "etc/hosts"), "new");
      assert.equal(await readAll(fs, "var/lib"), "now a file");
    });
  });

  it("keeps an open handle on a file renamed in the writable layer", async () => {
    const fs = new OverlayFileSystem([layer({})]);
    const h = await fs.open("f", { read: false, write: true, create: true, createNew: false, truncate: false, append: false });
    await fs.rename("f", "g");
    await fs.write(h, 0, new TextEncoder().encode("still here"));
    await fs.close(h);
    assert.equal(await readAll(fs, "g"), "still here");
  });
});
