import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { Engine } from "../engine/index.ts";
import { MachineFiles, MemoryFileSystem } from "../fs/index.ts";
import { BerthError } from "../util/index.ts";
import { mountRequest, volumeRequest } from "./binds.ts";

// Binds read only the engine's host files: a host with /root and a file /etc/hostname.
const engine = {
  hostFiles: new MachineFiles(MemoryFileSystem.from({ "root/app/Dockerfile": "FROM alpine\n", "etc/hostname": "berth\n" })),
} as Engine;

const refused = (message: string) => (e: unknown) => e instanceof BerthError && e.code === "INVALID_ARGUMENT" && e.message === message;

describe("binds", () => {
  it("makes a missing source directory, as -v does", () => {
    const bind = volumeRequest(engine, "/root/new/dir:/d:ro", "/");
    assert.equal(bind.type, "bind");
    assert.equal(engine.hostFiles!.stat("/root/new/dir").kind, "directory");
  });

  // Found by the fuzzer: the host filesystem's own errors came out as they were (an API status of undefined).
  it("says in dockerd's words why a source cannot be made", () => {
    assert.throws(
      () => volumeRequest(engine, "/etc/hostname/x:/d", "/"),
      refused("error while creating mount source path '/etc/hostname/x': mkdir /etc/hostname/x: not a directory"),
    );
  });

  it("binds the host's / itself, as Docker does, and makes a new top-level directory for a missing source", () => {
    for (const request of [volumeRequest(engine, "/:/host", "/"), mountRequest(engine, "type=bind,source=/,target=/host", "/root")]) {
      assert.equal(request.type === "bind" && request.fs, engine.hostFiles!.root);
    }
    volumeRequest(engine, "/made/x:/d", "/");
    assert.equal(engine.hostFiles!.stat("/made/x").kind, "directory");
  });
});
