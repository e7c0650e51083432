/**
 * What every browser test needs: the built site served by `scripts/serve.mjs`
 * (the same server `npm start` runs), Debian's Chromium driven by
 * playwright-core with a fresh profile, console errors collected, and
 * screenshots under e2e/output/.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium, type BrowserContext, type Page } from "playwright-core";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const OUTPUT_DIR = path.join(ROOT, "e2e/output");

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Site {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves dist/web (or `dir`) on a free port, with or without the isolation headers. */
export async function serveSite(options: { isolationHeaders?: boolean; dir?: string } = {}): Promise<Site> {
  const args = [path.join(ROOT, "scripts/serve.mjs")];
  if (options.dir) args.push("--dir", options.dir);
  if (options.isolationHeaders === false) args.push("--no-isolation-headers");
  const server: ChildProcess = spawn(process.execPath, args, { env: { ...process.env, PORT: "0" }, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    server.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(/(http:\/\/\S+)/);
      if (match) resolve(match[1]!);
    });
    server.once("exit", (code) => reject(new Error(`serve.mjs exited with ${code}: ${out}`)));
  });
  return {
    url,
    close: async () => {
      server.kill();
    },
  };
}

export interface Browser {
  readonly context: BrowserContext;
  /** Console errors and uncaught exceptions of every page so far. */
  readonly errors: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Chromium with a fresh profile (no service worker or cache from an earlier run). */
export async function launchBrowser(options: { serviceWorkers?: "allow" | "block" } = {}): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), "berth-e2e-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 800 },
    serviceWorkers: options.serviceWorkers ?? "allow",
  });
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  };
  context.on("page", watch);
  context.pages().forEach(watch);
  return {
    context,
    errors,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot as e2e/output/NAME.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = path.join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

export interface CommandResult {
  readonly output: string;
  readonly exitCode: number;
}

/** The n-th <berth-playground> of a page, driven through its public API. */
export function playground(page: Page, index = 0) {
  const call = <T>(method: "run" | "type" | "waitForText" | "ready", arg?: string) =>
    page.evaluate(
      async ([i, m, a]) => {
        // berth.js defines the element once its code has loaded, after the kernel started.
        await customElements.whenDefined("berth-playground");
        const element = document.querySelectorAll("berth-playground")[i as number] as unknown as Record<string, unknown>;
        const member = element[m as string];
        return (typeof member === "function" ? (member as (x?: string) => unknown).call(element, a) : member) as Promise<T>;
      },
      [index, method, arg] as const,
    ) as Promise<T>;
  return {
    ready: () => call<void>("ready"),
    run: (command: string) => call<CommandResult>("run", command),
    type: (text: string) => call<void>("type", text),
    waitForText: (text: string) => call<void>("waitForText", text),
    /** The playground's Docker Engine API (its element's engineRequest). */
    engineRequest: (method: string, url: string, body?: unknown) =>
      page.evaluate(
        async ([i, m, u, b]) => {
          await customElements.whenDefined("berth-playground");
          const element = document.querySelectorAll("berth-playground")[i as number] as unknown as {
            engineRequest(method: string, url: string, body?: unknown): Promise<{ status: number; headers: Record<string, string>; text: string }>;
          };
          return element.engineRequest(m as string, u as string, b);
        },
        [index, method, url, body] as const,
      ),
    /** What the terminal shows, scrollback included. */
    screen: () =>
      page.evaluate((i) => {
        const element = document.querySelectorAll("berth-playground")[i]!;
        const terminal = element.shadowRoot!.querySelector("berth-terminal") as unknown as { text(): string };
        return terminal.text();
      }, index),
  };
}

/** Waits until the last non-empty line on a playground's terminal matches. */
export async function waitForLastLine(page: Page, pattern: RegExp, index = 0): Promise<void> {
  await page
    .waitForFunction(
    ([source, flags, i]) => {
      const element = document.querySelectorAll("berth-playground")[i as number]!;
      const terminal = element.shadowRoot!.querySelector("berth-terminal") as unknown as { text(): string };
      const last = terminal.text().trimEnd().split("\n").at(-1) ?? "";
      return new RegExp(source as string, flags as string).test(last);
    },
    [pattern.source, pattern.flags, index] as const,
      { timeout: 15_000, polling: 100 },
    )
    .catch(async (error: Error) => {
      throw new Error(`${error.message}\nwanted a last line like ${pattern}; the terminal shows:\n${await playground(page, index).screen()}`);
    });
}
