// docker stats and docker update from the host's shell: real containers'
// counters (CPU time of a spinning shell, memory a shell holds, PIDs) in
// Docker's columns, and limits changed on a running container.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { dockerTestBed } from "./test-bed.ts";

const HEADER = "CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O   BLOCK I/O   PIDS";
const UPDATE_USAGE = "\n\nUsage:  docker update [OPTIONS] CONTAINER [CONTAINER...]\n\nRun 'docker update --help' for more information\n";

/** "1.125MiB" -> bytes, as Go's units.BytesSize wrote it. */
function bytesOf(size: string): number {
  const match = /^([\d.]+)(B|KiB|MiB|GiB)$/.exec(size);
  assert.ok(match, `not a size: ${size}`);
  return Number(match[1]) * 1024 ** ["B", "KiB", "MiB", "GiB"].indexOf(match[2]!);
}

describe("docker stats and docker update", () => {
  const bed = dockerTestBed();
  const { docker } = bed;

  it("shows a spinning container's CPU, a shell's memory and the PIDs in Docker's columns", async () => {
    assert.equal((await docker("run", "-d", "--name", "spin", "alpine", "sh", "-c", "while :; do :; done")).exitCode, 0);
    // The shell holds a 3 MB string and its child sleeps: two processes, one of them big.
    const holder = "x=$(head -c 3000000 /dev/zero | tr '\\0' a); sleep 1000";
    assert.equal((await docker("run", "-d", "--name", "holder", "-m", "64m", "alpine", "sh", "-c", holder)).exitCode, 0);
    assert.equal((await docker("run", "-d", "--name", "idle", "alpine", "sleep", "1000")).exitCode, 0);
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const r = await docker("stats", "--no-stream");
    assert.equal(r.exitCode, 0, r.stderr);
    const [header, ...rows] = r.stdout.trimEnd().split("\n");
    assert.equal(header, HEADER);
    const byName = new Map(rows.map((row) => row.split(/ {3,}/)).map((cells) => [cells[1], cells]));
    assert.deepEqual([...byName.keys()].sort(), ["holder", "idle", "spin"]);
    const percent = (cell: string) => Number(/^(\d+\.\d\d)%$/.exec(cell)![1]);

    const [spinId, , spinCpu, , , net, block, spinPids] = byName.get("spin")!;
    assert.match(spinId!, /^[0-9a-f]{12}$/);
    assert.ok(percent(spinCpu!) > 50, `a spinning shell used ${spinCpu} of a CPU`);
    assert.deepEqual([net, block, spinPids], ["0B / 0B", "0B / 0B", "1"]);
    assert.ok(percent(byName.get("idle")![2]!) < 20, `a sleeping container used ${byName.get("idle")![2]}`);

    const [used, limit] = byName.get("holder")![3]!.split(" / ");
    assert.equal(limit, "64MiB");
    assert.ok(bytesOf(used!) > 3_000_000, `the holder uses ${used}`);
    assert.ok(bytesOf(used!) > bytesOf(byName.get("idle")![3]!.split(" / ")[0]!) + 2_000_000);
    // MEM % is of the exact usage; the column shows it to four digits.
    assert.ok(Math.abs(percent(byName.get("holder")![4]!) - (bytesOf(used!) / (64 * 1024 ** 2)) * 100) < 0.1);
    assert.equal(byName.get("holder")![7], "2");
    assert.equal(byName.get("idle")![3]!.split(" / ")[1], "2GiB");
  });

  it("lists stopped containers with -a at zero, takes --format and names, and streams frames", async () => {
    assert.equal((await docker("run", "--name", "done", "alpine", "true")).exitCode, 0);
    const all = await docker("stats", "--no-stream", "-a", "--format", "{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.MemPerc}} {{.PIDs}}");
    assert.ok(all.stdout.split("\n").includes("done 0.00% 0B / 0B 0.00% 0"), all.stdout);
    assert.ok(!(await docker("stats", "--no-stream", "--format", "{{.Name}}")).stdout.split("\n").includes("done"));

    const json = await docker("stats", "--no-stream", "--no-trunc", "--format", "json", "idle");
    const row = JSON.parse(json.stdout);
    assert.deepEqual(Object.keys(row), ["BlockIO", "CPUPerc", "Container", "ID", "MemPerc", "MemUsage", "Name", "NetIO", "PIDs"]);
    assert.equal(row.Container, "idle");
    assert.match(row.ID, /^[0-9a-f]{64}$/);

    // Streaming until the caller goes (here: run's timeout kills the docker guest).
    const stream = await bed.host.run(["docker", "stats", "idle", "spin"], { timeoutMs: 2_500 });
    const frames = stream.stdout.split("\x1b[H").slice(1);
    assert.ok(frames.length >= 2, `${frames.length} frames`);
    for (const frame of frames) {
      assert.ok(frame.startsWith(`${HEADER} \x1b[K\n`), JSON.stringify(frame));
      assert.ok(frame.endsWith(" \x1b[K\n\x1b[J"), JSON.stringify(frame));
      assert.equal(frame.split("\n").length, 5);
    }

    const missing = await docker("stats", "--no-stream", "nope");
    assert.deepEqual([missing.exitCode, missing.stderr], [1, "Error response from daemon: No such container: nope\n"]);
  });

  it("updates a running container's pids limit at once, and records --cpus and --cpu-shares", async () => {
    assert.equal((await docker("run", "-d", "--name", "few", "--pids-limit", "2", "alpine", "sleep", "1000")).exitCode, 0);
    // The container's sleep and the exec'd shell are two: the shell's child is refused.
    const refused = await docker("exec", "few", "sh", "-c", "sleep 0; echo status=$?");
    assert.equal(refused.stdout, "status=126\n");
    const update = await docker("update", "--pids-limit", "5", "--cpus", "1.5", "-c", "512", "few");
    assert.deepEqual([update.exitCode, update.stdout, update.stderr], [0, "few\n", ""]);
    assert.equal((await docker("exec", "few", "sh", "-c", "sleep 0; echo status=$?")).stdout, "status=0\n");
    const inspect = await docker("inspect", "-f", "{{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}}", "few");
    assert.equal(inspect.stdout, "5 1500000000 512\n");
  });

  it("answers mistakes in Docker's words", async () => {
    const cases: [string[], number, string][] = [
      [["update", "few"], 1, "you must provide one or more flags when using this command\n"],
      [["update", "--cpus", "abc", "few"], 125, `invalid argument "abc" for "--cpus" flag: failed to parse abc as a rational number${UPDATE_USAGE}`],
      [["update", "--cpus", "0.0000000001", "few"], 125, `invalid argument "0.0000000001" for "--cpus" flag: value is too precise${UPDATE_USAGE}`],
      [["update", "--cpus", "64", "few"], 1, `Error response from daemon: Range of CPUs is from 0.01 to ${bed.kernel.cpus}.00, as there are only ${bed.kernel.cpus} CPUs available\n`],
      [["update", "--pids-limit", "3", "few", "nope"], 1, "Error response from daemon: No such container: nope\n"],
    ];
    for (const [args, status, stderr] of cases) {
      const r = await docker(...args);
      assert.deepEqual([r.exitCode, r.stderr], [status, stderr], args.join(" "));
    }
    const memory = await docker("update", "-m", "64m", "few");
    assert.equal(memory.exitCode, 1);
    assert.match(memory.stderr, /^Error response from daemon: Cannot update container [0-9a-f]{64}: Berth sets a process's memory limit when it starts/);
    // Stopped, it takes the new memory limit, and holds it at the next start.
    await docker("stop", "-t", "0", "few");
    assert.equal((await docker("update", "-m", "64m", "few")).exitCode, 0);
    assert.equal((await docker("inspect", "-f", "{{.HostConfig.Memory}}", "few")).stdout, `${64 * 1024 ** 2}\n`);
  });
});
