// -f/--filter of docker ps, docker images and docker volume ls, typed at the
// host's shell: the filters the Engine API applies, in the same words.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { dockerTestBed } from "./test-bed.ts";

describe("docker ps, images and volume ls with --filter", () => {
  const bed = dockerTestBed();
  const lines = async (...args: string[]) => {
    const r = await bed.docker(...args);
    assert.equal(r.exitCode, 0, `docker ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.split("\n").filter(Boolean);
  };

  it("lists the containers the filters name, quietly too", async () => {
    const up = (await lines("run", "-d", "--name", "up", "-l", "role=server", "alpine", "sleep", "300"))[0]!;
    await lines("run", "--name", "ok", "-v", "cache:/cache", "alpine", "true");
    await bed.docker("run", "--name", "bad", "alpine", "sh", "-c", "exit 2");
    assert.deepEqual(await lines("ps", "-q", "-f", "label=role=server"), [up.slice(0, 12)]);
    assert.deepEqual(await lines("ps", "-q", "-f", "name=ok"), []);
    assert.deepEqual(await lines("ps", "-a", "--format", "{{.Names}}", "-f", "name=ok"), ["ok"]);
    assert.deepEqual(await lines("ps", "--format", "{{.Names}} {{.State}}", "--filter", "exited=2", "--filter", "status=exited"), ["bad exited"]);
    assert.deepEqual(await lines("ps", "-a", "--format", "{{.Names}}", "-f", "volume=cache"), ["ok"]);
    assert.deepEqual(await lines("container", "ls", "-aq", "--no-trunc", "-f", `id=${up.slice(0, 5)}`), [up]);
    assert.deepEqual(await lines("ps", "-a", "--format", "{{.Names}}", "-f", "since=ok"), ["bad"]);
    assert.deepEqual(await lines("ps", "-a", "--format", "{{.Names}}", "-f", "before=bad"), ["ok", "up"]);
    await bed.docker("rm", "-f", "up");
  });

  it("takes docker images' REPOSITORY[:TAG] as a reference filter", async () => {
    await lines("tag", "alpine", "local/tools:1");
    const alpine = await lines("images", "-q", "alpine");
    assert.equal(alpine.length, 1);
    assert.deepEqual(await lines("images", "-q", "local/tools:1"), alpine);
    assert.deepEqual(await lines("images", "--format", "{{.Repository}}:{{.Tag}}", "-f", "reference=local/*"), ["local/tools:1"]);
    assert.deepEqual(await lines("images", "--format", "{{.Repository}}:{{.Tag}}", "local/tools:2"), []);
    assert.deepEqual(await lines("images", "-q", "-f", "dangling=true"), []);
  });

  it("lists the volumes the filters name", async () => {
    await lines("volume", "create", "--label", "keep=yes", "kept");
    assert.deepEqual(await lines("volume", "ls", "-q", "-f", "label=keep"), ["kept"]);
    assert.deepEqual(await lines("volume", "ls", "-q", "-f", "dangling=true", "-f", "name=^ke"), ["kept"]);
    assert.deepEqual(await lines("volume", "ls", "-q", "-f", "dangling=false", "-f", "name=kept"), []);
  });

  it("refuses a filter in the words of the docker CLI and dockerd", async () => {
    const unknown = await bed.docker("ps", "-f", "bogus=1");
    assert.deepEqual([unknown.exitCode, unknown.stderr], [1, "Error response from daemon: invalid filter 'bogus'\n"]);
    const status = await bed.docker("ps", "-f", "status=sleeping");
    assert.equal(status.stderr, "Error response from daemon: invalid filter 'status=sleeping': invalid value for state (sleeping): must be one of created, running, paused, restarting, removing, exited, dead\n");
    const images = await bed.docker("images", "--filter", "bogus=1");
    assert.deepEqual([images.exitCode, images.stderr], [1, "Error response from daemon: invalid filter 'bogus'\n"]);
    const dangling = await bed.docker("volume", "ls", "-f", "dangling=perhaps");
    assert.deepEqual([dangling.exitCode, dangling.stderr], [1, "Error response from daemon: invalid filter 'dangling=[perhaps]'\n"]);
    const unparsed = await bed.docker("volume", "ls", "-f", "dangling");
    assert.equal(unparsed.exitCode, 125);
    assert.equal(
      unparsed.stderr,
      'invalid argument "dangling" for "-f, --filter" flag: bad format of filter (expected name=value)\n\nUsage:  docker volume ls [OPTIONS]\n\nRun \'docker volume ls --help\' for more information\n',
    );
  });
});
