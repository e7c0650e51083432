// GET /containers/{id}/stats and POST /containers/{id}/update, judged by the
// official docker CLI: `docker stats` computes its columns from Berth's JSON
// exactly as from dockerd's, and `docker update` changes a running container.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { daemonTestBed } from "./daemon-test-bed.ts";

describe("stats and update through berth daemon, driven by the official docker CLI", () => {
  const bed = daemonTestBed();
  const docker = (...args: string[]) => bed.docker(args);

  /** One GET on the daemon's socket: status and body text. */
  const get = async (urlPath: string) => {
    const { status, text } = await bed.request("GET", urlPath);
    return { status, body: text };
  };

  it("docker stats --no-stream: a spinning container's CPU %, memory against its limit, PIDs", async () => {
    assert.equal((await docker("run", "-d", "--name", "spin", "-m", "32m", "alpine", "sh", "-c", "while :; do :; done")).code, 0);
    assert.equal((await docker("run", "-d", "--name", "idle", "alpine", "sleep", "1000")).code, 0);
    const r = await docker("stats", "--no-stream", "--format", "{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.NetIO}}|{{.BlockIO}}|{{.PIDs}}");
    assert.equal(r.code, 0, r.stderr);
    const rows = new Map(r.stdout.trim().split("\n").map((line) => [line.split("|")[0], line.split("|")]));
    const [, cpu, memory, net, block, pids] = rows.get("spin")!;
    assert.ok(Number.parseFloat(cpu!) > 50, `spin at ${cpu}`);
    assert.match(memory!, /^\d+(\.\d+)?(KiB|MiB) \/ 32MiB$/);
    assert.deepEqual([net, block, pids], ["0B / 0B", "0B / 0B", "1"]);
    assert.ok(Number.parseFloat(rows.get("idle")![1]!) < 20);
  });

  it("streams one reading a second, each with the one before as precpu; one-shot answers at once", async () => {
    const stream = await get("/v1.47/containers/spin/stats?stream=0");
    assert.equal(stream.status, 200);
    const reading = JSON.parse(stream.body);
    assert.equal(reading.name, "/spin");
    assert.ok(reading.cpu_stats.cpu_usage.total_usage > reading.precpu_stats.cpu_usage.total_usage);
    assert.ok(reading.cpu_stats.system_cpu_usage > reading.precpu_stats.system_cpu_usage);
    assert.equal(reading.cpu_stats.online_cpus, bed.engine.runtime.kernel.cpus);
    assert.equal(reading.memory_stats.limit, 32 * 1024 ** 2);
    assert.equal(reading.pids_stats.current, 1);
    const oneShot = JSON.parse((await get("/v1.47/containers/spin/stats?stream=0&one-shot=1")).body);
    assert.equal(oneShot.precpu_stats.cpu_usage.total_usage, 0);
    assert.equal((await get("/v1.47/containers/nope/stats?stream=0")).status, 404);
  });

  it("docker update: the pids limit of a running container at once, --cpus and --cpu-shares recorded, dockerd's refusals", async () => {
    const update = await docker("update", "--pids-limit", "7", "--cpus", "0.5", "--cpu-shares", "256", "idle");
    assert.deepEqual([update.code, update.stdout, update.stderr], [0, "idle\n", ""]);
    const inspect = await docker("inspect", "-f", "{{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}}", "idle");
    assert.equal(inspect.stdout, "7 500000000 256\n");
    const pids = JSON.parse((await get("/v1.47/containers/idle/stats?stream=0&one-shot=1")).body).pids_stats;
    assert.deepEqual(pids, { current: 1, limit: 7 });
    const tooMany = await docker("update", "--cpus", "64", "idle");
    assert.equal(tooMany.code, 1);
    assert.match(tooMany.stderr, /^Error response from daemon: Range of CPUs is from 0\.01 to \d+\.00, as there are only \d+ CPUs available\n$/);
    const memory = await docker("update", "-m", "64m", "idle");
    assert.equal(memory.code, 1);
    assert.match(memory.stderr, /Cannot update container [0-9a-f]{64}: Berth sets a process's memory limit when it starts/);
  });
});
