// docker cp judged by Docker's own client: files in and out of containers
// through `berth daemon`'s archive endpoints (HEAD for the stat, GET for a
// tar, PUT to unpack one), read back with docker exec.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

import { newSymlink, readTar, writeTar, type TarEntry } from "../fs/index.ts";
import { daemonTestBed } from "./daemon-test-bed.ts";

const enc = (s: string) => new TextEncoder().encode(s);

describe("docker cp through berth daemon", () => {
  const bed = daemonTestBed();

  const ok = async (...args: string[]) => {
    const r = await bed.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(" ")}: ${r.stderr}`);
    return r;
  };
  const host = (...parts: string[]) => path.join(bed.dir, ...parts);
  const file = (name: string, data: string, uid = 1000): TarEntry => ({ path: name, type: "file", data: enc(data), mode: 0o644, uid, gid: uid, mtime: 0 });

  const dockerWithStdin = bed.dockerWithStdin;

  const request = bed.request;
  const stat = (header: string | string[] | undefined) => JSON.parse(Buffer.from(String(header), "base64").toString()) as Record<string, unknown>;

  it("copies files and directories into a running container; docker exec reads them", async () => {
    await ok("run", "-d", "--name", "box", "alpine", "sleep", "300");
    fs.writeFileSync(host("in.txt"), "from the host\n");
    fs.mkdirSync(host("tree", "sub"), { recursive: true });
    fs.writeFileSync(host("tree", "sub", "deep.txt"), "deep\n");

    // Without a terminal the CLI prints nothing on success.
    assert.deepEqual(await ok("cp", host("in.txt"), "box:/tmp/in.txt"), { code: 0, stdout: "", stderr: "" });
    assert.equal((await ok("exec", "box", "cat", "/tmp/in.txt")).stdout, "from the host\n");
    await ok("cp", host("in.txt"), "box:/tmp/"); // into a directory, keeping the name
    await ok("cp", host("tree"), "box:/root/srv"); // missing: made, with the directory's contents
    await ok("cp", host("tree"), "box:/root/srv"); // a directory now: copied into it
    await ok("cp", `${host("tree")}/.`, "box:/home/opt"); // "/.": the contents
    const cat = await ok("exec", "box", "cat", "/tmp/in.txt", "/root/srv/sub/deep.txt", "/root/srv/tree/sub/deep.txt", "/home/opt/sub/deep.txt");
    assert.equal(cat.stdout, "from the host\ndeep\ndeep\ndeep\n");
    assert.match((await ok("diff", "box")).stdout, /^A \/root\/srv\/tree\/sub\/deep\.txt$/m);
    // Copied in, files belong to root; with -a they keep the archive's owner.
    const owner = (p: string) => bed.engine.runtime.get("box").rootfs.lookup(p)!.uid;
    assert.equal(owner("tmp/in.txt"), 0);
    const piped = await dockerWithStdin(["cp", "-", "box:/tmp"], writeTar([file("piped.txt", "piped\n")]));
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(owner("tmp/piped.txt"), 0);
    const kept = await dockerWithStdin(["cp", "-a", "-", "box:/tmp"], writeTar([file("kept.txt", "kept\n")]));
    assert.equal(kept.code, 0, kept.stderr);
    assert.equal(owner("tmp/kept.txt"), 1000);
    assert.equal((await ok("exec", "box", "cat", "/tmp/piped.txt", "/tmp/kept.txt")).stdout, "piped\nkept\n");
  });

  it("copies out of a container: a file, a directory, its contents, and a tar on stdout", async () => {
    await ok("exec", "box", "sh", "-c", "mkdir -p /root/data && echo hello > /root/data/a.txt");
    await ok("cp", "box:/root/data/a.txt", host("out.txt"));
    assert.equal(fs.readFileSync(host("out.txt"), "utf8"), "hello\n");
    await ok("cp", "box:/root/data", host("outdir"));
    assert.equal(fs.readFileSync(host("outdir", "a.txt"), "utf8"), "hello\n");
    await ok("cp", "box:/root/data", host("outdir"));
    assert.equal(fs.readFileSync(host("outdir", "data", "a.txt"), "utf8"), "hello\n");
    await ok("cp", "box:root/data/.", host("contents")); // relative to the container's root
    assert.deepEqual(fs.readdirSync(host("contents")), ["a.txt"]);

    const stream = await dockerWithStdin(["cp", "box:/root/data", "-"], new Uint8Array());
    assert.equal(stream.code, 0, stream.stderr);
    const entries = readTar(new Uint8Array(stream.stdout));
    assert.deepEqual(entries.map((e) => [e.path, e.type]), [["data", "directory"], ["data/a.txt", "file"]]);
    assert.equal(new TextDecoder().decode(entries[1]!.data), "hello\n");
  });

  it("states a path in X-Docker-Container-Path-Stat: HEAD alone, GET with the tar", async () => {
    const head = await request("HEAD", "/v1.50/containers/box/archive?path=/root/data/a.txt");
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    const file = stat(head.headers["x-docker-container-path-stat"]);
    assert.deepEqual({ ...file, mtime: undefined }, { name: "a.txt", size: 6, mode: 0o644, mtime: undefined, linkTarget: "" });
    assert.ok(Math.abs(Date.parse(String(file.mtime)) - Date.now()) < 60_000, String(file.mtime));

    const get = await request("GET", "/containers/box/archive?path=/root/data/");
    assert.equal(get.status, 200);
    assert.equal(get.headers["content-type"], "application/x-tar");
    const dir = stat(get.headers["x-docker-container-path-stat"]);
    // Go's os.FileMode: the directory bit is 1<<31.
    assert.deepEqual([dir.name, dir.mode], ["data", 2 ** 31 + 0o755]);
    assert.deepEqual(readTar(new Uint8Array(get.body)).map((e) => e.path), ["data", "data/a.txt"]);
  });

  it("follows a symbolic link with -L and names the copy after the link; without -L copies the link", async () => {
    // Guests cannot make links on the kernel's filesystems; images can carry them, as this one now does.
    bed.engine.runtime.get("box").rootfs.upper.children.set("link.txt", newSymlink("root/data/a.txt"));
    const head = await request("HEAD", "/containers/box/archive?path=/link.txt");
    const link = stat(head.headers["x-docker-container-path-stat"]);
    assert.deepEqual([link.name, link.mode, link.linkTarget], ["link.txt", 2 ** 27 + 0o777, "/root/data/a.txt"]);

    fs.mkdirSync(host("links"));
    await ok("cp", "-L", "box:/link.txt", host("links"));
    assert.deepEqual(fs.readdirSync(host("links")), ["link.txt"]);
    assert.equal(fs.readFileSync(host("links", "link.txt"), "utf8"), "hello\n");
    const raw = await dockerWithStdin(["cp", "box:/link.txt", "-"], new Uint8Array());
    assert.deepEqual(
      readTar(new Uint8Array(raw.stdout)).map((e) => [e.path, e.type, e.linkname]),
      [["link.txt", "symlink", "root/data/a.txt"]],
    );
  });

  it("refuses what dockerd refuses, in its words, and the engine carries on", async () => {
    fs.writeFileSync(host("x.txt"), "x\n");
    const cases: [string[], string][] = [
      [["cp", "box:/nope", host()], "Error response from daemon: Could not find the file /nope in container box\n"],
      [["cp", "nope:/root/data", host()], "Error response from daemon: No such container: nope\n"],
      [["cp", host("x.txt"), "box:/nodir/x.txt"], "Error response from daemon: Could not find the file /nodir in container box\n"],
      [["cp", host("x.txt"), "nope:/tmp"], "Error response from daemon: No such container: nope\n"],
      [["cp", host("tree"), "box:/tmp/in.txt"], "cannot copy directory\n"],
    ];
    for (const [args, stderr] of cases) {
      const r = await bed.docker(args);
      // Refusing a copy itself, the CLI also logs its tar writer's broken pipe (time="..." level=error lines): not ours.
      const said = r.stderr.replace(/^time=".*\n/gm, "");
      assert.deepEqual([r.code, said], [1, stderr], args.join(" "));
    }
    // A file where a directory is: refused, as the CLI asks (noOverwriteDirNonDir).
    const clash = await dockerWithStdin(["cp", "-", "box:/"], writeTar([file("tmp", "not a directory")]));
    assert.deepEqual([clash.code, clash.stderr], [1, 'Error response from daemon: cannot overwrite directory "/tmp" with non-directory "/"\n']);

    const raw: [string, string, Uint8Array | undefined, number, string][] = [
      ["GET", "/containers/box/archive", undefined, 400, "bad parameter: pathcannot be empty"],
      ["PUT", "/containers/box/archive?path=/tmp/in.txt", writeTar([file("y", "")]), 400, "extraction point is not a directory"],
      ["PUT", "/containers/box/archive?path=/tmp", enc("not a tar at all, just words"), 500, "Error processing tar file(exit status 1): "],
      ["PUT", "/containers/box/archive?path=/tmp&noOverwriteDirNonDir=maybe", writeTar([]), 400, "invalid value for noOverwriteDirNonDir: maybe"],
    ];
    for (const [method, url, body, status, message] of raw) {
      const r = await request(method, url, body);
      assert.equal(r.status, status, `${method} ${url}`);
      assert.ok((JSON.parse(r.body.toString()) as { message: string }).message.startsWith(message), r.body.toString());
    }
    // Without noOverwriteDirNonDir (the API's default) the file takes the directory's place.
    assert.equal((await request("PUT", "/containers/box/archive?path=/home/opt", writeTar([file("sub", "now a file\n")]))).status, 200);
    assert.equal((await ok("exec", "box", "cat", "/home/opt/sub")).stdout, "now a file\n");
    await ok("rm", "-f", "box");
  });
});
