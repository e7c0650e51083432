import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { MachineFiles, MemoryFileSystem } from "../fs/index.ts";
import { dockerignore, filteredSource, joinPath, subSource } from "./context.ts";

describe("build context", () => {
  it("resolves paths like POSIX", () => {
    assert.equal(joinPath("/root", "app"), "/root/app");
    assert.equal(joinPath("/root/app", "../x/./y/"), "/root/x/y");
    assert.equal(joinPath("/root", "/abs"), "/abs");
    assert.equal(joinPath("/", "../.."), "/");
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
    const source = filteredSource(subSource(new MachineFiles(MemoryFileSystem.from({ "c/a.log": "x", "c/b.txt": "y" })), "/c"), ignored);
    assert.deepEqual(source.readDir("").map((e) => e.name), ["b.txt"]);
    assert.throws(() => source.readFile("a.log"));
  });
});
