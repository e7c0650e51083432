/**
 * `npm run bench` (runaway part): containers whose program computes without
 * a system call, which only the worker watch can end (src/kernel/worker-watch.ts).
 * Measured in one run:
 *
 * - kill-spinning: `docker kill` of a container running `probe burn` (the test
 *   userland's loop without system calls), until the container has exited and
 *   until the process's CPU is idle again, beside the kill of one that sleeps;
 *   medians of 5. Goals: exited within 1 s, idle within 3 s.
 * - spin-kill-cycles: the process's RSS after 20 spin/kill cycles against
 *   before them (the SDK's workers are threads of this process).
 */
import { bootNodePlayground } from "../src/cli/node-playground.ts";
import { bootNodeKernel } from "../src/kernel/node-index.ts";
import { workerWatch } from "../src/kernel/worker-watch.ts";

const SAMPLES = 5;
const CYCLES = 20;
/** CPU use below this share of one core counts as idle. */
const IDLE_SHARE = 0.2;
const IDLE_WINDOW_MS = 100;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Milliseconds from `since` until a window of IDLE_WINDOW_MS uses less than IDLE_SHARE of a core. */
async function untilIdle(since: number): Promise<number> {
  for (;;) {
    const before = process.cpuUsage();
    const t = performance.now();
    await pause(IDLE_WINDOW_MS);
    const used = process.cpuUsage(before);
    if ((used.user + used.system) / 1000 / (performance.now() - t) < IDLE_SHARE) return performance.now() - since;
    if (performance.now() - since > 30_000) throw new Error("the CPU never went idle");
  }
}

const kernel = await bootNodeKernel({ includeTestCommands: true });
try {
  const { host } = await bootNodePlayground(kernel);
  const docker = async (...args: string[]) => {
    const result = await host.machine.run(["docker", ...args], { timeoutMs: 120_000 });
    if (result.exitCode !== 0) throw new Error(`docker ${args.join(" ")}: exit ${result.exitCode}: ${result.stderr}`);
    return result.stdout;
  };
  const started = async (id: string, line: RegExp) => {
    while (!line.test(await docker("logs", id))) await pause(10);
  };
  await docker("pull", "alpine");

  /** [ms until exited, ms until idle] for a kill of a container running `cmd`. */
  const killed = async (cmd: string[], ready: RegExp) => {
    const id = (await docker("run", "-d", "alpine", ...cmd)).trim();
    await started(id, ready);
    await pause(200);
    const t0 = performance.now();
    await docker("kill", id);
    const exited = performance.now() - t0;
    const idle = await untilIdle(t0);
    await workerWatch.settled();
    await docker("rm", id);
    return [exited, idle] as const;
  };
  const spinning: (readonly [number, number])[] = [];
  const sleeping: (readonly [number, number])[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    spinning.push(await killed(["probe", "burn"], /^ready/));
    sleeping.push(await killed(["sh", "-c", "echo ready; sleep 1000"], /^ready/));
  }
  const [spinExited, spinIdle] = [median(spinning.map((s) => s[0])), median(spinning.map((s) => s[1]))];
  const [sleepExited, sleepIdle] = [median(sleeping.map((s) => s[0])), median(sleeping.map((s) => s[1]))];
  console.log(
    `kill-spinning: exited in ${spinExited.toFixed(0)} ms, CPU idle in ${spinIdle.toFixed(0)} ms ` +
      `(${(spinExited / sleepExited).toFixed(1)}× and ${(spinIdle / sleepIdle).toFixed(1)}× a sleeping container's kill)`,
  );
  console.log(`  medians of ${SAMPLES}; a sleeping container's: exited in ${sleepExited.toFixed(0)} ms, idle in ${sleepIdle.toFixed(0)} ms`);

  const rssBeforeMb = process.memoryUsage().rss / 1024 ** 2;
  const terminatedBefore = workerWatch.terminated;
  for (let i = 0; i < CYCLES; i++) {
    const id = (await docker("run", "-d", "alpine", "probe", "burn")).trim();
    await started(id, /^ready/);
    await docker("rm", "-f", id);
  }
  await workerWatch.settled();
  const rssAfterMb = process.memoryUsage().rss / 1024 ** 2;
  console.log(`spin-kill-cycles: RSS ${rssAfterMb.toFixed(0)} MB after ${CYCLES} cycles (${(rssAfterMb / rssBeforeMb).toFixed(2)}× ${rssBeforeMb.toFixed(0)} MB before)`);
  console.log(`  ${workerWatch.terminated - terminatedBefore} workers terminated; busy now: ${workerWatch.busyWorkers().length}`);
} finally {
  await kernel.close();
}
