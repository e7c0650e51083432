/**
 * `npm run bench` (containers part): the engine in one Node process, booted
 * as the `berth` CLI boots it, driven through the host's `docker` command
 * (the guest binary, the docker device, the TypeScript CLI), the path a
 * command typed at the host's prompt takes. Measured in one run:
 *
 * - container-start: `docker run --rm alpine true` as a ratio to the native
 *   floor, `unshare -p -f -m -u -n -i chroot ROOTFS /bin/true` on a
 *   busybox-static root filesystem: medians of 50 runs each, interleaved;
 *   goal <= 5x.
 * - 50-containers: 50 `docker run -d alpine sleep 1000` at once, the time until
 *   all are started and the process's RSS after (the SDK's workers are threads
 *   of this process, so it is the whole engine's).
 *
 * The native floor runs in a process of its own (bench/native-floor.ts) and
 * needs busybox-static (`sh scripts/bootstrap.sh --bench` installs it).
 */
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";

import { bootNodePlayground } from "../src/cli/node-playground.ts";
import { bootNodeKernel } from "../src/kernel/node-index.ts";
import type { NativeFloorReady, NativeFloorRun } from "./native-floor.ts";

const RUNS = 50;
const CONTAINERS = 50;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The next message from the native floor's process; rejects if it dies first. */
async function reply<T>(child: ChildProcess): Promise<T> {
  const settled = new AbortController();
  try {
    const [message] = (await Promise.race([
      once(child, "message", { signal: settled.signal }),
      once(child, "exit", { signal: settled.signal }).then(([code]) => Promise.reject(new Error(`bench/native-floor.ts exited ${code}`))),
    ])) as [T];
    return message;
  } finally {
    settled.abort();
  }
}

// Forked before the engine boots, while this process is small (see native-floor.ts).
const floor = fork("bench/native-floor.ts", { execArgv: ["--import", "tsx"] });
const { unshared } = await reply<NativeFloorReady>(floor);

const kernel = await bootNodeKernel();
try {
  const { host } = await bootNodePlayground(kernel);
  const docker = async (...args: string[]) => {
    const result = await host.machine.run(["docker", ...args], { timeoutMs: 120_000 });
    if (result.exitCode !== 0) throw new Error(`docker ${args.join(" ")}: exit ${result.exitCode}: ${result.stderr}`);
    return result.stdout;
  };

  await docker("pull", "alpine");
  const starts: number[] = [];
  const natives: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await docker("run", "--rm", "alpine", "true");
    starts.push(performance.now() - t0);
    floor.send("run");
    natives.push((await reply<NativeFloorRun>(floor)).ms);
  }
  floor.disconnect();
  const berthMs = median(starts);
  const nativeMs = median(natives);
  const against = unshared ? "native" : "native: chroot only, unshare is not permitted here";
  console.log(`container-start: ${berthMs.toFixed(1)} ms (${(berthMs / nativeMs).toFixed(1)}× ${against})`);
  console.log(
    `  medians of ${RUNS}, interleaved; native floor ${nativeMs.toFixed(1)} ms (${unshared ? "unshare -p -f -m -u -n -i " : ""}chroot ROOTFS /bin/true, busybox-static)`,
  );

  const rssBeforeMb = process.memoryUsage().rss / 1024 ** 2;
  const t0 = performance.now();
  const ids = (await Promise.all(Array.from({ length: CONTAINERS }, () => docker("run", "-d", "alpine", "sleep", "1000")))).map((out) => out.trim());
  const seconds = (performance.now() - t0) / 1000;
  const rssMb = process.memoryUsage().rss / 1024 ** 2;
  const running = (await docker("ps", "-q")).split("\n").filter(Boolean).length;
  if (running !== CONTAINERS) throw new Error(`${running} containers running, expected ${CONTAINERS}`);
  console.log(`${CONTAINERS}-containers: ${seconds.toFixed(1)} s, ${rssMb.toFixed(0)} MB`);
  console.log(`  RSS before them ${rssBeforeMb.toFixed(0)} MB: ${((rssMb - rssBeforeMb) / CONTAINERS).toFixed(1)} MB per container`);
  await docker("rm", "-f", ...ids);
} finally {
  if (floor.connected) floor.disconnect();
  await kernel.close();
}
