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
 * - big-output: 100 MB of `yes` lines through `docker run` (container, runtime,
 *   docker device, the guest `docker`, the host's pipe, read here as it comes):
 *   MB/s as a ratio to the same pipeline run on the host without a container
 *   (medians of 3, interleaved), and for each the peak growth of the process's
 *   RSS (mostly the kernel's own, which grows with the guests' writes) and of
 *   its JavaScript heap and array buffers (the engine's buffering), sampled
 *   every 100 ms.
 *
 * The native floor runs in a process of its own (bench/native-floor.ts) and
 * needs busybox-static (`sh scripts/bootstrap.sh --bench` installs it).
 */
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";

import { bootNodePlayground } from "../src/cli/node-playground.ts";
import type { Machine } from "../src/kernel/index.ts";
import { bootNodeKernel } from "../src/kernel/node-index.ts";
import { LOG_LIMIT_BYTES } from "../src/runtime/index.ts";
import type { NativeFloorReady, NativeFloorRun } from "./native-floor.ts";

const RUNS = 50;
const CONTAINERS = 50;
const BIG_OUTPUT = 100_000_000;
const BIG_RUNS = 3;
/** Lines of 1,000 y's (toybox's `yes` writes a line at a time; short lines would measure the kernel's writes). */
const BIG_LINES = `s=yyyyyyyyyy; s=$s$s$s$s$s$s$s$s$s$s; s=$s$s$s$s$s$s$s$s$s$s; yes $s | head -c ${BIG_OUTPUT}`;

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

interface Streamed {
  readonly mbPerSecond: number;
  /** Peak growth over the start, MB. */
  readonly rssMb: number;
  readonly heapAndBuffersMb: number;
}

/** Runs a host script, reading its output (which must be BIG_OUTPUT bytes) as it comes. */
async function streamed(host: Machine, script: string): Promise<Streamed> {
  const js = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const start = { rss: process.memoryUsage().rss, js: js() };
  const peak = { ...start };
  const sampler = setInterval(() => {
    peak.rss = Math.max(peak.rss, process.memoryUsage().rss);
    peak.js = Math.max(peak.js, js());
  }, 100);
  try {
    const t0 = performance.now();
    const child = await host.spawn(["sh", "-c", script]);
    await child.closeStdin();
    let bytes = 0;
    for await (const chunk of child.stdout) bytes += chunk.length;
    const { exitCode } = await child.wait();
    if (exitCode !== 0 || bytes !== BIG_OUTPUT) throw new Error(`${script}: exit ${exitCode}, ${bytes} bytes`);
    const mb = (bytes: number) => bytes / 1024 ** 2;
    return { mbPerSecond: bytes / 1e6 / ((performance.now() - t0) / 1000), rssMb: mb(peak.rss - start.rss), heapAndBuffersMb: mb(peak.js - start.js) };
  } finally {
    clearInterval(sampler);
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

  const bare: Streamed[] = [];
  const big: Streamed[] = [];
  for (let i = 0; i < BIG_RUNS; i++) {
    bare.push(await streamed(host.machine, BIG_LINES));
    big.push(await streamed(host.machine, `docker run --rm alpine sh -c '${BIG_LINES}'`));
  }
  const med = (runs: Streamed[], key: keyof Streamed) => median(runs.map((r) => r[key]));
  console.log(
    `big-output: ${med(big, "mbPerSecond").toFixed(1)} MB/s through docker run (${(med(big, "mbPerSecond") / med(bare, "mbPerSecond")).toFixed(2)}× the pipeline on the host), peak heap and buffers +${med(big, "heapAndBuffersMb").toFixed(0)} MB, RSS +${med(big, "rssMb").toFixed(0)} MB`,
  );
  console.log(
    `  ${BIG_OUTPUT / 1e6} MB of yes lines, medians of ${BIG_RUNS}; the host's pipeline ${med(bare, "mbPerSecond").toFixed(1)} MB/s, heap and buffers +${med(bare, "heapAndBuffersMb").toFixed(0)} MB, RSS +${med(bare, "rssMb").toFixed(0)} MB; logs keep ${LOG_LIMIT_BYTES / 1024 ** 2} MiB a container`,
  );
} finally {
  if (floor.connected) floor.disconnect();
  await kernel.close();
}
