import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { Kernel, Machine } from "../kernel/index.ts";
import { bootNodeKernel } from "../kernel/node-index.ts";
import { DockerDevice, type DockerRequest } from "./docker-device.ts";

describe("the docker device", () => {
  let kernel: Kernel;
  let host: Machine;
  const requests: DockerRequest[] = [];

  before(async () => {
    kernel = await bootNodeKernel();
    const device = new DockerDevice(async (request, io) => {
      requests.push(request);
      const [command, ...rest] = request.argv;
      if (command === "echo") {
        io.stdout(rest.join(" ") + "\n");
        return 0;
      }
      if (command === "fail") {
        io.stderr("Error response from daemon: no such thing\n");
        return 125;
      }
      if (command === "cat") {
        for await (const chunk of io.stdin()) io.stdout(chunk);
        return 0;
      }
      if (command === "slow") {
        await new Promise((r) => setTimeout(r, 300));
        io.stdout("late\n");
        return 7;
      }
      if (command === "big") {
        io.stdout("y".repeat(200_000));
        return 0;
      }
      throw new Error(`unexpected ${command}`);
    });
    host = await kernel.createMachine({ env: { PATH: "/bin" }, mounts: [{ path: "/run/berth", fs: device }] });
  });
  after(async () => kernel.close());

  it("carries argv and output to and from the engine", async () => {
    const r = await host.run(["docker", "echo", "hello", "two words", "quote\"d"]);
    assert.deepEqual([r.exitCode, r.stdout, r.stderr], [0, 'hello two words quote"d\n', ""]);
    assert.deepEqual(requests.at(-1)!.argv, ["echo", "hello", "two words", "quote\"d"]);
    assert.equal(requests.at(-1)!.cwd, "/");
  });

  it("carries stderr and the exit status", async () => {
    const r = await host.run(["docker", "fail"]);
    assert.deepEqual([r.exitCode, r.stdout, r.stderr], [125, "", "Error response from daemon: no such thing\n"]);
  });

  it("forwards stdin when the command asks for it", async () => {
    const r = await host.run(["docker", "cat"], { stdin: "line one\nline two\n" });
    assert.equal(r.stdout, "line one\nline two\n");
    assert.equal(r.exitCode, 0);
  });

  it("waits for output that comes later", async () => {
    const r = await host.run(["docker", "slow"]);
    assert.deepEqual([r.exitCode, r.stdout], [7, "late\n"]);
  });

  it("moves output larger than one read", async () => {
    const r = await host.run(["docker", "big"]);
    assert.equal(r.stdout.length, 200_000);
  });

  it("tells a container without the device that there is no daemon", async () => {
    const container = await kernel.createMachine({ env: { PATH: "/bin" } });
    const r = await container.run(["docker", "ps"]);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /^Cannot connect to the Docker daemon at unix:\/\/\/run\/berth\/docker\. Is the docker daemon running\?\n$/);
    await container.close();
  });

  it("takes a terminal's keys from the terminal's owner, and gives them back when the command ends", async () => {
    let sink: ((data: Uint8Array) => void) | undefined;
    const terminal = {
      divert(to: (data: Uint8Array) => void) {
        sink = to;
        return () => (sink = undefined);
      },
    };
    const device = new DockerDevice(async (_request, io) => {
      for await (const chunk of io.stdin()) {
        io.stdout(chunk);
        if (new TextDecoder().decode(chunk).includes("\n")) return 3;
      }
      return 1;
    }, terminal);
    const machine = await kernel.createMachine({ env: { PATH: "/bin" }, mounts: [{ path: "/run/berth", fs: device }] });
    try {
      const p = await machine.spawn(["docker", "line"], { terminal: { columns: 80, rows: 24 } });
      let output = "";
      const reading = (async () => {
        for await (const chunk of p.stdout) output += new TextDecoder().decode(chunk);
      })();
      for (let i = 0; i < 200 && !sink; i++) await new Promise((r) => setTimeout(r, 25));
      assert.ok(sink, "the session never asked for the terminal's keys");
      sink(new TextEncoder().encode("typed\n"));
      const { exitCode } = await p.wait();
      await reading;
      assert.equal(exitCode, 3);
      assert.match(output, /typed/);
      assert.equal(sink, undefined);
    } finally {
      await machine.close();
    }
  });
});
