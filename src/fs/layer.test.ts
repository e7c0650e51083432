import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { layerEntries, layerTree } from "./layer.ts";
import { readAll, writeAll } from "./mounted-fs.contract.ts";
import { OverlayFileSystem } from "./overlay.ts";
import { readTar, writeTar, type TarEntry } from "./tar.ts";

const file = (path: string, text: string): TarEntry => ({
  path,
  type: "file",
  data: new TextEncoder().encode(text),
  mode: 0o644,
  uid: 0,
  gid: 0,
  mtime: 1700000000,
});
const dir = (path: string): TarEntry => ({ path, type: "directory", mode: 0o755, uid: 0, gid: 0, mtime: 1700000000 });

describe("layers", () => {
  const base = layerTree([dir("etc"), file("etc/hosts", "hosts\n"), file("etc/motd", "hi\n"), dir("var"), dir("var/cache"), file("var/cache/a", "a")]);

  it("applies whiteouts and opaque directories from a layer tar", async () => {
    const upper = layerTree(readTar(writeTar([file("etc/.wh.motd", ""), file("var/cache/.wh..wh..opq", ""), file("var/cache/b", "b")])));
    const fs = new OverlayFileSystem([upper, base]);
    assert.deepEqual((await fs.readDir("etc")).map((e) => e.name), ["hosts"]);
    assert.deepEqual((await fs.readDir("var/cache")).map((e) => e.name), ["b"]);
  });

  it("writes a container's changes as a layer tar that reproduces them", async () => {
    const container = new OverlayFileSystem([base]);
    await writeAll(container, "etc/hosts", "changed\n");
    await container.remove("etc/motd");
    await container.mkdir("srv");
    await writeAll(container, "srv/app", "app\n");
    const tar = layerEntries(container.upper);
    assert.deepEqual(
      tar.map((e) => e.path),
      ["etc", "etc/.wh.motd", "etc/hosts", "srv", "srv/app"],
    );
    // Applying that layer on the same base gives what the container saw.
    const rebuilt = new OverlayFileSystem([layerTree(readTar(writeTar(tar))), base]);
    assert.equal(await readAll(rebuilt, "etc/hosts"), "changed\n");
    assert.equal(await readAll(rebuilt, "srv/app"), "app\n");
    await assert.rejects(async () => rebuilt.stat("etc/motd"));
  });

  it("keeps hard links as one file", () => {
    const tree = layerTree([file("a", "same"), { path: "b", type: "hardlink", linkname: "a", mode: 0o644, uid: 0, gid: 0, mtime: 0 }]);
    assert.equal(tree.children.get("a"), tree.children.get("b"));
    assert.deepEqual(layerEntries(tree).map((e) => [e.path, e.type]), [["a", "file"], ["b", "hardlink"]]);
  });
});
