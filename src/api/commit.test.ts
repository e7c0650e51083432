// docker commit judged by Docker's own client: POST /commit through
// `berth daemon`, then the new image run, listed and its history read.
import assert from "node:assert/strict";
import http from "node:http";
import { describe, it } from "node:test";

import { daemonTestBed } from "./daemon-test-bed.ts";

describe("docker commit through berth daemon", () => {
  const bed = daemonTestBed();

  const ok = async (...args: string[]) => {
    const r = await bed.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };

  /** A raw POST to the daemon's socket; the body as JSON. */
  const post = (urlPath: string, body?: string) =>
    new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const headers = body === undefined ? {} : { "content-type": "application/json" };
      const req = http.request({ socketPath: bed.socket, method: "POST", path: urlPath, headers }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      });
      req.on("error", reject);
      req.end(body);
    });

  it("commits a container's changes with -m, -a and -c; the image runs them", async () => {
    await ok("run", "--name", "maker", "alpine", "sh", "-c", "echo made > /root/made.txt");
    const id = await ok("commit", "-m", "a note", "-a", "Me <me@example.com>", "-c", "ENV MODE=on", "-c", 'CMD ["cat", "/root/made.txt"]', "maker", "snap:v1");
    assert.match(id, /^sha256:[0-9a-f]{64}\n$/);
    assert.equal(await ok("image", "inspect", "-f", "{{.Id}}", "snap:v1"), id);
    assert.equal(await ok("run", "--rm", "snap:v1"), "made\n");
    assert.equal(await ok("run", "--rm", "snap:v1", "sh", "-c", 'echo "$MODE"'), "on\n");
    const history = (await ok("history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Comment}}", "snap:v1")).split("\n");
    assert.equal(history[0], "sh -c echo made > /root/made.txt|a note");
    assert.equal(await ok("image", "inspect", "-f", "{{.Comment}}|{{.Author}}", "snap:v1"), "a note|Me <me@example.com>\n");
    assert.match(await ok("images", "--format", "{{.Repository}}:{{.Tag}}"), /^snap:v1$/m);
  });

  it("commits without a name: an image listed as <none>", async () => {
    const id = (await ok("commit", "maker")).trim();
    const listed = await ok("images", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}");
    assert.match(listed, new RegExp(`^${id} <none>:<none>$`, "m"));
  });

  it("takes a config in the body over the container's, as dockerd merges it", async () => {
    const r = await post("/v1.50/commit?container=maker&repo=raw&tag=body", JSON.stringify({ Cmd: ["echo", "from the body"], Env: ["EXTRA=1"] }));
    assert.equal(r.status, 201);
    assert.match(String(r.body.Id), /^sha256:[0-9a-f]{64}$/);
    assert.equal(await ok("run", "--rm", "raw:body"), "from the body\n");
    const env = (await ok("image", "inspect", "-f", "{{json .Config.Env}}", "raw:body")).trim();
    assert.deepEqual(JSON.parse(env), ["EXTRA=1", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]);
  });

  it("refuses what dockerd refuses, in its words", async () => {
    const cases: [string[], string][] = [
      [["commit", "nope"], "Error response from daemon: No such container: nope\n"],
      [["commit", "-c", "ADD x /x", "maker"], "Error response from daemon: add is not a valid change command\n"],
    ];
    for (const [args, stderr] of cases) {
      const r = await bed.docker(args);
      assert.deepEqual([r.code, r.stderr], [1, stderr], args.join(" "));
    }
    const raw: [string, string | undefined, number, string][] = [
      ["/commit?container=maker&repo=Upper", undefined, 400, "invalid reference format: repository name must be lowercase"],
      ["/commit?container=maker&repo=alpine@sha256:" + "a".repeat(64), undefined, 400, "cannot commit to digest reference"],
      ["/commit?container=maker", "{not json", 400, "invalid JSON: "],
      ["/commit?container=maker", '{"Cmd": 3}', 400, "json: cannot unmarshal number into Go struct field Config.Cmd of type strslice.StrSlice"],
    ];
    for (const [url, body, status, message] of raw) {
      const r = await post(url, body);
      assert.equal(r.status, status, url);
      assert.ok(String(r.body.message).startsWith(message), String(r.body.message));
    }
  });
});
