// Isolation, as a hostile suite: an attacker container tries hundreds of ways out of its
// root filesystem and volumes, into another container, the host's files, the image layers,
// the real machine's disk and other machines' processes. The attempts are generated from
// tables (targets × ways of naming them × operations); after each one the engine's stores
// are compared with how they were before, and the attempt's output is searched for every
// planted secret. An escape is a secret in the output or a protected thing changed.
import assert from "node:assert/strict";
import { createHash, randomBytes, randomInt } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import type { Engine } from "../engine/index.ts";
import { writeWholeFile, type DirNode, type TreeNode } from "../fs/index.ts";
import type { Kernel, KernelProcess, Machine } from "../kernel/index.ts";
import { bootNodeKernel } from "../kernel/node-index.ts";
import { bootNodePlayground } from "../cli/node-playground.ts";

/** One escape attempt: a shell snippet, and where it runs. */
interface Attempt {
  readonly category: string;
  readonly command: string;
  /**
   * "script": in the attacker's attack script, one attempt after another in one process tree.
   * "own tree": in the attacker, in a process tree of its own, for attempts that wreck their
   * own tree's view of the kernel's directories (rm -rf /bin) or kill their own tree.
   * "host": on the host (docker run with a -v spec).
   */
  readonly on: "script" | "own tree" | "host";
  /** Signals reach other machines asynchronously, if at all: wait this long before checking. */
  readonly settleMs?: number;
  /** Process listings: the name of another machine's process in the output is an escape too. */
  readonly listsProcesses?: boolean;
  /** Touches the kernel's shared userland: check the host can still run its commands. */
  readonly touchesUserland?: boolean;
}

interface Escape {
  readonly index: number;
  readonly attempt: Attempt;
  readonly reasons: readonly string[];
  readonly output: string;
}

/** Files of each protected collection the attempts write to: one fresh file per attempt. */
const PROTECTED_FILES = 64;
const ATTEMPT_TIMEOUT_MS = 15_000;
/** How long an own-tree attempt's output may stay open after its root ended. */
const OUTPUT_GRACE_MS = 2_000;

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const dirname = (p: string) => p.slice(0, p.lastIndexOf("/")) || "/";
/** A process's secret argument: nine digits, which no other output holds by chance. */
const processToken = () => String(randomInt(100_000_000, 1_000_000_000));

