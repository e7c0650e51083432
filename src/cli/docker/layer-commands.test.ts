// docker commit, export, cp and the prunes, on a booted playground: containers run on the
// kernel, the host's files are the playground host's, commands go through the docker CLI.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { DockerIO, Engine } from "../../engine/index.ts";
import { readTar, writeTar, type TarEntry } from "../../fs/index.ts";
import type { Kernel, Machine } from "../../kernel/index.ts";
import { bootNodeKernel } from "../../kernel/node-index.ts";
import { bootNodePlayground } from "../node-playground.ts";
import { runDocker } from "./index.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

interface Result {
  readonly exitCode: number;
  readonly stdout: string;
  readonly bytes: Uint8Array;
  readonly stderr: string;
}

describe("docker commit, export, cp, prune", () => {
  let kernel: Kernel;
  let host: Machine;
  let engine: Engine;
  before(async () => {
    kernel = await bootNodeKernel({ includeTestCommands: true });
    const playground = await bootNodePlayground(kernel);
    host = playground.host.machine;
    engine = playground.engine;
  });
  after(async () => kernel.close());

  /** The docker CLI as the host's `docker` runs it, with a given stdin, terminal and directory. */
  async function docker(args: string[], options: { stdin?: string | Uint8Array; tty?: boolean; cwd?: string } = {}): Promise<Result> {
    const out: Uint8Array[] = [];
    const err: string[] = [];
    const io: DockerIO = {
      stdout: (d) => void out.push(typeof d === "string" ? enc(d) : d),
      stderr: (d) => void err.push(typeof d === "string" ? d : dec(d)),
      async *stdin() {
        if (options.stdin !== undefined) yield typeof options.stdin === "string" ? enc(options.stdin) : options.stdin;
      },
      rawTerminal() {},
    };
    const request = { argv: args, stdinTty: false, stdoutTty: options.tty ?? false, stderrTty: options.tty ?? false, columns: 80, rows: 24, cwd: options.cwd ?? "/root" };
    const exitCode = await runDocker(engine, request, io);
    const bytes = new Uint8Array(out.reduce((n, c) => n + c.length, 0));
    out.reduce((at, c) => (bytes.set(c, at), at + c.length), 0);
    return { exitCode, stdout: dec(bytes), bytes, stderr: err.join("") };
  }

  const ok = async (...args: string[]) => {
    const r = await docker(args);
    assert.equal(r.exitCode, 0, `${args.join(" ")}: ${r.stderr}`);
    return r;
  };
  const hostText = (path: string) => dec(engine.hostFiles!.readFile(path));
  const entry = (path: string, data = ""): TarEntry => ({ path, type: "file", data: enc(data), mode: 0o644, uid: 1000, gid: 1000, mtime: 0 });

  it("commits a container's writable layer as a new layer, with -m, -a and -c", async () => {
    await ok("run", "--name", "web", "alpine", "sh", "-c", "mkdir -p /root/data && echo hello > /root/data/a.txt && rm /etc/issue");
    const r = await ok("commit", "-m", "add data", "-a", "Berth <berth@example.com>", "-c", 'CMD ["cat", "/root/data/a.txt"]', "-c", "ENV GREETING=hi", "-c", "ENV MODE=${GREETING}-test", "web", "snap:v1");
    assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
    const image = await engine.images.resolve("snap:v1");
    const alpine = await engine.images.resolve("alpine");
    assert.equal(image.id, r.stdout.trim());
    assert.equal(image.manifest.layers.length, alpine.manifest.layers.length + 1);
    const layer = image.manifest.layers.at(-1)!;
    assert.deepEqual(image.config.rootfs.diff_ids, [...alpine.config.rootfs.diff_ids, layer.digest]);
    // An OCI layer: the added files, and a whiteout for the deleted one.
    const paths = readTar(await engine.images.content.get(layer.digest)).map((e) => e.path);
    assert.ok(paths.includes("root/data/a.txt") && paths.includes("etc/.wh.issue"), paths.join(" "));
    assert.deepEqual(image.config.config.Cmd, ["cat", "/root/data/a.txt"]);
    assert.ok(image.config.config.Env!.includes("MODE=hi-test"));
    assert.equal(image.config.author, "Berth <berth@example.com>");
    const last = image.config.history!.at(-1)!;
    assert.equal(last.created_by, "sh -c mkdir -p /root/data && echo hello > /root/data/a.txt && rm /etc/issue");
    assert.equal(last.comment, "add data");
    assert.equal(last.empty_layer, undefined);

    assert.equal((await ok("run", "--rm", "snap:v1")).stdout, "hello\n");
    const history = (await ok("history", "snap:v1")).stdout.split("\n");
    assert.match(history[1]!, new RegExp(`^${image.id.slice(7, 19)} +\\S.* ago +sh -c mkdir -p /root/data && .*… +\\d+B +add data$`));
    const inspect = JSON.parse((await ok("inspect", "snap:v1")).stdout) as { RootFS: { Layers: string[] } }[];
    assert.equal(inspect[0]!.RootFS.Layers.at(-1), layer.digest);
  });

  it("commits an unchanged container as an empty layer in history, and an unnamed image", async () => {
    await ok("create", "--name", "idle", "alpine", "true");
    const id = (await ok("commit", "idle")).stdout.trim();
    const image = await engine.images.resolve(id);
    const alpine = await engine.images.resolve("alpine");
    assert.deepEqual(image.manifest.layers, alpine.manifest.layers);
    assert.equal(image.config.history!.length, alpine.config.history!.length + 1);
    assert.deepEqual(image.config.history!.at(-1), { created: image.config.created, created_by: "true", empty_layer: true });
    assert.match((await ok("images")).stdout, new RegExp(`^<none> +<none> +${id.slice(7, 19)} `, "m"));
  });

  it("refuses what Docker refuses on commit", async () => {
    const cases: [string[], string][] = [
      [["commit", "-c", "ADD x /x", "web"], "Error response from daemon: add is not a valid change command\n"],
      [["commit", "nope"], "Error response from daemon: No such container: nope\n"],
      [["commit", "web", "Bad:tag"], "invalid reference format: repository name must be lowercase\n"],
    ];
    for (const [args, stderr] of cases) {
      const r = await docker(args);
      assert.equal(r.exitCode, 1, args.join(" "));
      assert.equal(r.stderr, stderr, args.join(" "));
    }
  });

  it("exports the merged filesystem as a tar to stdout or a host file", async () => {
    const entries = readTar((await ok("export", "web")).bytes);
    const note = entries.find((e) => e.path === "root/data/a.txt");
    assert.equal(dec(note!.data!), "hello\n");
    assert.ok(entries.some((e) => e.path === "etc/os-release"), "the image's files are there");
    assert.ok(!entries.some((e) => e.path === "etc/issue"), "the deleted file is not");

    await ok("export", "-o", "web.tar", "web");
    assert.deepEqual(readTar(engine.hostFiles!.readFile("/root/web.tar")).map((e) => e.path), entries.map((e) => e.path));

    const tty = await docker(["export", "web"], { tty: true });
    assert.equal(tty.exitCode, 1);
    assert.equal(tty.stderr, "cowardly refusing to save to a terminal. Use the -o flag or redirect\n");
    const missing = await docker(["export", "-o", "/nodir/x.tar", "web"]);
    assert.equal(missing.stderr, 'failed to export container: invalid output path: directory "/nodir" does not exist\n');
  });

  it("copies out of a container with Docker's path rules", async () => {
    await ok("cp", "web:/root/data/a.txt", "/root/");
    assert.equal(hostText("/root/a.txt"), "hello\n");
    await ok("cp", "web:/root/data", "out"); // missing: made, with the directory's contents
    assert.equal(hostText("/root/out/a.txt"), "hello\n");
    await ok("cp", "web:/root/data", "out"); // a directory: copied into it
    assert.equal(hostText("/root/out/data/a.txt"), "hello\n");
    await ok("cp", "web:/root/data/.", "/root/out"); // "/.": the contents, into it
    assert.deepEqual(engine.hostFiles!.readDir("/root/out").map((e) => e.name).sort(), ["a.txt", "data"]);
    await ok("cp", "web:root/data/a.txt", "renamed.txt");
    assert.equal(hostText("/root/renamed.txt"), "hello\n");

    const stream = await ok("cp", "web:/root/data", "-");
    assert.deepEqual(readTar(stream.bytes).map((e) => [e.path, e.type]), [["data", "directory"], ["data/a.txt", "file"]]);
    // ".." cannot leave the container's root: /../../data is /root/data.
    assert.equal(dec(readTar((await ok("cp", "web:../../root/data/a.txt", "-")).bytes)[0]!.data!), "hello\n");

    const summary = await docker(["cp", "web:/root/data/a.txt", "/root/again.txt"], { tty: true });
    assert.equal(summary.stderr, "Successfully copied 2.05kB to /root/again.txt\n");

    const cases: [string[], string][] = [
      [["cp", "web:/nope", "/root/"], "Error response from daemon: Could not find the file /nope in container web\n"],
      [["cp", "nope:/data", "/root/"], "Error response from daemon: No such container: nope\n"],
      [["cp", "web:/root/data/a.txt", "/root/newdir/"], "no such directory\n"],
      [["cp", "web:/root/data/a.txt", "/nodir/x"], 'invalid output path: directory "/nodir" does not exist\n'],
      [["cp", "web:/root/data", "/root/a.txt"], "cannot copy directory\n"],
      [["cp", "web:/root/data/a.txt/", "/root/"], "Error response from daemon: lstat /root/data/a.txt/: not a directory\n"],
      [["cp", "a.txt", "b.txt"], "must specify at least one container source\n"],
      [["cp", "web:/root/data", "idle:/data"], "copying between containers is not supported\n"],
    ];
    for (const [args, stderr] of cases) {
      const r = await docker(args);
      assert.equal(r.exitCode, 1, args.join(" "));
      assert.equal(r.stderr, stderr, args.join(" "));
    }
  });

  it("copies into stopped and running containers; docker diff shows the files", async () => {
    engine.hostFiles!.writeFile("/root/in.txt", "from the host\n");
    engine.hostFiles!.mkdirAll("/root/tree/sub");
    engine.hostFiles!.writeFile("/root/tree/sub/deep.txt", "deep\n");
    await ok("cp", "in.txt", "web:/root/data/");
    await ok("cp", "/root/tree", "web:/srv");
    const piped = await docker(["cp", "-", "web:/root/data"], { stdin: writeTar([entry("streamed.txt", "piped\n")]) });
    assert.equal(piped.exitCode, 0, piped.stderr);
    const diff = (await ok("diff", "web")).stdout;
    for (const line of ["A /root/data/in.txt", "A /root/data/streamed.txt", "A /srv", "A /srv/sub/deep.txt"]) assert.match(diff, new RegExp(`^${line}$`, "m"));
    assert.equal((await ok("run", "--rm", (await ok("commit", "web")).stdout.trim(), "cat", "/root/data/in.txt", "/srv/sub/deep.txt", "/root/data/streamed.txt")).stdout, "from the host\ndeep\npiped\n");
    // Copied in, files belong to root unless -a keeps the archive's owner.
    const owner = (path: string) => engine.runtime.get("web").rootfs.lookup(path)!.uid;
    assert.equal(owner("root/data/streamed.txt"), 0);
    await docker(["cp", "-a", "-", "web:/root/data"], { stdin: writeTar([entry("kept.txt")]) });
    assert.equal(owner("root/data/kept.txt"), 1000);

    await ok("run", "-d", "--name", "live", "alpine", "sleep", "30");
    await ok("cp", "/root/in.txt", "live:/tmp/in.txt");
    assert.equal((await ok("exec", "live", "cat", "/tmp/in.txt")).stdout, "from the host\n");
    await ok("kill", "live");

    const summary = await docker(["cp", "in.txt", "web:/root/data/"], { tty: true });
    assert.equal(summary.stderr, "Successfully copied 2.05kB to web:/root/data/\n");

    const cases: [string[], string, Uint8Array?][] = [
      [["cp", "nope.txt", "web:/root/data"], "lstat /root/nope.txt: no such file or directory\n"],
      [["cp", "/nodir/x", "web:/root/data"], "lstat /nodir: no such file or directory\n"],
      [["cp", "in.txt", "web:/nodir/x.txt"], "Error response from daemon: Could not find the file /nodir in container web\n"],
      [["cp", "in.txt", "web:/nodir/"], "no such directory\n"],
      [["cp", "tree", "web:/root/data/in.txt"], "cannot copy directory\n"],
      [["cp", "in.txt", "nope:/data"], "Error response from daemon: No such container: nope\n"],
      [["cp", "-", "web:/root/data/in.txt"], 'destination "web:/root/data/in.txt" must be a directory\n', writeTar([entry("x")])],
      [["cp", "-", "web:/root/data"], 'Error response from daemon: Error processing tar file(exit status 1): tar: entry at offset 0 has a ".." path: ../escape\n', writeTar([entry("../escape")])],
    ];
    for (const [args, stderr, stdin] of cases) {
      const r = await docker(args, { stdin });
      assert.equal(r.exitCode, 1, args.join(" "));
      assert.equal(r.stderr, stderr, args.join(" "));
    }
    assert.throws(() => engine.hostFiles!.readFile("/escape"));
  });

  it("runs docker cp from the host's shell", async () => {
    const r = await host.run(["sh", "-c", "cd /root && docker cp web:/root/data/a.txt viashell.txt && cat viashell.txt"], { timeoutMs: 20_000 });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout, "hello\n");
  });

  it("prunes stopped containers after asking, or at once with -f", async () => {
    await ok("run", "-d", "--name", "running", "alpine", "sleep", "30");
    const stopped = engine.runtime.list({ all: true }).filter((c) => c.state.status !== "running");
    assert.ok(stopped.length >= 2);
    const no = await docker(["container", "prune"], { stdin: "n\n" });
    assert.equal(no.exitCode, 0);
    assert.equal(no.stdout, "WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ");
    assert.equal(engine.runtime.list({ all: true }).length, stopped.length + 1);

    const yes = await docker(["container", "prune"], { stdin: "y\n" });
    assert.equal(yes.exitCode, 0, yes.stderr);
    const ids = stopped.map((c) => c.id);
    assert.ok(yes.stdout.startsWith("WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] Deleted Containers:\n"));
    const listed = yes.stdout.split("Deleted Containers:\n")[1]!.split("\n\n")[0]!.split("\n");
    assert.deepEqual(listed.sort(), ids.sort());
    assert.match(yes.stdout, /\n\nTotal reclaimed space: \d+(\.\d+)?k?B\n$/);
    assert.deepEqual(engine.runtime.list({ all: true }).map((c) => c.name), ["running"]);

    assert.equal((await ok("container", "prune", "-f")).stdout, "Total reclaimed space: 0B\n");
    await ok("kill", "running");
    assert.match((await ok("container", "prune", "-f")).stdout, /^Deleted Containers:\n[0-9a-f]{64}\n\nTotal reclaimed space: 0B\n$/);
  });

  it("prunes dangling images, then with -a every image no container uses", async () => {
    await ok("create", "--name", "keeper", "snap:v1");
    const dangling = engine.images.dangling().length;
    assert.ok(dangling >= 2, "the unnamed commits");
    const r = await docker(["image", "prune"], { stdin: "y\n" });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /^WARNING! This will remove all dangling images\.\nAre you sure you want to continue\? \[y\/N\] Deleted Images:\n(deleted: sha256:[0-9a-f]{64}\n)+\nTotal reclaimed space: \d+(\.\d+)?k?B\n$/);
    assert.equal(engine.images.dangling().length, 0);

    const all = await ok("image", "prune", "-a", "-f");
    assert.match(all.stdout, /^Deleted Images:\nuntagged: (alpine|busybox|debian|ubuntu)[^\n]*\n/);
    assert.doesNotMatch(all.stdout, /untagged: snap:v1/, "a container uses it");
    assert.deepEqual(engine.images.list().map((r) => r.name), ["docker.io/library/snap:v1"]);
    // What snap:v1 stands on stays: it still runs.
    assert.equal((await ok("run", "--rm", "snap:v1")).stdout, "hello\n");
    assert.equal((await ok("image", "prune", "-f")).stdout, "Total reclaimed space: 0B\n");
  });
});
