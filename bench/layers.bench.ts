/**
 * `npm run bench` (layers part), each typed at the host's prompt (the guest
 * `docker`, the docker device, the CLI, the engine):
 * - `docker build` of the 5-step demo Dockerfile (/root/app: FROM, WORKDIR,
 *   COPY, RUN, ENV, CMD; the RUN in a real container), then its fully cached
 *   rebuild (every step CACHED);
 * - `docker commit` of a container whose writable layer holds 1,000 new
 *   files (the layer tar and the image stored), median of 10 commits of the
 *   same stopped container.
 */
import { bootNodePlayground } from "../src/cli/node-playground.ts";
import { bootNodeKernel } from "../src/kernel/node-index.ts";

const RUNS = 10;
const FILES = 1000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const kernel = await bootNodeKernel();
const { host, engine } = await bootNodePlayground(kernel);
const sh = async (script: string) => {
  const r = await host.machine.run(["sh", "-c", script], { timeoutMs: 120_000 });
  if (r.exitCode !== 0) throw new Error(`${script}: exit ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
};

await sh("docker pull -q alpine");
let t0 = performance.now();
await sh("docker build -q -t app /root/app");
const build = performance.now() - t0;
t0 = performance.now();
const cached = await sh("docker build --progress=plain -t app /root/app 2>&1");
const rebuild = performance.now() - t0;
if ((cached.match(/CACHED/g) ?? []).length < 3) throw new Error(`the rebuild was not cached:\n${cached}`);

await sh(`docker run --name many alpine sh -c 'i=0; while [ $i -lt ${FILES} ]; do echo "file $i" > /root/f$i; i=$((i + 1)); done'`);
const changed = engine.runtime.get("many").rootfs.changes().filter((c) => c.kind === "A").length;
if (changed !== FILES) throw new Error(`the container added ${changed} files, not ${FILES}`);
await sh("docker commit many warmup"); // warm: the docker binary compiled, the image store loaded
const samples: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  await sh(`docker commit many many:${i}`);
  samples.push(performance.now() - t0);
}
await kernel.close();

console.log(`layers bench (Node ${process.version})`);
console.log(`docker build of the 5-step demo Dockerfile                                ${build.toFixed(1).padStart(7)} ms`);
console.log(`its fully cached rebuild                                                  ${rebuild.toFixed(1).padStart(7)} ms`);
console.log(`docker commit of a container with ${FILES} added files (median of ${RUNS})          ${median(samples).toFixed(1).padStart(7)} ms`);