describe("isolation", () => {
  let kernel: Kernel;
  let host: Machine;
  let engine: Engine;
  /** Secret values by what they are; none of them ever appears in an attempt's text. */
  const secrets = new Map<string, string>();
  /** Where each secret lives, as the attacker would have to name it (its own namespace's paths). */
  const secretPaths = new Map<string, string>();
  let realDir: string;
  /** Long-lived processes of other machines, killed at the end (the kernel cannot end orphans: keep them roots). */
  const others: KernelProcess[] = [];
  let hostProcessToken: string;

  const docker = async (...args: string[]) => {
    const r = await host.run(["docker", ...args], { timeoutMs: 30_000 });
    assert.equal(r.exitCode, 0, `docker ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const plant = (name: string, where: string) => {
    const value = `ISO${name.replace(/\W/g, "").toUpperCase()}${hex(8)}`;
    secrets.set(name, value);
    secretPaths.set(name, where);
    return value;
  };

  before(async () => {
    kernel = await bootNodeKernel();
    const playground = await bootNodePlayground(kernel);
    host = playground.host.machine;
    engine = playground.engine;
    await docker("pull", "alpine");
    const files = engine.hostFiles!;

    // Images: iso-base (alpine + /opt/lower/f0..), the attacker's and the victim's, and
    // iso-secret, which holds a secret in a layer the attacker's image does not have.
    await docker("create", "--name", "base-seed", "alpine");
    const seed = engine.runtime.get("base-seed").rootfs;
    seed.mkdir("opt");
    seed.mkdir("opt/lower");
    for (let k = 0; k < PROTECTED_FILES; k++) await writeWholeFile(seed, `opt/lower/f${k}`, encode(`lower ${k}\n`));
    await docker("commit", "base-seed", "iso-base");
    await docker("create", "--name", "secret-seed", "alpine");
    await writeWholeFile(engine.runtime.get("secret-seed").rootfs, "etc/image-secret", encode(plant("image layer", "/etc/image-secret")));
    await docker("commit", "secret-seed", "iso-secret");
    await docker("rm", "base-seed", "secret-seed");
    // Never started: it keeps iso-secret's layers in reach of the layer check.
    await docker("create", "--name", "secret-holder", "iso-secret");

    // The host's files: secrets, a directory the attacker binds read-write, one it binds read-only.
    files.writeFile("/root/host-secret", plant("host /root", "/root/host-secret"));
    files.writeFile("/etc/host-secret", plant("host /etc", "/etc/host-secret"));
    files.writeFile("/tmp/host-secret", plant("host /tmp", "/tmp/host-secret"));
    files.writeFile("/srv/host-secret", plant("host beside the binds", "/srv/host-secret"));
    files.mkdirAll("/srv/share");
    files.writeFile("/srv/share/note", "shared\n");
    files.mkdirAll("/srv/share-ro");
    for (let k = 0; k < PROTECTED_FILES; k++) files.writeFile(`/srv/share-ro/f${k}`, `ro bind ${k}\n`);

    // The real machine's disk, outside the playground altogether.
    realDir = mkdtempSync(path.join(tmpdir(), "berth-isolation-"));
    writeFileSync(path.join(realDir, "secret"), plant("real disk", path.join(realDir, "secret")));

    // Volumes: the victim's, and one the attacker mounts read-only.
    engine.volumes.create({ name: "victim-data" }).fs.writeFile("victim-secret", `${plant("victim volume", "/data/victim-secret")}\n`);
    const sharedRo = engine.volumes.create({ name: "shared-ro" });
    for (let k = 0; k < PROTECTED_FILES; k++) sharedRo.fs.writeFile(`f${k}`, `ro volume ${k}\n`);

    // The victim: a container of the same image with secrets in its layer (planted by the
    // engine and by its own processes), in a top-level directory it made itself, and in its processes' arguments.
    const mainToken = processToken();
    await docker("run", "-d", "--name", "victim", "-v", "victim-data:/data", "iso-base", "sleep", mainToken);
    secrets.set("victim main process", mainToken);
    const victim = engine.runtime.get("victim");
    await writeWholeFile(victim.rootfs, "etc/victim-secret", encode(`${plant("victim layer /etc", "/etc/victim-secret")}\n`));
    const fromVictim = [
      `echo ${plant("victim layer /opt/lower", "/opt/lower/victim-secret")} > /opt/lower/victim-secret`,
      `echo ${plant("victim layer /root", "/root/victim-secret")} > /root/victim-secret`,
      `mkdir /victim-top && echo ${plant("victim /victim-top", "/victim-top/victim-secret")} > /victim-top/victim-secret`,
    ].join(" && ");
    await docker("exec", "victim", "sh", "-c", fromVictim);
    const execToken = processToken();
    secrets.set("victim exec'd process", execToken);
    others.push((await engine.runtime.exec("victim", { cmd: ["sleep", execToken] })).process);

    // A process of the host's own, with a secret in its arguments.
    hostProcessToken = processToken();
    secrets.set("host process", hostProcessToken);
    others.push(await host.spawn(["sleep", hostProcessToken]));

    // The attacker: its own volume, a read-only volume, a read-write and a read-only host directory.
    await docker("run", "-d", "-i", "--name", "attacker", "-v", "att-data:/data", "-v", "shared-ro:/ro:ro",
      "-v", "/srv/share:/share", "-v", "/srv/share-ro:/share-ro:ro", "iso-base", "cat");
    // Programs of its own that signal kernel pids directly, past libcompat's pid namespace.
    for (const signal of RAW_SIGNALS) engine.volumes.get("att-data").fs.writeFile(`raw-signal-${signal}`, rawSignalModule(signal));
    await waitFor(() => engine.runtime.processes("victim").length === 2 && hostProcesses().length === 1);
  });

  after(async () => {
    for (const process of others) await process.kill();
    await kernel.close();
    rmSync(realDir, { recursive: true, force: true });
  });

  async function waitFor(condition: () => boolean): Promise<void> {
    for (let i = 0; i < 100 && !condition(); i++) await pause(20);
    assert.ok(condition(), "the other machines' processes did not start");
  }

  const hostProcesses = () =>
    engine.runtime.processes().filter((p) => p.containerId === null && p.args.join(" ").includes(hostProcessToken));

  /** What must not change, each as a digest: the engine's stores, other machines' processes, the real disk. */
  async function snapshot(): Promise<Map<string, string>> {
    const victim = engine.runtime.get("victim");
    const attacker = engine.runtime.get("attacker");
    const holder = engine.runtime.get("secret-holder");
    const host = engine.hostFiles!.root.root;
    const blobs: string[] = [];
    for (const digest of await engine.images.content.list()) {
      const actual = `sha256:${createHash("sha256").update(await engine.images.content.get(digest)).digest("hex")}`;
      blobs.push(`${digest} ${actual === digest ? "intact" : `holds ${actual}`}`);
    }
    return new Map([
      ["image layers", treeDigest([...attacker.rootfs.lowers, ...victim.rootfs.lowers, ...holder.rootfs.lowers])],
      ["content store", blobs.sort().join("\n")],
      // The victim's own layer (the image's are digested above): reads copy nothing up into it, so only a write changes it.
      ["victim's layer", treeDigest([victim.rootfs.upper])],
      ["victim's volume", treeDigest([engine.volumes.get("victim-data").fs.root])],
      ["read-only volume", treeDigest([engine.volumes.get("shared-ro").fs.root])],
      // The read-write bind (/srv/share) is the attacker's to change; /proc is computed.
      ["host's files", treeDigest([withoutChild(host, "srv", "share")])],
      ["victim's processes", JSON.stringify([victim.state.status, engine.runtime.processes("victim").map((p) => [p.pid, p.hostPid, p.ppid, p.args])])],
      ["host's processes", JSON.stringify(hostProcesses().map((p) => [p.pid, p.ppid, p.args]))],
      ["victim's hostname", victim.config.hostname],
      ["containers", engine.runtime.list({ all: true }).map((c) => `${c.id} ${c.name} ${c.state.status}`).sort().join("\n")],
      ["volumes", engine.volumes.list().map((v) => v.name).join("\n")],
      ["images", engine.images.list().map((r) => `${r.name} ${r.target.digest}`).sort().join("\n")],
      ["real disk", readdirSync(realDir).sort().map((name) => `${name}=${readFileSync(path.join(realDir, name), "utf8")}`).join("\n")],
    ]);
  }

  /** The host's userland at work: what the kernel's shared /bin must keep doing. */
  const userland = async () => {
    const r = await host.run(["sh", "-c", "cat /etc/hostname; ls /bin | wc -l; echo ok"], { timeoutMs: 10_000 });
    return `${r.exitCode} ${r.stdout}`;
  };

  it("lets no attempt out of the attacker container", async () => {
    const started = Date.now();
    const victim = engine.runtime.processes("victim");
    const pids = {
      victimNamespace: victim.map((p) => p.pid),
      victimHost: victim.map((p) => p.hostPid),
      host: hostProcesses().map((p) => p.pid),
    };
    const attempts = generateAttempts(secretPaths, pids, realDir);
    assert.ok(attempts.length >= 200, `${attempts.length} attempts`);

    const baseline = await snapshot();
    const baselineUserland = await userland();
    const escapes: Escape[] = [];
    const judge = async (index: number, attempt: Attempt, output: string) => {
      if (attempt.settleMs) await pause(attempt.settleMs);
      const reasons: string[] = [];
      for (const [name, value] of secrets) if (output.includes(value)) reasons.push(`output holds the secret of ${name}`);
      if (attempt.listsProcesses && /\bsleep\b/.test(output)) reasons.push("output names another machine's process (sleep)");
      const now = await snapshot();
      for (const [key, digest] of baseline) if (now.get(key) !== digest) reasons.push(`${key} changed`);
      if (attempt.touchesUserland && (await userland()) !== baselineUserland) reasons.push("the host's userland changed");
      if (reasons.length > 0) {
        escapes.push({ index, attempt, reasons, output });
        // Later attempts are judged against what is there now, so each escape is reported once.
        for (const [key, digest] of now) baseline.set(key, digest);
      }
    };

    // Most attempts run from one script in the attacker's volume, one at a time: the
    // script marks each attempt's output and waits for a line on stdin before the next.
    const numbered = attempts.map((attempt, index) => ({ attempt, index }));
    const scripted = numbered.filter(({ attempt }) => attempt.on === "script");
    engine.volumes.get("att-data").fs.writeFile("attack.sh", attackScript(scripted));
    const { process: driver } = await engine.runtime.exec("attacker", { cmd: ["sh", "/data/attack.sh"] });
    const marks = new MarkedOutput(driver);
    for (const { attempt, index } of scripted) {
      const output = await marks.next(index, attempt);
      await judge(index, attempt, output);
      await driver.write(encode("\n"));
    }
    assert.equal((await driver.wait()).exitCode, 0, "the attack script failed");

    for (const { attempt, index } of numbered.filter(({ attempt }) => attempt.on === "own tree")) {
      const { process: tree } = await engine.runtime.exec("attacker", { cmd: ["sh", "-c", `( ${attempt.command}\n) </dev/null 2>&1`] });
      // As docker exec: done when the tree's root ends. A process the attempt orphaned may
      // hold the output open (its root killed under it), so the output gets a grace period.
      let output = "";
      const drained = (async () => {
        for await (const chunk of tree.stdout) output += decode(chunk);
      })();
      await tree.wait();
      await Promise.race([drained, pause(OUTPUT_GRACE_MS)]);
      await judge(index, attempt, output);
    }
    for (const { attempt, index } of numbered.filter(({ attempt }) => attempt.on === "host")) {
      const r = await host.run(["sh", "-c", attempt.command], { cwd: "/srv/share", timeoutMs: 30_000 });
      await judge(index, attempt, r.stdout + r.stderr);
    }

    // After everything, from inside the other machines: the victim still has its files and
    // processes, a new container of the image sees the layers as built, the host still works.
    const victimView = await host.run(["docker", "exec", "victim", "sh", "-c",
      "cat /etc/victim-secret /opt/lower/victim-secret /root/victim-secret /victim-top/victim-secret /data/victim-secret /opt/lower/f0"]);
    const expected = ["victim layer /etc", "victim layer /opt/lower", "victim layer /root", "victim /victim-top", "victim volume"].map((name) => `${secrets.get(name)}\n`);
    const fresh = await host.run(["docker", "run", "--rm", "iso-base", "sh", "-c", "cat /opt/lower/f*; ls /opt/lower | wc -l; cat /etc/victim-secret /etc/image-secret"]);
    const afterAll = [
      ...(victimView.stdout === `${expected.join("")}lower 0\n` ? [] : [`the victim's own view changed: ${victimView.stdout}${victimView.stderr}`]),
      ...(fresh.stdout === `${Array.from({ length: PROTECTED_FILES }, (_, k) => `lower ${k}\n`).sort().join("")}${PROTECTED_FILES}\n` ? [] : [`a new container of iso-base sees: ${fresh.stdout}`]),
      ...((await userland()) === baselineUserland ? [] : ["the host's userland changed"]),
      ...(engine.runtime.isRunning("victim") ? [] : ["the victim stopped"]),
    ];

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`isolation: ${attempts.length} attempts, ${escapes.length} escapes`);
    const report = escapes.map((e) => `#${e.index} [${e.attempt.category}] ${e.attempt.command}\n  ${e.reasons.join("; ")}\n  output: ${e.output.trim().slice(0, 300)}`);
    assert.deepEqual([...report, ...afterAll], [], `escapes out of ${attempts.length} attempts (${seconds} s)`);
  });
});

