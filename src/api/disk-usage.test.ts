// docker system df judged by Docker's own client: the official CLI sums up
// what GET /system/df reports and must print what Berth's own CLI prints.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { runDocker } from "../cli/docker/index.ts";
import type { DockerIO } from "../engine/index.ts";
import { daemonTestBed } from "./daemon-test-bed.ts";

describe("docker system df through berth daemon", () => {
  const bed = daemonTestBed();

  const ok = async (...args: string[]) => {
    const r = await bed.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };

  /** Berth's own CLI on the same engine, as the host's shell runs it. */
  async function berth(...argv: string[]): Promise<string> {
    let stdout = "";
    const io: DockerIO = {
      stdout: (d) => void (stdout += typeof d === "string" ? d : new TextDecoder().decode(d)),
      stderr: () => undefined,
      stdin: async function* () {},
      rawTerminal: () => undefined,
    };
    assert.equal(await runDocker(bed.engine, { argv, stdinTty: false, stdoutTty: false, stderrTty: false, columns: 80, rows: 24, cwd: "/root" }, io), 0);
    return stdout;
  }

  it("prints Docker's table, all zero on a fresh engine", async () => {
    assert.equal(
      await ok("system", "df"),
      "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE\n" +
        "Images          0         0         0B        0B\n" +
        "Containers      0         0         0B        0B\n" +
        "Local Volumes   0         0         0B        0B\n" +
        "Build Cache     0         0         0B        0B\n",
    );
  });

  it("counts images, containers' writable layers and volumes, as Berth's own CLI does", async () => {
    await ok("pull", "-q", "alpine");
    await ok("run", "--name", "writer", "alpine", "sh", "-c", "echo hello > /root/note");
    await ok("run", "-d", "--name", "idle", "-v", "kept:/data", "alpine", "sleep", "300");
    await ok("volume", "create", "spare");
    await ok("commit", "writer", "noted");
    const official = await ok("system", "df");
    assert.equal(official, await berth("system", "df"));
    const rows = official.split("\n");
    assert.match(rows[1]!, /^Images {10}2 {9}1 {9}\S+ +\S+ \(\d+%\)$/);
    assert.equal(rows[2], "Containers      2         1         6B        6B (100%)");
    assert.match(rows[3]!, /^Local Volumes {3}2 {9}1 {9}0B {8}0B$/);

    const verbose = await ok("system", "df", "-v");
    assert.match(verbose, /^Images space usage:\n\nREPOSITORY +TAG +IMAGE ID +CREATED +SIZE +SHARED SIZE +UNIQUE SIZE +CONTAINERS\n/);
    assert.match(verbose, /\nalpine +latest +[0-9a-f]{12} +.+ ago +\S+ +\S+ +0B +2\n/);
    assert.match(verbose, /\nnoted +latest +[0-9a-f]{12} +.+ ago +\S+ +\S+ +\S+ +0\n/);
    assert.match(verbose, /\nContainers space usage:\n\nCONTAINER ID +IMAGE +COMMAND +LOCAL VOLUMES +SIZE +CREATED +STATUS +NAMES\n/);
    assert.match(verbose, /\n[0-9a-f]{12} +alpine +"sleep 300" +1 +0B +.+ ago +Up .+ +idle\n/);
    assert.match(verbose, /\n[0-9a-f]{12} +alpine +"sh -c echo hello > …" +0 +6B +.+ ago +Exited \(0\) .+ ago +writer\n/);
    assert.match(verbose, /\nLocal Volumes space usage:\n\nVOLUME NAME +LINKS +SIZE\nkept +1 +0B\nspare +0 +0B\n/);
    assert.match(verbose, /\nBuild cache usage: 0B\n\nCACHE ID +CACHE TYPE +SIZE +CREATED +LAST USED +USAGE +SHARED\n$/);
    // Cell by cell as Berth's CLI prints it; times may have moved between the two calls.
    const cells = (text: string) => text.split("\n").map((line) => line.split(/ {2,}/).map((cell) => cell.replace(/^(Up |Exited \(\d+\) )?.*(ago|second|seconds|minute)$/, "$1<time>")));
    assert.deepEqual(cells(verbose), cells(await berth("system", "df", "-v")));
    await ok("rm", "-f", "idle");
  });

  it("asks for some kinds only with ?type=, and refuses a kind it does not know", async () => {
    const get = (query: string) => fetchJson(bed.socket, `/v1.50/system/df${query}`);
    const volumes = await get("?type=volume");
    assert.equal(volumes.status, 200);
    assert.deepEqual(
      [volumes.body.Images, volumes.body.Containers, volumes.body.BuildCache, (volumes.body.Volumes as { Name: string }[]).map((v) => v.Name).sort()],
      [null, null, null, ["kept", "spare"]],
    );
    assert.deepEqual(await get("?type=nope"), { status: 400, body: { message: "unknown object type: nope" } });
  });
});

/** GET a path on the daemon's socket; the body as JSON. */
async function fetchJson(socket: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const http = await import("node:http");
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath: socket, path }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      })
      .on("error", reject);
  });
}
