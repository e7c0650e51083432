import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

import { Wasmer } from "@wasmer/sdk/node";

import { createKernel, type Kernel } from "./kernel.ts";
import { wrapSandboxFactory } from "./sandbox-mounts.ts";
import { useHostFsResponder } from "./host-fs-bridge.ts";
import { NodeWorkerAdapter, respondToHostFileSystem, setWorkerUrl } from "./sdk-internals.ts";
import { loadUserland } from "./userland-node.ts";
import type { Userland } from "./userland.ts";
import { workerWatch } from "./worker-watch.ts";

const BRIDGE_WORKER_URL = new URL("./node-bridge-worker.mjs", import.meta.url).href;

/**
 * The Node SDK with the host filesystem bridge: workers start from our entry
 * (which installs the worker half of the bridge) and sandboxes take mounts.
 */
class BridgedWasmer extends Wasmer {
  protected static override async initializeCore(options: ConstructorParameters<typeof Wasmer>[0] = {}) {
    const core = await super.initializeCore(options);
    setWorkerUrl(BRIDGE_WORKER_URL);
    wrapSandboxFactory(core as unknown as Parameters<typeof wrapSandboxFactory>[0]);
    return core;
  }
}

/** Boots the kernel in Node with the userland built on disk (or the one given). */
export async function bootNodeKernel(options: { userland?: Userland; includeTestCommands?: boolean } = {}): Promise<Kernel> {
  const userland = options.userland ?? (await loadUserland({ includeTestCommands: options.includeTestCommands }));
  useHostFsResponder(respondToHostFileSystem);
  // Before the SDK's first worker: the watch must see them all (worker-watch.ts).
  workerWatch.install(globalThis as { Worker?: unknown }, NodeWorkerAdapter);
  workerWatch.measureThreads(threadCpuNanos);
  // No on-disk package cache: our packages are built in memory on every boot.
  const wasmer = await BridgedWasmer.create({ cache: "memory" });
  await wasmer.ready();
  return createKernel(wasmer, userland, { cpus: availableParallelism(), warmUp: true });
}

/** Linux's USER_HZ: the unit of /proc's CPU times, 100 on every architecture's user ABI. */
const CLOCK_TICKS_PER_SECOND = 100;

/** A thread of this process's CPU time (user + system), from /proc/self/task/TID/stat. */
function threadCpuNanos(thread: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/self/task/${thread}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // Fields after the command name's closing parenthesis start at field 3 (state); utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1e9) / CLOCK_TICKS_PER_SECOND : undefined;
}