/**
 * The attempts. Targets are named the ways a process could try to reach them: `..`
 * chains from several mounts, relative paths, symlinks and hard links it makes itself,
 * /proc/<pid>/root and /cwd of other machines' pids.
 */
function generateAttempts(
  secretPaths: ReadonlyMap<string, string>,
  pids: { victimNamespace: readonly number[]; victimHost: readonly number[]; host: readonly number[] },
  realDir: string,
): Attempt[] {
  const attempts: Attempt[] = [];
  let unique = 0;
  const add = (category: string, command: string, options: Partial<Attempt> = {}) => attempts.push({ category, command, on: "script", ...options });
  const otherPids = [...new Set([...pids.victimNamespace, ...pids.victimHost, ...pids.host])];
  const victimHostPid = pids.victimHost[0]!;

  // A way of naming an absolute path: a prefix of commands to run first, and the name.
  type PathForm = { readonly name: string; readonly form: (target: string, id: number) => { setup: string; path: string } };
  const plain = (name: string, path: (t: string) => string): PathForm => ({ name, form: (t) => ({ setup: "", path: path(t) }) });
  const readForms: PathForm[] = [
    plain("absolute", (t) => t),
    plain("'..' from /etc", (t) => `/etc/../../..${t}`),
    { name: "relative from a deep directory", form: (t) => ({ setup: "cd /opt/lower && ", path: `../../../../..${t}` }) },
    plain("'..' out of a volume", (t) => `/data/../..${t}`),
    plain("'..' out of a host bind", (t) => `/share/../../..${t}`),
    plain("'..' out of a read-only volume", (t) => `/ro/../../..${t}`),
    { name: "symlink to /", form: (t, id) => ({ setup: `ln -s / /data/root${id} && `, path: `/data/root${id}${t}` }) },
    { name: "symlink to the target", form: (t, id) => ({ setup: `ln -s ${t} /data/link${id} && `, path: `/data/link${id}` }) },
    { name: "symlink of '..'s", form: (t, id) => ({ setup: `ln -s ../../../../.. /data/up${id} && `, path: `/data/up${id}${t}` }) },
    { name: "hard link", form: (t, id) => ({ setup: `ln ${t} /data/hard${id} && `, path: `/data/hard${id}` }) },
    plain("/proc/<victim's host pid>/root", (t) => `/proc/${victimHostPid}/root${t}`),
    plain("/proc/1/root", (t) => `/proc/1/root${t}`),
    plain("/proc/<host process pid>/root", (t) => `/proc/${pids.host[0]}/root${t}`),
    plain("/proc/<victim's host pid>/cwd", (t) => `/proc/${victimHostPid}/cwd${t}`),
    plain("/proc/self/root", (t) => `/proc/self/root${t}`),
  ];

  // Reading every secret, every way.
  for (const [name, target] of secretPaths) {
    for (const { name: how, form } of readForms) {
      const { setup, path } = form(target, unique++);
      add(`read ${name} via ${how}`, `${setup}cat ${path}`);
    }
  }
  // Beside a bind's source on the host, named from inside the bind.
  add("read beside a bind", "cat /share/../host-secret");
  add("read beside a bind", "cd /share && cat ../host-secret ../../root/host-secret");
  add("read beside a bind", "cat /share-ro/../host-secret /share-ro/../../srv/host-secret");
  add("read beside a bind", "cd /share/.. && ls -la && cat host-secret");
  // Everything the attacker can see, searched wholesale (/dev streams forever, /run/berth is the hook device).
  add("scan", "grep -rs . /etc /opt /tmp /root /var /home /usr /workspace /victim-top /data /ro /share /share-ro /srv /mnt /.app /.private /dev/shm");
  add("scan", `cat /proc/*/cmdline /proc/*/environ ${realDir}/* /dev/shm/*`);
  add("scan", "ls -laR /proc /run /share/.. /data/.. /.private /.app");

  // Writes to what the attacker sees but must not change: the image's layers (its view
  // copies up), a read-only volume, a read-only host directory.
  type WriteOp = { readonly name: string; readonly op: (path: string, dir: string, id: number) => string };
  const writeOps: WriteOp[] = [
    { name: "overwrite", op: (p) => `echo PWNED > ${p}` },
    { name: "append", op: (p) => `echo PWNED >> ${p}` },
    { name: "truncate", op: (p) => `: > ${p}` },
    { name: "remove", op: (p) => `rm -f ${p}` },
    { name: "rename away", op: (p, _d, id) => `mv ${p} /data/moved${id}` },
    { name: "rename onto", op: (p, _d, id) => `echo PWNED > /data/new${id} && mv /data/new${id} ${p}` },
    { name: "rename in place", op: (p) => `mv ${p} ${p}.renamed` },
    { name: "copy onto", op: (p) => `cp /etc/hostname ${p}` },
    { name: "create beside", op: (_p, d, id) => `echo PWNED > ${d}/created${id}` },
    { name: "mkdir beside", op: (_p, d, id) => `mkdir ${d}/dir${id}` },
    { name: "symlink beside", op: (_p, d, id) => `ln -s /etc/hostname ${d}/sym${id}` },
    { name: "hard link beside", op: (_p, d, id) => `ln /etc/hostname ${d}/hardlink${id}` },
    { name: "write through a hard link", op: (p, _d, id) => `ln ${p} /data/hl${id} && echo PWNED >> /data/hl${id}` },
    { name: "write through a symlink", op: (p, _d, id) => `ln -s ${p} /data/sl${id} && echo PWNED >> /data/sl${id}` },
    { name: "chmod", op: (p) => `chmod 777 ${p}` },
  ];
  type DirForm = { readonly name: string; readonly form: (dir: string, id: number) => { setup: string; dir: string } };
  const dirForms: DirForm[] = [
    { name: "absolute", form: (d) => ({ setup: "", dir: d }) },
    { name: "'..' from /etc", form: (d) => ({ setup: "", dir: `/etc/../..${d}` }) },
    { name: "'..' out of a volume", form: (d) => ({ setup: "", dir: `/data/../..${d}` }) },
    { name: "symlinked directory", form: (d, id) => ({ setup: `ln -s ${d} /data/dirlink${id} && `, dir: `/data/dirlink${id}` }) },
  ];
  const protectedDirs: [string, string][] = [["image layer", "/opt/lower"], ["read-only volume", "/ro"], ["read-only bind", "/share-ro"]];
  for (const [what, dir] of protectedDirs) {
    let file = 0;
    for (const { name: how, form } of dirForms) {
      for (const { name: opName, op } of writeOps) {
        const id = unique++;
        const { setup, dir: named } = form(dir, id);
        add(`${opName} in the ${what} via ${how}`, `${setup}${op(`${named}/f${file++}`, named, id)}`);
      }
    }
  }

  // Writes where another machine's secrets are (and where the real disk's is): they may
  // land in the attacker's own layer, never in theirs.
  const outsideForms: PathForm[] = [
    plain("absolute", (t) => t),
    plain("'..' out of a host bind", (t) => `/share/../../..${t}`),
    plain("/proc/<victim's host pid>/root", (t) => `/proc/${victimHostPid}/root${t}`),
  ];
  const outsideOps: WriteOp[] = [writeOps[0]!, writeOps[3]!, writeOps[8]!];
  for (const [name, target] of secretPaths) {
    for (const { name: how, form } of outsideForms) {
      for (const { name: opName, op } of outsideOps) {
        const id = unique++;
        const { setup, path } = form(target, id);
        add(`${opName} at ${name} via ${how}`, `${setup}${op(path, dirname(path), id)}`);
      }
    }
  }

  // Other machines' processes: seen ...
  const listings = ["ps", "ps -ef", "ps -A -o pid,ppid,args", "ps -e -o comm", "top -b -n 1", "pgrep -l 'sl[e]ep'", "ls /proc",
    "cat /proc/*/cmdline", "cat /proc/*/status", "cat /proc/*/comm", "cat /proc/*/stat", "cat /proc/loadavg"];
  for (const listing of listings) add("see other machines' processes", listing, { listsProcesses: true });
  for (const pid of otherPids) {
    add("see another machine's process", `cat /proc/${pid}/cmdline /proc/${pid}/status /proc/${pid}/stat /proc/${pid}/comm`, { listsProcesses: true });
    add("see another machine's process", `ls -la /proc/${pid}`, { listsProcesses: true });
  }
  // ... and signalled.
  for (const pid of otherPids) {
    for (const signal of ["KILL", "INT", "TERM", "HUP", "USR1"]) add("signal another machine's process", `kill -s ${signal} ${pid}`, { settleMs: 100 });
  }
  add("signal another machine's process", "kill -9 -1", { settleMs: 100 });
  add("signal another machine's process", "kill -9 $(pgrep 'sl[e]ep')", { settleMs: 100 });
  add("signal another machine's process", "kill -INT $(pgrep -f '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]')", { settleMs: 100 });
  // A hostile program needs no libcompat: it signals kernel pids itself (its own tree's last).
  for (const signal of RAW_SIGNALS) add("signal kernel pids directly", `/data/raw-signal-${signal}`, { on: "own tree", settleMs: 100 });

  // The engine's doors: the docker device (only the host has it) and the process hooks.
  for (const command of [
    "docker ps -a", "docker inspect victim", "docker exec victim cat /etc/victim-secret", "docker cp victim:/etc/victim-secret -",
    "docker run --rm -v /root:/h iso-base cat /h/host-secret", "docker volume ls", "docker logs victim",
    "ls -la /run/berth", "cat /run/berth/docker", "echo 'ps -a' > /run/berth/docker; cat /run/berth/docker",
  ]) add("reach the docker device", command);
  for (const pid of new Set([...otherPids, 1])) {
    add("forge process hooks", `printf 'exit ${pid} 0\\n' > /run/berth/proc`, { settleMs: 50 });
    add("forge process hooks", `printf 'reaped ${pid}\\n' > /run/berth/proc`, { settleMs: 50 });
  }
  add("forge process hooks", "printf 'start 1 0 hijack\\nstart 9999 0 hijack\\n' > /run/berth/proc");
  add("forge process hooks", "printf 'alloc 0\\n' > /run/berth/ask.0123456789abcdef; cat /run/berth/ask.0123456789abcdef; rm -f /run/berth/ask.0123456789abcdef");
  add("forge process hooks", "rm -f /run/berth/proc; mv /run/berth/proc /data/hook; mkdir /run/berth/x");

  // The kernel's own directories: /proc is computed per machine, /bin is every machine's userland.
  for (const command of [
    "echo evil > /proc/sys/kernel/hostname", "echo evil > /proc/1/cmdline", "rm -rf /proc/1", "mkdir /proc/4242",
    "mv /proc/version /data/version", "mount --bind / /data/mnt; mount -t proc proc /data/mnt",
  ]) add("change /proc or mounts", command);
  for (const command of [
    "echo PWNED > /bin/cat", "rm -f /bin/ls", "mv /bin/wc /data/wc", "cp /bin/false /bin/sh", "echo PWNED > /usr/bin/env",
    "mkdir /bin/pwned", "ln -s /bin/false /bin/echo", "rm -rf /bin",
  ]) add("change the shared userland", command, { on: "own tree", touchesUserland: true });

  // Mount specifications with '..' and read-only spellings, as a user could be tricked into typing them.
  const probe = "sh -c 'cat /x/victim-secret /x/../victim-secret /x/../host-secret; echo PWNED > /x/f0; echo PWNED > /x/../f0; ls /x'";
  for (const spec of [
    "-v att-data:/x/../../etc", "-v att-data:../x", "-v victim-data/..:/x", "-v att-data:/proc",
    "--mount type=volume,src=att-data,dst=/x/../..", "--mount type=bind,src=/srv/share-ro,dst=/x,readonly",
    "-v /srv/share-ro:/x:ro,rw", "-v shared-ro:/x:rw,ro",
  ]) attempts.push({ category: "mount with '..' or read-only", command: `docker run --rm ${spec} iso-base ${probe}`, on: "host" });

  // Last, everything at once: remove every file the attacker can see.
  add("remove everything", "rm -rf / /data/../.. /share/../..", { on: "own tree", touchesUserland: true });
  return attempts;
}

