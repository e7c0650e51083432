import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { plainProgress, ttyProgress, type BuildProgress } from "./progress.ts";

/** A clock the test moves. */
function clock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** A small build: the Dockerfile loaded, a cached FROM, a RUN that prints two lines. */
function drive(progress: BuildProgress, advance: (ms: number) => void, failRun = false): void {
  progress.started(1, "[internal] load build definition from Dockerfile");
  progress.status(1, "transferring dockerfile: 96B done");
  progress.completed(1, {});
  progress.started(2, "[1/2] FROM docker.io/library/alpine:latest");
  progress.completed(2, { cached: true });
  progress.started(3, "[2/2] RUN echo hi");
  advance(40);
  progress.log(3, "hi", 40);
  advance(260);
  progress.log(3, "there", 300);
  progress.completed(3, failRun ? { error: 'process "/bin/sh -c echo hi" did not complete successfully: exit code: 1' } : {});
  progress.finished();
}

describe("build progress", () => {
  it("prints BuildKit's plain lines: #N per vertex, stamped output, DONE with its time, CACHED, ERROR", () => {
    const { now, advance } = clock();
    let text = "";
    drive(plainProgress((t) => void (text += t), now), advance, true);
    assert.equal(
      text,
      [
        "",
        "#1 [internal] load build definition from Dockerfile",
        "#1 transferring dockerfile: 96B done",
        "#1 DONE 0.0s",
        "",
        "#2 [1/2] FROM docker.io/library/alpine:latest",
        "#2 CACHED",
        "",
        "#3 [2/2] RUN echo hi",
        "#3 0.040 hi",
        "#3 0.300 there",
        '#3 ERROR: process "/bin/sh -c echo hi" did not complete successfully: exit code: 1',
        "",
      ].join("\n"),
    );
  });

  it("redraws a live view in place on a terminal: header, times at the right edge, finished lines in blue", () => {
    const { now, advance } = clock();
    const frames: string[] = [];
    const progress = ttyProgress((t) => void frames.push(t), { columns: 60, rows: 20, now, intervalMs: 60_000 });
    progress.started(1, "[internal] load build definition from Dockerfile");
    progress.status(1, "transferring dockerfile: 96B done");
    progress.completed(1, {});
    progress.started(2, "[2/2] RUN echo hi");
    progress.log(2, "hi", 0);
    progress.started(3, "[internal] load build context");
    // While a RUN runs, its last output lines show under it.
    const plain = (frame: string) => frame.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").replace(/\r/g, "");
    assert.match(plain(frames.at(-1)!), /^ => \[2\/2\] RUN echo hi +0\.0s\n => => # hi\n/m);
    advance(1200);
    progress.completed(2, { cached: true });
    progress.completed(3, {});
    progress.finished();
    const row = (left: string, right: string) => `${left.padEnd(60 - right.length - 1)} ${right}`;
    const last = plain(frames.at(-1)!).split("\n");
    assert.deepEqual(last.slice(0, 5), [
      row("[+] Building 1.2s (3/3) FINISHED", "docker:default"),
      row(" => [internal] load build definition from Dockerfile", "0.0s"),
      row(" => => transferring dockerfile: 96B", "0.0s"),
      row(" => CACHED [2/2] RUN echo hi", "1.2s"),
      row(" => [internal] load build context", "1.2s"),
    ]);
    assert.ok(frames.at(-1)!.startsWith("\x1b[5A\r"), "each frame goes back up over the last one");
    assert.ok(frames.at(-1)!.includes("\x1b[34m => CACHED [2/2]"), "finished vertexes in blue");
  });

  it("keeps the bottom of a view taller than the terminal, with its header", () => {
    const { now } = clock();
    const frames: string[] = [];
    const progress = ttyProgress((t) => void frames.push(t), { columns: 60, rows: 5, now, intervalMs: 60_000 });
    for (let n = 1; n <= 8; n++) {
      progress.started(n, `step ${n}`);
      progress.completed(n, {});
    }
    progress.finished();
    const lines = frames.at(-1)!.split("\n").filter((line) => line.includes("\x1b[K"));
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /Building/);
    assert.match(lines[3]!, /step 8/);
  });
});
