import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { readAll } from "../fs/mounted-fs.contract.ts";
import type { KernelProcess, Machine } from "../kernel/index.ts";
import { ProcessTable } from "./process-table.ts";
import { ProcHookDevice, unescapeArg } from "./proc-hook.ts";

const RW = { read: true, write: true, create: false, createNew: false, truncate: false, append: true };
const CREATE = { read: true, write: true, create: true, createNew: true, truncate: false, append: false };
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (data: Uint8Array) => new TextDecoder().decode(data);
let questions = 0;
const questionFile = () => `ask.${(++questions).toString(16).padStart(16, "0")}`;

/** Writes lines as libcompat asks a question (a file of its own, then removed) and returns the answer. */
async function hook(device: ProcHookDevice, lines: string): Promise<string> {
  const file = questionFile();
  const handle = device.open(file, CREATE);
  device.write(handle, 0, bytes(lines));
  const reply = text(device.read(handle, 0, 64));
  device.close(handle);
  device.remove(file);
  return reply;
}

describe("process table", () => {
  it("numbers a container's processes from 1 and gives each a global host PID", async () => {
    const table = new ProcessTable();
    const host = table.host;
    assert.equal(await hook(host.device, "alloc 0\n"), "pid 1\n");
    await hook(host.device, "start 1 0 sh\n");
    const box = table.createNamespace("c1");
    assert.equal(await hook(box.device, "alloc 0\n"), "pid 1\n");
    await hook(box.device, "start 1 0 sh -c sleep\\0401000\n");
    assert.equal(await hook(box.device, "alloc 1\n"), "pid 2\n");
    await hook(box.device, "start 2 1 sleep 1000\n");
    assert.deepEqual(
      box.list().map((p) => [p.pid, p.hostPid, p.ppid, p.args.join(" ")]),
      [
        [1, 2, 0, "sh -c sleep 1000"],
        [2, 3, 1, "sleep 1000"],
      ],
    );
    assert.deepEqual(
      table.list().map((p) => [p.pid, p.ppid, p.namespacePid, p.containerId]),
      [
        [1, 0, 1, null],
        [2, 0, 1, "c1"],
        [3, 2, 2, "c1"],
      ],
    );
  });

  it("lists a process only once it has started, and forgets it at its exit", async () => {
    const ns = new ProcessTable().createNamespace("c");
    await hook(ns.device, "alloc 0\n");
    assert.deepEqual(ns.list(), []);
    await hook(ns.device, "start 1 0 sh\n");
    assert.equal(ns.list().length, 1);
    await hook(ns.device, "exit 1 0\n");
    assert.deepEqual(ns.list(), []);
  });

  it("sums its processes' memory as each last reported it (a cgroup's memory.current)", async () => {
    const table = new ProcessTable();
    const ns = table.createNamespace("c");
    await hook(ns.device, "alloc 0\nalloc 1\n");
    await hook(ns.device, "start 1 0 sh\nmem 1 1114112\nstart 2 1 tail\nmem 2 1179648\n");
    await hook(ns.device, "mem 2 20971520\nmem 2 lots\nmem 1\nmem 9 65536\n");
    assert.equal(ns.memoryUsage(), 1114112 + 20971520);
    assert.equal(table.memoryUsage(), ns.memoryUsage());
    assert.equal(ns.processCount, 2);
    await hook(ns.device, "exit 2 0\n");
    assert.equal(ns.memoryUsage(), 1114112);
  });

  it("keeps the PID across exec: a second start replaces the program", async () => {
    const ns = new ProcessTable().createNamespace("c");
    await hook(ns.device, "alloc 0\n");
    await hook(ns.device, "start 1 0 env sleep 5\nstart 1 0 sleep 5\n");
    assert.deepEqual(ns.list().map((p) => p.args), [["sleep", "5"]]);
  });

  it("reads each process's CPU time from the clock of the guest that wrote its start line, across exec", async () => {
    // One clock per guest (its worker's thread), as Kernel.cpuClockOfCaller gives while a hook line is read.
    const clocks = new Map<string, number>([["sh", 5e9], ["yes", 7e9], ["cat", 2e9]]);
    let writer = "sh";
    const table = new ProcessTable(() => {
      const guest = writer;
      return () => clocks.get(guest);
    });
    const box = table.createNamespace("c1");
    await hook(box.device, "alloc 0\n");
    await hook(box.device, "start 1 0 sh\n");
    writer = "yes";
    await hook(box.device, "alloc 1\n");
    await hook(box.device, "start 2 1 yes\n");
    clocks.set("sh", 5.5e9);
    clocks.set("yes", 9e9);
    const cpu = () => box.list().map((p) => [p.pid, p.cpuTime]);
    assert.deepEqual(cpu(), [[1, 0.5e9], [2, 2e9]]);
    // pid 2 execs cat, a new guest: its time goes on from what yes used.
    writer = "cat";
    await hook(box.device, "start 2 1 cat\n");
    clocks.set("cat", 3e9);
    clocks.delete("sh"); // a clock that cannot be read keeps the last figure
    assert.deepEqual(cpu(), [[1, 0.5e9], [2, 3e9]]);
  });

  it("says whether Ctrl-C ends a tree: not while one of its processes takes Ctrl-C itself", async () => {
    const ns = new ProcessTable().createNamespace("c");
    // Tree 1: sh -c running a program that goes raw; tree 3 (an exec'd root): its own.
    await hook(ns.device, "alloc 0\nstart 1 0 sh -c vi\nalloc 1\nstart 2 1 vi\nalloc 0\nstart 3 0 probe burn\n");
    assert.deepEqual([ns.ctrlCEnds(1), ns.ctrlCEnds(3)], [true, true]);
    await hook(ns.device, "intr 2 1\n");
    assert.deepEqual([ns.ctrlCEnds(1), ns.ctrlCEnds(3)], [false, true]);
    await hook(ns.device, "intr 2 0\n");
    assert.equal(ns.ctrlCEnds(1), true);
    // A program that catches SIGINT, then execs one that does not (it starts with SIGINT's default).
    await hook(ns.device, "intr 1 1\n");
    assert.equal(ns.ctrlCEnds(1), false);
    await hook(ns.device, "start 1 0 probe burn\n");
    assert.equal(ns.ctrlCEnds(1), true);
    await hook(ns.device, "intr 2 1\nexit 2 0\n");
    assert.equal(ns.ctrlCEnds(1), true, "a process that ended takes nothing");
    assert.equal(ns.ctrlCEnds(9), false, "no such root");
  });

  it("drops a root's whole tree when the kernel reports it gone, and everything at close", async () => {
    const table = new ProcessTable();
    const ns = table.createNamespace("c");
    await hook(ns.device, "alloc 0\nstart 1 0 sh\nalloc 1\nstart 2 1 sleep 9\nalloc 0\nstart 3 0 sh\nalloc 3\nstart 4 3 ps\n");
    ns.dropTree(3);
    assert.deepEqual(ns.list().map((p) => p.pid), [1, 2]);
    ns.close();
    assert.deepEqual(ns.list(), []);
    assert.deepEqual(table.list(), []);
    assert.equal(await hook(ns.device, "alloc 0\n"), "refused\n", "no PIDs after close");
  });

  it("gives orphans to PID 1, as Linux does", async () => {
    const ns = new ProcessTable().createNamespace("c");
    await hook(ns.device, "alloc 0\nstart 1 0 sh\nalloc 1\nstart 2 1 sh\nalloc 2\nstart 3 2 sleep 9\nexit 2 0\n");
    assert.deepEqual(ns.list().map((p) => [p.pid, p.ppid]), [[1, 0], [3, 1]]);
  });

  it("refuses a guest's alloc at the pids limit and once closed, and frees a slot at an exit", async () => {
    const ns = new ProcessTable().createNamespace("c");
    ns.pidsLimit = 2;
    assert.equal(await hook(ns.device, "alloc 0\n"), "pid 1\n");
    assert.equal(await hook(ns.device, "alloc 1\n"), "pid 2\n");
    assert.equal(await hook(ns.device, "alloc 1\n"), "refused\n");
    // A child started without a pid asks as a root: the limit holds for it too.
    assert.equal(await hook(ns.device, "alloc 0\n"), "refused\n");
    await hook(ns.device, "exit 2 0\n");
    assert.equal(await hook(ns.device, "alloc 1\n"), "pid 3\n");
    // The engine's own roots (a container's main process, docker exec) are not refused.
    assert.equal(ns.allocate(0), 4);
    ns.pidsLimit = 0;
    ns.close();
    assert.equal(await hook(ns.device, "alloc 1\n"), "refused\n");
  });

  it("ignores lines that do not parse and never throws on them", async () => {
    const ns = new ProcessTable().createNamespace("c");
    for (const line of ["", "start", "start x 0 a", "start 1", "exit", "exit -1 0", "alloc", "alloc x", "alloc 1 2", "bogus 1 2", "start 99999999999 0 a"]) {
      assert.equal(await hook(ns.device, `${line}\n`), "", line);
    }
    assert.deepEqual(ns.list(), []);
  });

  it("joins lines split over writes and answers on the same descriptor", () => {
    const ns = new ProcessTable().createNamespace("c");
    const handle = ns.device.open("proc", RW);
    ns.device.write(handle, 0, bytes("all"));
    ns.device.write(handle, 3, bytes("oc 0\n"));
    assert.equal(text(ns.device.read(handle, 0, 64)), "pid 1\n");
    assert.equal(ns.device.read(handle, 0, 64).length, 0);
  });

  it("keeps a question's answer in its own file, whoever opens proc meanwhile", () => {
    // The kernel shares one host handle among a file's openers: on proc, a second
    // open between write and read took the answer (a refused alloc read as none).
    const ns = new ProcessTable().createNamespace("c");
    ns.pidsLimit = 1;
    ns.allocate(0);
    const file = questionFile();
    const asking = ns.device.open(file, CREATE);
    ns.device.write(asking, 0, bytes("alloc 1\n"));
    const other = ns.device.open("proc", RW);
    ns.device.write(other, 0, bytes("start 1 0 sh\n"));
    const again = ns.device.open(file, RW);
    assert.equal(text(ns.device.read(again, 8, 64)), "refused\n");
    ns.device.close(asking);
    ns.device.close(again);
    ns.device.remove(file);
    assert.throws(() => ns.device.stat(file), { code: "ENOENT" });
  });

  it("serves proc and the question files guests create, and nothing else", async () => {
    const device = new ProcessTable().host.device;
    assert.deepEqual(device.readDir(""), [{ name: "proc", kind: "file", size: 0 }]);
    const file = questionFile();
    device.close(device.open(file, CREATE));
    assert.deepEqual(device.readDir("").map((e) => e.name), ["proc", file]);
    assert.throws(() => device.open(file, CREATE), { code: "EEXIST" });
    device.remove(file);
    assert.throws(() => device.open("other", { ...RW, create: true }), { code: "EACCES" });
    assert.throws(() => device.open("ask.0", CREATE), { code: "EACCES" });
    assert.throws(() => device.remove("proc"), { code: "EACCES" });
    assert.throws(() => device.stat("nope"), { code: "ENOENT" });
    assert.equal(await readAll(device, "proc"), "");
  });

  it("forgets the oldest question files a killed guest left behind", () => {
    const device = new ProcessTable().host.device;
    const first = questionFile();
    device.open(first, CREATE);
    for (let i = 0; i < 256; i++) device.open(questionFile(), CREATE);
    assert.throws(() => device.stat(first), { code: "ENOENT" });
    assert.equal(device.readDir("").length, 257);
  });

  it("undoes libcompat's escapes", () => {
    assert.equal(unescapeArg("a\\040b\\134c\\011d\\012"), "a b\\c\td\n");
  });

  it("starts roots with their PID in the environment and drops their tree when they end", async () => {
    const ns = new ProcessTable().createNamespace("c");
    let env: Record<string, string> | undefined;
    let finish!: () => void;
    const ended = new Promise<void>((resolve) => (finish = resolve));
    const fake: KernelProcess = {
      id: 1,
      write: async () => {},
      closeStdin: async () => {},
      stdout: (async function* () {})(),
      stderr: null,
      resize: () => {},
      wait: async () => {
        await ended;
        return { exitCode: 137, reason: "terminated" };
      },
      kill: async () => finish(),
      terminate: async () => finish(),
    };
    const machine: Machine = {
      run: async () => ({ exitCode: 0, reason: "exited", stdout: "", stderr: "" }),
      spawn: async (_argv, options) => {
        env = options?.env as Record<string, string>;
        return fake;
      },
      cpuTime: () => undefined,
      close: async () => {},
    };
    const { pid, process } = await ns.spawn(machine, ["sh"], { env: { A: "1" } });
    assert.equal(pid, 1);
    assert.deepEqual(env, { A: "1", BERTH_PID: "1", BERTH_PPID: "0" });
    await hook(ns.device, "start 1 0 sh\nalloc 1\nstart 2 1 sleep 9\n");
    assert.equal(ns.list().length, 2);
    await process.kill(); // the kernel ends the tree: no exit lines come
    await process.wait();
    assert.deepEqual(ns.list(), []);
  });
});