/**
 * The attacker's script: each attempt in a subshell of its own (a failed redirection of a
 * special built-in ends a shell, `cd` and kills must not reach the script), with no stdin,
 * between markers, then a wait for the go-ahead. The markers are printed through a
 * format, so that an attempt printing the script itself (a scan of /data) shows none.
 */
function attackScript(attempts: readonly { attempt: Attempt; index: number }[]): string {
  return attempts
    .map(({ attempt, index }) => `printf '@@%s %d\\n' BEGIN ${index}\n( ${attempt.command}\n) </dev/null 2>&1\nprintf '@@%s %d\\n' END ${index}\nread go\n`)
    .join("");
}

/** The driver's output, cut at its markers. */
class MarkedOutput {
  #text = "";
  /** The script's own errors (each attempt's go to its output). */
  #errors = "";
  readonly #chunks: AsyncIterator<Uint8Array>;

  constructor(readonly process: KernelProcess) {
    this.#chunks = process.stdout![Symbol.asyncIterator]();
    void (async () => {
      for await (const chunk of process.stderr ?? []) this.#errors += decode(chunk);
    })();
  }

  /** The output of attempt `index`, once its end marker arrived. */
  async next(index: number, attempt: Attempt): Promise<string> {
    const begin = `@@BEGIN ${index}\n`;
    const end = `@@END ${index}\n`;
    const deadline = Date.now() + ATTEMPT_TIMEOUT_MS;
    while (!this.#text.includes(end)) {
      const chunk = await Promise.race([this.#chunks.next(), pause(Math.max(0, deadline - Date.now())).then(() => undefined)]);
      if (!chunk || chunk.done) throw new Error(`attempt #${index} (${attempt.command}) did not finish; output so far: ${this.#text.slice(-500)}; errors: ${this.#errors.slice(-500)}`);
      this.#text += decode(chunk.value);
    }
    const output = this.#text.slice(this.#text.indexOf(begin) + begin.length, this.#text.indexOf(end));
    this.#text = this.#text.slice(this.#text.indexOf(end) + end.length);
    return output;
  }
}

const RAW_SIGNALS = [9, 2, 15];

/**
 * A program that sends `signal` to every kernel pid from 64 down to 1 but its own, with
 * WASIX's proc_signal (no libcompat, so no pid namespace and no EPERM):
 * ```wat
 * (module
 *   (import "wasix_32v1" "proc_id" (func $proc_id (param i32) (result i32)))
 *   (import "wasix_32v1" "proc_signal" (func $proc_signal (param i32 i32) (result i32)))
 *   (memory (export "memory") 1)
 *   (func (export "_start")
 *     (local $pid i32)
 *     (drop (call $proc_id (i32.const 0)))
 *     (local.set $pid (i32.const 64))
 *     (loop $next
 *       (if (i32.ne (local.get $pid) (i32.load (i32.const 0)))
 *         (then (drop (call $proc_signal (local.get $pid) (i32.const SIGNAL)))))
 *       (local.set $pid (i32.sub (local.get $pid) (i32.const 1)))
 *       (br_if $next (local.get $pid)))))
 * ```
 */
function rawSignalModule(signal: number): Uint8Array {
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0f, 0x03, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00, 0x02, 0x2f, 0x02, 0x0a, 0x77, 0x61, 0x73,
    0x69, 0x78, 0x5f, 0x33, 0x32, 0x76, 0x31, 0x07, 0x70, 0x72, 0x6f, 0x63, 0x5f, 0x69, 0x64, 0x00,
    0x00, 0x0a, 0x77, 0x61, 0x73, 0x69, 0x78, 0x5f, 0x33, 0x32, 0x76, 0x31, 0x0b, 0x70, 0x72, 0x6f,
    0x63, 0x5f, 0x73, 0x69, 0x67, 0x6e, 0x61, 0x6c, 0x00, 0x01, 0x03, 0x02, 0x01, 0x02, 0x05, 0x03,
    0x01, 0x00, 0x01, 0x07, 0x13, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x06,
    0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x02, 0x0a, 0x30, 0x01, 0x2e, 0x01, 0x01, 0x7f, 0x41,
    0x00, 0x10, 0x00, 0x1a, 0x41, 0xc0, 0x00, 0x21, 0x00, 0x03, 0x40, 0x20, 0x00, 0x41, 0x00, 0x28,
    0x02, 0x00, 0x47, 0x04, 0x40, 0x20, 0x00, 0x41,
    signal, // i32.const SIGNAL: one byte of signed LEB128, so below 64
    0x10, 0x01, 0x1a, 0x0b, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00, 0x20, 0x00, 0x0d, 0x00, 0x0b,
    0x0b,
  ]);
}

