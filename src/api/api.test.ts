// The Engine API judged by Docker's own client: `berth daemon`'s server on a
// temporary socket, driven by the official docker CLI through DOCKER_HOST.
// Without a docker client on the machine these tests fail: scripts/bootstrap.sh
// installs Debian's docker.io for it.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { listenApi, type ApiServer } from "../cli/api-server.ts";
import { bootNodePlayground } from "../cli/node-playground.ts";
import type { Kernel } from "../kernel/index.ts";
import { bootNodeKernel } from "../kernel/node-index.ts";
import { createApiHandler } from "./index.ts";

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe("berth daemon, driven by the official docker CLI", () => {
  let kernel: Kernel;
  let server: ApiServer;
  let dir: string;
  let socket: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-api-"));
    socket = path.join(dir, "berth.sock");
    kernel = await bootNodeKernel();
    const { engine } = await bootNodePlayground(kernel);
    server = await listenApi(createApiHandler(engine), { kind: "unix", path: socket });
  });
  after(async () => {
    await server?.close();
    await kernel?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const docker = (...args: string[]) =>
    new Promise<Result>((resolve, reject) => {
      execFile("docker", args, { env: { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: dir }, timeout: 60_000 }, (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") reject(new Error(`the docker client could not run (${error.message}); scripts/bootstrap.sh installs it`));
        else resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
      });
    });

  /** A raw request to the socket: status, headers and body text. */
  const request = (method: string, urlPath: string, body?: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = http.request({ socketPath: socket, method, path: urlPath, headers }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on("error", reject);
      req.end(body);
    });

  it("creates its socket owner-only", () => {
    assert.equal(fs.statSync(socket).mode & 0o777, 0o600);
  });

  it("answers _ping with the headers the client negotiates from", async () => {
    for (const method of ["GET", "HEAD"]) {
      const r = await request(method, "/_ping");
      assert.equal(r.status, 200);
      assert.equal(r.headers["api-version"], "1.50");
      assert.equal(r.headers.ostype, "linux");
      assert.equal(r.body, method === "GET" ? "OK" : "");
    }
    const version = await docker("version", "--format", "{{.Server.APIVersion}} {{.Server.Version}}");
    assert.equal(version.stdout, "1.50 28.2.2-berth\n");
  });

  it("runs: pulls when missing, attaches, passes the output and the status through", async () => {
    const hi = await docker("run", "--rm", "alpine", "echo", "hi");
    assert.equal(hi.code, 0);
    assert.equal(hi.stdout, "hi\n");
    assert.match(hi.stderr, /^Unable to find image 'alpine:latest' locally\nlatest: Pulling from library\/alpine\n/);
    assert.match(hi.stderr, /\nStatus: Downloaded newer image for alpine:latest\n$/);
    const both = await docker("run", "--rm", "alpine", "sh", "-c", "echo out; echo err >&2; exit 3");
    assert.deepEqual(both, { code: 3, stdout: "out\n", stderr: "err\n" });
    assert.equal((await docker("ps", "-a", "-q")).stdout, "", "--rm removed them");
  });

  it("runs -i with piped stdin: attach feeds the container's stdin until EOF", async () => {
    const child = spawn("docker", ["run", "--rm", "-i", "alpine", "cat"], { env: { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: dir } });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stdin.end("piped\nlines\n");
    const code = await new Promise<number | null>((resolve, reject) => child.on("error", reject).on("close", resolve));
    assert.equal(code, 0);
    assert.equal(stdout, "piped\nlines\n");
  });

  it("runs detached with a name and environment; ps, inspect, top, logs, stop", async () => {
    const run = await docker("run", "-d", "--name", "web", "-e", "GREETING=hello", "alpine", "sh", "-c", 'echo "$GREETING"; sleep 100');
    assert.equal(run.code, 0, run.stderr);
    const id = run.stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const ps = (await docker("ps")).stdout.split("\n");
    assert.match(ps[0]!, /^CONTAINER ID   IMAGE     COMMAND\s+CREATED\s+STATUS\s+PORTS     NAMES$/);
    // The daemon joins the command unquoted; the CLI quotes and cuts it.
    assert.ok(ps[1]!.startsWith(`${id.slice(0, 12)}   alpine    "sh -c echo \\"$GREETI…"   `), ps[1]);
    assert.match(ps[1]!, / ago\s+Up .+\s+web$/);
    assert.equal((await docker("inspect", "-f", "{{.State.Status}} {{.Name}} {{index .Config.Env 1}}", "web")).stdout, "running /web GREETING=hello\n");
    // top is a snapshot: the shell starts sleep a moment after it echoed.
    const sleepRow = /\nroot\s+\d+\s+\d+\s+0\s+\d\d:\d\d\s+\?\s+00:00:00\s+sleep 100\n/;
    let top = "";
    for (let tries = 0; tries < 50 && !sleepRow.test(top); tries++) {
      if (tries) await new Promise((resolve) => setTimeout(resolve, 100));
      top = (await docker("top", "web")).stdout;
    }
    assert.match(top, /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD\n/);
    assert.match(top, sleepRow);
    assert.equal((await docker("logs", "web")).stdout, "hello\n");
    assert.equal((await docker("stop", "-t", "0", "web")).stdout, "web\n");
    assert.equal((await docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "web")).stdout, "exited 137\n");
    const all = (await docker("ps", "-a")).stdout;
    assert.match(all, /Exited \(137\) (Less than a second|\d+ seconds?) ago\s+web\n$/);
  });

  it("renames, restarts, kills, waits, diffs and removes", async () => {
    await docker("create", "--name", "box", "alpine", "sh", "-c", "echo data > /root/file");
    assert.equal((await docker("inspect", "-f", "{{.State.Status}}", "box")).stdout, "created\n");
    assert.equal((await docker("rename", "box", "crate")).code, 0);
    assert.equal((await docker("start", "crate")).stdout, "crate\n");
    assert.equal((await docker("wait", "crate")).stdout, "0\n");
    assert.equal((await docker("diff", "crate")).stdout, "C /root\nA /root/file\n");
    await docker("run", "-d", "--name", "sleeper", "alpine", "sleep", "100");
    assert.equal((await docker("restart", "-t", "0", "sleeper")).stdout, "sleeper\n");
    assert.equal((await docker("inspect", "-f", "{{.State.Running}} {{.RestartCount}}", "sleeper")).stdout, "true 1\n");
    assert.equal((await docker("kill", "sleeper")).stdout, "sleeper\n");
    assert.equal((await docker("wait", "sleeper")).stdout, "137\n");
    assert.equal((await docker("rm", "sleeper")).stdout, "sleeper\n");
    assert.equal((await docker("rm", "crate")).stdout, "crate\n");
    const missing = await docker("rm", "crate");
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "Error response from daemon: No such container: crate\n");
  });

  it("refuses to remove a running container without -f (409), then forces it", async () => {
    await docker("run", "-d", "--name", "busy", "alpine", "sleep", "100");
    const refused = await docker("rm", "busy");
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /cannot remove container "[0-9a-f]{12}": container is running: stop the container before removing or force remove/);
    assert.equal((await docker("rm", "-f", "busy")).stdout, "busy\n");
  });

  it("pulls, lists, tags, inspects, shows history and removes images", async () => {
    const pull = await docker("pull", "busybox");
    assert.match(pull.stdout, /^Using default tag: latest\nlatest: Pulling from library\/busybox\n/);
    assert.match(pull.stdout, /\nDigest: sha256:[0-9a-f]{64}\nStatus: Downloaded newer image for busybox:latest\ndocker.io\/library\/busybox:latest\n$/);
    assert.equal((await docker("tag", "busybox", "mine:v1")).code, 0);
    const images = (await docker("images")).stdout;
    assert.match(images, /^REPOSITORY   TAG       IMAGE ID       CREATED\s+SIZE\n/);
    assert.match(images, /\nmine         v1        [0-9a-f]{12}   /);
    assert.equal((await docker("inspect", "-f", "{{.RepoTags}}", "mine:v1")).stdout, "[busybox:latest mine:v1]\n");
    const history = (await docker("history", "busybox")).stdout.split("\n");
    assert.match(history[0]!, /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    assert.match(history[1]!, /^[0-9a-f]{12}\s+\d+ \w+ ago\s+/);
    assert.equal((await docker("rmi", "mine:v1")).stdout, "Untagged: mine:v1\n");
    const missing = await docker("rmi", "mine:v1");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such image: mine:v1/);
  });

  it("creates, lists, inspects and removes volumes", async () => {
    assert.equal((await docker("volume", "create", "data")).stdout, "data\n");
    assert.equal((await docker("volume", "ls")).stdout, "DRIVER    VOLUME NAME\nlocal     data\n");
    assert.equal((await docker("volume", "inspect", "-f", "{{.Mountpoint}}", "data")).stdout, "/var/lib/docker/volumes/data/_data\n");
    assert.equal((await docker("volume", "rm", "data")).stdout, "data\n");
    assert.equal((await docker("volume", "ls", "-q")).stdout, "");
  });

  it("mounts named volumes, anonymous volumes and the Berth host's directories, and keeps a pids limit", async () => {
    const write = await docker("run", "--rm", "-v", "api-data:/data", "alpine", "sh", "-c", "echo kept > /data/f");
    assert.equal(write.code, 0, write.stderr);
    assert.equal((await docker("run", "--rm", "-v", "api-data:/data:ro", "alpine", "cat", "/data/f")).stdout, "kept\n");
    // A bind's source is a directory of the Berth host (its /etc here), not of the client's machine.
    assert.match((await docker("run", "--rm", "-v", "/etc:/host-etc:ro", "alpine", "cat", "/host-etc/hostname")).stdout, /^berth\n$/);
    const id = (await docker("create", "-v", "/scratch", "--pids-limit", "5", "alpine")).stdout.trim();
    const [mounts, limit] = (await docker("inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Destination}}{{end}}|{{.HostConfig.PidsLimit}}", id)).stdout.trim().split("|");
    assert.deepEqual([mounts, limit], ["volume /scratch", "5"]);
    await docker("rm", "-v", id);
  });

  it("execs: output, exit status, piped stdin, detached processes, and dockerd's failures", async () => {
    await docker("run", "-d", "--name", "host", "alpine", "sleep", "100");
    assert.deepEqual(await docker("exec", "host", "echo", "hi"), { code: 0, stdout: "hi\n", stderr: "" });
    assert.deepEqual(await docker("exec", "host", "sh", "-c", "echo out; echo err >&2; exit 3"), { code: 3, stdout: "out\n", stderr: "err\n" });
    assert.equal((await docker("exec", "-e", "GREETING=hello", "-w", "/etc", "host", "sh", "-c", 'echo "$GREETING $PWD"')).stdout, "hello /etc\n");
    // -t without a terminal here: one raw stream, stderr on it, TERM set.
    assert.match((await docker("exec", "-t", "host", "sh", "-c", 'echo "$TERM"; echo err >&2')).stdout, /^xterm\r?\nerr\r?\n$/);
    const child = spawn("docker", ["exec", "-i", "host", "cat"], { env: { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: dir } });
    let piped = "";
    child.stdout.on("data", (chunk: Buffer) => (piped += chunk.toString()));
    child.stdin.end("data\n");
    assert.equal(await new Promise<number | null>((resolve, reject) => child.on("error", reject).on("close", resolve)), 0);
    assert.equal(piped, "data\n");
    assert.deepEqual(await docker("exec", "-d", "host", "sleep", "5"), { code: 0, stdout: "", stderr: "" });
    assert.match((await docker("top", "host")).stdout, /\nroot\s+\d+\s+0\s+0\s+\d\d:\d\d\s+\?\s+00:00:00\s+sleep 5\n/);
    // dockerd writes a start failure into the output; the client takes the exit code from the exec's inspect.
    const missing = await docker("exec", "host", "nope");
    assert.equal(missing.code, 127);
    assert.equal(missing.stdout, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nope": executable file not found in $PATH: unknown\r\n');
    const id = (await docker("inspect", "-f", "{{.Id}}", "host")).stdout.trim();
    // The container's end takes its exec'd processes along: SIGKILL, 137.
    const attached = docker("exec", "host", "sleep", "100");
    await new Promise((resolve) => setTimeout(resolve, 500));
    await docker("stop", "-t", "0", "host");
    assert.equal((await attached).code, 137);
    const stopped = await docker("exec", "host", "echo", "hi");
    assert.deepEqual(stopped, { code: 1, stdout: "", stderr: `Error response from daemon: container ${id} is not running\n` });
    const unknown = await request("GET", "/v1.50/exec/feed/json");
    assert.deepEqual([unknown.status, JSON.parse(unknown.body)], [404, { message: "No such exec instance: feed" }]);
    await docker("rm", "host");
  });

  it("answers bad requests in dockerd's codes and words", async () => {
    assert.deepEqual(await request("GET", "/nowhere").then((r) => [r.status, JSON.parse(r.body)]), [404, { message: "page not found" }]);
    // dockerd's router answers a method a path does not take as an unknown page.
    assert.deepEqual(await request("DELETE", "/v1.50/version").then((r) => [r.status, JSON.parse(r.body)]), [404, { message: "page not found" }]);
    const malformed = await request("POST", "/v1.50/containers/create", "{nope", { "content-type": "application/json" });
    assert.equal(malformed.status, 400);
    assert.match(JSON.parse(malformed.body).message, /^invalid JSON: /);
    assert.deepEqual(await request("GET", "/v1.50/containers/ghost/json").then((r) => [r.status, JSON.parse(r.body)]), [404, { message: "No such container: ghost" }]);
    const tooNew = await request("GET", "/v9.99/version");
    assert.deepEqual([tooNew.status, JSON.parse(tooNew.body)], [400, { message: "client version 9.99 is too new. Maximum supported API version is 1.50" }]);
  });

  it("survives a client that drops its attach and its log stream", async () => {
    await docker("run", "-d", "--name", "talker", "alpine", "sh", "-c", "while true; do echo tick; sleep 1; done");
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ socketPath: socket, method: "POST", path: "/v1.50/containers/talker/attach?stream=1&stdout=1", headers: { connection: "Upgrade", upgrade: "tcp" } });
      req.on("upgrade", (_res, sock) => {
        sock.destroy();
        resolve();
      });
      req.on("error", reject);
      req.end();
    });
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ socketPath: socket, path: "/v1.50/containers/talker/logs?follow=1&stdout=1" }, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal((await docker("inspect", "-f", "{{.State.Running}}", "talker")).stdout, "true\n");
    assert.equal((await docker("rm", "-f", "talker")).stdout, "talker\n");
    assert.equal((await docker("run", "--rm", "alpine", "echo", "still here")).stdout, "still here\n");
  });
});
