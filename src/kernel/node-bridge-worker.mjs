// Entry of every SDK worker in Node: the SDK's own worker, plus the worker half
// of the host filesystem bridge, which the SDK's Node build leaves out (DESIGN.md).
import { readlinkSync } from "node:fs";
import { parentPort } from "node:worker_threads";

// Which OS thread this worker is, so the kernel can account its CPU time to the
// machine it works for (worker-watch.ts). Only Linux says: elsewhere, nothing is sent.
try {
  const thread = Number(readlinkSync("/proc/thread-self").split("/").pop());
  if (Number.isInteger(thread)) parentPort?.postMessage({ type: "berth-thread", thread });
} catch {
  // No /proc: CPU time stays unmeasured.
}

const dist = new URL(".", import.meta.resolve("@wasmer/sdk/node"));
await import(new URL("node-worker.js", dist).href);
const { installHostFileSystemWorkerBridge } = await import(new URL("host-filesystem.js", dist).href);
installHostFileSystemWorkerBridge();
