// stty and tput on the kernel's terminals: the size follows resizes.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { Kernel, Machine } from "../../src/kernel/index.ts";
import { bootNodeKernel } from "../../src/kernel/node-index.ts";

describe("stty and tput", () => {
  let kernel: Kernel;
  let machine: Machine;
  before(async () => {
    kernel = await bootNodeKernel();
    machine = await kernel.createMachine({ env: { PATH: "/bin", TERM: "xterm-256color" } });
  });
  after(async () => kernel.close());

  /** Runs a script on a terminal of the given size and returns what it printed. */
  async function onTerminal(script: string, columns: number, rows: number): Promise<{ output: string; exitCode: number }> {
    const p = await machine.spawn(["sh", "-c", script], { terminal: { columns, rows } });
    let output = "";
    for await (const chunk of p.stdout) output += new TextDecoder().decode(chunk);
    return { output, exitCode: (await p.wait()).exitCode };
  }

  it("prints the terminal's size, as stty size and tput cols/lines", async () => {
    const { output } = await onTerminal("stty size; tput cols; tput lines", 132, 43);
    assert.equal(output.replace(/\r/g, ""), "43 132\n132\n43\n");
  });

  it("follows a resize", async () => {
    const p = await machine.spawn(["sh", "-c", "read line; stty size"], { terminal: { columns: 80, rows: 24 } });
    let output = "";
    const reading = (async () => {
      for await (const chunk of p.stdout) output += new TextDecoder().decode(chunk);
    })();
    p.resize(100, 30);
    await p.write("go\r");
    await p.wait();
    await reading;
    assert.match(output, /30 100/);
  });

  it("shows the modes and refuses to set them, in stty's words", async () => {
    const shown = await onTerminal("stty -a", 80, 24);
    assert.match(shown.output, /^speed 38400 baud; rows 24; columns 80; line = 0;/);
    assert.match(shown.output, /icanon echo/);
    const refused = await onTerminal("stty raw 2>&1", 80, 24);
    assert.equal(refused.exitCode, 1);
    assert.match(refused.output, /stty: invalid argument 'raw'/);
  });

  it("writes an xterm's sequences for tput and says so for unknown capabilities", async () => {
    const r = await machine.run(["sh", "-c", "tput bold; tput setaf 2; tput sgr0; tput colors; tput nonsense"]);
    assert.equal(r.stdout, "\x1b[1m\x1b[32m\x1b(B\x1b[m256\n");
    assert.equal(r.stderr, "tput: unknown terminfo capability 'nonsense'\n");
    assert.equal(r.exitCode, 4);
  });

  it("follows a resize under an interactive shell, whose line editor switches modes around each line", async () => {
    const p = await machine.spawn(["sh", "-i"], { terminal: { columns: 80, rows: 24 }, env: { PS1: "$ " } });
    let output = "";
    const reading = (async () => {
      for await (const chunk of p.stdout) output += new TextDecoder().decode(chunk);
    })();
    // Each step once the shell has answered the last (a loaded machine may take seconds).
    const printed = async (pattern: RegExp) => {
      for (let tries = 0; !pattern.test(output); tries++) {
        assert.ok(tries < 500, `never printed ${pattern}: ${JSON.stringify(output)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await printed(/\$ $/);
    await p.write("stty size\r");
    await printed(/24 80\r?\n\$ $/);
    p.resize(100, 30);
    await p.write("stty size\r");
    await printed(/30 100\r?\n\$ $/);
    await p.write("exit\r");
    await p.wait();
    await reading;
    const sizes = output.split(/\r?\n/).filter((line) => /^\d+ \d+$/.test(line));
    assert.deepEqual(sizes, ["24 80", "30 100"]);
  });
});
