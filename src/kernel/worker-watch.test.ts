import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { WorkerWatch } from "./worker-watch.ts";

/** A stand-in for the SDK's worker: records what it is sent; the test speaks for it. */
class FakeWorker {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  terminated = false;
  postMessage(_message: unknown): void {}
  terminate(): void {
    this.terminated = true;
  }
}

const INSTANCE_A = { memory: "a" };
const INSTANCE_B = { memory: "b" };

/** Workers as the SDK makes them (init, then its handler), and the SDK's side of their talk. */
function sdk(watch: WorkerWatch, instance: object = INSTANCE_A) {
  const Watched = watch.wrap(FakeWorker);
  const seen: unknown[] = [];
  return {
    worker() {
      const worker = new Watched("worker.js") as FakeWorker;
      worker.postMessage({ type: "init", memory: instance, id: 1 });
      worker.onmessage = (event) => seen.push(event.data);
      return worker;
    },
    /** The kernel's scope posts a process's task to `worker`, which takes it. */
    task(worker: FakeWorker) {
      worker.postMessage(["objects", { type: "spawn-wasm", ptr: "1" }, null]);
      worker.onmessage!({ data: { type: "busy" } });
    },
    /** `parent`'s guest asks to spawn a child (the scheduler message that precedes its task). */
    guestSpawn(parent: FakeWorker) {
      parent.onmessage!({ data: { type: "scheduler", msg: ["objects", { type: "spawn-wasm", ptr: "2" }, null] } });
    },
    idle(worker: FakeWorker) {
      worker.onmessage!({ data: { type: "idle" } });
    },
    seen,
  };
}

const fast = () => new WorkerWatch({ graceMs: 20, patienceMs: 200 });

