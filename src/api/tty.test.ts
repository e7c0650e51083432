// `docker run -it` by the official CLI on a real pseudo-terminal (util-linux's
// `script` gives it one), against berth daemon: the raw hijacked stream, the
// container's line editor, keys typed one by one, the exit status passed on.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";

import { daemonTestBed } from "./daemon-test-bed.ts";

describe("docker run -it through berth daemon, on a pty", () => {
  const bed = daemonTestBed();

  it("runs an interactive shell: typed commands, their output, exit's status", async () => {
    assert.equal((await bed.docker(["pull", "-q", "alpine"])).code, 0);
    const cli = spawn("script", ["-qefc", "docker run -it --rm alpine sh", "/dev/null"], { env: bed.env });
    let screen = "";
    cli.stdout.setEncoding("utf8");
    cli.stdout.on("data", (chunk: string) => (screen += chunk));
    const shown = async (text: string) => {
      for (let i = 0; i < 300 && !screen.includes(text); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(screen.includes(text), `never shown: ${JSON.stringify(text)} in ${JSON.stringify(screen.slice(-400))}`);
    };
    const exited = new Promise<number | null>((resolve) => cli.on("exit", (code) => resolve(code)));
    await shown(":/# ");
    cli.stdin.write("echo sum-$((40+2)) $HOSTNAME\r");
    await shown("\nsum-42 ");
    cli.stdin.write("exit 3\r");
    assert.equal(await exited, 3);
    assert.match(screen, /\r\nsum-42 [0-9a-f]{12}\r\n/);
    assert.equal((await bed.docker(["ps", "-aq"])).stdout, "", "--rm left the container behind");
  });
});
