import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { logLines, tailEntries } from "../api/index.ts";
import { ContainerLog, ENTRY_COST } from "./container-log.ts";
import type { LogEntry } from "./container.ts";

const enc = (text: string) => new TextEncoder().encode(text);
const dec = (data: Uint8Array) => new TextDecoder().decode(data);
const at = (ms: number) => new Date(Date.UTC(2025, 0, 1) + ms);
const entry = (text: string, ms: number, stream: LogEntry["stream"] = "stdout"): LogEntry => ({ stream, time: at(ms), data: enc(text) });
const text = (entries: Iterable<LogEntry>) => [...entries].map((e) => dec(e.data)).join("");

describe("a container's log", () => {
  it("keeps everything while under its limit, oldest first", () => {
    const log = new ContainerLog(10_000);
    for (let i = 0; i < 5; i++) log.append(entry(`line ${i}\n`, i));
    assert.equal(text(log), "line 0\nline 1\nline 2\nline 3\nline 4\n");
    assert.equal(log.size, 5);
    assert.equal(log.bytes, 35);
  });

  it("drops its oldest entries past its limit, each counting its bytes and ENTRY_COST", () => {
    const limit = 4 * (ENTRY_COST + 100);
    const log = new ContainerLog(limit);
    for (let i = 0; i < 50; i++) log.append(entry(`${String(i).padStart(2, "0")}${"y".repeat(97)}\n`, i));
    assert.equal(log.size, 4);
    assert.deepEqual(
      log.entries().map((e) => dec(e.data).slice(0, 2)),
      ["46", "47", "48", "49"],
    );
    assert.equal(log.bytes, 400);
  });

  it("stays bounded under a flood of one-byte writes, and keeps the newest", () => {
    const log = new ContainerLog(64 * 1024);
    // A write per millisecond: none joins the one before.
    for (let i = 0; i < 100_000; i++) log.append(entry(String(i % 10), i));
    assert.ok(log.size * (ENTRY_COST + 1) <= 64 * 1024, `${log.size} entries`);
    assert.equal(text(log).slice(-5), "56789");
    assert.equal(log.entries().at(-1)!.time.getTime(), at(99_999).getTime());
  });

  it("joins writes of one stream in one millisecond, leaving views handed out before as they were", () => {
    const log = new ContainerLog();
    log.append(entry("y\n", 0));
    const before = log.entries()[0]!;
    log.append(entry("y\n", 0));
    log.append(entry("oops\n", 0, "stderr"));
    log.append(entry("y\n", 1));
    assert.deepEqual(
      log.entries().map((e) => [e.stream, dec(e.data)]),
      [["stdout", "y\ny\n"], ["stderr", "oops\n"], ["stdout", "y\n"]],
    );
    assert.equal(dec(before.data), "y\n");
  });

  it("keeps the end of a write larger than the whole log", () => {
    const log = new ContainerLog(ENTRY_COST + 10);
    log.append(entry("0123456789abcdefghij", 0));
    assert.equal(text(log), "abcdefghij");
    assert.equal(log.bytes, 10);
  });

  it("follows from a position: what joins the last entry, new entries, until its end settles", async () => {
    const log = new ContainerLog();
    log.append(entry("old\n", 0));
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const seen: string[] = [];
    const following = (async () => {
      for await (const e of log.follow(log.end, stopped)) seen.push(dec(e.data));
    })();
    log.append(entry("more\n", 0));
    log.append(entry("new\n", 5));
    await new Promise((resolve) => setTimeout(resolve, 10));
    log.append(entry("last\n", 9));
    stop();
    await following;
    assert.deepEqual(seen, ["more\n", "new\n", "last\n"]);
  });

  it("moves a follower that fell behind on to the oldest entry it still holds", async () => {
    const log = new ContainerLog(3 * (ENTRY_COST + 2));
    log.append(entry("a\n", 0));
    const start = log.end;
    for (let i = 1; i <= 5; i++) log.append(entry(`${i}\n`, i));
    const seen: string[] = [];
    for await (const e of log.follow({ entry: start.entry, offset: 0 }, Promise.resolve())) seen.push(dec(e.data));
    assert.deepEqual(seen, ["3\n", "4\n", "5\n"]);
  });
});

describe("a log's tail", () => {
  const entries = [entry("one\ntw", 0), entry("o\nthree\n", 1), entry("err\n", 2, "stderr"), entry("four", 3), entry("\nfive", 4)];
  const tail = (n: string) => [...logLines(tailEntries(entries, n))].map((l) => `${l.stream[3]}:${l.text}`);

  it("counts lines from the end as logLines splits them, across entries", () => {
    assert.deepEqual([...logLines(entries)].map((l) => l.text), ["one\n", "two\n", "three\n", "err\n", "four\n", "five"]);
    assert.deepEqual(tail("2"), ["o:four\n", "o:five"]);
    assert.deepEqual(tail("3"), ["e:err\n", "o:four\n", "o:five"]);
    assert.deepEqual(tail("5"), ["o:two\n", "o:three\n", "e:err\n", "o:four\n", "o:five"]);
    assert.deepEqual(tail("6"), tail("all"));
    assert.deepEqual(tail("99"), tail("all"));
    assert.deepEqual(tail("0"), []);
  });

  it("starts a new line where the other stream takes over", () => {
    const mixed = [entry("a", 0), entry("b\n", 1, "stderr"), entry("c\n", 2)];
    assert.deepEqual([...logLines(tailEntries(mixed, "2"))].map((l) => l.text), ["b\n", "c\n"]);
    assert.deepEqual([...logLines(tailEntries(mixed, "3"))].map((l) => l.text), ["a", "b\n", "c\n"]);
  });

  it("is the newest lines of what the log still holds once it dropped the oldest", () => {
    const log = new ContainerLog(3 * (ENTRY_COST + 6));
    for (let i = 0; i < 10; i++) log.append(entry(`line${i}\n`, i));
    assert.equal(text(tailEntries(log.entries(), "2")), "line8\nline9\n");
    assert.equal(text(tailEntries(log.entries(), "all")), "line7\nline8\nline9\n");
  });
});
