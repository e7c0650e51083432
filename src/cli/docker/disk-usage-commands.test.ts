// docker system df on the host: the numbers after pulling, running and building.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { Engine } from "../../engine/index.ts";
import { readRootfs } from "../../host/node-index.ts";
import type { Kernel, Machine } from "../../kernel/index.ts";
import { bootNodeKernel } from "../../kernel/node-index.ts";
import { bootNodePlayground } from "../node-playground.ts";
import { humanSize } from "./format.ts";

const enc = (s: string) => new TextEncoder().encode(s);

describe("docker system df", () => {
  let kernel: Kernel;
  let host: Machine;
  let engine: Engine;
  before(async () => {
    kernel = await bootNodeKernel({ includeTestCommands: true });
    const rootfs = { ...(await readRootfs()), "/root/df/Dockerfile": enc("FROM alpine\nRUN mkdir -p /srv && echo built > /srv/out\n") };
    const playground = await bootNodePlayground(kernel, { rootfs });
    host = playground.host.machine;
    engine = playground.engine;
  });
  after(async () => kernel.close());

  const sh = (script: string) => host.run(["sh", "-c", script], { timeoutMs: 60_000 });
  const df = async (flag = "") => {
    const r = await sh(`docker system df ${flag}`);
    assert.equal(r.exitCode, 0, r.stderr);
    return r.stdout;
  };

  it("shows Docker's table, all zero on a fresh engine", async () => {
    assert.equal(
      await df(),
      "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE\n" +
        "Images          0         0         0B        0B\n" +
        "Containers      0         0         0B        0B\n" +
        "Local Volumes   0         0         0B        0B\n" +
        "Build Cache     0         0         0B        0B\n",
    );
  });

  it("counts a pulled image, a stopped container's writable layer, a volume and a build's cache", async () => {
    assert.equal((await sh("docker pull -q alpine && docker run --name writer alpine fsprobe write /root/note hello")).exitCode, 0);
    assert.equal((await sh("docker volume create spare && docker run --rm -v kept:/data alpine fsprobe write /data/f 123456")).exitCode, 0);
    const alpine = (await engine.images.resolve("alpine")).manifest.layers.reduce((n, l) => n + l.size, 0);
    const rows = (await df()).split("\n");
    assert.equal(rows[1], `Images          1         1         ${humanSize(alpine, 4).padEnd(10)}0B (0%)`);
    assert.equal(rows[2], "Containers      1         0         5B        5B (100%)");
    assert.equal(rows[3], "Local Volumes   2         0         6B        6B (100%)");

    const build = await sh("cd /root/df && docker build -q -t df .");
    assert.equal(build.exitCode, 0, build.stderr);
    const built = (await engine.images.resolve("df")).manifest.layers.at(-1)!.size;
    const after = (await df()).split("\n");
    // alpine's one layer is df's base too: shared, so even the image in use frees nothing of its own, and all can go.
    const total = humanSize(alpine + built, 4);
    assert.equal(after[1], `Images          2         1         ${total.padEnd(10)}${total} (100%)`);
    // The build's one cache record is df's last layer, shared with the image: the docker CLI leaves shared records out of the size.
    assert.equal(after[4], "Build Cache     1         0         0B        0B");
  });

  it("details each kind with -v", async () => {
    const out = await df("-v");
    const [images, containers, volumes, cache] = out.split(/\n(?=Containers space usage:|Local Volumes space usage:|Build cache usage:)/);
    assert.match(images!, /^Images space usage:\n\nREPOSITORY +TAG +IMAGE ID +CREATED +SIZE +SHARED SIZE +UNIQUE SIZE +CONTAINERS\n/);
    assert.match(images!, /\nalpine +latest +[0-9a-f]{12} +.+ ago +\S+ +\S+ +0B +1\n/);
    assert.match(images!, /\ndf +latest +[0-9a-f]{12} +.+ ago +\S+ +\S+ +\S+ +0\n$/);
    assert.match(containers!, /^Containers space usage:\n\nCONTAINER ID +IMAGE +COMMAND +LOCAL VOLUMES +SIZE +CREATED +STATUS +NAMES\n[0-9a-f]{12} +alpine +"fsprobe write \/root…" +0 +5B +.+ ago +Exited \(0\) .+ ago +writer\n$/);
    assert.match(volumes!, /^Local Volumes space usage:\n\nVOLUME NAME +LINKS +SIZE\nkept +0 +6B\nspare +0 +0B\n$/);
    assert.match(cache!, /^Build cache usage: \S+\n\nCACHE ID +CACHE TYPE +SIZE +CREATED +LAST USED +USAGE +SHARED\n[0-9a-f]{12} +regular +\S+ +.+ ago +.+ ago +1 +true\n$/);
  });
});
