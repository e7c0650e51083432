import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { MemoryFileSystem } from "./memory-fs.ts";
import { mountedFsContract, readAll, writeAll } from "./mounted-fs.contract.ts";
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

  it("keeps an open handle on a file renamed in the writable layer", async () => {
    const fs = new OverlayFileSystem([layer({})]);
    const h = await fs.open("f", { read: false, write: true, create: true, createNew: false, truncate: false, append: false });
    await fs.rename("f", "g");
    await fs.write(h, 0, new TextEncoder().encode("still here"));
    await fs.close(h);
    assert.equal(await readAll(fs, "g"), "still here");
  });
});
