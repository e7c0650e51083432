// Contract suite for the SDK's host filesystem bridge (undocumented in @wasmer/sdk
// 0.16.0): guests see a TypeScript filesystem mounted as a directory. If an SDK
// update breaks the bridge, these fail.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { MemoryFileSystem, OverlayFileSystem } from "../fs/index.ts";
import type { Kernel, Machine } from "./index.ts";
import { bootNodeKernel, DEFAULT_USERLAND_DIR } from "./node-index.ts";

describe("host filesystem bridge", () => {
  let kernel: Kernel;
  let machine: Machine;
  let data: MemoryFileSystem;
  let readOnly: MemoryFileSystem;
  let reads = 0;

  before(async () => {
    kernel = await bootNodeKernel({ includeTestCommands: true });
    data = MemoryFileSystem.from({
      "hello.txt": "hello from TypeScript\n",
      "nested/deeper/file": "deep\n",
      "counter": () => `read ${++reads}\n`,
    });
    readOnly = MemoryFileSystem.from({ "fixed.txt": "fixed\n" });
    machine = await kernel.createMachine({
      env: { PATH: "/bin" },
      mounts: [
        { path: "/data", fs: data },
        { path: "/ro", fs: readOnly, readOnly: true },
      ],
    });
  });
  after(async () => kernel.close());

  const fsprobe = (...args: string[]) => machine.run(["fsprobe", ...args], { timeoutMs: 10_000 });

  it("reads a file the TypeScript side holds", async () => {
    assert.equal((await fsprobe("cat", "/data/hello.txt")).stdout, "hello from TypeScript\n");
    assert.equal((await fsprobe("cat", "/data/nested/deeper/file")).stdout, "deep\n");
  });

  it("lists directories and stats entries", async () => {
    assert.equal((await fsprobe("ls", "/data")).stdout, "counter\nhello.txt\nnested\n");
    assert.equal((await fsprobe("stat", "/data/hello.txt")).stdout, "file 22\n");
    assert.equal((await fsprobe("stat", "/data/nested")).stdout, "directory 4096\n"); // one 4 KiB block, as ext4 (libcompat)
  });

  it("starts a command whose working directory is inside a mount", async () => {
    const r = await machine.run(["fsprobe", "ls", "."], { cwd: "/data/nested" });
    assert.equal(r.stdout, "deeper\n");
  });

  it("reports a missing file as ENOENT", async () => {
    const r = await fsprobe("cat", "/data/missing");
    assert.equal(r.exitCode, 1);
    assert.equal(r.stdout, "ERR No such file or directory\n");
  });

  it("shows guest writes to TypeScript at once, and the reverse", async () => {
    assert.equal((await fsprobe("write", "/data/new.txt", "from the guest")).exitCode, 0);
    assert.equal(new TextDecoder().decode(data.readFile("new.txt")), "from the guest");
    data.writeFile("new.txt", "changed by TypeScript\n");
    assert.equal((await fsprobe("cat", "/data/new.txt")).stdout, "changed by TypeScript\n");
    assert.equal((await fsprobe("append", "/data/new.txt", "more")).exitCode, 0);
    assert.equal((await fsprobe("cat", "/data/new.txt")).stdout, "changed by TypeScript\nmore");
  });

  it("creates, renames and removes files and directories", async () => {
    assert.equal((await fsprobe("mkdir", "/data/dir")).exitCode, 0);
    assert.equal((await fsprobe("write", "/data/dir/a", "a")).exitCode, 0);
    assert.equal((await fsprobe("rmdir", "/data/dir")).stdout, "ERR Directory not empty\n");
    assert.equal((await fsprobe("mv", "/data/dir/a", "/data/dir/b")).exitCode, 0);
    assert.equal((await fsprobe("ls", "/data/dir")).stdout, "b\n");
    assert.equal((await fsprobe("rm", "/data/dir/b")).exitCode, 0);
    assert.equal((await fsprobe("rmdir", "/data/dir")).exitCode, 0);
    assert.equal((await fsprobe("stat", "/data/dir")).stdout, "ERR No such file or directory\n");
  });

  it("truncates files", async () => {
    await fsprobe("write", "/data/t", "0123456789");
    assert.equal((await fsprobe("truncate", "/data/t", "4")).exitCode, 0);
    assert.equal((await fsprobe("cat", "/data/t")).stdout, "0123");
  });

  it("computes a file's contents on every read", async () => {
    const first = (await fsprobe("cat", "/data/counter")).stdout;
    const second = (await fsprobe("cat", "/data/counter")).stdout;
    assert.match(first, /^read \d+\n$/);
    assert.notEqual(first, second);
  });

  it("moves large files in chunks", async () => {
    const big = "x".repeat(300_000) + "end\n";
    data.writeFile("big", big);
    const r = await fsprobe("cat", "/data/big");
    assert.equal(r.stdout.length, big.length);
    assert.ok(r.stdout.endsWith("end\n"));
  });

  it("refuses writes to a read-only mount", async () => {
    assert.equal((await fsprobe("cat", "/ro/fixed.txt")).stdout, "fixed\n");
    const r = await fsprobe("write", "/ro/fixed.txt", "no");
    assert.equal(r.exitCode, 1);
    assert.match(r.stdout, /^ERR (Operation not permitted|Permission denied|Read-only file system)\n$/);
    assert.equal(new TextDecoder().decode(readOnly.readFile("fixed.txt")), "fixed\n");
  });

  it("runs a program stored in the mounted filesystem", async () => {
    data.writeFile("bin/tool", await readFile(path.join(DEFAULT_USERLAND_DIR, "test/probe.wasm")));
    const r = await machine.run(["probe", "spawn", "/data/bin/tool", "exit", "5"], { timeoutMs: 10_000 });
    assert.equal(r.stdout, "status 5\n");
  });

  it("keeps machines' mounts apart", async () => {
    const other = await kernel.createMachine({
      env: { PATH: "/bin" },
      mounts: [{ path: "/data", fs: MemoryFileSystem.from({ "hello.txt": "other machine\n" }) }],
    });
    try {
      assert.equal((await other.run(["fsprobe", "cat", "/data/hello.txt"])).stdout, "other machine\n");
      assert.equal((await fsprobe("cat", "/data/hello.txt")).stdout, "hello from TypeScript\n");
    } finally {
      await other.close();
    }
  });

  it("serves an overlay: a guest's writes copy up, its deletes white out, the layer stays", async () => {
    const image = MemoryFileSystem.from({ "os-release": "ID=alpine\n", "hosts": "127.0.0.1 localhost\n" }).root;
    const rootfs = new OverlayFileSystem([image]);
    const container = await kernel.createMachine({ env: { PATH: "/bin" }, mounts: [{ path: "/etc", fs: rootfs }] });
    try {
      const run = async (...args: string[]) => (await container.run(["fsprobe", ...args])).stdout;
      assert.equal(await run("cat", "/etc/os-release"), "ID=alpine\n");
      await run("append", "/etc/hosts", "10.0.0.2 web\n");
      await run("rm", "/etc/os-release");
      assert.equal(await run("cat", "/etc/hosts"), "127.0.0.1 localhost\n10.0.0.2 web\n");
      assert.equal(await run("ls", "/etc"), "hosts\n");
      assert.deepEqual(rootfs.changes(), [
        { kind: "C", path: "/hosts" },
        { kind: "D", path: "/os-release" },
      ]);
      assert.equal(new TextDecoder().decode((image.children.get("hosts") as { data: Uint8Array }).data), "127.0.0.1 localhost\n");
    } finally {
      await container.close();
    }
  });
});
