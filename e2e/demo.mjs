// A Playwright demo of a Berth playground, for docs authors to copy:
//
//   node e2e/demo.mjs [URL]     (default http://127.0.0.1:8080/, as `npm start` serves it)
//
// It opens the page in Chromium, waits for the prompt, runs commands in the
// visible terminal as if typed, prints each one's output and exit status, and
// saves a screenshot. Needs playwright-core and a Chromium (CHROMIUM_PATH).
import { chromium } from "playwright-core";

const url = process.argv[2] ?? "http://127.0.0.1:8080/";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.evaluate(() => customElements.whenDefined("berth-playground"));
  const playground = page.locator("berth-playground").first();
  await playground.evaluate((element) => element.ready);

  for (const command of ["uname -a", "docker run --rm alpine cat /etc/os-release", "docker run --rm --hostname demo alpine hostname"]) {
    const { output, exitCode } = await playground.evaluate((element, text) => element.run(text), command);
    console.log(`$ ${command}\n${output}(exit ${exitCode})\n`);
  }
  await page.screenshot({ path: process.env.DEMO_SCREENSHOT ?? "berth-demo.png" });
} finally {
  await browser.close();
}
