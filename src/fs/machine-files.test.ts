import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { MachineFiles } from "./machine-files.ts";
import { MemoryFileSystem } from "./memory-fs.ts";

describe("MachineFiles", () => {
  const machine = () => {
    const root = MemoryFileSystem.from({ "root/app/Dockerfile": "FROM x", "root/app/a.txt": "A" });
    root.mkdirAll("tmp");
    return { root, files: new MachineFiles(root) };
  };
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

  it("reads the tree from its root filesystem", () => {
    const { files } = machine();
    assert.deepEqual(files.readDir("/").map((e) => e.name), ["root", "tmp"]);
    assert.deepEqual(files.readDir("/root/app").map((e) => e.name).sort(), ["Dockerfile", "a.txt"]);
    assert.equal(text(files.readFile("/root/./app//a.txt")), "A");
    assert.equal(files.stat("/").kind, "directory");
    assert.equal(files.exists("/nope/x"), false);
    assert.throws(() => files.stat("/root/nope"), { code: "ENOENT" });
  });

  it("writes into an existing directory only, as open(2)", () => {
    const { root, files } = machine();
    files.writeFile("/root/app/b.txt", "B");
    assert.equal(text(root.readFile("root/app/b.txt")), "B");
    assert.throws(() => files.writeFile("/root/missing/c.txt", "C"), { code: "ENOENT" });
    files.mkdirAll("/root/missing/deep");
    files.writeFile("/root/missing/deep/c.txt", "C");
    assert.equal(text(files.readFile("/root/missing/deep/c.txt")), "C");
  });

  it("serves a directory or a file as a filesystem whose writes land in the tree", async () => {
    const { root, files } = machine();
    const app = files.subtree("/root/app");
    assert.deepEqual((await app.readDir("")).map((e) => e.name).sort(), ["Dockerfile", "a.txt"]);
    await app.mkdir("made");
    assert.equal(root.stat("root/app/made").kind, "directory");
    assert.equal(files.subtree("/"), root);
    assert.deepEqual(await files.subtree("/root/app/a.txt").stat(""), { kind: "file", size: 1 });
    assert.throws(() => files.subtree("/root/nope"), { code: "ENOENT" });
  });

  it("refuses .. instead of leaving the tree", () => {
    const { files } = machine();
    assert.throws(() => files.readFile("/root/../root/app/a.txt"), { code: "EINVAL" });
  });
});
