// docker events from the host's shell: the engine's event log as the docker
// CLI prints it, with --since/--until, --filter and --format.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { dockerTestBed } from "./test-bed.ts";

describe("docker events", () => {
  const bed = dockerTestBed();
  const { docker } = bed;

  it("prints a container's life since a time: type, action, ID and its attributes sorted", async () => {
    const run = await docker("run", "--name", "evented", "--label", "tier=web", "alpine", "sh", "-c", "exit 3");
    assert.equal(run.exitCode, 3);
    const id = (await docker("inspect", "-f", "{{.Id}}", "evented")).stdout.trim();
    const r = await docker("events", "--since", "1m", "--until", "0s", "--filter", "container=evented");
    assert.equal(r.exitCode, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    const stamp = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z`;
    assert.deepEqual(
      lines.map((line) => line.replace(new RegExp(`^${stamp} `), "").replace(/execDuration=\d+/, "execDuration=N")),
      [
        `container create ${id} (image=alpine, name=evented, tier=web)`,
        `container start ${id} (image=alpine, name=evented, tier=web)`,
        `container die ${id} (execDuration=N, exitCode=3, image=alpine, name=evented, tier=web)`,
      ],
    );
    assert.ok(lines.every((line) => new RegExp(`^${stamp} `).test(line)), r.stdout);
  });

  it("takes --filter and --format, json included", async () => {
    const die = await docker("events", "--since", "1m", "--until", "0s", "-f", "event=die", "-f", "label=tier=web", "--format", "{{.Action}} {{.Actor.Attributes.exitCode}}");
    assert.equal(die.stdout, "die 3\n");
    const json = await docker("events", "--since", "1m", "--until", "0s", "-f", "type=image", "--format", "json");
    const pulled = json.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
    assert.ok(pulled.some((e) => e.Type === "image" && e.Action === "pull" && e.id === "alpine:latest" && typeof e.timeNano === "number"), json.stdout);
  });

  it("answers mistakes in Docker's words", async () => {
    const flag = await docker("events", "-f", "bogus");
    assert.deepEqual([flag.exitCode, flag.stderr.split("\n")[0]], [125, `invalid argument "bogus" for "-f, --filter" flag: bad format of filter (expected name=value)`]);
    const order = await docker("events", "--since", "0s", "--until", "1m");
    assert.deepEqual([order.exitCode, order.stderr], [1, "Error response from daemon: `since` time (0s) cannot be after `until` time (1m)\n"]);
  });
});
