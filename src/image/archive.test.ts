import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";

import { MemoryContentStore, readTar, writeTar, type TarEntry } from "../fs/index.ts";
import { sha256, type Digest } from "../util/index.ts";
import { loadImageArchive, readImageArchive, saveImages } from "./archive.ts";
import { buildRecipe, ImageStore, MEDIA_TYPES, type ImageRecipe } from "./index.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

const RECIPE: ImageRecipe = {
  repository: "docker.io/library/tiny",
  tags: ["latest"],
  created: "2024-05-01T00:00:00Z",
  os: "linux",
  architecture: "wasm32",
  config: { Cmd: ["/bin/sh"] },
};

async function storeWith(...images: [name: string, files: Record<string, string>][]): Promise<ImageStore> {
  const store = new ImageStore(new MemoryContentStore());
  for (const [name, files] of images) {
    const built = await buildRecipe(RECIPE, Object.fromEntries(Object.entries(files).map(([k, v]) => [k, enc(v)])), store.content);
    store.set(name, built.manifest);
  }
  return store;
}

function entriesOf(archive: Uint8Array): Map<string, TarEntry> {
  return new Map(readTar(archive).map((e) => [e.path, e]));
}

function file(path: string, data: Uint8Array | string): TarEntry {
  return { path, type: "file", data: typeof data === "string" ? enc(data) : data, mode: 0o644, uid: 0, gid: 0, mtime: 0 };
}

/** An archive with one entry replaced (or added), the rest as they were. */
function withEntry(archive: Uint8Array, entry: TarEntry): Uint8Array {
  const entries = readTar(archive).filter((e) => e.path !== entry.path);
  return writeTar([...entries, entry]);
}

async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function assertUnchanged(store: ImageStore, before: { blobs: Digest[]; names: string[] }) {
  assert.deepEqual(await store.content.list(), before.blobs);
  assert.deepEqual(store.list().map((r) => r.name), before.names);
  assert.deepEqual(store.dangling(), []);
}

