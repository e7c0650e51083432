/**
 * `npm run bench` (page part): the built site in headless Chromium, measured
 * in one run. Cold page load to the interactive prompt (median of 5, fresh
 * profile each) against a floor page that only boots the SDK from the same
 * server and runs one small program; warm reload; bytes transferred and gzip
 * sizes; `docker run --rm alpine true` inside the page (median of 20).
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";

import { launchBrowser, playground, serveSite } from "../e2e/harness.ts";

const SITE_DIR = path.resolve("dist/web");
const COLD_RUNS = 5;
const DOCKER_RUNS = 20;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

// The site plus the floor page, served alike.
const dir = mkdtempSync(path.join(tmpdir(), "berth-bench-"));
cpSync(SITE_DIR, dir, { recursive: true });
cpSync("bench/floor", dir, { recursive: true });
const site = await serveSite({ dir });

try {
  const cold: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    {
      const browser = await launchBrowser();
      const page = await browser.newPage();
      await page.goto(site.url);
      cold.push(await page.evaluate(async () => {
        await customElements.whenDefined("berth-playground");
        await document.querySelector("berth-playground")!.ready;
        return performance.now();
      }));
      await browser.close();
    }
    {
      const browser = await launchBrowser();
      const page = await browser.newPage();
      await page.goto(new URL("floor.html", site.url).href);
      const result = await page.evaluate(() => (window as unknown as { floorDone: Promise<{ at: number; output: string }> }).floorDone);
      if (result.output.trim() !== "floor") throw new Error(`floor page printed ${JSON.stringify(result.output)}`);
      floor.push(result.at);
      await browser.close();
    }
  }

  // Bytes in a cold load of their own: asking for each request's sizes is
  // traffic of its own, which the timed loads (and the floor's) do without.
  let transferred = 0;
  {
    const browser = await launchBrowser();
    const page = await browser.newPage();
    const sizes: Promise<number>[] = [];
    page.on("requestfinished", (request) => {
      sizes.push(request.sizes().then((s) => s.responseBodySize + s.responseHeadersSize, () => 0));
    });
    await page.goto(site.url);
    await playground(page).ready();
    for (const size of await Promise.all(sizes)) transferred += size;
    await browser.close();
  }

  const browser = await launchBrowser();
  const page = await browser.newPage();
  await page.goto(site.url);
  await playground(page).ready();
  await page.reload();
  const warm = await page.evaluate(async () => {
    await customElements.whenDefined("berth-playground");
    await document.querySelector("berth-playground")!.ready;
    return performance.now();
  });
  const pg = playground(page);
  await pg.run("docker pull alpine");
  const dockerRuns: number[] = [];
  for (let i = 0; i < DOCKER_RUNS; i++) {
    const t0 = Date.now();
    const { exitCode } = await pg.run("docker run --rm alpine true");
    if (exitCode !== 0) throw new Error(`docker run exited ${exitCode}`);
    dockerRuns.push(Date.now() - t0);
  }
  await browser.close();

  const coldMs = median(cold);
  const floorMs = median(floor);
  console.log(`page-to-prompt: ${coldMs.toFixed(0)} ms (${(coldMs / floorMs).toFixed(2)}× floor; floor ${floorMs.toFixed(0)} ms; cold runs ${cold.map((v) => v.toFixed(0)).join(", ")})`);
  console.log(`warm reload to prompt: ${warm.toFixed(0)} ms`);
  console.log(`transferred (cold, uncompressed as served): ${kb(transferred)}`);
  // The elements' code and the engine's (beside the Worker's first script) are chunks with hashed names.
  const chunks = (name: string) => walk(SITE_DIR).filter((f) => f.startsWith(`${name}-`) && f.endsWith(".js"));
  const pieces = ["sdk/pkg/wasmer_sdk_js_bg.wasm", "berth.js", ...chunks("berth-playground"), "engine-worker.js", ...chunks("worker-main"), "sdk/pkg/wasmer_sdk_js.js", "wasm/toybox.wasm", "wasm/sh.wasm", "wasm/docker.wasm", "fixtures.json"];
  let gzipTotal = 0;
  for (const file of walk(SITE_DIR).filter((f) => !f.endsWith(".map"))) gzipTotal += gzipSync(readFileSync(path.join(SITE_DIR, file))).length;
  console.log(`gzip: ${pieces.map((p) => `${p} ${kb(gzipSync(readFileSync(path.join(SITE_DIR, p))).length)}`).join(", ")}; whole site without source maps ${kb(gzipTotal)}`);
  console.log(`docker run --rm alpine true in the page: ${median(dockerRuns)} ms (median of ${DOCKER_RUNS})`);
} finally {
  await site.close();
  rmSync(dir, { recursive: true, force: true });
}

function walk(root: string, rel = ""): string[] {
  return readdirSync(path.join(root, rel)).flatMap((name) => {
    const child = path.join(rel, name);
    return statSync(path.join(root, child)).isDirectory() ? walk(root, child) : [child];
  });
}
