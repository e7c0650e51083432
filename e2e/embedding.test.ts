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
      await page.locator("berth-playground").getByRole("button", { name: "Restart" }).click();
      await waitForLastLine(page, /^root@berth:~#$/);
      assert.deepEqual(await pg.run("echo restarted"), { output: "restarted\n", exitCode: 0 });
    } finally {
      await browser.close();
    }
  });
});
