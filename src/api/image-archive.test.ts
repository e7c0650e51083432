// docker save and docker load judged by Docker's own client: image archives
// through `berth daemon` (GET /images/get, POST /images/load), to files and
// pipes, back into the store with the same IDs, and run.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

import { readTar } from "../fs/index.ts";
import { daemonTestBed } from "./daemon-test-bed.ts";

describe("docker save / docker load through berth daemon", () => {
  const bed = daemonTestBed();

  const ok = async (...args: string[]) => {
    const r = await bed.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const host = (...parts: string[]) => path.join(bed.dir, ...parts);
  const idOf = async (name: string) => (await ok("image", "inspect", "-f", "{{.Id}}", name)).trim();

  const piped = bed.dockerWithStdin;

  const request = bed.request;

  it("saves to a file with -o, rmi, loads it back: the same image ID, and it runs", async () => {
    await ok("pull", "-q", "alpine");
    const id = await idOf("alpine");
    assert.equal(await ok("save", "-o", host("alpine.tar"), "alpine"), "");
    const entries = readTar(new Uint8Array(fs.readFileSync(host("alpine.tar"))));
    assert.deepEqual(
      entries.filter((e) => !e.path.startsWith("blobs/sha256/")).map((e) => e.path),
      ["blobs", "blobs/sha256", "index.json", "manifest.json", "oci-layout", "repositories"],
    );
    await ok("rmi", "alpine");
    assert.equal(await ok("images", "--format", "{{.Repository}}"), "");

    assert.equal(await ok("load", "-i", host("alpine.tar")), "Loaded image: alpine:latest\n");
    assert.equal(await idOf("alpine"), id);
    assert.equal(await ok("run", "--rm", "alpine", "echo", "back"), "back\n");
  });

  it("saves several images to stdout and loads them from stdin", async () => {
    await ok("tag", "alpine", "mine:1");
    const saved = await piped(["save", "alpine", "mine:1"], new Uint8Array());
    assert.equal(saved.code, 0, saved.stderr);
    const manifest = readTar(new Uint8Array(saved.stdout)).find((e) => e.path === "manifest.json")!;
    assert.deepEqual((JSON.parse(new TextDecoder().decode(manifest.data)) as { RepoTags: string[] }[]).map((m) => m.RepoTags), [["alpine:latest", "mine:1"]]);

    await ok("rmi", "mine:1");
    const loaded = await piped(["load"], new Uint8Array(saved.stdout));
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.equal(loaded.stdout.toString(), "Loaded image: alpine:latest\nLoaded image: mine:1\n");
    assert.equal(await idOf("mine:1"), await idOf("alpine"));
  });

  it("streams dockerd's JSON messages: quiet unless asked, layer progress when not", async () => {
    const archive = new Uint8Array(fs.readFileSync(host("alpine.tar")));
    const quiet = await request("POST", "/v1.50/images/load", archive);
    assert.equal(quiet.status, 200);
    assert.equal(quiet.headers["content-type"], "application/json");
    assert.equal(quiet.text, '{"stream":"Loaded image: alpine:latest\\n"}\r\n');

    // A layer the store lacks is shown loading (with ?quiet=0), once loaded the ID without names.
    const layer = (await bed.engine.images.resolve("alpine")).manifest.layers[0]!;
    await ok("rmi", "alpine", "mine:1");
    await bed.engine.images.content.delete(layer.digest);
    const loud = await request("POST", "/images/load?quiet=0", archive);
    const lines = loud.text.split("\r\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(lines, [
      { status: "Loading layer", progressDetail: { current: layer.size, total: layer.size }, id: layer.digest.slice(7, 19) },
      { stream: "Loaded image: alpine:latest\n" },
    ]);
  });

  it("refuses what dockerd refuses; a broken archive fails the load, and the engine carries on", async () => {
    const missing = await bed.docker(["save", "-o", host("x.tar"), "nope:1"]);
    assert.deepEqual([missing.code, missing.stderr], [1, "Error response from daemon: No such image: nope:1\n"]);
    assert.equal(fs.existsSync(host("x.tar")), false);

    fs.writeFileSync(host("garbage.tar"), "this is not an image archive");
    const garbage = await bed.docker(["load", "-i", host("garbage.tar")]);
    // The load's error is the stream's last message (after 200): the CLI prints it as it is.
    assert.equal(garbage.code, 1);
    assert.match(garbage.stderr, /^tar: .+\n$/);
    const raw = await request("POST", "/images/load", new TextEncoder().encode("not a tar"));
    assert.equal(raw.status, 200);
    const message = JSON.parse(raw.text) as { error: string; errorDetail: { message: string } };
    assert.equal(message.errorDetail.message, message.error);
    assert.equal(await ok("run", "--rm", "alpine", "true"), "");
  });
});
