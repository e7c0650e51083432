import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { VolumeStore, volumeSize } from "./store.ts";

describe("VolumeStore", () => {
  it("creates a named volume once and an anonymous one each time", () => {
    const store = new VolumeStore();
    const data = store.create({ name: "data", labels: { app: "web" } });
    assert.equal(store.create({ name: "data" }), data);
    assert.deepEqual([data.anonymous, data.driver, data.mountpoint], [false, "local", "/var/lib/docker/volumes/data/_data"]);
    const anonymous = store.create();
    assert.match(anonymous.name, /^[0-9a-f]{64}$/);
    assert.equal(anonymous.anonymous, true);
    assert.notEqual(store.create().name, anonymous.name);
    assert.deepEqual(store.list().map((v) => v.name).includes("data"), true);
  });

  it("refuses names Docker refuses", () => {
    assert.throws(() => new VolumeStore().create({ name: "my vol" }), /"my vol" includes invalid characters for a local volume name/);
  });

  it("removes a volume only when no container uses it", () => {
    const store = new VolumeStore();
    store.create({ name: "data" });
    assert.throws(() => store.remove("data", ["abc"]), /remove data: volume is in use - \[abc\]/);
    store.remove("data");
    assert.throws(() => store.get("data"), /get data: no such volume/);
    assert.throws(() => store.remove("data"), /no such volume/);
  });

  it("counts the bytes of its files", () => {
    const volume = new VolumeStore().create({ name: "data" });
    volume.fs.writeFile("a.txt", "12345");
    volume.fs.writeFile("sub/b.txt", "678");
    assert.equal(volumeSize(volume), 8);
  });
});
