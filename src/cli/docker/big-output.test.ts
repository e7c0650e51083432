// Huge output end to end from the host's shell (issue 6): it streams through
// `docker run` at the reader's pace, and each container keeps a bounded tail
// of it for `docker logs`.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { LOG_LIMIT_BYTES } from "../../runtime/index.ts";
import { dockerTestBed } from "./test-bed.ts";

/** Lines of 1,000 y's: toybox's `yes` writes a line at a time, so long lines keep the kernel's write count low. */
const LINES = "s=yyyyyyyyyy; s=$s$s$s$s$s$s$s$s$s$s; s=$s$s$s$s$s$s$s$s$s$s; yes $s";
const BIG = 50_000_000;
/** 49,950 lines of 1,001 bytes, then 50 y's without a newline. */
const LAST_LINES = `${"y".repeat(1000)}\n${"y".repeat(50)}`;

describe("huge output", () => {
  const bed = dockerTestBed({ timeoutMs: 60_000 });
  const { docker } = bed;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Runs a host script, counting its output's bytes (and keeping its end) instead of holding all of it; reading starts when `reading` settles. */
  async function counted(script: string, reading: Promise<unknown> = Promise.resolve()) {
    const process = await bed.host.spawn(["sh", "-c", script]);
    await process.closeStdin();
    let bytes = 0;
    let end = new Uint8Array();
    const out = (async () => {
      await reading;
      for await (const chunk of process.stdout) {
        bytes += chunk.length;
        end = new Uint8Array([...end.subarray(-2000), ...chunk.subarray(-2000)]).subarray(-2000);
      }
    })();
    const { exitCode } = await process.wait();
    await out;
    return { exitCode, bytes, end: new TextDecoder().decode(end) };
  }

  it("streams 50 MB through docker run, and keeps only the log's tail", async () => {
    const run = await counted(`docker run --name big alpine sh -c '${LINES} | head -c ${BIG}'`);
    assert.equal(run.exitCode, 0);
    assert.equal(run.bytes, BIG);
    assert.ok(run.end.endsWith(LAST_LINES), run.end);
    const logs = bed.engine.runtime.get("big").logs;
    assert.ok(logs.bytes <= LOG_LIMIT_BYTES, `${logs.bytes} bytes of log kept`);
    assert.ok(logs.bytes >= LOG_LIMIT_BYTES / 2, `only ${logs.bytes} bytes of log kept`);
  });

  it("prints the tail it keeps with docker logs, and counts --tail's lines in it", async () => {
    const kept = bed.engine.runtime.get("big").logs.bytes;
    const all = await counted("docker logs big");
    assert.equal(all.exitCode, 0);
    assert.equal(all.bytes, kept);
    assert.ok(all.end.endsWith(LAST_LINES), all.end);
    const tail = await docker("logs", "--tail", "2", "big");
    assert.equal(tail.stdout, LAST_LINES);
    await docker("rm", "big");
  });

  it("holds a container back while nobody reads its docker run", async () => {
    let read!: () => void;
    const reading = new Promise<void>((resolve) => (read = resolve));
    const run = counted("docker run --name held alpine head -c 20000000 /dev/zero", reading);
    for (let i = 0; i < 200 && !bed.engine.runtime.list().some((c) => c.name === "held"); i++) await pause(25);
    await pause(1000);
    // Unheld, it would have written all 20 MB (and filled its log) within that second.
    assert.ok(bed.engine.runtime.isRunning("held"));
    const written = bed.engine.runtime.get("held").logs.bytes;
    assert.ok(written < 2 * 1024 ** 2, `${written} bytes written with nobody reading`);
    read();
    const done = await run;
    assert.equal(done.exitCode, 0);
    assert.equal(done.bytes, 20_000_000);
    await docker("rm", "held");
  });

  it("keeps a bounded log for a detached cat /dev/urandom, binary as written", async () => {
    await docker("run", "-d", "--name", "rand", "alpine", "cat", "/dev/urandom");
    await pause(1500);
    await docker("kill", "rand");
    const logs = bed.engine.runtime.get("rand").logs;
    assert.ok(logs.bytes <= LOG_LIMIT_BYTES && logs.bytes >= LOG_LIMIT_BYTES / 2, `${logs.bytes} bytes of log kept`);
    const printed = await counted("docker logs rand");
    assert.equal(printed.bytes, logs.bytes);
    await docker("rm", "rand");
  });
});
