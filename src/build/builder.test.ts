// The builder on the real kernel, without the CLI: steps, layers, config, history,
// ENTRYPOINT/CMD rules, and a failing RUN that leaves no name behind.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { createEngine, type Engine } from "../engine/index.ts";
import { MachineFiles, MemoryFileSystem, readTar, readWholeFile, writeTar } from "../fs/index.ts";
import { FixtureRegistry } from "../image/index.ts";
import { readRecipes } from "../image/node-index.ts";
import type { Kernel } from "../kernel/index.ts";
import { bootNodeKernel } from "../kernel/node-index.ts";
import { build, BuildError, type BuildOptions } from "./builder.ts";
import { plainProgress } from "./progress.ts";
import { subSource } from "./context.ts";

describe("builder", () => {
  let kernel: Kernel;
  let engine: Engine;
  before(async () => {
    kernel = await bootNodeKernel({ includeTestCommands: true });
    engine = createEngine({ kernel, registry: await FixtureRegistry.build(await readRecipes()) });
  });
  after(async () => kernel.close());

  const context = (files: Record<string, string>) =>
    subSource(new MachineFiles(MemoryFileSystem.from(Object.fromEntries(Object.entries(files).map(([path, text]) => [`ctx/${path}`, text])))), "/ctx");
  const opts = (dockerfile: string, files: Record<string, string> = {}, extra: Partial<BuildOptions> = {}) => ({
    images: engine.images,
    registry: engine.registry,
    runtime: engine.runtime,
    context: context(files),
    dockerfile,
    ...extra,
  });

  it("commits one layer per COPY/RUN and a WORKDIR that makes a directory, config-only history for the rest", async () => {
    const lines: string[] = [];
    const result = await build(
      opts(
        'FROM alpine\nENV A=1\nWORKDIR /app\nCOPY dir/ ./site/\nCOPY *.txt notes/\nRUN echo "$A" > /app/a && rm /etc/motd 2>/dev/null; true\nENTRYPOINT ["cat"]\nUSER 1000\nEXPOSE 80\n',
        { "dir/index.html": "<h1>hi</h1>", "a.txt": "A", "b.txt": "B", "c.md": "C" },
        { tags: ["site:1"], progress: plainProgress((t) => void lines.push(t)) },
      ),
    );
    const image = await engine.images.resolve("site:1");
    assert.equal(image.id, result.id);
    const base = await engine.images.resolve("alpine");
    const added = image.manifest.layers.slice(base.manifest.layers.length);
    assert.equal(added.length, 4, "WORKDIR (a new directory), COPY, COPY, RUN");
    const paths = async (n: number) => readTar(await engine.images.content.get(added[n + 1]!.digest)).map((e) => e.path);
    assert.deepEqual(await paths(0), ["app", "app/site", "app/site/index.html"]);
    assert.deepEqual(await paths(1), ["app", "app/notes", "app/notes/a.txt", "app/notes/b.txt"]);
    assert.ok((await paths(2)).includes("app/a"));
    const run = image.config.config;
    assert.deepEqual([run.WorkingDir, run.User, run.Entrypoint, run.Cmd, run.ExposedPorts], ["/app", "1000", ["cat"], null, { "80/tcp": {} }]);
    assert.ok(run.Env!.includes("A=1"));
    const history = image.config.history!.slice(base.config.history!.length);
    assert.deepEqual(
      history.map((h) => h.created_by),
      [
        "ENV A=1",
        "WORKDIR /app",
        "COPY dir/ ./site/ # buildkit",
        "COPY *.txt notes/ # buildkit",
        'RUN /bin/sh -c echo "$A" > /app/a && rm /etc/motd 2>/dev/null; true # buildkit',
        'ENTRYPOINT ["cat"]',
        "USER 1000",
        "EXPOSE map[80/tcp:{}]",
      ],
    );
    assert.equal(history.filter((h) => !h.empty_layer).length, 4);
    assert.equal(history[1]!.empty_layer, undefined);
    assert.match(lines.join(""), /#\d+ \[4\/5\] COPY \*\.txt notes\/\n/);
  });

  it("fails a RUN with its exit code in BuildKit's words and names nothing", async () => {
    const names = engine.images.list().length;
    await assert.rejects(
      build(opts("FROM alpine\nRUN exit 7\n", {}, { tags: ["nope"] })),
      (e: unknown) => e instanceof BuildError && e.message === 'failed to solve: process "/bin/sh -c exit 7" did not complete successfully: exit code: 7' && /Dockerfile:2/.test(e.snippet),
    );
    assert.equal(engine.images.list().length, names);
  });

  it("leaves out of COPY what .dockerignore names", async () => {
    await build(opts("FROM alpine\nCOPY . /etc/ctx/\n", { ".dockerignore": "*.log\n", "a.txt": "A", "debug.log": "L" }, { tags: ["ignored"] }));
    const image = await engine.images.resolve("ignored");
    const top = image.manifest.layers[image.manifest.layers.length - 1]!;
    const paths = readTar(await engine.images.content.get(top.digest)).map((e) => e.path);
    assert.deepEqual(paths, ["etc", "etc/ctx", "etc/ctx/.dockerignore", "etc/ctx/a.txt"]);
  });

  it("unpacks a local tar archive on ADD (plain and gzip), and copies it as is on COPY", async () => {
    const tar = writeTar([
      { path: "pkg", type: "directory", mode: 0o755, uid: 0, gid: 0, mtime: 0 },
      { path: "pkg/readme", type: "file", data: new TextEncoder().encode("R"), mode: 0o600, uid: 0, gid: 0, mtime: 0 },
    ]);
    const gz = new Uint8Array(await new Response(new Blob([tar]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
    const ctx = subSource(new MachineFiles(MemoryFileSystem.from({ "ctx/a.tar": tar, "ctx/b.tgz": gz })), "/ctx");
    await build({ ...opts("FROM alpine\nADD a.tar /opt/a/\nADD b.tgz /opt/b\nCOPY a.tar /opt/c/\n"), context: ctx, tags: ["unpacked"] });
    const image = await engine.images.resolve("unpacked");
    const layers = image.manifest.layers.slice(-3);
    const paths = await Promise.all(layers.map(async (l) => readTar(await engine.images.content.get(l.digest)).map((e) => `${e.path}${e.type === "file" ? `:${e.mode.toString(8)}` : ""}`)));
    assert.deepEqual(paths, [
      ["opt", "opt/a", "opt/a/pkg", "opt/a/pkg/readme:600"],
      ["opt", "opt/b", "opt/b/pkg", "opt/b/pkg/readme:600"],
      ["opt", "opt/c", "opt/c/a.tar:644"],
    ]);
  });

  it("sets owners with --chown, by name from the image's /etc/passwd or by number", async () => {
    await build(opts("FROM alpine\nCOPY --chown=nobody a.txt /opt/\nCOPY --chown=2:0 a.txt /opt/b.txt\n", { "a.txt": "A" }, { tags: ["owned"] }));
    const image = await engine.images.resolve("owned");
    const owners = await Promise.all(
      image.manifest.layers.slice(-2).map(async (l) => readTar(await engine.images.content.get(l.digest)).filter((e) => e.type === "file").map((e) => [e.path, e.uid, e.gid])),
    );
    assert.deepEqual(owners, [[["opt/a.txt", 65534, 65534]], [["opt/b.txt", 2, 0]]]);
    await assert.rejects(build(opts("FROM alpine\nCOPY --chown=nosuch a.txt /opt/\n", { "a.txt": "A" })), /no such user: nosuch/);
  });

  it("keeps what COPY and RUN put at the root: files, scripts and new top-level directories", async () => {
    const result = await build(
      opts(
        'FROM alpine\nCOPY entrypoint.sh /\nRUN mkdir /newtop && echo made > /newtop/made\nRUN /entrypoint.sh one > /newtop/ran && cd /newtop && ls > listed\nENTRYPOINT ["/entrypoint.sh"]\n',
        { "entrypoint.sh": '#!/bin/sh\necho "$0 got $1, sees $(cat /newtop/made)"\n' },
        { tags: ["rooted:1"] },
      ),
    );
    const image = await engine.images.resolve("rooted:1");
    assert.equal(image.id, result.id);
    const container = await engine.runtime.create({ image: "rooted:1", cmd: ["two"] });
    let output = "";
    await engine.runtime.start(container.id, { onOutput: (e) => void (output += new TextDecoder().decode(e.data)) });
    assert.equal(await engine.runtime.wait(container.id), 0);
    const ran = await readWholeFile(container.rootfs, "newtop/ran");
    assert.equal(new TextDecoder().decode(ran), "/entrypoint.sh got one, sees made\n");
    assert.equal(new TextDecoder().decode(await readWholeFile(container.rootfs, "newtop/listed")), "listed\nmade\nran\n");
    assert.equal(output, "/entrypoint.sh got two, sees made\n");
    await engine.runtime.remove(container.id);
  });

  it("stores HEALTHCHECK and ONBUILD; a build FROM the image runs the triggers and clears them", async () => {
    await build(opts('FROM alpine\nHEALTHCHECK --interval=5s CMD ["true"]\nONBUILD RUN echo triggered > /etc/onbuild\n', {}, { tags: ["parent"] }));
    const parent = await engine.images.resolve("parent");
    assert.deepEqual(parent.config.config.Healthcheck, { Test: ["CMD", "true"], Interval: 5_000_000_000 });
    assert.deepEqual(parent.config.config.OnBuild, ["RUN echo triggered > /etc/onbuild"]);
    const lines: string[] = [];
    await build(opts("FROM parent\nRUN cat /etc/onbuild\n", {}, { tags: ["child"], progress: plainProgress((t) => void lines.push(t)) }));
    const child = await engine.images.resolve("child");
    assert.equal(child.config.config.OnBuild, null);
    assert.match(lines.join(""), /ONBUILD RUN echo triggered > \/etc\/onbuild\n(?:.*\n)*#\d+ \d+\.\d+ triggered\n/);
  });

  it("says which COPY source is missing", async () => {
    await assert.rejects(build(opts("FROM alpine\nCOPY missing.txt /\n")), /failed to calculate checksum of ref: "\/missing.txt": not found/);
  });
});
