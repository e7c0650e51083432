// Volumes and host directories end to end from the host's shell: -v in its
// forms, data that outlives containers, read-only mounts, docker volume ...
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { Engine } from "../../engine/index.ts";
import type { Kernel, Machine } from "../../kernel/index.ts";
import { bootNodeKernel } from "../../kernel/node-index.ts";
import { bootNodePlayground } from "../node-playground.ts";

describe("volumes", () => {
  let kernel: Kernel;
  let host: Machine;
  let engine: Engine;
  before(async () => {
    kernel = await bootNodeKernel();
    const playground = await bootNodePlayground(kernel);
    host = playground.host.machine;
    engine = playground.engine;
    await docker("pull", "alpine");
  });
  after(async () => kernel.close());

  const docker = (...args: string[]) => host.run(["docker", ...args], { timeoutMs: 30_000 });
  const sh = (script: string) => host.run(["sh", "-c", script], { cwd: "/root", timeoutMs: 30_000 });

  it("keeps a named volume's files after its container is gone", async () => {
    const write = await docker("run", "--rm", "-v", "notes:/data", "alpine", "sh", "-c", "echo kept > /data/note; ls /data");
    assert.deepEqual([write.exitCode, write.stdout, write.stderr], [0, "note\n", ""]);
    const read = await docker("run", "--rm", "-v", "notes:/srv/notes:ro", "alpine", "cat", "/srv/notes/note");
    assert.equal(read.stdout, "kept\n");
    assert.match((await docker("volume", "ls")).stdout, /^DRIVER +VOLUME NAME\nlocal +notes\n/m);
  });

  it("refuses writes to a read-only mount and leaves the volume as it was", async () => {
    await docker("volume", "create", "fixed");
    const r = await docker("run", "--rm", "-v", "fixed:/data:ro", "alpine", "sh", "-c", "echo x > /data/f; echo status $?");
    assert.match(r.stdout, /status 1\n$/);
    assert.deepEqual(engine.volumes.get("fixed").fs.readDir(""), []);
  });

  it("shares a host directory both ways, relative paths from the caller's directory", async () => {
    await sh("mkdir -p /root/www && echo '<h1>hi</h1>' > /root/www/index.html");
    const r = await sh("docker run --rm -v ./www:/usr/share/site alpine sh -c 'cat /usr/share/site/index.html; echo made > /usr/share/site/new.txt'");
    assert.deepEqual([r.exitCode, r.stdout, r.stderr], [0, "<h1>hi</h1>\n", ""]);
    assert.equal((await sh("cat /root/www/new.txt")).stdout, "made\n");
    // The image's own /usr is still there around the mount.
    assert.equal((await docker("run", "--rm", "-v", "/root/www:/usr/share/site", "alpine", "ls", "/usr/share/site")).stdout, "index.html\nnew.txt\n");
  });

  it("binds a single file, both ways, making its mount point; :ro holds; a directory there is refused", async () => {
    await sh("echo 'listen 80;' > /root/site.conf");
    const r = await docker("run", "--rm", "-v", "/root/site.conf:/etc/nginx/nginx.conf", "alpine", "sh", "-c", "cat /etc/nginx/nginx.conf; echo 'listen 8080;' >> /etc/nginx/nginx.conf");
    assert.deepEqual([r.exitCode, r.stdout, r.stderr], [0, "listen 80;\n", ""]);
    assert.equal((await sh("cat /root/site.conf")).stdout, "listen 80;\nlisten 8080;\n");
    const ro = await docker("run", "--rm", "-v", "/root/site.conf:/site.conf:ro", "alpine", "sh", "-c", "echo x > /site.conf");
    assert.match(ro.stderr, /cannot create \/site\.conf: Operation not permitted/);
    const onDir = await docker("run", "--rm", "-v", "/root/site.conf:/etc", "alpine", "true");
    assert.equal(onDir.exitCode, 125);
    assert.match(onDir.stderr, /Are you trying to mount a directory onto a file \(or vice-versa\)\?/);
  });

  it("makes a missing host directory, as -v does", async () => {
    const r = await docker("run", "--rm", "-v", "/tmp/made-by-docker:/out", "alpine", "sh", "-c", "echo out > /out/f");
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal((await sh("cat /tmp/made-by-docker/f")).stdout, "out\n");
  });

  it("fills an empty volume from the image's files at its destination", async () => {
    const r = await docker("run", "--rm", "-v", "etcopy:/etc", "alpine", "cat", "/etc/os-release");
    assert.match(r.stdout, /Alpine/);
    assert.equal(engine.volumes.get("etcopy").fs.stat("os-release").kind, "file");
  });

  it("gives -v /path an anonymous volume that docker rm -v removes", async () => {
    const id = (await docker("run", "-d", "-v", "/scratch", "alpine", "sh", "-c", "echo s > /scratch/f")).stdout.trim();
    await docker("wait", id);
    const [mount] = JSON.parse((await docker("inspect", id)).stdout)[0].Mounts;
    assert.deepEqual([mount.Type, mount.Destination, mount.RW], ["volume", "/scratch", true]);
    assert.match(mount.Name, /^[0-9a-f]{64}$/);
    assert.equal(mount.Source, `/var/lib/docker/volumes/${mount.Name}/_data`);
    assert.equal(engine.volumes.has(mount.Name), true);
    await docker("rm", "-v", id);
    assert.equal(engine.volumes.has(mount.Name), false);
  });

  it("gives an image's VOLUME an anonymous volume, filled from the image, unless -v covers it", async () => {
    await sh("mkdir -p /root/volctx && printf 'FROM alpine\\nRUN mkdir -p /var/db && echo seed > /var/db/seed\\nVOLUME /var/db\\n' > /root/volctx/Dockerfile");
    const built = await docker("build", "-q", "-t", "with-volume", "/root/volctx");
    assert.equal(built.exitCode, 0, built.stderr);
    const id = (await docker("create", "with-volume")).stdout.trim();
    const [mount] = JSON.parse((await docker("inspect", id)).stdout)[0].Mounts;
    assert.equal(mount.Destination, "/var/db");
    assert.equal(new TextDecoder().decode(engine.volumes.get(mount.Name).fs.readFile("seed")), "seed\n");
    const covered = (await docker("create", "-v", "db:/var/db", "with-volume")).stdout.trim();
    const mounts = JSON.parse((await docker("inspect", covered)).stdout)[0].Mounts as { Name: string }[];
    assert.deepEqual(mounts.map((m) => m.Name), ["db"]);
  });

  it("shows the mounts inside the container, in /proc/mounts", async () => {
    const r = await docker("run", "--rm", "-v", "notes:/data:ro", "alpine", "grep", "/data", "/proc/mounts");
    assert.match(r.stdout, /^\/var\/lib\/docker\/volumes\/notes\/_data \/data berthfs ro /);
  });

  it("inspects, refuses to remove a volume in use, then removes it", async () => {
    const inspect = await docker("volume", "inspect", "notes");
    const [volume] = JSON.parse(inspect.stdout);
    assert.deepEqual([volume.Name, volume.Driver, volume.Mountpoint, volume.Scope], ["notes", "local", "/var/lib/docker/volumes/notes/_data", "local"]);
    const id = (await docker("create", "-v", "notes:/data", "alpine")).stdout.trim();
    const refused = await docker("volume", "rm", "notes");
    assert.deepEqual([refused.exitCode, refused.stderr], [1, `Error response from daemon: remove notes: volume is in use - [${id}]\n`]);
    await docker("rm", id);
    assert.deepEqual([(await docker("volume", "rm", "notes")).stdout, (await docker("volume", "inspect", "notes")).stderr], ["notes\n", "Error response from daemon: get notes: no such volume\n"]);
  });

  it("prunes unused anonymous volumes, and with -a named ones too", async () => {
    await docker("run", "--rm", "-v", "/tmp/x:/x", "-v", "keep:/keep", "alpine", "true");
    await docker("volume", "create", "spare");
    const anonymous = (await docker("run", "-d", "-v", "/a", "alpine", "true")).stdout.trim();
    await docker("wait", anonymous);
    await docker("rm", anonymous);
    const pruned = await docker("volume", "prune", "-f");
    assert.match(pruned.stdout, /^Deleted Volumes:\n[0-9a-f]{64}\n\nTotal reclaimed space: 0B\n$/);
    assert.equal(engine.volumes.has("spare"), true);
    const all = await docker("volume", "prune", "-f", "-a");
    assert.match(all.stdout, /^Deleted Volumes:\n(.*\n)*spare\n/);
    assert.equal(engine.volumes.has("spare"), false);
  });

  it("takes --mount for volumes and existing host directories", async () => {
    const write = await docker("run", "--rm", "--mount", "type=volume,source=mounted,target=/data", "alpine", "sh", "-c", "echo m > /data/f");
    assert.equal(write.exitCode, 0, write.stderr);
    assert.equal(new TextDecoder().decode(engine.volumes.get("mounted").fs.readFile("f")), "m\n");
    const bind = await docker("run", "--rm", "--mount", "type=bind,src=/etc,dst=/host-etc,readonly", "alpine", "cat", "/host-etc/hostname");
    assert.equal(bind.stdout, "berth\n");
    const missing = await docker("run", "--rm", "--mount", "type=bind,source=/nowhere,target=/x", "alpine", "true");
    assert.equal(missing.exitCode, 125);
    assert.match(missing.stderr, /invalid mount config for type "bind": bind source path does not exist: \/nowhere/);
  });

  it("says what is wrong with a bad -v, in Docker's words, and creates nothing", async () => {
    const cases: [string, RegExp][] = [
      ["a:b:c:d", /invalid volume specification: 'a:b:c:d'/],
      ["data:/x:bogus", /invalid mode: bogus/],
      ["data:relative", /invalid mount path: 'relative' mount path must be absolute/],
      ["data:/", /destination can't be '\/'/],
      ["my vol:/x", /"my vol" includes invalid characters for a local volume name/],
      ["data:/proc", /cannot mount over \/proc/],
    ];
    for (const [spec, message] of cases) {
      const r = await docker("run", "--rm", "-v", spec, "alpine", "true");
      assert.equal(r.exitCode, 125, spec);
      assert.match(r.stderr, message, spec);
    }
    const twice = await docker("run", "--rm", "-v", "d1:/x", "-v", "d2:/x", "alpine", "true");
    assert.match(twice.stderr, /Duplicate mount point: \/x/);
    const laterBad = await docker("run", "--rm", "-v", "first:/first", "-v", "bad name:/x", "alpine", "true");
    assert.equal(laterBad.exitCode, 125);
    assert.deepEqual(["d1", "d2", "first"].filter((name) => engine.volumes.has(name)), []);
  });

  it("lists the volume commands under docker volume", async () => {
    const help = await docker("volume");
    assert.match(help.stdout, /^Usage: +docker volume COMMAND\n\nManage volumes\n\nCommands:\n +create +Create a volume\n/);
    assert.match((await docker("--help")).stdout, /Management Commands:\n(.*\n)* +volume +Manage volumes\n/);
    const unknown = await docker("volume", "nope");
    assert.deepEqual([unknown.exitCode, unknown.stderr], [1, "docker: unknown command: docker volume nope\n\nRun 'docker volume --help' for more information\n"]);
  });
});
