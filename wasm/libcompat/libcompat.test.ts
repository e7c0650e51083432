// libcompat under the real SDK: the probe guest calls one libcompat function per subcommand.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { MemoryFileSystem } from "../../src/fs/index.ts";
import { ProcHookDevice } from "../../src/runtime/index.ts";
import type { Kernel, Machine } from "../../src/kernel/index.ts";
import { bootNodeKernel } from "../../src/kernel/node-index.ts";

describe("libcompat on WASIX", () => {
  let kernel: Kernel;
  let machine: Machine;
  before(async () => {
    kernel = await bootNodeKernel({ includeTestCommands: true });
    machine = await kernel.createMachine({ env: { PATH: "/bin:/usr/bin" } });
  });
  after(async () => kernel.close());

  const probe = async (...args: string[]) => machine.run(["probe", ...args], { timeoutMs: 10_000 });

  it("passes arguments through, spaces and all", async () => {
    const r = await probe("args", "a b", "", "x");
    assert.equal(r.stdout, "[a b]\n[]\n[x]\n");
  });

  it("returns the exit status", async () => {
    assert.equal((await probe("exit", "42")).exitCode, 42);
  });

  it("starts in the cwd it was given", async () => {
    assert.equal((await machine.run(["probe", "cwd"], { cwd: "/tmp" })).stdout, "/tmp\n");
  });

  it("spawns through PATH and collects the child's status", async () => {
    assert.equal((await probe("spawn", "probe", "exit", "7")).stdout, "status 7\n");
    assert.equal((await probe("spawn", "/bin/probe", "exit", "3")).stdout, "status 3\n");
  });

  it("keeps newlines and backslashes inside a child's arguments", async () => {
    const r = await probe("spawn", "probe", "args", "two\nlines", "back\\slash");
    assert.equal(r.stdout, "[two\nlines]\n[back\\slash]\nstatus 0\n");
  });

  it("keeps carriage returns inside a child's arguments (the kernel splits at them too)", async () => {
    const r = await probe("spawn", "probe", "args", "a\rb", "c");
    assert.equal(r.stdout, "[a\rb]\n[c]\nstatus 0\n");
  });

  it("keeps a child's empty arguments (the kernel drops them)", async () => {
    const r = await probe("spawn", "probe", "args", "", "x", "");
    assert.equal(r.stdout, "[]\n[x]\n[]\nstatus 0\n");
  });

  it("reports a missing program as ENOENT", async () => {
    const r = await probe("spawn", "no-such-program");
    assert.match(r.stdout, /spawn no-such-program: No such file or directory/);
  });

  it("refuses a module built for another kernel's ABI as Linux a foreign binary (ENOEXEC), and the kernel carries on", async () => {
    // The smallest such module: a function type, and one import from an interface this kernel lacks.
    const name = (text: string) => [text.length, ...new TextEncoder().encode(text)];
    const imports = [1, ...name("linux"), ...name("vsyscall_time"), 0, 0];
    const foreign = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 2, imports.length, ...imports]);
    const files = await kernel.createMachine({
      env: { PATH: "/bin:/usr/bin" },
      mounts: [{ path: "/legacy", fs: MemoryFileSystem.from({ "vsyscall-time": foreign }) }],
    });
    const r = await files.run(["probe", "spawn", "/legacy/vsyscall-time"], { timeoutMs: 10_000 });
    assert.match(r.stdout, /spawn \/legacy\/vsyscall-time: Exec format error/);
    assert.equal((await files.run(["probe", "exit", "5"], { timeoutMs: 10_000 })).exitCode, 5);
    await files.close();
  });

  it("lets a child inherit the directory set by chdir", async () => {
    assert.equal((await probe("chdir", "/etc", "probe", "cwd")).stdout, "/etc\nstatus 0\n");
  });

  it("connects two children with a pipe and delivers EOF", async () => {
    const r = await probe("pipe", "probe", "args", "hello", "--", "probe", "cat");
    assert.equal(r.stdout, "[hello]\nstatus 0 0\n");
  });

  it("gives every process its own pid, children a parent", async () => {
    const r = await probe("spawn", "probe", "pid");
    const [pid, ppid] = /pid (\d+) ppid (\d+)/.exec(r.stdout)!.slice(1).map(Number);
    assert.ok(pid! > 0);
    assert.notEqual(pid, ppid);
  });

  it("sees every child status from 80 up as 79 outside a namespace (a kernel fact)", async () => {
    // proc_join's answer; in a pid namespace libcompat asks the engine for the real one.
    assert.equal((await probe("spawn", "probe", "exit", "127")).stdout, "status 79\n");
    assert.equal((await probe("spawn", "probe", "exit", "79")).stdout, "status 79\n");
    assert.equal((await probe("spawn", "probe", "exit", "78")).stdout, "status 78\n");
  });

  it("sleeps for no time at all (the kernel's zero timeout never fired: sleep 0 hung)", async () => {
    const r = await machine.run(["sh", "-c", "sleep 0; echo $?; sleep 0.01; echo $?"], { timeoutMs: 10_000 });
    assert.deepEqual([r.exitCode, r.stdout], [0, "0\n0\n"]);
  });

  it("gives a child only the environment it was given (the kernel lays the parent's start environment under it)", async () => {
    const r = await machine.run(["env", "KEPT=1", "sh", "-c", "env -i env; env -i ONLY=2 env; env -u KEPT env | grep -c KEPT"], { timeoutMs: 10_000 });
    assert.equal(r.stdout, "ONLY=2\n0\n");
  });

  it("removes a file the process itself holds open (the kernel dropped only its cached name: gzip left its input)", async () => {
    const data = await kernel.createMachine({ env: { PATH: "/bin:/usr/bin" }, mounts: [{ path: "/data", fs: MemoryFileSystem.from({ f: "hello\n" }) }] });
    const r = await data.run(["sh", "-c", "gzip /data/f && ls /data && zcat /data/f.gz"], { timeoutMs: 10_000 });
    assert.equal(r.stdout, "f.gz\nhello\n");
    await data.close();
  });

  it("appends where a file ends after it was truncated, here or by another process (the kernel appended at the size it had kept)", async () => {
    const data = await kernel.createMachine({ env: { PATH: "/bin:/usr/bin" }, mounts: [{ path: "/data", fs: new MemoryFileSystem() }] });
    const script = "cd /data; echo abcdef > f; echo x > f; echo y >> f; cat f; echo abc > g; truncate -s 0 g; echo z >> g; cat g";
    const r = await data.run(["sh", "-c", script], { timeoutMs: 10_000 });
    assert.equal(r.stdout, "x\ny\nz\n");
    await data.close();
  });

  it("reads stdin to EOF", async () => {
    assert.equal((await machine.run(["probe", "cat"], { stdin: "in\n" })).stdout, "in\n");
  });
});

