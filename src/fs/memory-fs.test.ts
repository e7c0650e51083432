import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { MemoryFileSystem } from "./memory-fs.ts";
import { mountedFsContract, readAll } from "./mounted-fs.contract.ts";

mountedFsContract("MemoryFileSystem", (files) => MemoryFileSystem.from(files));

describe("MemoryFileSystem", () => {
  it("computes a file on every open, from one snapshot per open", async () => {
    let n = 0;
    const fs = MemoryFileSystem.from({ counter: () => `n=${++n}` });
    assert.equal(await readAll(fs, "counter"), "n=1");
    assert.notEqual(await readAll(fs, "counter"), await readAll(fs, "counter"));
  });
});