describe("image archives (docker save / docker load)", () => {
  it("saves an OCI layout that also carries Docker's manifest.json, every blob named by its sha256", async () => {
    const store = await storeWith(["tiny:latest", { "etc/hello": "hi\n" }]);
    store.set("tiny:v1", (await store.resolve("tiny")).target);
    const image = await store.resolve("tiny");
    const entries = entriesOf(await saveImages(store, ["tiny"]));

    const blobs = [...entries.keys()].filter((p) => p.startsWith("blobs/sha256/"));
    assert.deepEqual([...entries.keys()].filter((p) => !p.startsWith("blobs/sha256/")), ["blobs", "blobs/sha256", "index.json", "manifest.json", "oci-layout", "repositories"]);
    assert.equal(blobs.length, 3); // manifest, config, one layer
    for (const path of blobs) assert.equal(createHash("sha256").update(entries.get(path)!.data!).digest("hex"), path.slice("blobs/sha256/".length));

    assert.equal(dec(entries.get("oci-layout")!.data!), '{"imageLayoutVersion": "1.0.0"}');
    const layer = image.manifest.layers[0]!.digest.slice(7);
    assert.equal(
      dec(entries.get("manifest.json")!.data!),
      `[{"Config":"blobs/sha256/${image.id.slice(7)}","RepoTags":["tiny:latest","tiny:v1"],"Layers":["blobs/sha256/${layer}"]}]\n`,
    );
    assert.equal(dec(entries.get("repositories")!.data!), `{"tiny":{"latest":"${layer}","v1":"${layer}"}}\n`);
    const index = JSON.parse(dec(entries.get("index.json")!.data!));
    assert.equal(index.mediaType, MEDIA_TYPES.index);
    assert.deepEqual(
      index.manifests.map((m: { digest: string; annotations: Record<string, string> }) => [m.digest, m.annotations]),
      [
        [image.manifestDigest, { "io.containerd.image.name": "docker.io/library/tiny:latest", "org.opencontainers.image.ref.name": "latest" }],
        [image.manifestDigest, { "io.containerd.image.name": "docker.io/library/tiny:v1", "org.opencontainers.image.ref.name": "v1" }],
      ],
    );
    assert.deepEqual(index.manifests[0].platform, { architecture: "wasm32", os: "linux" });
  });

  it("saves one tag when the name has one, an unnamed image by its ID, and says when a tag is missing", async () => {
    const store = await storeWith(["tiny:latest", { a: "1" }], ["tiny:v2", { a: "2" }]);
    const manifest = (a: Uint8Array) => JSON.parse(dec(entriesOf(a).get("manifest.json")!.data!));
    assert.deepEqual(manifest(await saveImages(store, ["tiny:v2"])).map((m: { RepoTags: string[] }) => m.RepoTags), [["tiny:v2"]]);
    assert.deepEqual(manifest(await saveImages(store, ["tiny"])).map((m: { RepoTags: string[] }) => m.RepoTags), [["tiny:latest"], ["tiny:v2"]]);
    const id = (await store.resolve("tiny:v2")).id;
    const byId = await saveImages(store, [id.slice(7, 19)]);
    assert.deepEqual(manifest(byId)[0].RepoTags, null);
    assert.equal(JSON.parse(dec(entriesOf(byId).get("index.json")!.data!)).manifests[0].annotations, undefined);
    assert.equal(entriesOf(byId).has("repositories"), false);
    await assert.rejects(saveImages(store, ["tiny:nope"]), { code: "NOT_FOUND", message: "No such image: tiny:nope" });
  });

  it("round-trips: save, load into an empty store, the same image ID, manifest and layers", async () => {
    const source = await storeWith(["tiny:latest", { "etc/hello": "hi\n" }]);
    const image = await source.resolve("tiny");
    const target = new ImageStore(new MemoryContentStore());
    const result = await loadImageArchive(target, await saveImages(source, ["tiny"]));
    assert.deepEqual(result.images.map((i) => [i.id, i.names, i.newLayers.length]), [[image.id, ["docker.io/library/tiny:latest"], 1]]);
    const loaded = await target.resolve("tiny:latest");
    assert.equal(loaded.id, image.id);
    assert.equal(loaded.manifestDigest, image.manifestDigest);
    assert.deepEqual(await target.content.list(), await source.content.list());

    // Loading again: nothing new, nothing renamed.
    const again = await loadImageArchive(target, await saveImages(source, ["tiny"]));
    assert.deepEqual(again.images.map((i) => [i.newLayers.length, i.renamed.length]), [[0, 0]]);
  });

  it("loads an unnamed image as <none>, and keeps the image a loaded tag moved away from", async () => {
    const source = await storeWith(["tiny:latest", { a: "new" }]);
    const target = await storeWith(["tiny:latest", { a: "old" }]);
    const oldId = (await target.resolve("tiny")).id;
    const result = await loadImageArchive(target, await saveImages(source, ["tiny"]));
    assert.deepEqual(result.images[0]!.renamed, [{ name: "docker.io/library/tiny:latest", previousId: oldId }]);
    assert.equal(target.dangling().length, 1);
    assert.equal((await target.load(target.dangling()[0]!.digest)).id, oldId);

    const unnamed = new ImageStore(new MemoryContentStore());
    const id = (await source.resolve("tiny")).id;
    const loaded = await loadImageArchive(unnamed, await saveImages(source, [id]));
    assert.deepEqual(loaded.images.map((i) => [i.id, i.names]), [[id, []]]);
    assert.equal((await unnamed.resolve(id)).id, id);
    assert.equal(unnamed.dangling().length, 1);
  });

  it("refuses a wrong digest, a missing blob, a layer that is not its diff ID, and writes nothing", async () => {
    const source = await storeWith(["tiny:latest", { "etc/hello": "hi\n" }]);
    const image = await source.resolve("tiny");
    const archive = await saveImages(source, ["tiny"]);
    const target = await storeWith(["other:latest", { x: "1" }]);
    const before = { blobs: await target.content.list(), names: target.list().map((r) => r.name) };
    const layerPath = `blobs/sha256/${image.manifest.layers[0]!.digest.slice(7)}`;

    const tampered = withEntry(archive, file(layerPath, "not the layer"));
    await assert.rejects(loadImageArchive(target, tampered), (e: Error) => {
      assert.match(e.message, new RegExp(`^${layerPath}: unexpected commit digest sha256:[0-9a-f]{64}, expected sha256:${layerPath.slice(13)}: failed precondition$`));
      return true;
    });
    await assertUnchanged(target, before);

    const missing = writeTar(readTar(archive).filter((e) => e.path !== layerPath));
    await assert.rejects(loadImageArchive(target, missing), { message: `open ${layerPath}: no such file or directory` });
    const missingOci = writeTar(readTar(missing).filter((e) => e.path !== "manifest.json"));
    await assert.rejects(loadImageArchive(target, missingOci), { message: `content digest ${image.manifest.layers[0]!.digest}: not found` });
    await assertUnchanged(target, before);

    // A well-formed blob, but not the layer the config's diff IDs name.
    const other = writeTar([file("x", "other")]);
    const otherPath = `blobs/sha256/${(await sha256(other)).slice(7)}`;
    const wrongLayer = withEntry(
      withEntry(archive, file(otherPath, other)),
      file("manifest.json", JSON.stringify([{ Config: `blobs/sha256/${image.id.slice(7)}`, RepoTags: ["tiny:latest"], Layers: [otherPath] }])),
    );
    await assert.rejects(loadImageArchive(target, wrongLayer), {
      message: `invalid diffID for layer 0: expected "${image.manifest.layers[0]!.digest}", got "${await sha256(other)}"`,
    });
    await assertUnchanged(target, before);
  });

  it("refuses entries that escape the archive's root: '..', absolute paths, symlinks and hard links out", async () => {
    const archive = await saveImages(await storeWith(["tiny:latest", { a: "1" }]), ["tiny"]);
    const target = new ImageStore(new MemoryContentStore());
    const link = (path: string, type: "symlink" | "hardlink", linkname: string): TarEntry => ({ path, type, linkname, mode: 0o777, uid: 0, gid: 0, mtime: 0 });
    const cases: [TarEntry, RegExp][] = [
      [file("../evil", "x"), /has a "\.\." path: \.\.\/evil$/],
      [file("blobs/../../evil", "x"), /has a "\.\." path/],
      [file("/etc/evil", "x"), /has an absolute path: \/etc\/evil$/],
      [link("blobs/sha256/escape", "symlink", "../../../etc/passwd"), /^invalid symlink "blobs\/sha256\/escape" -> "\.\.\/\.\.\/\.\.\/etc\/passwd"$/],
      [link("repositories", "symlink", "/etc/passwd"), /^invalid symlink "repositories" -> "\/etc\/passwd"$/],
      [link("blobs/hard", "hardlink", "../etc/passwd"), /^invalid hardlink "blobs\/hard" -> "\.\.\/etc\/passwd"$/],
    ];
    for (const [entry, message] of cases) {
      await assert.rejects(loadImageArchive(target, writeTar([...readTar(archive), entry])), (e: Error) => {
        assert.match(e.message, message);
        return true;
      });
    }
    // manifest.json may not point outside either.
    const outside = withEntry(archive, file("manifest.json", JSON.stringify([{ Config: "../config.json", RepoTags: null, Layers: [] }])));
    await assert.rejects(loadImageArchive(target, outside), { message: 'path "../config.json" is outside of the archive' });
    assert.deepEqual(await target.content.list(), []);
    assert.deepEqual(target.list(), []);
  });

  it("follows links that stay inside the archive", async () => {
    const source = await storeWith(["tiny:latest", { a: "1" }]);
    const image = await source.resolve("tiny");
    const entries = readTar(await saveImages(source, ["tiny"]));
    const configPath = `blobs/sha256/${image.id.slice(7)}`;
    const linked = writeTar([
      ...entries.filter((e) => e.path !== "manifest.json"),
      { path: "config.json", type: "symlink", linkname: configPath, mode: 0o777, uid: 0, gid: 0, mtime: 0 },
      file("manifest.json", JSON.stringify([{ Config: "config.json", RepoTags: ["tiny:linked"], Layers: [`./blobs/sha256/../sha256/${image.manifest.layers[0]!.digest.slice(7)}`] }])),
    ]);
    const target = new ImageStore(new MemoryContentStore());
    await loadImageArchive(target, linked);
    assert.equal((await target.resolve("tiny:linked")).id, image.id);
  });

  // Found by the fuzzer: these said "digest undefined" and "expected undefined".
  it("names what a descriptor lacks: a missing size is 0, a missing digest is said so", async () => {
    const manifest = enc('{"schemaVersion":2}');
    const digest = await sha256(manifest);
    const index = (descriptor: object) => writeTar([file("index.json", JSON.stringify({ schemaVersion: 2, manifests: [descriptor] })), file(`blobs/sha256/${digest.slice(7)}`, manifest)]);
    await assert.rejects(readImageArchive(index({ mediaType: MEDIA_TYPES.manifest, size: 1 })), { message: "invalid descriptor: no digest" });
    await assert.rejects(readImageArchive(index({ mediaType: MEDIA_TYPES.manifest, digest })), {
      message: `blobs/sha256/${digest.slice(7)}: unexpected commit size ${manifest.length}, expected 0: failed precondition`,
    });
    await assert.rejects(readImageArchive(index({ mediaType: MEDIA_TYPES.manifest, digest, size: "19" })), { message: `invalid descriptor ${digest}: size "19" is not a number` });
  });

  it("loads a plain OCI layout built by hand (gzip layer, names from annotations) and the older docker-archive form", async () => {
    const layer = writeTar([file("etc/message", "from an OCI layout\n")]);
    const layerGz = await gzip(layer);
    const config = enc(JSON.stringify({ architecture: "wasm32", os: "linux", config: { Cmd: ["cat", "/etc/message"] }, rootfs: { type: "layers", diff_ids: [await sha256(layer)] } }));
    const manifest = enc(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.manifest,
        config: { mediaType: MEDIA_TYPES.config, digest: await sha256(config), size: config.length },
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: await sha256(layerGz), size: layerGz.length }],
      }),
    );
    const blob = async (data: Uint8Array) => file(`blobs/sha256/${(await sha256(data)).slice(7)}`, data);
    const descriptor = { mediaType: MEDIA_TYPES.manifest, digest: await sha256(manifest), size: manifest.length };
    const oci = writeTar([
      file("oci-layout", '{"imageLayoutVersion":"1.0.0"}'),
      file(
        "index.json",
        JSON.stringify({
          schemaVersion: 2,
          manifests: [
            { ...descriptor, annotations: { "io.containerd.image.name": "docker.io/library/hand:made", "org.opencontainers.image.ref.name": "made" } },
            { ...descriptor, annotations: { "org.opencontainers.image.ref.name": "registry.local/hand:ref" } },
          ],
        }),
      ),
      await blob(manifest),
      await blob(config),
      await blob(layerGz),
    ]);
    const store = new ImageStore(new MemoryContentStore());
    const result = await loadImageArchive(store, oci);
    const id = await sha256(config);
    assert.deepEqual(result.images.map((i) => [i.id, i.names]), [[id, ["docker.io/library/hand:made", "registry.local/hand:ref"]]]);
    const image = await store.resolve("hand:made");
    assert.equal(image.id, id);
    // Kept uncompressed, as every layer in the store: its digest is its diff ID.
    assert.equal(image.manifest.layers[0]!.digest, await sha256(layer));
    assert.deepEqual(await store.content.get(image.manifest.layers[0]!.digest), layer);

    // A ref name that is only a tag names nothing: the image loads by ID.
    const untagged = withEntry(oci, file("index.json", JSON.stringify({ schemaVersion: 2, manifests: [{ ...descriptor, annotations: { "org.opencontainers.image.ref.name": "made" } }] })));
    assert.deepEqual((await readImageArchive(untagged)).images.map((i) => i.names), [[]]);

    // Docker before 25: <id>/layer.tar and <id>.json, only manifest.json.
    const legacy = writeTar([
      file(`${id.slice(7)}.json`, config),
      file("0123abcd/layer.tar", layer),
      file("manifest.json", JSON.stringify([{ Config: `${id.slice(7)}.json`, RepoTags: ["legacy:1"], Layers: ["0123abcd/layer.tar"] }])),
    ]);
    const fromLegacy = await readImageArchive(await gzip(legacy));
    assert.deepEqual(fromLegacy.images.map((i) => [i.id, i.names]), [[id, ["docker.io/library/legacy:1"]]]);

    await assert.rejects(readImageArchive(writeTar([file("hello", "x")])), { message: "open manifest.json: no such file or directory" });
    await assert.rejects(readImageArchive(withEntry(legacy, file("manifest.json", '[{"Config":"' + id.slice(7) + '.json","RepoTags":["legacy"],"Layers":["0123abcd/layer.tar"]}]'))), {
      message: 'invalid tag "legacy"',
    });
  });
});
