import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { Kernel, Machine } from "../kernel/index.ts";
import { bootNodeKernel } from "../kernel/node-index.ts";
import { createHost, type Host } from "./index.ts";
import { readRootfs } from "./node-index.ts";

describe("host machine", () => {
  let kernel: Kernel;
  let host: Host;
  let machine: Machine;
  before(async () => {
    kernel = await bootNodeKernel({ includeTestCommands: true });
    host = await createHost(kernel, { rootfs: await readRootfs() });
    machine = host.machine;
  });
  after(async () => kernel.close());

  const fsprobe = async (...args: string[]) => (await machine.run(["fsprobe", ...args], { timeoutMs: 10_000 })).stdout;

  it("has its own root filesystem", async () => {
    assert.match(await fsprobe("cat", "/etc/os-release"), /^NAME="Ubuntu"$/m);
    assert.match(await fsprobe("cat", "/etc/passwd"), /^root:x:0:0:/);
    for (const dir of ["etc", "home", "root", "tmp", "var", "proc"]) {
      assert.equal(await fsprobe("stat", `/${dir}`), "directory 4096\n", dir); // one 4 KiB block, as ext4 (libcompat)
    }
  });

  it("keeps files between commands", async () => {
    await fsprobe("write", "/tmp/note", "kept");
    assert.equal(await fsprobe("cat", "/tmp/note"), "kept");
    assert.equal(new TextDecoder().decode(host.rootfs.readFile("tmp/note")), "kept");
  });

  it("keeps a directory made at the top, for the engine too", async () => {
    await fsprobe("mkdir", "/app");
    await fsprobe("write", "/app/Dockerfile", "FROM alpine");
    assert.equal(await fsprobe("cat", "/app/Dockerfile"), "FROM alpine");
    assert.equal(new TextDecoder().decode(host.rootfs.readFile("app/Dockerfile")), "FROM alpine");
    assert.match(await fsprobe("ls", "/"), /^app$/m);
  });

  it("keeps the shell's root through a Ctrl-C (its signal handler runs no constructors again)", async () => {
    const shell = await machine.spawn(["sh", "-i"], { terminal: { columns: 80, rows: 24 }, env: { PS1: "$ " } });
    let screen = "";
    const reading = (async () => {
      for await (const chunk of shell.stdout) screen += new TextDecoder().decode(chunk);
    })();
    // Each key once the screen has been still: the prompt is up, or the job runs.
    for (const keys of ["mkdir /signalled\r", "sleep 30\r", "\x03", "test -d /signalled && echo still-rooted\r", "exit\r"]) {
      for (let seen = -1; seen !== screen.length; seen = screen.length) await new Promise((resolve) => setTimeout(resolve, 200));
      await shell.write(keys);
    }
    await shell.wait();
    await reading;
    assert.match(screen, /\r\nstill-rooted\r\n/);
  });
  it("serves /proc computed on read", async () => {
    assert.equal(await fsprobe("cat", "/proc/sys/kernel/hostname"), "berth\n");
    assert.match(await fsprobe("cat", "/proc/sys/kernel/osrelease"), /^6\.\d+\.\d+-berth\n$/);
    assert.match(await fsprobe("cat", "/proc/meminfo"), /^MemTotal: +\d+ kB$/m);
    assert.match(await fsprobe("cat", "/proc/mounts"), /^proc \/proc proc ro 0 0$/m);
  });

  it("follows a hostname change in /etc/hostname", async () => {
    await fsprobe("write", "/etc/hostname", "renamed\n");
    assert.equal(await fsprobe("cat", "/proc/sys/kernel/hostname"), "renamed\n");
    await fsprobe("write", "/etc/hostname", "berth\n");
  });

  it("does not let guests write /proc", async () => {
    const r = await machine.run(["fsprobe", "write", "/proc/version", "x"]);
    assert.equal(r.exitCode, 1);
  });
});
