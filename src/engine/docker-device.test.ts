import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { Kernel, Machine } from "../kernel/index.ts";
import { bootNodeKernel } from "../kernel/node-index.ts";
import { DockerDevice, parseDockerRequest, type DockerRequest } from "./docker-device.ts";

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
      if (command === "first-chunk") {
        // Reads until a newline and ends, leaving the rest of stdin unread.
        let line = "";
        for await (const chunk of io.stdin()) {
          line += new TextDecoder().decode(chunk);
          if (line.includes("\n")) break;
        }
        io.stdout(line.slice(0, line.indexOf("\n") + 1));
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

  it("ends when the command ends, though its stdin has not (the forwarder stops at its next write)", async () => {
    const r = await host.run(["sh", "-c", "yes | docker first-chunk; echo status $?"], { timeoutMs: 20_000 });
    assert.deepEqual([r.exitCode, r.stdout, r.stderr], [0, "y\nstatus 0\n", ""]);
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

describe("the docker device's output queue", () => {
  const OPEN = { read: true, write: true, create: false, createNew: false, truncate: false, append: false };
  const REQUEST = new TextEncoder().encode(`${JSON.stringify({ argv: ["flood"], stdinTty: false, stdoutTty: false, stderrTty: false, columns: 80, rows: 24, cwd: "/" })}\n`);
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** A command writing `count` writes of 100 bytes, each awaited; `written` counts what went. */
  function flood(count: number) {
    const state = { written: 0, finished: false };
    const device = new DockerDevice(async (_request, io) => {
      for (let i = 0; i < count; i++) {
        await io.stdout(new Uint8Array(100).fill(i % 251));
        state.written += 100;
      }
      state.finished = true;
      return 0;
    });
    const handle = device.open("docker", OPEN);
    device.write(handle, 0, REQUEST);
    return { device, handle, state };
  }

  it("makes a writer wait while the guest has much unread, and joins small writes into frames", async () => {
    const { device, handle, state } = flood(20_000);
    await pause(50);
    assert.ok(!state.finished);
    assert.ok(state.written <= 300 * 1024, `${state.written} bytes queued for a guest that reads nothing`);
    // Read as the guest does, 4 KiB at a time, and take the frames apart.
    let buffered = new Uint8Array();
    const stdout: number[] = [];
    const frames: number[] = [];
    let status: number | undefined;
    while (status === undefined) {
      const data = await device.read(handle, 0, 4096);
      buffered = new Uint8Array([...buffered, ...data]);
      while (buffered.length >= 5) {
        const length = new DataView(buffered.buffer, buffered.byteOffset).getUint32(1, true);
        if (buffered.length < 5 + length) break;
        const payload = buffered.subarray(5, 5 + length);
        if (buffered[0] === 1) {
          frames.push(length);
          for (let i = 0; i < payload.length; i += 100) stdout.push(payload[i]!);
        }
        if (buffered[0] === 3) status = new DataView(payload.buffer, payload.byteOffset).getInt32(0, true);
        buffered = buffered.slice(5 + length);
      }
    }
    assert.equal(status, 0);
    assert.equal(stdout.length, 20_000);
    assert.ok(stdout.every((byte, i) => byte === i % 251), "the writes arrived out of order");
    // What waited went as frames of up to 64 KiB, not a frame a write.
    assert.deepEqual(frames.slice(0, 2), [65_500, 65_500]);
  });

  it("holds the guest's stdin writes while the command leaves its input unread", async () => {
    let take!: () => void;
    const taking = new Promise<void>((resolve) => (take = resolve));
    let taken = 0;
    const device = new DockerDevice(async (_request, io) => {
      const input = io.stdin()[Symbol.asyncIterator]();
      const first = input.next();
      await taking;
      for (let next = await first; !next.done; next = await input.next()) taken += next.value.length;
      return 0;
    });
    const session = device.open("docker", OPEN);
    device.write(session, 0, REQUEST);
    await pause(10);
    const stdin = device.open(`docker-stdin/${session}`, OPEN);
    const chunk = new Uint8Array(100_000);
    assert.equal(device.write(stdin, 0, chunk), 100_000);
    assert.equal(device.write(stdin, 0, chunk), 100_000);
    const held = device.write(stdin, 0, chunk);
    assert.ok(held instanceof Promise, "a third write past 256 KiB unread went through at once");
    let settled = false;
    void held.then(() => (settled = true));
    await pause(20);
    assert.ok(!settled);
    take();
    assert.equal(await held, 100_000);
    device.close(stdin);
    for (let i = 0; i < 100 && taken < 300_000; i++) await pause(10);
    assert.equal(taken, 300_000);
  });

  it("lets a waiting writer go on when the guest hangs up", async () => {
    const { device, handle, state } = flood(100_000);
    await pause(20);
    assert.ok(!state.finished);
    device.close(handle);
    for (let i = 0; i < 100 && !state.finished; i++) await pause(10);
    assert.ok(state.finished);
  });
});

describe("the docker device's request line", () => {
  const good = { argv: ["ps", "-a"], stdinTty: true, stdoutTty: false, stderrTty: false, columns: 80, rows: 24, cwd: "/root" };

  it("takes the docker guest's request", () => {
    assert.deepEqual(parseDockerRequest(JSON.stringify({ ...good, extra: 1 })), good);
    assert.deepEqual(parseDockerRequest(JSON.stringify({ ...good, env: ["A=1"] })), { ...good, env: ["A=1"] });
  });

  it("refuses anything else a program in the machine could write", () => {
    const bad = [
      "{}",
      "null",
      "[1]",
      "not json",
      JSON.stringify({ ...good, argv: "ps" }),
      JSON.stringify({ ...good, argv: ["ps", 1] }),
      JSON.stringify({ ...good, stdinTty: "yes" }),
      JSON.stringify({ ...good, columns: -1 }),
      JSON.stringify({ ...good, rows: 1.5 }),
      JSON.stringify({ ...good, cwd: null }),
      JSON.stringify({ ...good, env: "A=1" }),
      JSON.stringify({ ...good, env: [1] }),
    ];
    for (const line of bad) assert.equal(parseDockerRequest(line), undefined, line);
  });
});
