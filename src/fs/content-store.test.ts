import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { sha256 } from "../util/index.ts";
import { MemoryContentStore } from "./content-store.ts";

describe("content store", () => {
  const bytes = (s: string) => new TextEncoder().encode(s);

  it("names blobs by their sha256 and keeps one copy of equal content", async () => {
    const store = new MemoryContentStore();
    const a = await store.put(bytes("layer"));
    assert.equal(a, await sha256("layer"));
    assert.equal(await store.put(bytes("layer")), a);
    assert.deepEqual(await store.list(), [a]);
    assert.equal(new TextDecoder().decode(await store.get(a)), "layer");
    assert.equal(await store.size(a), 5);
  });

  it("finds damaged content on read", async () => {
    const blobs = new Map();
    const store = new MemoryContentStore(blobs);
    const a = await store.put(bytes("good"));
    blobs.set(a, bytes("evil"));
    await assert.rejects(store.get(a), (e: unknown) => (e as { code: string }).code === "DATA_LOSS");
  });

  it("says what is missing", async () => {
    const store = new MemoryContentStore();
    const missing = await sha256("nothing");
    await assert.rejects(store.get(missing), { code: "NOT_FOUND", message: `content ${missing}: not found` });
    await assert.rejects(store.delete(missing), { code: "NOT_FOUND" });
  });
});
