import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { MemoryFileSystem } from "./memory-fs.ts";
import { MountTree } from "./mount-tree.ts";
import { code, mountedFsContract, readAll, writeAll } from "./mounted-fs.contract.ts";

mountedFsContract("MountTree, a root alone", (files) => new MountTree(MemoryFileSystem.from(files), []));
mountedFsContract("MountTree, a root with a mount beside the files", (files) =>
  new MountTree(MemoryFileSystem.from(files), [{ path: "/mnt/data", fs: MemoryFileSystem.from({ "v.txt": "volume\n" }) }]),
);

/** A rootfs with a volume at /data, a read-only one at /ro and a nested mount at /run/dev. */
function tree() {
  const root = MemoryFileSystem.from({ "etc/hostname": "box\n", "data/.keep": "", "run/.keep": "" });
  const volume = MemoryFileSystem.from({ "v.txt": "volume\n" });
  const readOnly = MemoryFileSystem.from({ "r.txt": "read-only\n" });
  const device = MemoryFileSystem.from({ hook: "" });
  return {
    root,
    volume,
    device,
    fs: new MountTree(root, [
      { path: "/data", fs: volume },
      { path: "/ro", fs: readOnly, readOnly: true },
      { path: "/run/dev", fs: device },
    ]),
  };
}

const names = async (fs: MountTree, path: string) => (await fs.readDir(path)).map((e) => e.name).sort();

describe("MountTree", () => {
  it("serves each path from the mount with the longest prefix", async () => {
    const { fs } = tree();
    assert.equal(await readAll(fs, "etc/hostname"), "box\n");
    assert.equal(await readAll(fs, "data/v.txt"), "volume\n");
    assert.equal(await code(() => fs.stat("data/.keep")), "ENOENT", "the mount hides what the root holds beneath it");
    assert.equal(await readAll(fs, "run/dev/hook"), "");
  });

  it("lists mount points, also where the root has no directory for them", async () => {
    const { fs } = tree();
    assert.deepEqual(await names(fs, ""), ["data", "etc", "ro", "run"]);
    assert.deepEqual(await names(fs, "run"), [".keep", "dev"]);
    assert.deepEqual(await fs.stat("ro"), { kind: "directory", size: 0 });
    assert.deepEqual(await names(fs, "ro"), ["r.txt"]);
  });

  it("makes a new top-level directory in the root, where the kernel could not", async () => {
    const { fs, root } = tree();
    await fs.mkdir("app");
    await writeAll(fs, "app/main.sh", "echo hi\n");
    assert.equal(await readAll(root, "app/main.sh"), "echo hi\n");
    assert.ok((await names(fs, "")).includes("app"));
  });

  it("refuses writes under a read-only mount and changes to mount points", async () => {
    const { fs } = tree();
    assert.equal(await code(() => writeAll(fs, "ro/new.txt", "x")), "EPERM");
    assert.equal(await code(() => fs.mkdir("ro/dir")), "EPERM");
    assert.equal(await code(() => fs.remove("ro/r.txt")), "EPERM");
    assert.equal(await readAll(fs, "ro/r.txt"), "read-only\n", "reading still works");
    assert.equal(await code(() => fs.remove("data")), "EPERM");
    assert.equal(await code(() => fs.rename("run/dev", "run/other")), "EPERM");
    assert.equal(await code(() => fs.mkdir("data")), "EEXIST");
  });

  it("moves files and directories between filesystems by copying, as mv after EXDEV", async () => {
    const { fs, root, volume } = tree();
    await fs.mkdir("tmp");
    await writeAll(fs, "tmp/a.txt", "a\n");
    await fs.mkdir("tmp/dir");
    await writeAll(fs, "tmp/dir/b.txt", "b\n");
    await fs.rename("tmp/a.txt", "data/a.txt");
    await fs.rename("tmp/dir", "data/dir");
    assert.equal(await readAll(volume, "a.txt"), "a\n");
    assert.equal(await readAll(volume, "dir/b.txt"), "b\n");
    assert.deepEqual(await names(fs, "tmp"), []);
    await fs.rename("data/v.txt", "etc/v.txt");
    assert.equal(await readAll(root, "etc/v.txt"), "volume\n");
    assert.equal(await code(() => volume.stat("v.txt")), "ENOENT");
  });

  it("keeps the handles of its filesystems apart", async () => {
    const { fs } = tree();
    const a = await fs.open("etc/hostname", { read: true, write: false, create: false, createNew: false, truncate: false, append: false });
    const b = await fs.open("data/v.txt", { read: true, write: false, create: false, createNew: false, truncate: false, append: false });
    assert.notEqual(a, b);
    assert.equal(new TextDecoder().decode(await fs.read(b, 0, 100)), "volume\n");
    assert.equal(new TextDecoder().decode(await fs.read(a, 0, 100)), "box\n");
    await fs.close(a);
    await fs.close(b);
    assert.equal(await code(() => fs.read(a, 0, 1)), "EBADF");
  });
});
