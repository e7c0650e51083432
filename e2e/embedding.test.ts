// Embedding: two playgrounds on one page (own hosts and engines, one kernel
// Worker), the service-worker fallback on a server without the isolation
// headers, and a clear message where isolation is impossible.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { launchBrowser, playground, screenshot, serveSite, waitForLastLine, type Site } from "./harness.ts";

describe("embedding the playground", () => {
  let site: Site;
  let plainSite: Site;
  before(async () => {
    site = await serveSite();
    plainSite = await serveSite({ isolationHeaders: false });
  });
  after(async () => {
    await site?.close();
    await plainSite?.close();
  });

  it("gives two playgrounds on one page their own hosts and engines on one kernel Worker", async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const workers: string[] = [];
      page.on("worker", (worker) => workers.push(worker.url()));
      await page.goto(new URL("embed-example.html", site.url).href);
      const [first, second] = [playground(page, 0), playground(page, 1)];
      await Promise.all([first.ready(), second.ready()]);
      await first.waitForText("alpine");
      const made = await first.run("docker run -d --name only-in-first alpine sleep 1000");
      assert.equal(made.exitCode, 0, made.output);
      assert.match((await first.run("docker ps")).output, /only-in-first/);
      assert.doesNotMatch((await second.run("docker ps -a")).output, /only-in-first/);
      assert.match((await second.run("docker images")).output, /^REPOSITORY/);
      // The Engine API in the page: the same routes as berth daemon, on each playground's own engine.
      const listed = await first.engineRequest("GET", "/v1.47/containers/json");
      assert.equal(listed.status, 200);
      assert.deepEqual(JSON.parse(listed.text).map((c: { Names: string[] }) => c.Names), [["/only-in-first"]]);
      const pulled = await second.engineRequest("POST", "/images/create?fromImage=alpine&tag=latest");
      assert.match(pulled.text, /"status":"Status: (Downloaded newer|Image is up to date) image for alpine:latest"/);
      const created = await second.engineRequest("POST", "/containers/create?name=from-api", { Image: "alpine", Cmd: ["sleep", "1000"] });
      assert.equal(created.status, 201, created.text);
      assert.equal((await second.engineRequest("POST", "/containers/from-api/start")).status, 204);
      assert.match((await second.run("docker ps --format '{{.Names}} {{.Command}}'")).output, /^from-api "sleep 1000"$/m);
      assert.doesNotMatch((await first.run("docker ps -a")).output, /from-api/);
      const missing = await second.engineRequest("GET", "/containers/nope/json");
      assert.deepEqual([missing.status, JSON.parse(missing.text)], [404, { message: "No such container: nope" }]);
      // Attach without a socket: the output it had (logs=1) as the body, the stream left out.
      const said = await second.engineRequest("POST", "/containers/create?name=said", { Image: "alpine", Cmd: ["echo", "from the page"] });
      assert.equal(said.status, 201, said.text);
      assert.equal((await second.engineRequest("POST", "/containers/said/start")).status, 204);
      assert.equal((await second.engineRequest("POST", "/containers/said/wait")).text, '{"StatusCode":0}\n');
      const attached = await second.engineRequest("POST", "/containers/said/attach?logs=1&stdout=1");
      // Docker's multiplexed frames: [stream 1 = stdout, 0, 0, 0, size u32 BE] then the bytes.
      assert.match(attached.text, /^\u0001\u0000\u0000\u0000/);
      assert.equal(attached.text.replace(/\u0001\u0000\u0000\u0000[\s\S]{4}/g, ""), "from the page\n");
      assert.equal(workers.filter((url) => url.endsWith("/engine-worker.js")).length, 1);
      await screenshot(page, "two-playgrounds");
      assert.deepEqual(browser.errors, []);
    } finally {
      await browser.close();
    }
  });

  it("becomes cross-origin isolated through its service worker where the server sends no headers", async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(plainSite.url);
      // The first load installs the worker and reloads once; the page then runs.
      await page.waitForFunction(() => crossOriginIsolated, undefined, { timeout: 20_000, polling: 100 });
      const pg = playground(page);
      await pg.ready();
      assert.deepEqual(await pg.run("echo isolated"), { output: "isolated\n", exitCode: 0 });
    } finally {
      await browser.close();
    }
  });

  it("says why it cannot start where the page cannot be isolated", async () => {
    const browser = await launchBrowser({ serviceWorkers: "block" });
    try {
      const page = await browser.newPage();
      await page.goto(plainSite.url);
      const alert = page.locator("berth-playground").getByRole("alert");
      await alert.waitFor();
      assert.match(await alert.innerText(), /not cross-origin isolated/);
      await screenshot(page, "not-isolated");
    } finally {
      await browser.close();
    }
  });

  it("shows a stopped kernel and restarts it, never freezing silently", async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(site.url);
      const pg = playground(page);
      await pg.ready();
      const engineWorker = page.workers().find((worker) => worker.url().endsWith("/engine-worker.js"));
      assert.ok(engineWorker, "no engine Worker");
      await engineWorker.evaluate(() => setTimeout(() => {
        throw new Error("simulated engine crash");
      }));
      const alert = page.locator("berth-playground").getByRole("alert");
      await alert.waitFor();
      assert.match(await alert.innerText(), /The kernel stopped: .*simulated engine crash/);
      await screenshot(page, "kernel-stopped");
      // Stopped means stopped: nothing (the X-ray's polling, say) starts a new kernel before Restart.
      await page.waitForTimeout(2000);
      assert.equal(page.workers().filter((worker) => worker.url().endsWith("/engine-worker.js")).length, 0);
      assert.deepEqual(browser.errors, []);
      await page.locator("berth-playground").getByRole("button", { name: "Restart" }).click();
      await waitForLastLine(page, /^root@berth:~#$/);
      assert.deepEqual(await pg.run("echo restarted"), { output: "restarted\n", exitCode: 0 });
    } finally {
      await browser.close();
    }
  });
});