/** A digest of layer trees, whiteouts and metadata included. */
function treeDigest(roots: readonly DirNode[]): string {
  const hash = createHash("sha256");
  const walk = (node: TreeNode, at: string) => {
    hash.update(`${at}\0${node.kind}\0`);
    if (node.kind === "whiteout") return;
    hash.update(`${node.mode} ${node.uid} ${node.gid}\0`);
    if (node.kind === "file") hash.update(node.data);
    else if (node.kind === "symlink") hash.update(node.target);
    else {
      hash.update(node.opaque ? "opaque\0" : "\0");
      for (const name of [...node.children.keys()].sort()) walk(node.children.get(name)!, `${at}/${name}`);
    }
  };
  roots.forEach((root, i) => walk(root, String(i)));
  return hash.digest("hex");
}

/** A directory without one of its children, for digests that leave a writable part out. */
/** The tree without the entry at path (names from dir down). */
function withoutChild(dir: DirNode, ...path: [string, ...string[]]): DirNode {
  const [name, ...rest] = path;
  const children = new Map(dir.children);
  const child = children.get(name);
  if (rest.length === 0) children.delete(name);
  else if (child?.kind === "directory") children.set(name, withoutChild(child, ...(rest as [string, ...string[]])));
  return { ...dir, children };
}
