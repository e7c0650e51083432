import assert from "node:assert/strict";
import { before, describe, it } from "node:test";

import { MemoryContentStore, readTar } from "../fs/index.ts";
import { FixtureRegistry, ImageStore, pull, type PullEvent } from "./index.ts";
import { readRecipes } from "./node-index.ts";

describe("images from the offline registry", () => {
  let registry: FixtureRegistry;
  before(async () => {
    registry = await FixtureRegistry.build(await readRecipes());
  });

  it("serves every fixture under Docker's normalized names", () => {
    for (const name of [
      "docker.io/library/alpine:latest",
      "docker.io/library/alpine:3.20",
      "docker.io/library/debian:bookworm",
      "docker.io/library/ubuntu:24.04",
      "docker.io/library/busybox:latest",
      "docker.io/library/fedora:40",
      "docker.io/library/centos:6",
      "mcr.microsoft.com/windows/nanoserver:ltsc2022",
    ]) {
      assert.ok(registry.references.includes(name), name);
    }
  });

  it("builds the same digests every time", async () => {
    const again = await FixtureRegistry.build(await readRecipes());
    assert.deepEqual(await again.resolve("alpine"), await registry.resolve("alpine"));
  });

  it("pulls an image: layers, config and a name, with Docker's progress", async () => {
    const images = new ImageStore(new MemoryContentStore());
    const events: PullEvent[] = [];
    const image = await pull({ reference: "alpine", registry, images, onProgress: (e) => events.push(e) });
    assert.deepEqual(image.names, ["docker.io/library/alpine:latest"]);
    assert.equal(image.config.os, "linux");
    assert.equal(image.config.architecture, "wasm32");
    assert.deepEqual(image.config.config.Cmd, ["/bin/sh"]);
    assert.deepEqual(events.map((e) => (e.kind === "layer" ? e.status : "done")), ["Pulling fs layer", "Download complete", "Pull complete", "done"]);
    const layer = readTar(await images.content.get(image.manifest.layers[0]!.digest));
    const osRelease = layer.find((e) => e.path === "etc/os-release");
    assert.match(new TextDecoder().decode(osRelease!.data), /^ID=alpine$/m);
    assert.equal(layer.find((e) => e.path === "tmp")?.mode, 0o1777);
  });

  it("says 'Already exists' for layers it has", async () => {
    const images = new ImageStore(new MemoryContentStore());
    const image = await pull({ reference: "alpine:3.20", registry, images });
    const events: PullEvent[] = [];
    await pull({ reference: "alpine:latest", registry, images, onProgress: (e) => events.push(e) });
    assert.deepEqual(events[0], { kind: "layer", id: image.manifest.layers[0]!.digest.slice(7, 19), status: "Already exists" });
    assert.deepEqual(events.at(-1), { kind: "done", digest: (await registry.resolve("alpine")).digest, upToDate: false });
  });

  it("finds an image by name, full ID or short ID", async () => {
    const images = new ImageStore(new MemoryContentStore());
    const image = await pull({ reference: "debian", registry, images });
    assert.equal((await images.resolve(image.id)).id, image.id);
    assert.equal((await images.resolve(image.id.slice(7, 19))).id, image.id);
    await assert.rejects(images.resolve("nope"), { code: "NOT_FOUND", message: "No such image: nope" });
  });

  it("answers unknown repositories and tags in Docker's words", async () => {
    await assert.rejects(registry.resolve("nosuchimage"), {
      code: "NOT_FOUND",
      message: "pull access denied for nosuchimage, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
    });
    await assert.rejects(registry.resolve("alpine:9.9"), {
      code: "NOT_FOUND",
      message: "manifest for alpine:9.9 not found: manifest unknown: manifest unknown",
    });
  });
});
