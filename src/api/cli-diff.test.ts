// Differential fidelity (issue 7): for engine states with containers running,
// exited and created, named and labelled, with changed files, and images tagged
// and dangling, Berth's own docker CLI and the official docker CLI pointed at
// berth daemon print the same output. The two run one after the other on the
// same engine; only relative times that moved between the two calls are let
// through ("2 seconds ago" then "3 seconds ago").
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

import { daemonTestBed, type CliResult } from "./daemon-test-bed.ts";

describe("Berth's docker CLI and the official CLI through berth daemon", () => {
  const bed = daemonTestBed();

  const official = async (...args: string[]) => {
    const r = await bed.docker(args, { env: { DOCKER_BUILDKIT: "0" } });
    assert.equal(r.code, 0, `docker ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };

  const berth = bed.berth;

  it("prints what the official CLI prints for ps, images, history, inspect, diff, volume ls and system df", async () => {
    // Images: alpine tagged twice; a build whose second run leaves the first
    // image dangling, with intermediate images for images -a; a commit without
    // a name, dangling from the start.
    await official("pull", "-q", "alpine");
    // A second tag in the same repository: the official CLI groups an image's
    // tags by repository in a Go map, whose order between repositories is random.
    await official("tag", "alpine", "alpine:edge");
    const context = path.join(bed.dir, "context");
    fs.mkdirSync(context);
    const dockerfile = (greeting: string) =>
      "FROM alpine\nLABEL org.example.tier=web\nENV GREETING=" + greeting + "\nRUN echo $GREETING > /greeting && mkdir /srv\nWORKDIR /srv\nEXPOSE 8080\nCMD [\"cat\", \"/greeting\"]\n";
    fs.writeFileSync(path.join(context, "Dockerfile"), dockerfile("hello"));
    await official("build", "-q", "-t", "app:1", context);
    fs.writeFileSync(path.join(context, "Dockerfile"), dockerfile("bonjour"));
    await official("build", "-q", "-t", "app:1", context);

    // Containers: running with labels and a volume, exited 0 with changed
    // files, exited non-zero, created, one with a generated name.
    await official("volume", "create", "data");
    await official("volume", "create", "--label", "team=core", "labelled");
    await official("run", "-d", "--name", "web", "--label", "tier=front", "--label", "owner=ops", "-v", "data:/data", "-e", "MODE=serve", "app:1", "sleep", "300");
    await official("run", "--name", "writer", "-v", "/cache", "alpine", "sh", "-c", "echo hi > /etc/motd && mkdir -p /tmp/work/deep && touch /tmp/work/deep/file && rm /etc/issue");
    await official("run", "-d", "--name", "failed", "alpine", "sh", "-c", "exit 3");
    assert.equal(await official("wait", "failed"), "3\n");
    await official("create", "--name", "fresh", "-w", "/tmp", "alpine", "echo", "a long command line that the ps table cuts short");
    await official("run", "-d", "alpine", "sleep", "300");
    const committed = (await official("commit", "writer")).trim();

    const image = (await official("inspect", "-f", "{{.Id}}", "app:1")).trim();
    const commands: string[][] = [
      ["ps"],
      ["ps", "-a"],
      ["ps", "-a", "--no-trunc"],
      ["ps", "-q"],
      ["ps", "-aq"],
      ["ps", "-a", "--format", "{{.Names}} {{.Status}}"],
      ["ps", "-a", "--format", "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Labels}}"],
      ["ps", "-a", "--format", "{{.Names}}: {{.Label \"tier\"}} {{.Mounts}} {{.State}}"],
      ["ps", "-a", "--format", "{{json .Names}} {{.CreatedAt}}"],
      ["images"],
      ["images", "-a"],
      ["images", "-q"],
      ["images", "-aq"],
      ["images", "--no-trunc"],
      ["images", "--digests"],
      ["images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}} {{.CreatedAt}}"],
      ["images", "--format", "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}"],
      ["history", "app:1"],
      ["history", "--no-trunc", "app:1"],
      ["history", "-H=false", "app:1"],
      ["history", "-q", image],
      ["history", "alpine"],
      ["history", committed],
      ["inspect", "-f", "{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{.Config.Image}} {{.Config.Cmd}} {{.Config.Labels}} {{.Config.Env}}", "web", "writer", "failed", "fresh"],
      ["inspect", "-f", "{{.Id}} {{.Image}} {{.Created}} {{.State.StartedAt}} {{.State.FinishedAt}}", "web", "writer", "fresh"],
      ["inspect", "-f", "{{.Config.WorkingDir}} {{.Path}} {{.Args}} {{json .Mounts}}", "web", "writer", "fresh"],
      ["inspect", "-f", "{{.Id}} {{.RepoTags}} {{.RepoDigests}} {{.Created}} {{.Size}} {{.Config.Cmd}} {{.Config.Env}} {{.Config.WorkingDir}} {{.Config.ExposedPorts}} {{.Config.Labels}}", "app:1"],
      ["inspect", "-f", "{{.Id}} {{.RepoTags}} {{.Created}} {{.Size}} {{.Config.Cmd}} {{.Config.Env}}", "alpine", "alpine:edge"],
      ["inspect", "-f", "{{json .RootFS}} {{.Architecture}} {{.Os}}", "app:1"],
      ["image", "inspect", "-f", "{{.Parent}} {{.Comment}} {{.Author}}", image],
      ["container", "inspect", "-f", "{{json .State}} {{json .Config.Labels}} {{json .Config.Env}}", "web", "failed"],
      ["diff", "writer"],
      ["diff", "web"],
      ["diff", "fresh"],
      ["volume", "ls"],
      ["volume", "ls", "-q"],
      ["volume", "ls", "--format", "{{.Name}} {{.Driver}} {{.Labels}}"],
      ["system", "df"],
      ["system", "df", "-v"],
      ["top", "web"],
    ];

    const differing: string[] = [];
    for (const argv of commands) {
      const theirs = await bed.docker(argv);
      const ours = await berth(argv);
      if (!sameOutput(ours, theirs)) {
        differing.push(`docker ${argv.join(" ")}\n--- berth (exit ${ours.code})\n${ours.stdout}${ours.stderr}--- official (exit ${theirs.code})\n${theirs.stdout}${theirs.stderr}`);
      }
    }
    console.log(`cli-diff: ${commands.length} commands, ${commands.length - differing.length} identical`);
    assert.equal(differing.length, 0, differing.join("\n"));
    await official("rm", "-f", "web");
  });
});

/** A relative time as Docker's CLI prints it (go-units HumanDuration, with "ago" or after "Up "). */
const RELATIVE_TIME = /\b(Less than a second|About a minute|About an hour|\d+ (seconds|minutes|hours|days|weeks|months|years)|1 (second|minute|hour|day|week|month|year))( ago)?\b/g;

/**
 * The same output, exit status and error text; where the text differs, it may
 * differ only in relative times, and in the padding of the table cells that
 * hold them (a column is as wide as its widest cell).
 */
function sameOutput(ours: CliResult, theirs: CliResult): boolean {
  if (ours.code !== theirs.code || ours.stderr !== theirs.stderr) return false;
  if (ours.stdout === theirs.stdout) return true;
  const cells = (text: string) => text.replace(RELATIVE_TIME, "<time>").replace(/ {2,}/g, "  ");
  return cells(ours.stdout) === cells(theirs.stdout);
}