describe("worker watch", () => {
  it("passes every message on to the SDK's handler", () => {
    const watch = fast();
    const s = sdk(watch);
    const w = s.worker();
    s.task(w);
    s.idle(w);
    assert.deepEqual(s.seen, [{ type: "busy" }, { type: "idle" }]);
  });

  it("ties a task posted during a spawn from JavaScript to its machine, and a guest's child to its parent's", async () => {
    const watch = fast();
    const s = sdk(watch);
    const [root, child, idle] = [s.worker(), s.worker(), s.worker()];
    const box = watch.newOwner();
    await watch.spawning(box, async () => s.task(root));
    s.guestSpawn(root);
    s.task(child);
    assert.deepEqual(watch.busyWorkers().map((owners) => [...owners]), [[box], [box]]);
    watch.closed(box);
    await watch.settled();
    assert.deepEqual([root.terminated, child.terminated, idle.terminated], [true, true, false]);
    assert.equal(watch.terminated, 2);
  });

  it("terminates only workers still busy after the grace period", async () => {
    const watch = fast();
    const s = sdk(watch);
    const [ends, spins] = [s.worker(), s.worker()];
    const box = watch.newOwner();
    await watch.spawning(box, async () => s.task(ends));
    await watch.spawning(box, async () => s.task(spins));
    watch.closed(box);
    s.idle(ends); // killed in a system call: its process ends
    await watch.settled();
    assert.deepEqual([ends.terminated, spins.terminated], [false, true]);
  });

  it("leaves a worker whose task may be an open machine's when requests crossed", async () => {
    const watch = fast();
    const s = sdk(watch);
    const [parent, spawned] = [s.worker(), s.worker()];
    const [closing, open] = [watch.newOwner(), watch.newOwner()];
    await watch.spawning(closing, async () => s.task(parent));
    // The guest's request and a spawn from JavaScript for another machine are pending at once.
    s.guestSpawn(parent);
    await watch.spawning(open, async () => s.task(spawned));
    assert.deepEqual(new Set(watch.busyWorkers()[1]), new Set([closing, open]));
    watch.closed(closing);
    await watch.settled();
    assert.deepEqual([parent.terminated, spawned.terminated], [true, false]);
  });

  it("settles a task's machine by its first file call on one of the machine's mounts", async () => {
    const watch = fast();
    const s = sdk(watch);
    const [parent, spawned] = [s.worker(), s.worker()];
    const [closing, open] = [watch.newOwner(), watch.newOwner()];
    watch.mounted(closing, [7]);
    watch.mounted(open, [8]);
    await watch.spawning(closing, async () => s.task(parent));
    s.guestSpawn(parent);
    await watch.spawning(open, async () => s.task(spawned));
    assert.equal(watch.busyWorkers()[1]!.size, 2);
    spawned.onmessage!({ data: { type: "wasmer-filesystem-rpc", mount: 7, method: "open" } });
    assert.deepEqual([...watch.busyWorkers()[1]!], [closing]);
    watch.closed(closing);
    await watch.settled();
    assert.deepEqual([parent.terminated, spawned.terminated], [true, true]);
  });

  it("forgets a spawn from JavaScript that failed before its task", async () => {
    const watch = fast();
    const s = sdk(watch);
    const w = s.worker();
    const [failed, next] = [watch.newOwner(), watch.newOwner()];
    await assert.rejects(watch.spawning(failed, async () => Promise.reject(new Error("no such command"))));
    await watch.spawning(next, async () => s.task(w));
    assert.deepEqual(watch.busyWorkers().map((owners) => [...owners]), [[next]]);
  });

  it("terminates every worker of one SDK instance and none of another's", async () => {
    const watch = fast();
    const [a, b] = [sdk(watch, INSTANCE_A), sdk(watch, INSTANCE_B)];
    const [a1, a2, b1] = [a.worker(), a.worker(), b.worker()];
    const [ownerA, ownerB] = [watch.newOwner(), watch.newOwner()];
    await watch.spawning(ownerA, async () => a.task(a1));
    await watch.spawning(ownerB, async () => b.task(b1));
    watch.terminateInstance([ownerA]);
    assert.deepEqual([a1.terminated, a2.terminated, b1.terminated], [true, true, false]);
  });

  it("accounts a measured thread's CPU time while busy to the machine it is busy for, and keeps its message from the SDK", async () => {
    const watch = fast();
    const cpu = new Map<number, number>([[7, 1_000], [8, 0]]);
    watch.measureThreads((thread) => cpu.get(thread));
    const s = sdk(watch);
    const [a, b] = [s.worker(), s.worker()];
    a.onmessage!({ data: { type: "berth-thread", thread: 7 } });
    b.onmessage!({ data: { type: "berth-thread", thread: 8 } });
    assert.deepEqual(s.seen, []);
    const [one, two] = [watch.newOwner(), watch.newOwner()];
    cpu.set(7, 5_000); // while idle: the SDK's own, no machine's
    await watch.spawning(one, async () => s.task(a));
    await watch.spawning(two, async () => s.task(b));
    cpu.set(7, 8_000);
    cpu.set(8, 500);
    assert.deepEqual([watch.cpuTime(one), watch.cpuTime(two)], [3_000, 500]);
    cpu.set(7, 9_000);
    s.idle(a);
    cpu.set(7, 20_000); // idle again
    assert.deepEqual([watch.cpuTime(one), watch.cpuTime(two)], [4_000, 500]);
  });

  it("gives a filesystem answering a guest's call the CPU clock of that guest's thread, and none outside a call", async () => {
    const watch = fast();
    const cpu = new Map<number, number>([[7, 1_000], [8, 50]]);
    watch.measureThreads((thread) => cpu.get(thread));
    const Watched = watch.wrap(FakeWorker);
    const clocks: ((() => number | undefined) | undefined)[] = [];
    const worker = (thread: number) => {
      const w = new Watched("worker.js") as FakeWorker;
      // The SDK answers a file call inside its handler, as the bridge does.
      w.onmessage = (event) => {
        if ((event.data as { type?: string }).type === "wasmer-filesystem-rpc") clocks.push(watch.clockOfCaller());
      };
      w.onmessage!({ data: { type: "berth-thread", thread } });
      return w;
    };
    const [a, b] = [worker(7), worker(8)];
    b.onmessage!({ data: { type: "wasmer-filesystem-rpc", mount: 1 } });
    a.onmessage!({ data: { type: "wasmer-filesystem-rpc", mount: 1 } });
    assert.equal(watch.clockOfCaller(), undefined);
    cpu.set(7, 4_000);
    assert.deepEqual(clocks.map((clock) => clock?.()), [50, 4_000]);
  });

  it("knows no CPU time where threads cannot be measured", async () => {
    const watch = fast();
    const s = sdk(watch);
    const w = s.worker();
    const box = watch.newOwner();
    await watch.spawning(box, async () => s.task(w));
    assert.equal(watch.cpuTime(box), undefined);
  });

  it("wraps a scope's Worker class once", () => {
    const watch = fast();
    const scope: { Worker?: unknown } = { Worker: FakeWorker };
    watch.install(scope);
    const wrapped = scope.Worker;
    watch.install(scope);
    assert.equal(scope.Worker, wrapped);
    assert.notEqual(wrapped, FakeWorker);
  });
});
