/**
 * `npm run bench` (Engine API part): `docker run --rm alpine true` through the
 * official docker CLI against `berth daemon` (a unix socket served from this
 * process), as a ratio to the same command through Berth's own CLI (the
 * host's `docker` command, the path a command typed at the prompt takes), on
 * one engine. Medians of 20 runs each, interleaved. The official CLI's
 * process start, its API version negotiation and the hijacked attach are
 * what the ratio adds.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { createApiHandler } from "../src/api/index.ts";
import { listenApi } from "../src/cli/api-server.ts";
import { bootNodePlayground } from "../src/cli/node-playground.ts";
import { bootNodeKernel } from "../src/kernel/node-index.ts";

const RUNS = 20;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-bench-api-"));
const socket = path.join(dir, "berth.sock");
const kernel = await bootNodeKernel();
try {
  const { host, engine } = await bootNodePlayground(kernel);
  const server = await listenApi(createApiHandler(engine), { kind: "unix", path: socket });
  const berth = async (...args: string[]) => {
    const result = await host.machine.run(["docker", ...args], { timeoutMs: 120_000 });
    if (result.exitCode !== 0) throw new Error(`docker ${args.join(" ")}: exit ${result.exitCode}: ${result.stderr}`);
  };
  const official = (...args: string[]) =>
    new Promise<void>((resolve, reject) => {
      execFile("docker", args, { env: { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: dir }, timeout: 120_000 }, (error, _stdout, stderr) =>
        error ? reject(new Error(`official docker ${args.join(" ")}: ${error.message} ${stderr}`)) : resolve(),
      );
    });
  const timed = async (run: () => Promise<void>) => {
    const t0 = performance.now();
    await run();
    return performance.now() - t0;
  };

  await berth("pull", "alpine");
  // One of each first: the official CLI's first start and the engine's first container are not what is measured.
  await official("run", "--rm", "alpine", "true");
  await berth("run", "--rm", "alpine", "true");
  const officialRuns: number[] = [];
  const berthRuns: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    officialRuns.push(await timed(() => official("run", "--rm", "alpine", "true")));
    berthRuns.push(await timed(() => berth("run", "--rm", "alpine", "true")));
  }
  const officialMs = median(officialRuns);
  const berthMs = median(berthRuns);
  console.log(`api-run: ${officialMs.toFixed(1)} ms through the official CLI and berth daemon (${(officialMs / berthMs).toFixed(2)}× Berth's own CLI)`);
  console.log(`  docker run --rm alpine true, medians of ${RUNS}, interleaved; Berth's own CLI ${berthMs.toFixed(1)} ms`);
  await server.close();
} finally {
  await kernel.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
