// The Engine API as a library drives it: dockerode (the Node client most
// tools use) against `berth daemon` — pull with progress, create, attach,
// start, wait, remove, exec, and build from a tar stream.
import assert from "node:assert/strict";
import { PassThrough, Readable } from "node:stream";
import { describe, it } from "node:test";

import Docker from "dockerode";

import { writeTar } from "../fs/index.ts";
import { daemonTestBed } from "./daemon-test-bed.ts";

/** What a stream of Docker's JSON messages carried, once it ended (an error message is one of them). */
function followProgress(docker: Docker, stream: NodeJS.ReadableStream): Promise<Record<string, unknown>[]> {
  const events: Record<string, unknown>[] = [];
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null) => (error ? reject(error) : resolve(events)),
      (event: Record<string, unknown>) => events.push(event),
    );
  });
}

/** A multiplexed stream's stdout and stderr, as text, once it ends. */
function demux(docker: Docker, stream: NodeJS.ReadableStream): Promise<{ stdout: string; stderr: string }> {
  const out = { stdout: "", stderr: "" };
  const stdout = new PassThrough().on("data", (chunk: Buffer) => (out.stdout += chunk.toString()));
  const stderr = new PassThrough().on("data", (chunk: Buffer) => (out.stderr += chunk.toString()));
  docker.modem.demuxStream(stream, stdout, stderr);
  return new Promise((resolve, reject) => {
    stream.on("end", () => resolve(out));
    stream.on("error", reject);
  });
}

describe("dockerode against berth daemon", () => {
  const bed = daemonTestBed();
  const docker = () => new Docker({ socketPath: bed.socket });

  it("pulls with Docker's progress events", async () => {
    const events = await followProgress(docker(), await docker().pull("alpine"));
    assert.deepEqual(events[0], { status: "Pulling from library/alpine", id: "latest" });
    const layer = events.find((e) => e.status === "Pull complete");
    assert.ok(layer, JSON.stringify(events));
    assert.match(String(layer.id), /^[0-9a-f]{12}$/);
    assert.deepEqual(layer.progressDetail, {});
    assert.match(String(events.at(-2)?.status), /^Digest: sha256:[0-9a-f]{64}$/);
    assert.deepEqual(events.at(-1), { status: "Status: Downloaded newer image for alpine:latest" });
    const again = await followProgress(docker(), await docker().pull("alpine:latest"));
    assert.deepEqual(again.at(-1), { status: "Status: Image is up to date for alpine:latest" });
    await assert.rejects(docker().pull("no-such-image-here"), (error: { statusCode?: number }) => error.statusCode === 404);
  });

  it("creates, attaches, starts, waits for and removes a container", async () => {
    const container = await docker().createContainer({
      Image: "alpine",
      name: "dockerode-run",
      Cmd: ["sh", "-c", 'echo "out $GREETING"; echo err >&2; exit 5'],
      Env: ["GREETING=hello"],
      Labels: { from: "dockerode" },
    });
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const output = demux(docker(), stream);
    await container.start();
    assert.deepEqual(await container.wait(), { StatusCode: 5 });
    assert.deepEqual(await output, { stdout: "out hello\n", stderr: "err\n" });
    const inspected = await container.inspect();
    assert.equal(inspected.Name, "/dockerode-run");
    assert.equal(inspected.State.Status, "exited");
    assert.equal(inspected.State.ExitCode, 5);
    assert.equal(inspected.Config.Labels.from, "dockerode");
    const listed = await docker().listContainers({ all: true });
    assert.deepEqual(
      listed.map((c) => [c.Id, c.Names, c.State]),
      [[container.id, ["/dockerode-run"], "exited"]],
    );
    await container.remove();
    await assert.rejects(container.inspect(), (error: { statusCode?: number; json?: { message?: string } }) => {
      return error.statusCode === 404 && error.json?.message === `No such container: ${container.id}`;
    });
  });

  it("execs in a running container: output, environment, exit code", async () => {
    const container = await docker().createContainer({ Image: "alpine", Cmd: ["sleep", "100"] });
    await container.start();
    try {
      const exec = await container.exec({ Cmd: ["sh", "-c", 'echo "in $PLACE"; echo oops >&2; exit 4'], Env: ["PLACE=exec"], AttachStdout: true, AttachStderr: true });
      const output = await demux(docker(), await exec.start({}));
      assert.deepEqual(output, { stdout: "in exec\n", stderr: "oops\n" });
      const inspected = await exec.inspect();
      assert.equal(inspected.Running, false);
      assert.equal(inspected.ExitCode, 4);
      assert.equal(inspected.ContainerID, container.id);
    } finally {
      await container.remove({ force: true });
    }
  });

  it("builds from a tar stream, with the classic builder's messages and the image's ID", async () => {
    const file = (path: string, text: string) => ({ path, type: "file" as const, data: new TextEncoder().encode(text), mode: 0o644, uid: 0, gid: 0, mtime: 0 });
    const tar = writeTar([
      file("Dockerfile", 'FROM alpine\nCOPY motd /etc/motd-built\nRUN wc -c < /etc/motd-built\nCMD ["cat", "/etc/motd-built"]\n'),
      file("motd", "built by dockerode\n"),
    ]);
    const events = await followProgress(docker(), await docker().buildImage(Readable.from([Buffer.from(tar)]), { t: "dockerode-built:1" }));
    const text = events.map((e) => (typeof e.stream === "string" ? e.stream : "")).join("");
    assert.match(text, /^Step 1\/4 : FROM alpine\n ---> [0-9a-f]{12}\nStep 2\/4 : COPY motd \/etc\/motd-built\n ---> [0-9a-f]{12}\nStep 3\/4 : RUN wc -c < \/etc\/motd-built\n ---> Running in [0-9a-f]{12}\n19\n/);
    const aux = events.filter((e) => e.aux).map((e) => (e.aux as { ID: string }).ID);
    assert.equal(aux.length, 1);
    const image = await docker().getImage("dockerode-built:1").inspect();
    assert.deepEqual(aux, [image.Id]);
    assert.match(text, new RegExp(`Successfully built ${image.Id.slice(7, 19)}\nSuccessfully tagged dockerode-built:1\n$`));

    // A failing step ends the stream with Docker's error message, its status as the code.
    const failing = writeTar([file("Dockerfile", "FROM alpine\nRUN exit 2\n")]);
    const failed = await followProgress(docker(), await docker().buildImage(Readable.from([Buffer.from(failing)]), { t: "never" }));
    const message = "The command '/bin/sh -c exit 2' returned a non-zero code: 2";
    assert.deepEqual(failed.at(-1), { errorDetail: { code: 2, message }, error: message });
    // A Dockerfile that does not parse is refused before any stream.
    const unparsable = writeTar([file("Dockerfile", "FROM alpine\nNOPE\n")]);
    await assert.rejects(docker().buildImage(Readable.from([Buffer.from(unparsable)])), (error: { statusCode?: number; message?: string }) => {
      return error.statusCode === 400 && /dockerfile parse error on line 2: unknown instruction: NOPE/.test(error.message ?? "");
    });
  });
});