// The system calls answered from the machine's files. `files` places them even
// under /proc/sys/kernel (the SDK's default root has /proc and /etc).
describe("libcompat system calls on WASIX", () => {
  let kernel: Kernel;
  let machine: Machine;
  let bare: Machine;
  const PASSWD = "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:100:Alice:/home/alice:/bin/ash\n";
  const GROUP = "root:x:0:\nusers:x:100:alice,bob\n";
  before(async () => {
    kernel = await bootNodeKernel({ includeTestCommands: true });
    machine = await kernel.createMachine({
      env: { PATH: "/bin:/usr/bin" },
      files: {
        "/proc/sys/kernel/ostype": "Linux\n",
        "/proc/sys/kernel/hostname": "box\n",
        "/proc/sys/kernel/osrelease": "6.1.0-test\n",
        "/proc/sys/kernel/version": "#1 SMP test\n",
        "/proc/meminfo": "MemTotal:        2048000 kB\nMemFree:         1024000 kB\nMemAvailable:    1536000 kB\n",
        "/proc/uptime": "4242.50 100.00\n",
        "/proc/loadavg": "0.50 0.25 0.10 1/7 99\n",
        "/etc/passwd": PASSWD,
        "/etc/group": GROUP,
      },
    });
    bare = await kernel.createMachine({ env: { PATH: "/bin:/usr/bin" } });
  });
  after(async () => kernel.close());

  const probe = async (...args: string[]) => (await machine.run(["probe", ...args], { timeoutMs: 10_000 })).stdout;

  it("uname reads /proc/sys/kernel, machine wasm32", async () => {
    assert.equal(await probe("uname"), "Linux|box|6.1.0-test|#1 SMP test|wasm32\n");
  });

  it("uname falls back when /proc/sys/kernel is absent", async () => {
    const r = await bare.run(["probe", "uname"], { timeoutMs: 10_000 });
    assert.match(r.stdout, /^Linux\|[^|]+\|[^|]+\|[^|]+\|wasm32\n$/);
  });

  it("gethostname reads the hostname; sethostname is EPERM", async () => {
    assert.equal(await probe("hostname"), "0 box\nsethostname -1 errno Operation not permitted\n");
  });

  it("looks users and groups up in /etc/passwd and /etc/group", async () => {
    assert.equal(await probe("getpwuid", "1000"), "alice 1000 100 /home/alice /bin/ash\n");
    assert.equal(await probe("getpwnam", "root"), "root 0 0 /root /bin/sh\n");
    assert.equal(await probe("getpwuid", "4242"), "none\n");
    assert.equal(await probe("getgrgid", "100"), "users 100 alice bob\n");
    assert.equal(await probe("getgrnam", "root"), "root 0\n");
  });

  it("sysinfo reads /proc/meminfo, /proc/uptime and /proc/loadavg", async () => {
    assert.equal(await probe("sysinfo"), "uptime=4242 load1=0.50 procs=7 totalram=2048000 freeram=1024000 unit=1024\n");
  });

  it("statvfs and statfs give the machine's memory as the filesystem's size", async () => {
    assert.equal(await probe("statvfs", "/etc"), "bsize=1024 blocks=2048000 bavail=1536000 | statfs blocks=2048000 type=1021994\n");
    assert.equal(await probe("statvfs", "/no/such/dir"), "errno No such file or directory\n");
  });

  it("longjmp ends the process with its value (no SjLj in clang 14)", async () => {
    const r = await machine.run(["probe", "longjmp", "9"], { timeoutMs: 10_000 });
    assert.equal(r.exitCode, 9);
    assert.equal(r.stdout, "");
  });

  it("pipes are not terminals: isatty, tcgetattr and TIOCGWINSZ say ENOTTY", async () => {
    assert.equal(await probe("isatty"), "0=0 1=0 2=0 pipe=0\n");
    assert.equal(await probe("termios"), "tcgetattr errno 59\n");
    assert.equal(await probe("winsize"), "errno Not a tty\n");
  });

  const onTerminal = async (...args: string[]) => {
    const proc = await machine.spawn(["probe", ...args], { terminal: { columns: 100, rows: 30 } });
    let out = "";
    const decoder = new TextDecoder();
    const reading = (async () => {
      for await (const chunk of proc.stdout) out += decoder.decode(chunk);
    })();
    const exit = await Promise.race([proc.wait(), new Promise<never>((_, no) => setTimeout(() => no(new Error("timeout")), 10_000))]);
    await reading;
    assert.equal(exit.exitCode, 0);
    return out.replace(/\r\n/g, "\n");
  };

  it("on a terminal: isatty, the window size, raw mode through tcsetattr and back", async () => {
    assert.match(await onTerminal("isatty"), /^0=1 1=1 2=1 pipe=0\n/);
    assert.equal(await onTerminal("winsize"), "cols=100 rows=30\n");
    assert.equal(await onTerminal("termios"), "echo=1 icanon=1\nraw: tcsetattr 0, tty echo=0 line=0\nrestored: tty echo=1 line=1\n");
  });
});

