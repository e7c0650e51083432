import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { MountedFsError, type OpenOptions } from "../kernel/index.ts";
import { MemoryFileSystem } from "./memory-fs.ts";
import { readAll } from "./mounted-fs.contract.ts";
import { createProcFs, type ProcProcess } from "./procfs.ts";
import { UnionDirectory } from "./union-dir.ts";

describe("/proc", () => {
  const boot = Date.UTC(2025, 0, 1);
  let processes: ProcProcess[] = [];
  const proc = createProcFs({
    hostname: () => "box",
    bootTime: boot,
    now: () => boot + 5000,
    memoryLimit: 1024 ** 3,
    memoryUsed: () => 0,
    mounts: () => [],
    processes: () => processes,
  });

  it("has a directory per process, in step with the table", () => {
    processes = [
      { pid: 1, ppid: 0, args: ["sh", "-c", "sleep 9"], startedAt: boot + 1500 },
      { pid: 7, ppid: 1, args: ["/bin/sleep", "9"], startedAt: boot + 2000, nsPids: [1] },
    ];
    const pids = () => proc.readDir("").filter((e) => /^\d+$/.test(e.name)).map((e) => e.name).sort();
    assert.deepEqual(pids(), ["1", "7"]);
    assert.deepEqual(proc.readDir("7").map((e) => e.name).sort(), ["cmdline", "comm", "stat", "statm", "status"]);
    processes = [processes[1]!];
    assert.deepEqual(pids(), ["7"]);
    assert.throws(() => proc.stat("1/stat"), { code: "ENOENT" });
  });

  it("writes stat, status, cmdline and comm as Linux does", async () => {
    processes = [{ pid: 7, ppid: 1, args: ["/bin/sleep", "9"], startedAt: boot + 2000, nsPids: [1] }];
    const stat = (await readAll(proc, "7/stat")).split(" ");
    assert.deepEqual(stat.slice(0, 4), ["7", "(sleep)", "S", "1"]);
    assert.equal(stat[21], "200", "starttime in clock ticks after boot");
    assert.equal(stat.length, 52);
    assert.equal(await readAll(proc, "7/cmdline"), "/bin/sleep\x009\x00");
    assert.equal(await readAll(proc, "7/comm"), "sleep\n");
    const status = await readAll(proc, "7/status");
    assert.match(status, /^Name:\tsleep\n/);
    assert.match(status, /\nPid:\t7\nPPid:\t1\n/);
    assert.match(status, /\nNSpid:\t7\t1\n/);
    assert.equal(await readAll(proc, "loadavg"), "0.00 0.00 0.00 1/1 7\n");
  });

  it("keeps its other files", async () => {
    assert.equal(await readAll(proc, "sys/kernel/hostname"), "box\n");
    assert.ok(proc.readDir("").some((e) => e.name === "meminfo"));
  });
});

describe("a union of directories", () => {
  it("serves each path from the first member that has it, with handles kept apart", async () => {
    const a = MemoryFileSystem.from({ one: "from a", both: "a wins" });
    const b = MemoryFileSystem.from({ two: "from b", both: "b loses" });
    const union = new UnionDirectory([a, b]);
    assert.deepEqual((await union.readDir("")).map((e) => e.name).sort(), ["both", "one", "two"]);
    assert.equal(await readAll(union, "one"), "from a");
    assert.equal(await readAll(union, "two"), "from b");
    assert.equal(await readAll(union, "both"), "a wins");
    await assert.rejects(async () => union.stat("three"), { code: "ENOENT" });
  });

  it("creates a new file in the first member that accepts it", async () => {
    // The host's /run/berth: the docker device creates nothing, the process hooks their question files.
    class NoCreate extends MemoryFileSystem {
      override open(path: string, options: OpenOptions): number {
        if (options.create || options.createNew) throw new MountedFsError("EACCES", path);
        return super.open(path, options);
      }
    }
    const refusing = new NoCreate();
    const accepting = new MemoryFileSystem();
    const union = new UnionDirectory([refusing, accepting]);
    const create = { read: true, write: true, create: true, createNew: true, truncate: false, append: false };
    await union.close(await union.open("new", create));
    assert.deepEqual(accepting.readDir("").map((e) => e.name), ["new"]);
    await assert.rejects(async () => new UnionDirectory([refusing]).open("new", create), { code: "EACCES" });
    await assert.rejects(async () => union.open("missing", { ...create, create: false, createNew: false }), { code: "ENOENT" });
  });
});
