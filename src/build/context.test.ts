import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { MemoryFileSystem } from "../fs/index.ts";
import { dockerignore, filteredSource, hostFiles, joinPath, subSource } from "./context.ts";

describe("build context", () => {
  it("resolves paths like POSIX", () => {
    assert.equal(joinPath("/root", "app"), "/root/app");
    assert.equal(joinPath("/root/app", "../x/./y/"), "/root/x/y");
    assert.equal(joinPath("/root", "/abs"), "/abs");
    assert.equal(joinPath("/", "../.."), "/");
  });

  it("reads the host's files through its top-level filesystems", () => {
    const files = hostFiles(new Map([["root", MemoryFileSystem.from({ "app/Dockerfile": "FROM x", "app/a.txt": "A" })]]));
    assert.deepEqual(files.readDir("").map((e) => e.name), ["root"]);
    const context = subSource(files, "/root/app");
    assert.deepEqual(context.readDir("").map((e) => e.name).sort(), ["Dockerfile", "a.txt"]);
    assert.equal(new TextDecoder().decode(context.readFile("a.txt")), "A");
    assert.throws(() => files.stat("nope/x"));
  });

  it("leaves out what .dockerignore names, with ** and ! exceptions", () => {
    const ignored = dockerignore("# comment\n*.log\n/build\n**/secret*\nnode_modules\n!keep.log\n");
    assert.equal(ignored("a.log"), true);
    assert.equal(ignored("keep.log"), false);
    assert.equal(ignored("sub/a.log"), false, "* does not cross directories");
    assert.equal(ignored("build/out.js"), true);
    assert.equal(ignored("deep/er/secret.txt"), true);
    assert.equal(ignored("node_modules/x/index.js"), true);
    assert.equal(ignored("src/main.c"), false);
    const source = filteredSource(subSource(hostFiles(new Map([["c", MemoryFileSystem.from({ "a.log": "x", "b.txt": "y" })]])), "/c"), ignored);
    assert.deepEqual(source.readDir("").map((e) => e.name), ["b.txt"]);
    assert.throws(() => source.readFile("a.log"));
  });
});
