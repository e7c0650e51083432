// POST /build judged by Docker's own client: `DOCKER_BUILDKIT=0 docker build`
// against `berth daemon` sends the context as a tar and prints the classic
// builder's stream as Docker prints it.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

import { daemonTestBed } from "./daemon-test-bed.ts";

describe("docker build (classic builder) through berth daemon", () => {
  const bed = daemonTestBed();

  /** A context directory of the suite's own with these files. */
  const context = (name: string, files: Record<string, string>) => {
    const dir = path.join(bed.dir, name);
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    return dir;
  };
  const dockerBuild = (dir: string, ...args: string[]) => bed.docker(["build", ...args, "."], { cwd: dir, env: { DOCKER_BUILDKIT: "0" } });

  it("builds step by step, prints the classic builder's stream, tags the image", async () => {
    const dir = context("app", {
      Dockerfile: 'FROM alpine\nCOPY greeting.txt /app/\nRUN cat /app/greeting.txt && echo to-stderr >&2\nCMD ["cat", "/app/greeting.txt"]\n',
      "greeting.txt": "hello from the context\n",
    });
    const built = await dockerBuild(dir, "-t", "app");
    assert.equal(built.code, 0, built.stderr);
    const lines = built.stdout.replace(/^Sending build context to Docker daemon [^\n]*\n/, "").split("\n");
    const imageId = (await bed.docker(["image", "inspect", "-f", "{{.Id}}", "app"])).stdout.trim();
    const alpineId = (await bed.docker(["image", "inspect", "-f", "{{.Id}}", "alpine"])).stdout.trim();
    const short = (id: string) => id.slice(7, 19);
    assert.equal(lines[0], "Step 1/4 : FROM alpine");
    // FROM pulled the missing base image, with docker pull's progress.
    const fromDone = lines.indexOf(` ---> ${short(alpineId)}`);
    assert.ok(fromDone > 0, built.stdout);
    assert.ok(lines.slice(1, fromDone).includes("Status: Downloaded newer image for alpine:latest"), built.stdout);
    const rest = lines.slice(fromDone + 1);
    assert.equal(rest[0], "Step 2/4 : COPY greeting.txt /app/");
    assert.match(rest[1]!, /^ ---> [0-9a-f]{12}$/);
    assert.equal(rest[2], "Step 3/4 : RUN cat /app/greeting.txt && echo to-stderr >&2");
    const running = /^ ---> Running in ([0-9a-f]{12})$/.exec(rest[3]!);
    assert.ok(running, rest[3]);
    // The step's stdout as it is, its stderr in dockerd's red.
    assert.deepEqual(rest.slice(4, 7).sort(), ["\u001b[91mto-stderr", "\u001b[0m ---> Removed intermediate container " + running[1], "hello from the context"].sort());
    assert.match(rest[7]!, /^ ---> [0-9a-f]{12}$/);
    assert.deepEqual(rest.slice(8), [
      'Step 4/4 : CMD ["cat", "/app/greeting.txt"]',
      ` ---> ${short(imageId)}`,
      `Successfully built ${short(imageId)}`,
      "Successfully tagged app:latest",
      "",
    ]);
    assert.equal((await bed.docker(["run", "--rm", "app"])).stdout, "hello from the context\n");
    // The step's container is gone.
    assert.equal((await bed.docker(["ps", "-a", "-q"])).stdout, "");

    // Unchanged, again: every step from the cache, the same image.
    const again = await dockerBuild(dir, "-t", "app:again");
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Step 3\/4 : RUN cat \/app\/greeting.txt && echo to-stderr >&2\n ---> Using cache\n ---> [0-9a-f]{12}\n/);
    assert.doesNotMatch(again.stdout, /Running in/);
    assert.match(again.stdout, new RegExp(`Successfully built ${short(imageId)}\nSuccessfully tagged app:again\n$`));
  });

  it("counts ARGs before FROM as steps, takes --build-arg, --target and -f, and -q prints only the ID", async () => {
    const dir = context("stages", {
      "build.Dockerfile": "ARG BASE=alpine\nFROM $BASE AS first\nARG WHO\nRUN echo \"hi $WHO\" > /tmp/who\nFROM first AS second\nRUN false\n",
    });
    const built = await dockerBuild(dir, "-f", "build.Dockerfile", "--target", "first", "--build-arg", "WHO=berth", "-t", "first");
    assert.equal(built.code, 0, built.stderr);
    const steps = built.stdout.split("\n").filter((line) => line.startsWith("Step "));
    assert.deepEqual(steps, ["Step 1/4 : ARG BASE=alpine", "Step 2/4 : FROM $BASE AS first", "Step 3/4 : ARG WHO", 'Step 4/4 : RUN echo "hi $WHO" > /tmp/who']);
    assert.equal((await bed.docker(["run", "--rm", "first", "cat", "/tmp/who"])).stdout, "hi berth\n");

    const quiet = await dockerBuild(dir, "-q", "-f", "build.Dockerfile", "--target", "first", "--build-arg", "WHO=berth");
    assert.equal(quiet.code, 0, quiet.stderr);
    const id = (await bed.docker(["image", "inspect", "-f", "{{.Id}}", "first"])).stdout;
    assert.equal(quiet.stdout, id);
  });

  it("fails as Docker does: a RUN's status is the CLI's, a Dockerfile that does not parse is the daemon's 400", async () => {
    const failing = context("failing", { Dockerfile: "FROM alpine\nRUN echo before; exit 3\n" });
    const run = await dockerBuild(failing, "-t", "never");
    assert.equal(run.code, 3);
    assert.match(run.stdout, /Step 2\/2 : RUN echo before; exit 3\n ---> Running in [0-9a-f]{12}\nbefore\n$/);
    assert.match(run.stderr, /The command '\/bin\/sh -c echo before; exit 3' returned a non-zero code: 3\n$/);
    assert.equal((await bed.docker(["image", "inspect", "never"])).code, 1, "a failed build names nothing");

    const unparsable = context("unparsable", { Dockerfile: "FROM alpine\nFOO bar\n" });
    const parse = await dockerBuild(unparsable);
    assert.equal(parse.code, 1);
    assert.match(parse.stderr, /Error response from daemon: dockerfile parse error on line 2: unknown instruction: FOO\n$/);
    assert.doesNotMatch(parse.stdout, /Step/);

    const missing = context("missing-base", { Dockerfile: "FROM nosuchimage\n" });
    const pull = await dockerBuild(missing);
    assert.equal(pull.code, 1);
    assert.match(pull.stdout, /^Step 1\/1 : FROM nosuchimage\n/m);
    assert.match(pull.stderr, /nosuchimage/);
  });
});