// The process hooks: every start and exit as a line in /run/berth/proc, when it exists.
describe("libcompat process hooks", () => {
  let kernel: Kernel;
  // A file that never answers: the guests fall back to the kernel's pids.
  const plain = MemoryFileSystem.from({ proc: "" });
  let machine: Machine;
  before(async () => {
    kernel = await bootNodeKernel({ includeTestCommands: true });
    machine = await kernel.createMachine({ env: { PATH: "/bin:/usr/bin" }, mounts: [{ path: "/run/berth", fs: plain }] });
  });
  after(async () => kernel.close());

  it("reports each process's start (pid, parent, escaped arguments), memory and exit status", async () => {
    const r = await machine.run(["probe", "spawn", "probe", "exit", "3", "a b\\c"], { timeoutMs: 10_000 });
    assert.equal(r.stdout, "status 3\n");
    const lines = new TextDecoder().decode(plain.readFile("proc")).split("\n");
    // Each asks for a namespace pid first (in a question file, removed after), gets no answer, and keeps the kernel's.
    const [parent, parentMemory, child, childMemory, childExit, parentExit, end] = lines;
    assert.deepEqual(plain.readDir(""), [{ name: "proc", kind: "file", size: plain.stat("proc").size }]);
    const [, parentPid, grandparent] = /^start (\d+) (\d+) probe spawn probe exit 3 a\\040b\\134c$/.exec(parent!)!;
    const [, childPid, childParent] = /^start (\d+) (\d+) probe exit 3 a\\040b\\134c$/.exec(child!)!;
    assert.equal(childParent, parentPid);
    // With the start line, the memory the program began with: whole WebAssembly pages.
    for (const [line, pid] of [[parentMemory, parentPid], [childMemory, childPid]]) {
      const [, memoryPid, bytes] = /^mem (\d+) (\d+)$/.exec(line!)!;
      assert.equal(memoryPid, pid);
      assert.ok(Number(bytes) > 0 && Number(bytes) % 65536 === 0, line);
    }
    assert.notEqual(grandparent, parentPid);
    assert.equal(childExit, `exit ${childPid} 3`);
    assert.equal(parentExit, `exit ${parentPid} 0`);
    assert.equal(end, "");
  });
});

