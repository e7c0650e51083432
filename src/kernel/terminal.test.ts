// Terminals and signals under the real SDK: the facts the shell and its line
// editor rely on (wasm/README.md, "Kernel facts"). The probe guest reports
// what it reads and which signals its libcompat signal() handlers saw.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { Kernel, KernelProcess, Machine } from "./index.ts";
import { bootNodeKernel } from "./node-index.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Spawns argv, lets `drive` type at it, and returns its output once it exits (or is killed after 5 s). */
async function session(
  machine: Machine,
  argv: string[],
  drive: (p: KernelProcess) => Promise<void>,
): Promise<{ output: string; exitCode: number | null }> {
  const p = await machine.spawn(argv, { terminal: { columns: 100, rows: 30 } });
  let output = "";
  const reading = (async () => {
    for await (const chunk of p.stdout) output += new TextDecoder().decode(chunk);
  })();
  await pause(300);
  await drive(p);
  const status = await Promise.race([p.wait(), pause(5000).then(() => null)]);
  if (!status) await p.kill();
  await Promise.race([reading, pause(500)]);
  return { output, exitCode: status?.exitCode ?? null };
}

describe("terminals and signals", () => {
  let kernel: Kernel;
  let machine: Machine;
  before(async () => {
    kernel = await bootNodeKernel({ includeTestCommands: true });
    machine = await kernel.createMachine({ env: { PATH: "/bin:/usr/bin" } });
  });
  after(async () => kernel.close());

  it("keeps a terminal one device: stdout and stderr arrive in the order they were written", async () => {
    const script = "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do echo out$i; echo err$i >&2; done";
    const { output } = await session(machine, ["sh", "-c", script], async () => {});
    const expected = Array.from({ length: 20 }, (_, i) => `out${i + 1}\nerr${i + 1}\n`).join("");
    assert.equal(output, expected.replace(/\n/g, "\r\n"));
  });

  it("tells a pipeline stage on a terminal which of its streams are pipes or files (the kernel shows each as a character device), and keeps its errors out of the pipe", async () => {
    const script = "probe isatty | cat; probe isatty > f; cat f; probe isatty; (ls /nonexistent | wc -c) 2>/dev/null; sh -c 'ls /bin' | wc -l";
    const bin = (await machine.run(["sh", "-c", "ls /bin | wc -l"], { timeoutMs: 10_000 })).stdout.trim();
    const { output } = await session(machine, ["sh", "-c", `cd /tmp && ${script}`], async () => {});
    assert.equal(output, ["0=1 1=0 2=1 pipe=0", "0=1 1=0 2=1 pipe=0", "0=1 1=1 2=1 pipe=0", "0", bin, ""].join("\r\n"));
  });

  it("reports a terminal as echo + line buffering with its size, pipes as neither", async () => {
    const piped = await machine.run(["probe", "tty"], { timeoutMs: 10_000 });
    assert.match(piped.stdout, /tty err=0 in=1 out=1 err=1 echo=0 line=0 cols=80 rows=25/);
    const { output } = await session(machine, ["probe", "tty"], async () => {});
    assert.match(output, /tty err=0 in=1 out=1 err=1 echo=1 line=1 cols=100 rows=30/);
  });

  it("gives a raw terminal's bytes as typed, control characters included, without echo", async () => {
    const { output, exitCode } = await session(machine, ["probe", "keys", "raw", "6"], async (p) => {
      for (const key of ["a", "\x1b[A", "\x03", "\x1a"]) {
        await p.write(key);
        await pause(100);
      }
    });
    assert.equal(exitCode, 0);
    // Output as a Linux tty's onlcr leaves it: each newline as CR LF.
    assert.match(output, /echo=0 line=0\r\nread 1: 61\r\n.*read 3: 1b 5b 41\r\n.*read 1: 03\r\n.*read 1: 1a\r\n/s);
  });

  it("edits a cooked line in the SDK: echo, erase with DEL, CR read as LF", async () => {
    const { output } = await session(machine, ["probe", "keys", "3"], async (p) => {
      for (const key of ["a", "b", "\x7f", "c", "\r"]) {
        await p.write(key);
        await pause(50);
      }
    });
    assert.match(output, /ab\x08 \x08c\r\nread 3: 61 63 0a\r\n/);
  });

  it("applies a resize to the terminal size the guest reads", async () => {
    const { output } = await session(machine, ["probe", "keys", "raw", "1"], async (p) => {
      p.resize(120, 40);
      await pause(100);
      await p.write("x");
    });
    assert.match(output, /cols=120 rows=40/);
  });

  it("turns Ctrl-C on a cooked terminal into SIGINT, which ends a process blocked in read() only once the read returns", async () => {
    let exitedEarly = false;
    const { exitCode } = await session(machine, ["probe", "keys", "3"], async (p) => {
      void p.wait().then(() => (exitedEarly = true));
      await p.write("ab\x03");
      await pause(500);
      assert.equal(exitedEarly, false, "ended before its read returned");
      await p.write("\n");
    });
    assert.equal(exitCode, 27);
  });

  it("runs the root process's signal() handler for Ctrl-C while it computes", async () => {
    const { output, exitCode } = await session(machine, ["probe", "signals", "spin", "1"], (p) => p.write("\x03"));
    assert.equal(exitCode, 0);
    assert.match(output, /signal 2 at \d+ms\r\ndone 1\r\n/);
  });

  it("delivers kill() from a parent to its child's signal() handler", async () => {
    const r = await machine.run(["probe", "killchild", "300", "10", "probe", "signals", "spin", "1"], { timeoutMs: 10_000 });
    assert.match(r.stdout, /signal 10 at \d+ms\ndone 1\n/);
    assert.match(r.stdout, /exited 0\n/);
  });

  it("defers a handler while the process is blocked in read(), without interrupting it", async () => {
    const { output } = await session(machine, ["probe", "signals", "read", "1"], async (p) => {
      await p.write("\x03");
      await pause(300);
      await p.write("x\n");
    });
    assert.match(output, /read 2: 78 0a\r\n[\s\S]*signal 2 at/);
  });
});
