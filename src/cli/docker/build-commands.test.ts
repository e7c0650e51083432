// docker build on the host, end to end: the context from the host's files, RUN in a
// real container on the kernel, layers and history in the image store, docker run.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { Engine } from "../../engine/index.ts";
import { readRootfs } from "../../host/node-index.ts";
import type { Kernel, Machine } from "../../kernel/index.ts";
import { bootNodeKernel } from "../../kernel/node-index.ts";
import { bootNodePlayground } from "../node-playground.ts";

const enc = (s: string) => new TextEncoder().encode(s);

describe("docker build", () => {
  let kernel: Kernel;
  let host: Machine;
  let engine: Engine;
  before(async () => {
    kernel = await bootNodeKernel({ includeTestCommands: true });
    const rootfs = {
      ...(await readRootfs()),
      "/root/three/Dockerfile": enc("FROM alpine\nCOPY greeting.txt /data/greeting.txt\nRUN echo ran > /data/ran.txt\nCMD [\"cat\", \"/data/greeting.txt\", \"/data/ran.txt\"]\n"),
      "/root/three/greeting.txt": enc("hello from the context\n"),
      "/root/fail/Dockerfile": enc("FROM alpine\nRUN echo before\nRUN echo oops; exit 3\nCMD [\"true\"]\n"),
      "/root/bad/Dockerfile": enc("FROM alpine\nRUN echo hi\nNOPE x\n"),
      "/root/multi/Dockerfile": enc(
        "ARG WHO=world\nFROM alpine AS base\nARG WHO\nRUN echo \"hi $WHO\" > /etc/msg\nFROM alpine\nCOPY --from=base /etc/msg /etc/msg\nCMD [\"cat\", \"/etc/msg\"]\n",
      ),
    };
    const playground = await bootNodePlayground(kernel, { rootfs });
    host = playground.host.machine;
    engine = playground.engine;
  });
  after(async () => kernel.close());

  const sh = (script: string) => host.run(["sh", "-c", script], { timeoutMs: 60_000 });

  it("builds a 3-step Dockerfile from the host's files, and docker run runs it", async () => {
    const r = await sh("cd /root/three && docker build -t app .");
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^#0 building with "default" instance using docker driver\n\n#1 \[internal\] load build definition from Dockerfile\n/);
    assert.match(r.stderr, /\n#\d+ \[1\/3\] FROM docker\.io\/library\/alpine:latest\n/);
    assert.match(r.stderr, /\n#\d+ \[2\/3\] COPY greeting\.txt \/data\/greeting\.txt\n#\d+ DONE \d+\.\ds\n/);
    assert.match(r.stderr, /\n#\d+ \[3\/3\] RUN echo ran > \/data\/ran\.txt\n#\d+ DONE \d+\.\ds\n/);
    assert.match(r.stderr, /\n#\d+ exporting to image\n#\d+ exporting layers done\n#\d+ writing image sha256:[0-9a-f]{64} done\n#\d+ naming to docker\.io\/library\/app:latest done\n#\d+ DONE/);

    const run = await sh("docker run --rm app");
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.stdout, "hello from the context\nran\n");

    const image = await engine.images.resolve("app");
    const alpine = await engine.images.resolve("alpine");
    assert.equal(image.manifest.layers.length, alpine.manifest.layers.length + 2);
    assert.equal(image.config.rootfs.diff_ids.length, image.manifest.layers.length);
    assert.deepEqual(image.config.config.Cmd, ["cat", "/data/greeting.txt", "/data/ran.txt"]);
    const added = image.config.history!.slice(alpine.config.history!.length);
    assert.deepEqual(
      added.map((h) => [h.created_by, h.empty_layer ?? false]),
      [
        ["COPY greeting.txt /data/greeting.txt # buildkit", false],
        ["RUN /bin/sh -c echo ran > /data/ran.txt # buildkit", false],
        ['CMD ["cat" "/data/greeting.txt" "/data/ran.txt"]', true],
      ],
    );
    assert.match((await sh("docker images app")).stdout, /^app +latest +[0-9a-f]{12} /m);

    const history = (await sh("docker history app")).stdout.split("\n");
    assert.match(history[0]!, /^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$/);
    assert.match(history[1]!, new RegExp(`^${image.id.slice(7, 19)} +\\S.* ago +CMD \\["cat" "/data/greeting\\.txt" "/data/ran\\.t… +0B +buildkit\\.dockerfile\\.v0$`));
    assert.match(history[2]!, /^<missing> +.* ago +RUN \/bin\/sh -c echo ran > \/data\/ran\.txt # bu… +4B +buildkit\.dockerfile\.v0$/);
    assert.match(history[3]!, /^<missing> +.* ago +COPY greeting\.txt \/data\/greeting\.txt # build… +23B +buildkit\.dockerfile\.v0$/);
  });

  it("rebuilds from the cache: CACHED steps and the same image ID; a changed file rebuilds from its COPY", async () => {
    const first = (await engine.images.resolve("app")).id;
    const again = await sh("cd /root/three && docker build -t app .");
    assert.equal(again.exitCode, 0, again.stderr);
    assert.match(again.stderr, /\n#(\d+) \[2\/3\] COPY greeting\.txt \/data\/greeting\.txt\n#\1 CACHED\n/);
    assert.match(again.stderr, /\n#(\d+) \[3\/3\] RUN echo ran > \/data\/ran\.txt\n#\1 CACHED\n/);
    assert.equal((await engine.images.resolve("app")).id, first);

    const changed = await sh("echo changed > /root/three/greeting.txt && cd /root/three && docker build -t app . && docker run --rm app");
    assert.equal(changed.exitCode, 0, changed.stderr);
    assert.doesNotMatch(changed.stderr, /CACHED/);
    assert.equal(changed.stdout, "changed\nran\n");
    assert.notEqual((await engine.images.resolve("app")).id, first);
    // The image the tag moved from stays, dangling, as Docker's <none>:<none>; it runs by ID.
    const short = first.slice(7, 19);
    assert.match((await sh("docker images")).stdout, new RegExp(`^<none> +<none> +${short} `, "m"));
    assert.equal((await sh(`docker run --rm ${short}`)).stdout, "hello from the context\nran\n");
    assert.equal((await sh(`docker rmi ${short}`)).stdout, `Deleted: ${first}\n`);
    assert.doesNotMatch((await sh("docker images")).stdout, /<none>/);

    const noCache = await sh("cd /root/three && docker build --no-cache -t app .");
    assert.equal(noCache.exitCode, 0, noCache.stderr);
    assert.doesNotMatch(noCache.stderr, /CACHED/);
    await sh("echo 'hello from the context' > /root/three/greeting.txt");
  });

  it("fails on a RUN's exit code in Docker's words, shows its output, and makes no image", async () => {
    const before = engine.images.list().length;
    const r = await sh("cd /root/fail && docker build -t broken .");
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /\n#\d+ \[3\/3\] RUN echo oops; exit 3\n#\d+ \d+\.\d{3} oops\n#\d+ ERROR: process "\/bin\/sh -c echo oops; exit 3" did not complete successfully: exit code: 3\n/);
    assert.match(r.stderr, /\n------\n > \[3\/3\] RUN echo oops; exit 3:\n\d+\.\d{3} oops\n------\nDockerfile:3\n-+\n +1 \| +FROM alpine\n +2 \| +RUN echo before\n +3 \| >>> RUN echo oops; exit 3\n/);
    assert.match(r.stderr, /\nERROR: failed to solve: process "\/bin\/sh -c echo oops; exit 3" did not complete successfully: exit code: 3\n$/);
    assert.equal(engine.images.list().length, before);
    assert.equal(engine.images.get("broken"), undefined);
    assert.equal(engine.runtime.list({ all: true }).length, 0, "the step's container is gone");
  });

  it("prints a parse error with the Dockerfile snippet", async () => {
    const r = await sh("docker build /root/bad");
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /#1 DONE \d\.\ds\n\nDockerfile:3\n-+\n(?:.*\n)* +3 \| >>> NOPE x\n(?:.*\n)*-+\nERROR: failed to solve: dockerfile parse error on line 3: unknown instruction: NOPE/s);
  });

  it("builds multi-stage with build args and -q, and --target", async () => {
    const q = await sh("docker build -q --build-arg WHO=berth -t multi -f /root/multi/Dockerfile /root/multi");
    assert.equal(q.exitCode, 0, q.stderr);
    assert.match(q.stdout, /^sha256:[0-9a-f]{64}\n$/);
    assert.equal(q.stderr, "");
    assert.equal((await sh("docker run --rm multi")).stdout, "hi berth\n");
    const t = await sh("docker build -q --target base -t multi-base /root/multi && docker run --rm multi-base cat /etc/msg");
    assert.equal(t.stdout.split("\n")[1], "hi world");
  });

  it("reads the Dockerfile or the whole context from stdin (-, -f -), as the docker CLI", async () => {
    const dockerfileOnly = await sh(`printf 'FROM alpine\\nCMD ["echo", "from stdin"]\\n' | docker build -q -t piped - > /dev/null && docker run --rm piped`);
    assert.equal(dockerfileOnly.stdout, "from stdin\n", dockerfileOnly.stderr);
    const dashF = await sh(`cd /root/three && printf 'FROM alpine\\nCOPY greeting.txt /g\\nCMD ["cat", "/g"]\\n' | docker build -q -t piped-f -f- . > /dev/null && docker run --rm piped-f`);
    assert.equal(dashF.stdout, "hello from the context\n", dashF.stderr);
    const tarred = await sh("cd /root/three && tar -cf /tmp/three.tar Dockerfile greeting.txt && docker build -q -t piped-tar - < /tmp/three.tar > /dev/null && docker run --rm piped-tar");
    assert.equal(tarred.stdout, "hello from the context\nran\n", tarred.stderr);
    const both = await sh("docker build -f - - < /dev/null");
    assert.deepEqual([both.exitCode, both.stderr], [1, "ERROR: invalid argument: can't use stdin for both build context and dockerfile\n"]);
  });

  it("says so when the context is missing", async () => {
    const r = await sh("docker build /nowhere");
    assert.equal(r.exitCode, 1);
    assert.equal(r.stderr, 'ERROR: unable to prepare context: path "/nowhere" not found\n');
  });

  it("builds the two-stage app in fixtures/host/root/site, rebuilds it fully cached, and partly after one file changes", async () => {
    const build = () => sh("cd /root/site && docker build --progress=plain -t site . && docker run --rm site");
    const steps = (stderr: string) => [...stderr.matchAll(/^#(\d+) (\[(?:build|stage-1) \d\/\d\] .*)$/gm)].map((m) => `${m[2]}${new RegExp(`^#${m[1]} CACHED$`, "m").test(stderr) ? " CACHED" : ""}`);
    const first = await build();
    assert.equal(first.exitCode, 0, first.stderr);
    assert.equal(first.stdout, "<h1>Hello from Berth</h1>\n<p>Built in two stages on Berth: this image holds only this page.</p>\n");
    const id = (await engine.images.resolve("site")).id;
    // The final image has busybox's layers and the page: nothing of the build stage.
    assert.equal((await engine.images.resolve("site")).manifest.layers.length, (await engine.images.resolve("busybox")).manifest.layers.length + 1);

    const cached = await build();
    assert.deepEqual(steps(cached.stderr), [
      "[build 1/4] FROM docker.io/library/alpine:latest",
      "[build 2/4] WORKDIR /src CACHED",
      "[build 3/4] COPY page.html title.txt ./ CACHED",
      '[build 4/4] RUN sed "s/TITLE/$(cat title.txt)/" page.html > index.html CACHED',
      "[stage-1 1/2] FROM docker.io/library/busybox:latest",
      "[stage-1 2/2] COPY --from=build /src/index.html /site/index.html CACHED",
    ]);
    assert.equal((await engine.images.resolve("site")).id, id);

    const partly = await sh("echo 'A new title' > /root/site/title.txt && cd /root/site && docker build --progress=plain -t site . && docker run --rm site");
    assert.deepEqual(steps(partly.stderr).filter((step) => step.endsWith("CACHED")), ["[build 2/4] WORKDIR /src CACHED"]);
    assert.match(partly.stdout, /^<h1>A new title<\/h1>\n/);
    assert.notEqual((await engine.images.resolve("site")).id, id);
  });

  it("builds the demo in fixtures/host/root/app", async () => {
    const r = await sh("cd /root/app && docker build -t demo . && docker run --rm demo");
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /^Hello from an image built on Berth\nhello\.txt was copied from the build context\nbuilt\.txt was written by RUN, next to: hello\.txt\n$/);
  });
});
