// `berth -c`, as a user runs it: a process of its own that must print and exit.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("./berth-main.ts", import.meta.url));

function berth(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", MAIN, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe("berth -c", () => {
  it("prints the script's output and exits with its status", async () => {
    const r = await berth("-c", "echo hello; exit 3");
    assert.deepEqual([r.code, r.stdout], [3, "hello\n"]);
  });

  it("exits though a killed background job still holds the shell's output open", { timeout: 90_000 }, async () => {
    // The kernel keeps a SIGKILLed job's pipe ends: once the shell ended, berth waited for their EOF for ever.
    const r = await berth("-c", "yes >/dev/null & kill -9 $!; echo done");
    assert.deepEqual([r.code, r.stdout], [0, "done\n"]);
    assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
  });
});
