// Ctrl-C in `docker run -it` (issue 6), typed at the host's terminal as the
// page or the berth command delivers keys: a container whose main process
// does not take Ctrl-C itself ends within a second, even one computing
// without system calls, which the kernel's SIGINT never reaches; one that
// takes it (an interactive shell) stays.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { workerWatch } from "../../kernel/worker-watch.ts";
import { dockerTestBed } from "./test-bed.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("Ctrl-C in docker run -it", () => {
  // `probe burn` is the test userland's loop without system calls.
  const bed = dockerTestBed({ includeTestCommands: true });

  /** Until `check` holds (a loaded machine may take seconds). */
  async function eventually(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
    for (let tries = 0; !(await check()); tries++) {
      assert.ok(tries < 500, `never: ${what}`);
      await pause(20);
    }
  }

  /** The host's interactive shell on a terminal; `screen` is what it showed since the last `clear()`. */
  async function hostTerminal() {
    const shell = await bed.host.spawn(["sh", "-i"], { terminal: { columns: 120, rows: 30 } });
    let screen = "";
    const reading = (async () => {
      for await (const chunk of shell.stdout) screen += new TextDecoder().decode(chunk);
    })();
    const terminal = {
      get screen() {
        return screen;
      },
      clear: () => (screen = ""),
      type: (keys: string) => bed.keys.deliver(new TextEncoder().encode(keys), (data) => void shell.write(data)),
      atPrompt: () => eventually("the host's prompt", () => screen.endsWith("root@berth:/# ")),
      async close() {
        terminal.type("exit\r");
        await shell.wait();
        await reading;
      },
    };
    await terminal.atPrompt();
    return terminal;
  }

  const running = (name: string) => bed.engine.runtime.list().some((c) => c.name === name);
  const state = async (name: string) => (await bed.docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name)).stdout;

  for (const [what, command] of [
    ["a shell spinning", "sh -c 'while :; do :; done'"],
    ["a program computing without system calls", "probe burn"],
  ]) {
    it(`ends ${what} within a second: exit 130, the CPU idle, the prompt back`, async () => {
      const terminal = await hostTerminal();
      try {
        // The host's shell reading its terminal: the one busy worker while nothing runs.
        const idle = workerWatch.busyWorkers().length;
        terminal.type(`docker run -it --name spin alpine ${command}\r`);
        await eventually("the container runs", () => running("spin"));
        // Computing for a while (and docker run reading the terminal's keys).
        await pause(500);
        terminal.clear();
        const typed = Date.now();
        terminal.type("\x03");
        await terminal.atPrompt();
        // The engine's part; the prompt's return adds the host's (seconds on a loaded CI machine).
        const took = bed.engine.runtime.get("spin").state.finishedAt!.getTime() - typed;
        assert.ok(took < 1000, `the container ended ${took} ms after Ctrl-C`);
        assert.equal(await state("spin"), "exited 130\n");
        // The loop's worker terminated once its machine closed; the docker commands' own go idle as their idle messages arrive.
        await workerWatch.settled();
        await eventually("the CPU idle again", () => workerWatch.busyWorkers().length <= idle);
        assert.ok(Date.now() - typed < 3000, `the CPU was idle again ${Date.now() - typed} ms after Ctrl-C`);
        terminal.clear();
        terminal.type("echo status $?\r");
        await eventually("echo's output", () => /status 130\r?\n/.test(terminal.screen));
      } finally {
        await terminal.close();
        await bed.docker("rm", "-f", "spin");
      }
    });
  }

  it("leaves Ctrl-C to a container's interactive shell: it stops its job and stays", async () => {
    const terminal = await hostTerminal();
    try {
      const containerPrompt = /root@[0-9a-f]{12}:\/# $/;
      terminal.type("docker run -it --name keeps alpine sh\r");
      await eventually("the container's prompt", () => containerPrompt.test(terminal.screen));
      terminal.type("sleep 100\r");
      await eventually("sleep runs", () => bed.engine.runtime.processes("keeps").some((p) => p.args[0] === "sleep"));
      terminal.clear();
      terminal.type("\x03");
      await eventually("the container's prompt after Ctrl-C", () => containerPrompt.test(terminal.screen));
      assert.ok(running("keeps"), "the container ended");
      terminal.type("exit 7\r");
      await terminal.atPrompt();
      assert.equal(await state("keeps"), "exited 7\n");
    } finally {
      await terminal.close();
      await bed.docker("rm", "-f", "keeps");
    }
  });
});
