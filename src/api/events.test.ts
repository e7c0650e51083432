// GET /events judged by Docker's own client: `docker events` against
// `berth daemon`, past events by --since/--until, live ones as they happen.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { daemonTestBed } from "./daemon-test-bed.ts";

/** Now, as the "seconds.nanoseconds" timestamp `docker events --since` takes. */
function timestamp(): string {
  const ms = Date.now();
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1_000_000).padStart(9, "0")}`;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("docker events through berth daemon", () => {
  const bed = daemonTestBed();

  it("prints what happened between --since and --until, in Docker's words and order", async () => {
    const since = timestamp();
    await pause(5);
    const ok = async (...args: string[]) => {
      const r = await bed.docker(args);
      assert.equal(r.code, 0, `docker ${args.join(" ")}: ${r.stderr}`);
      return r.stdout.trim();
    };
    await ok("volume", "create", "--label", "team=a", "v1");
    const id = await ok("create", "--name", "first", "--label", "team=a", "alpine", "true");
    await ok("rename", "first", "second");
    await ok("start", "second");
    await ok("wait", "second");
    await ok("tag", "alpine", "mine:1");
    const imageId = await ok("image", "inspect", "-f", "{{.Id}}", "alpine");
    await ok("rmi", "mine:1");
    await ok("rm", "second");
    await ok("volume", "rm", "v1");
    await pause(5);
    const until = timestamp();

    const events = await bed.docker(["events", "--since", since, "--until", until]);
    assert.equal(events.code, 0, events.stderr);
    const lines = events.stdout.split("\n").filter(Boolean);
    for (const line of lines) assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z /, line);
    const times = lines.map((line) => line.slice(0, 30));
    assert.deepEqual([...times].sort(), times, "oldest first");
    assert.deepEqual(
      lines.map((line) => line.slice(31)),
      [
        "volume create v1 (driver=local)",
        "image pull alpine:latest (name=alpine)",
        `container create ${id} (image=alpine, name=first, team=a)`,
        `container rename ${id} (image=alpine, name=second, oldName=/first, team=a)`,
        `container start ${id} (image=alpine, name=second, team=a)`,
        `container die ${id} (execDuration=0, exitCode=0, image=alpine, name=second, team=a)`,
        `image tag ${imageId} (name=mine:1)`,
        `image untag ${imageId} (name=${imageId})`,
        `container destroy ${id} (image=alpine, name=second, team=a)`,
        "volume destroy v1 (driver=local)",
      ],
    );

    // Filters, as dockerd's: a container by ID prefix, images by name without the tag, labels, types and actions.
    const filtered = async (...filters: string[]) => {
      const r = await bed.docker(["events", "--since", since, "--until", until, "--format", "{{.Type}} {{.Action}}", ...filters.flatMap((f) => ["--filter", f])]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.split("\n").filter(Boolean);
    };
    assert.deepEqual(await filtered(`container=${id.slice(0, 8)}`), ["container create", "container rename", "container start", "container die", "container destroy"]);
    assert.deepEqual(await filtered("container=second"), ["container rename", "container start", "container die", "container destroy"]);
    assert.deepEqual(await filtered("image=alpine"), [
      "image pull",
      "container create",
      "container rename",
      "container start",
      "container die",
      "container destroy",
    ]);
    assert.deepEqual(await filtered("type=image", "event=tag", "event=untag"), ["image tag", "image untag"]);
    assert.deepEqual(await filtered("label=team=a", "type=container", "event=die"), ["container die"]);
    assert.deepEqual(await filtered("type=volume"), ["volume create", "volume destroy"]);
  });

  it("streams events as they happen until the client leaves", async () => {
    const since = timestamp();
    const child = bed.spawnDocker(["events", "--since", since, "--filter", "type=container", "--format", "{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}"]);
    let stdout = "";
    const lines = () => stdout.split("\n").filter(Boolean);
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    try {
      const run = await bed.docker(["run", "--rm", "--name", "streamed", "alpine", "sh", "-c", "exit 3"]);
      assert.equal(run.code, 3, run.stderr);
      for (let tries = 0; tries < 100 && !lines().includes("destroy streamed <no value>"); tries++) await pause(50);
      // A Go template prints a missing attribute as "<no value>".
      assert.deepEqual(lines(), ["create streamed <no value>", "start streamed <no value>", "die streamed 3", "destroy streamed <no value>"]);
      // Later events keep coming on the same stream.
      await bed.docker(["create", "--name", "later", "alpine"]);
      for (let tries = 0; tries < 100 && !lines().includes("create later <no value>"); tries++) await pause(50);
      assert.equal(lines().at(-1), "create later <no value>");
    } finally {
      child.kill();
    }
    await bed.docker(["rm", "later"]);
  });

  it("kills, stops and restarts as Docker reports them", async () => {
    const since = timestamp();
    const ok = async (...args: string[]) => {
      const r = await bed.docker(args);
      assert.equal(r.code, 0, `docker ${args.join(" ")}: ${r.stderr}`);
    };
    await ok("run", "-d", "--name", "sleeper", "alpine", "sleep", "100");
    await ok("restart", "-t", "0", "sleeper");
    await ok("stop", "-t", "5", "sleeper");
    await ok("start", "sleeper");
    await ok("kill", "sleeper");
    await ok("rm", "sleeper");
    await pause(5);
    const r = await bed.docker(["events", "--since", since, "--until", timestamp(), "--format", "{{.Action}} {{.Actor.Attributes.signal}}"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split("\n").filter(Boolean), [
      "create <no value>",
      "start <no value>",
      // restart -t 0: the stop signal, SIGKILL at once, then the start.
      "kill 15",
      "kill 9",
      "die <no value>",
      "stop <no value>",
      "start <no value>",
      "restart <no value>",
      // stop -t 5: sleep ends at the SIGTERM.
      "kill 15",
      "die <no value>",
      "stop <no value>",
      "start <no value>",
      "kill 9",
      "die <no value>",
      "destroy <no value>",
    ]);
  });

  it("refuses a --since after --until, and filters that are not JSON, as dockerd", async () => {
    const r = await bed.docker(["events", "--since", "5", "--until", "1"]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "Error response from daemon: `since` time (5) cannot be after `until` time (1)\n");
    const response = await fetchOverSocket(bed.socket, "/events?until=1&filters=%7Bnot");
    assert.equal(response.status, 400);
    // dockerd's filters.FromJSON says no more than this.
    assert.equal(response.body, '{"message":"invalid filter"}\n');
  });
});

/** A GET to the daemon's socket: status and body text. */
async function fetchOverSocket(socket: string, urlPath: string): Promise<{ status: number; body: string }> {
  const http = await import("node:http");
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath: socket, path: urlPath }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}