// With an engine that hands out pids: the machine's namespace, not the kernel's per-tree numbering.
describe("libcompat pid namespace", () => {
  let kernel: Kernel;
  let machine: Machine;
  const events: string[] = [];
  const statuses = new Map<number, number>();
  const started = new Set<number>();
  let next = 100;
  const device = new ProcHookDevice({
    allocate: (parent) => {
      events.push(`alloc ${parent} -> ${next}`);
      return next++;
    },
    start: (pid, ppid, args) => {
      events.push(`start ${pid} ${ppid} ${args.join(" ")}`);
      started.add(pid);
    },
    exit: (pid, status) => {
      events.push(`exit ${pid} ${status}`);
      statuses.set(pid, status);
    },
    reaped: (pid) => events.push(`reaped ${pid}`),
    ownsCtrlC: (pid, owns) => events.push(`intr ${pid} ${owns ? 1 : 0}`),
    // As the engine's table: a process that started and wrote no exit line ended without one.
    status: (pid) => statuses.get(pid) ?? (started.has(pid) ? "none" : undefined),
  });
  before(async () => {
    kernel = await bootNodeKernel({ includeTestCommands: true });
    machine = await kernel.createMachine({ env: { PATH: "/bin:/usr/bin" }, mounts: [{ path: "/run/berth", fs: device }] });
  });
  after(async () => kernel.close());

  const run = (pid: number, ...argv: string[]) =>
    machine.run(argv, { env: { BERTH_PID: String(pid), BERTH_PPID: "0" }, timeoutMs: 10_000 });

  it("takes its pid from BERTH_PID and its children's from the engine", async () => {
    events.length = 0;
    next = 100;
    const r = await run(7, "probe", "spawn", "probe", "pid");
    assert.equal(r.stdout, "pid 100 ppid 7\nstatus 0\n");
    assert.deepEqual(events, ["start 7 0 probe spawn probe pid", "alloc 7 -> 100", "start 100 7 probe pid", "exit 100 0", "reaped 100", "exit 7 0"]);
  });

  it("asks for a pid when started without one", async () => {
    events.length = 0;
    next = 200;
    assert.equal((await machine.run(["probe", "pid"], { timeoutMs: 10_000 })).stdout, "pid 200 ppid 0\n");
    assert.deepEqual(events, ["alloc 0 -> 200", "start 200 0 probe pid", "exit 200 0"]);
  });

  it("signals and joins children by their namespace pids", async () => {
    next = 300;
    // The child spins until one signal arrives (its handler, or the default action if it comes first).
    const r = await run(9, "probe", "killchild", "0", "10", "probe", "signals", "spin", "1");
    assert.match(r.stdout, /kill 0 errno 0\n/);
    assert.match(r.stdout, /exited (0|27)\n$/);
    // A pid that is neither the caller nor its child is out of the kernel's reach here.
    assert.equal((await run(12, "probe", "kill", "5", "9")).stdout, "kill -1 errno 63\n");
  });

  it("ends a sleeping child at SIGTERM (the kernel's default let it sleep on), and reports a child it SIGKILLed as killed", async () => {
    next = 400;
    const started = Date.now();
    const r = await run(18, "sh", "-c", "sleep 100 & sleep 0.3; kill $!; wait $!; echo $?; yes >/dev/null & p=$!; sleep 0.3; kill -9 $p; wait $p; echo $?");
    assert.deepEqual([r.stdout, r.stderr], ["143\n137\n", "Killed\n"]);
    assert.ok(Date.now() - started < 8_000, `took ${Date.now() - started} ms`);
  });

  it("gets a child's real exit status from the engine where the kernel says 79", async () => {
    assert.equal((await run(13, "probe", "spawn", "probe", "exit", "127")).stdout, "status 127\n");
    assert.equal((await run(14, "probe", "spawn", "probe", "exit", "200")).stdout, "status 200\n");
  });

  it("reports a child that trapped as killed by SIGSEGV, and a child's exit(12) as exit 12", async () => {
    // The kernel's join says 12 for both; only the trapped one wrote no exit line.
    assert.equal((await run(15, "probe", "waitsig", "probe", "trap", "memory")).stdout, "trapping memory\nsignaled 11\n");
    assert.equal((await run(16, "probe", "waitsig", "probe", "exit", "12")).stdout, "exited 12\n");
  });

  it("lets the shell say a child crashed, as ash does, and give $? 139", async () => {
    const r = await run(17, "sh", "-c", "probe trap unreachable; echo $?; exec probe trap divide");
    assert.deepEqual([r.exitCode, r.stdout, r.stderr], [139, "trapping unreachable\n139\ntrapping divide\n", "Segmentation fault\n"]);
  });

  it("tells when Ctrl-C becomes a process's own: a SIGINT handler, a raw terminal", async () => {
    const onTerminal = async (pid: number, argv: string[], input: string) => {
      const p = await machine.spawn(argv, { env: { BERTH_PID: String(pid), BERTH_PPID: "0" }, terminal: { columns: 80, rows: 24 } });
      const reading = (async () => {
        for await (const _ of p.stdout);
      })();
      if (input) await p.write(input);
      const exit = await Promise.race([p.wait(), new Promise<never>((_, no) => setTimeout(() => no(new Error("timeout")), 10_000))]);
      await reading;
      return exit.exitCode;
    };
    const intr = () => events.filter((e) => e.startsWith("intr "));
    events.length = 0;
    // tcsetattr raw, then back.
    assert.equal(await onTerminal(31, ["probe", "termios"], ""), 0);
    assert.deepEqual(intr(), ["intr 31 1", "intr 31 0"]);
    events.length = 0;
    // The interactive shell catches SIGINT for its jobs; its line editor's raw mode changes nothing then.
    assert.equal(await onTerminal(32, ["sh", "-i"], "exit 3\n"), 3);
    assert.deepEqual(intr(), ["intr 32 1"]);
    events.length = 0;
    // A program that does neither says nothing.
    await run(33, "probe", "pid");
    assert.deepEqual(intr(), []);
  });

  it("keeps the pid across exec", async () => {
    events.length = 0;
    next = 400;
    const r = await run(11, "env", "probe", "pid");
    assert.equal(r.stdout, "pid 11 ppid 0\n");
    // exec is a spawn that keeps the pid, joined by the caller: hence the reaped line.
    assert.deepEqual(events, ["start 11 0 env probe pid", "start 11 0 probe pid", "exit 11 0", "reaped 11", "exit 11 0"]);
  });
});
