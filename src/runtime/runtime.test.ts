import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { MemoryContentStore } from "../fs/index.ts";
import { readAll } from "../fs/mounted-fs.contract.ts";
import { FixtureRegistry, ImageStore, pull } from "../image/index.ts";
import { readRecipes } from "../image/node-index.ts";
import type { Kernel } from "../kernel/index.ts";
import { bootNodeKernel } from "../kernel/node-index.ts";
import { VolumeStore } from "../volume/index.ts";
import { Runtime, type CreateOptions } from "./index.ts";

describe("containers on one kernel", () => {
  let kernel: Kernel;
  let runtime: Runtime;
  before(async () => {
    kernel = await bootNodeKernel({ includeTestCommands: true });
    const registry = await FixtureRegistry.build(await readRecipes());
    const images = new ImageStore(new MemoryContentStore());
    for (const name of ["alpine", "debian", "ubuntu", "mcr.microsoft.com/windows/nanoserver"]) await pull({ reference: name, registry, images });
    runtime = new Runtime(kernel, images, new VolumeStore());
  });
  after(async () => kernel.close());

  /** docker run --rm: create, start, collect output, wait. */
  async function run(options: CreateOptions): Promise<{ output: string; exitCode: number; id: string }> {
    const container = await runtime.create(options);
    let output = "";
    await runtime.start(container.id, { onOutput: (e) => void (output += new TextDecoder().decode(e.data)) });
    const exitCode = await runtime.wait(container.id);
    return { output, exitCode, id: container.id };
  }

  it("shares image layers between containers, never copying them: one stored blob, one unpacked tree", async () => {
    const blobs = (await runtime.images.content.list()).length;
    const [a, b] = [await runtime.create({ image: "alpine" }), await runtime.create({ image: "alpine" })];
    assert.equal((await runtime.images.content.list()).length, blobs);
    assert.ok(a.rootfs.lowers.length > 0);
    a.rootfs.lowers.forEach((layer, i) => assert.equal(layer, b.rootfs.lowers[i], "the same tree object"));
    assert.notEqual(a.rootfs.upper, b.rootfs.upper);
    await runtime.remove(a.id);
    await runtime.remove(b.id);
  });

  it("gives each distro image its own /etc", async () => {
    for (const [image, id] of [["alpine", "alpine"], ["debian", "debian"], ["ubuntu", "ubuntu"]]) {
      const { output } = await run({ image: image!, cmd: ["fsprobe", "cat", "/etc/os-release"] });
      assert.match(output, new RegExp(`^ID=${id}$`, "m"));
    }
  });

  it("names the host after the container ID unless told", async () => {
    const { output, id } = await run({ image: "alpine", cmd: ["fsprobe", "cat", "/proc/sys/kernel/hostname"] });
    assert.equal(output, `${id.slice(0, 12)}\n`);
    assert.equal((await run({ image: "alpine", hostname: "box", cmd: ["fsprobe", "cat", "/proc/sys/kernel/hostname"] })).output, "box\n");
  });

  it("shares the kernel's identity with every container", async () => {
    const a = await run({ image: "alpine", cmd: ["fsprobe", "cat", "/proc/sys/kernel/osrelease"] });
    const b = await run({ image: "debian", cmd: ["fsprobe", "cat", "/proc/sys/kernel/osrelease"] });
    assert.equal(a.output, b.output);
    assert.match(a.output, /-berth\n$/);
  });

  it("keeps each container's writes to itself and the image unchanged", async () => {
    const one = await run({ image: "alpine", cmd: ["fsprobe", "write", "/etc/motd", "from one"] });
    assert.equal(one.exitCode, 0);
    assert.deepEqual(runtime.get(one.id).rootfs.changes(), [
      { kind: "C", path: "/etc" },
      { kind: "A", path: "/etc/motd" },
    ]);
    const two = await run({ image: "alpine", cmd: ["fsprobe", "cat", "/etc/motd"] });
    assert.equal(two.output, "ERR No such file or directory\n");
  });

  it("keeps a stopped container's files for its next start", async () => {
    const c = await runtime.create({ image: "alpine", cmd: ["fsprobe", "append", "/root/log", "x"] });
    await runtime.start(c.id);
    await runtime.wait(c.id);
    await runtime.start(c.id);
    await runtime.wait(c.id);
    assert.equal(await readAll(c.rootfs, "root/log"), "xx");
    assert.equal(c.restartCount, 2);
  });

  it("passes the exit code through", async () => {
    assert.equal((await run({ image: "alpine", cmd: ["probe", "exit", "3"] })).exitCode, 3);
  });

  it("refuses a name in use, in Docker's words", async () => {
    const first = await runtime.create({ image: "alpine", name: "web", cmd: ["true"] });
    await assert.rejects(runtime.create({ image: "alpine", name: "web", cmd: ["true"] }), {
      code: "CONFLICT",
      message: `Conflict. The container name "/web" is already in use by container "${first.id}". You have to remove (or rename) that container to be able to reuse that name.`,
    });
    await runtime.remove("web");
    assert.throws(() => runtime.get("web"), { code: "NOT_FOUND", message: "No such container: web" });
  });

  it("refuses an image for another platform", async () => {
    await assert.rejects(runtime.create({ image: "mcr.microsoft.com/windows/nanoserver" }), {
      message: "image with reference mcr.microsoft.com/windows/nanoserver was found but does not provide the specified platform (linux/wasm32)",
    });
  });

  it("gives each container Docker's /etc/hostname and /etc/hosts over the image's: its own, kept across restarts, not in its layer", async () => {
    const c = await runtime.create({ image: "alpine", hostname: "box", cmd: ["sh", "-c", "cat /etc/hostname; grep -c localhost /etc/hosts; grep -c db /etc/hosts; echo 10.0.0.2 db >> /etc/hosts"] });
    let output = "";
    await runtime.start(c.id, { onOutput: (e) => void (output += new TextDecoder().decode(e.data)) });
    assert.equal(await runtime.wait(c.id), 0);
    assert.equal(output, "box\n2\n0\n");
    output = "";
    await runtime.start(c.id, { onOutput: (e) => void (output += new TextDecoder().decode(e.data)) });
    await runtime.wait(c.id);
    assert.equal(output, "box\n2\n1\n", "what the first run wrote is still there");
    assert.deepEqual(c.rootfs.changes(), []);
    await runtime.remove(c.id);
  });

  it("says when a program is not in the image's PATH, not at its path, or not a file", async () => {
    const c = await runtime.create({ image: "alpine", cmd: ["nosuchprogram"] });
    await assert.rejects(runtime.start(c.id), { message: 'exec: "nosuchprogram": executable file not found in $PATH' });
    const missing = await runtime.create({ image: "alpine", cmd: ["/opt/app"] });
    await assert.rejects(runtime.start(missing.id), { message: 'exec: "/opt/app": stat /opt/app: no such file or directory' });
    const directory = await runtime.create({ image: "alpine", cmd: ["/etc"] });
    await assert.rejects(runtime.start(directory.id), { message: 'exec: "/etc": permission denied' });
  });

  it("gives every process the container's whole tree as /, new top-level directories included", async () => {
    const c = await runtime.create({ image: "alpine", cmd: ["sleep", "30"] });
    await runtime.start(c.id);
    const exec = async (cmd: string[], workingDir?: string) => {
      const { process } = await runtime.exec(c.id, { cmd, workingDir });
      let output = "";
      for await (const chunk of process.stdout ?? []) output += new TextDecoder().decode(chunk);
      return { output, exitCode: (await process.wait()).exitCode };
    };
    const rootfs = (await c.rootfs.readDir("")).map((e) => e.name);
    assert.equal((await exec(["sh", "-c", "mkdir /app && printf '#!/bin/sh\\necho $0 in $PWD\\n' > /app/run && chmod +x /app/run"])).exitCode, 0);
    assert.deepEqual(c.rootfs.changes(), [{ kind: "A", path: "/app" }, { kind: "A", path: "/app/run" }]);
    // The rootfs's own entries and the mount points on it (/proc, /run/berth): none of the kernel's scratch directories.
    const top = [...new Set([...rootfs, "app", "proc", "run"])].sort();
    assert.deepEqual((await exec(["sh", "-c", "ls -a /; ls /.."])).output.split("\n").filter(Boolean), [".", "..", ...top, ...top]);
    assert.deepEqual(await exec(["./run"], "/app"), { output: "./run in /app\n", exitCode: 0 });
    assert.deepEqual(await exec(["/app/run"]), { output: "/app/run in /\n", exitCode: 0 });
    await runtime.kill(c.id);
    await runtime.wait(c.id);
    await runtime.remove(c.id);
  });
});
