// Every shipped toybox command, run for real on the kernel, on a host with /etc and /proc.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { MemoryFileSystem } from "../../src/fs/index.ts";
import { createHost } from "../../src/host/index.ts";
import { readRootfs } from "../../src/host/node-index.ts";
import type { Kernel, Machine } from "../../src/kernel/index.ts";
import { bootNodeKernel } from "../../src/kernel/node-index.ts";

describe("toybox on WASIX", () => {
  let kernel: Kernel;
  let host: Machine;
  before(async () => {
    kernel = await bootNodeKernel();
    host = (await createHost(kernel, { rootfs: await readRootfs() })).machine;
  });
  after(async () => kernel.close());

  const sh = async (script: string, stdin = "") => {
    const r = await host.run(["sh", "-c", script], { stdin, cwd: "/tmp", timeoutMs: 15_000 });
    return r.stdout;
  };

  // command line -> expected output (exact, or a pattern)
  const CASES: [string, string | RegExp][] = [
    ["echo hello | cat", "hello\n"],
    ["seq 3", "1\n2\n3\n"],
    ["seq 1 20000 | sort -r | uniq | wc -l", "20000\n"],
    ["printf 'b\\na\\nb\\n' | sort | uniq -c | tr -s ' '", " 1 a\n 2 b\n"],
    ["echo a:b:c | cut -d: -f2", "b\n"],
    ["echo hello | tr a-z A-Z", "HELLO\n"],
    ["echo abc | tee /tmp/t >/dev/null; cat /tmp/t", "abc\n"],
    ["printf '1\\n2\\n3\\n' | head -n 2", "1\n2\n"],
    ["printf '1\\n2\\n3\\n' | tail -n 1", "3\n"],
    ["printf 'x\\ny\\n' | tac", "y\nx\n"],
    ["echo 'one two' | grep -o two", "two\n"],
    ["printf 'a\\nb\\n' | egrep 'a|b' | wc -l", "2\n"],
    ["echo 'a.b' | fgrep -c '.'", "1\n"],
    ["echo hello | sed 's/l/L/g'", "heLLo\n"],
    ["echo hi | wc -c", "3\n"],
    ["echo hi | md5sum", "764efa883dda1e11db47671c4a3bbd9e  -\n"],
    ["echo hi | sha256sum", "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4  -\n"],
    ["echo hi | base64", "aGkK\n"],
    ["echo hi | od -c | head -1", /^0000000\s+h\s+i\s+\\n\n$/],
    ["mkdir -p /tmp/d/e && touch /tmp/d/e/f && ls /tmp/d/e && find /tmp/d -name f", "f\n/tmp/d/e/f\n"],
    ["mkdir /tmp/r && rmdir /tmp/r && echo gone", "gone\n"],
    ["echo x > /tmp/a && cp /tmp/a /tmp/b && mv /tmp/b /tmp/c && cat /tmp/c && rm /tmp/a /tmp/c && ls /tmp/a 2>&1 | head -c 3", "x\nls:"],
    ["echo x > /tmp/l1 && ln /tmp/l1 /tmp/l2 && cat /tmp/l2", "x\n"],
    ["echo data > /tmp/s && stat -c %s /tmp/s", "5\n"],
    ["echo data > /tmp/m && chmod 755 /tmp/m && echo ok", "ok\n"],
    ["echo 1234 > /tmp/du && du -s /tmp/du | cut -f2", "/tmp/du\n"],
    ["cmp /etc/hostname /etc/hostname && echo same", "same\n"],
    ["basename /a/b/c.txt .txt; dirname /a/b/c.txt", "c\n/a/b\n"],
    ["readlink -f /etc/../etc/hostname; realpath /etc/./hostname", "/etc/hostname\n/etc/hostname\n"],
    ["which ls", /^\/(usr\/)?bin\/ls\n$/],
    ["uname -s -r -m", /^Linux 6\.\d+\.\d+-berth wasm32\n$/],
    ["hostname", "berth\n"],
    ["id; whoami", "uid=0(root) gid=0(root) groups=0(root)\nroot\n"],
    // getgrouplist once overwrote the group getgrgid had returned: gid=65534(nogroup)
    ["id root", "uid=0(root) gid=0(root) groups=0(root),999(docker)\n"],
    // 4 KiB blocks, a directory one block, as ext4
    ["mkdir -p /tmp/blocks/d && seq 1 3000 > /tmp/blocks/f && du -k /tmp/blocks", "4\t/tmp/blocks/d\n24\t/tmp/blocks\n"],
    ["A=1 env | grep '^A='", "A=1\n"],
    ["A=2 printenv A", "2\n"],
    ["date -u -d @0 +%Y-%m-%d", "1970-01-01\n"],
    ["sleep 0.1 && echo slept", "slept\n"],
    ["yes | head -n 2", "y\ny\n"],
    ["true && ! false && echo ok", "ok\n"],
    ["test 3 -gt 2 && echo yes", "yes\n"],
    ["expr 6 \\* 7", "42\n"],
    ["nproc", /^\d+\n$/],
    ["echo hi | gzip | gunzip", "hi\n"],
    ["echo hi | gzip | zcat", "hi\n"],
    // the inputs go once their .gz is written (the kernel kept a file its own process had open)
    ["cd /tmp && echo a > g1 && echo b > g2 && gzip g1 g2 && ls g1* g2* && zcat g1.gz g2.gz", "g1.gz\ng2.gz\na\nb\n"],
    ["A=0 env -i B=1 env", "B=1\n"],
    // 64-bit inode numbers whole (build-step.mjs: printWholeInodes)
    ["[ \"$(ls -i /etc/hostname)\" = \"$(stat -c '%i /etc/hostname' /etc/hostname)\" ] && echo same", "same\n"],
    ["mkdir -p /tmp/tar && echo t > /tmp/tar/f && tar -C /tmp -cf /tmp/x.tar tar && tar -tf /tmp/x.tar", "tar/\ntar/f\n"],
    ["free | head -1 | tr -s ' '", /total used free/],
    // each mount its own device (libcompat), sizes from /proc/meminfo: the mount /etc is on
    ["df /etc", /^Filesystem +1K-blocks +Used +Available +Use% +Mounted on\nrootfs +\d+ +\d+ +\d+ +\d+% \/\n$/],
    ["df | tail -n +2 | tr -s ' ' | cut -d ' ' -f 1,6", "rootfs /\nproc /proc\n"],
    // stat takes libcompat's modes too (toybox calls it through a pointer: the link wraps it)
    ["stat -c '%a %A' /etc/passwd /etc", "644 -rw-r--r--\n755 drwxr-xr-x\n"],
    ["uptime", /up /],
    ["mount | grep ' /proc '", "proc on /proc type proc (ro)\n"],
    ["ps -o pid= | head -1; echo ps-ran", /ps-ran\n$/],
    ["kill -l 9", "KILL\n"],
    ["pgrep nosuchprocess; echo $?", "1\n"],
    ["echo a b c | xargs -n 2 echo x", "x a b\nx c\n"],
    ["printf 'a b\\0c\\0' | xargs -0 -n1 echo", "a b\nc\n"],
    // Linux's ARG_MAX (libcompat's sysconf): one 128 KiB argument fits, and 1.3 MB of them split into few commands
    ["X=$(head -c 131066 /dev/zero | tr '\\0' x); for i in $(seq 1 10); do echo $X; done | xargs sh -c 'echo $#' sh", "10\n"],
    ["seq 6 | xargs -P 3 -n 2 echo | sort", "1 2\n3 4\n5 6\n"],
    ["echo in | xargs sh -c 'cat; echo read-devnull'", "read-devnull\n"],
    // 127 reads as 79 here: a plain machine has no engine to ask for statuses from 80 up (wasm/README.md).
    ["echo x | xargs nosuchcmd 2>&1; test $? -ne 0 && echo failed", "xargs: exec nosuchcmd: No such file or directory\nfailed\n"],
    ["mkdir -p fx/d && touch fx/a fx/d/b && find fx -type f -exec echo F {} \\; | sort", "F fx/a\nF fx/d/b\n"],
    ["find fx -type f -exec echo {} + | wc -w", "2\n"],
    ["find fx -name a -exec nosuchcmd {} \\; 2>&1; test $? -ne 0 && echo failed", "find: exec nosuchcmd: No such file or directory\nfailed\n"],
    ["mkdir -p tz && echo z > tz/f && tar -czf tz.tgz tz && tar -tzf tz.tgz && rm -r tz && tar -xzf tz.tgz && cat tz/f", "tz/\ntz/f\nz\n"],
    ["pwd; cd /etc && pwd", "/tmp\n/etc\n"],
    ["tty; echo $?", "not a tty\n1\n"],
    ["clear | od -An -c | tr -s ' '", " 033 [ 2 J 033 [ H\n"],
    ["env printf '%05.1f|%x|%s|%b\\n' 3.14159 255 ok 'a\\tb'", "003.1|ff|ok|a\tb\n"],
    ["printf 'a\\nb\\n' | nl", "     1\ta\n     2\tb\n"],
    ["seq 3 > p1; seq 4 6 | paste -d, p1 -", "1,4\n2,5\n3,6\n"],
    ["echo hello | rev", "olleh\n"],
    ["printf 'a\\nb\\n' > c1; printf 'b\\nc\\n' > c2; comm -12 c1 c2; comm -3 c1 c2", "b\na\n\tc\n"],
    ["echo hi | cksum", "1479881546 3\n"],
    ["f=$(mktemp) && test -f $f && echo $f; d=$(mktemp -d /tmp/dXXXXXX) && test -d $d && echo $d", /^\/tmp\/tmp\.[A-Za-z0-9]{10}\n\/tmp\/d[A-Za-z0-9]{6}\n$/],
    ["echo hello > tr1; truncate -s 2 tr1; cat tr1; truncate -s 5 tr1; wc -c < tr1", "he5\n"],
    ["seq 10 > sp; split -l 4 sp sp.; ls sp.*; cat sp.ac", "sp.aa\nsp.ab\nsp.ac\n9\n10\n"],
    ["printf 'a\\0b\\200' | xxd", "00000000: 6100 6280                                a.b.\n"],
    ["echo 6869 | xxd -r -p", "hi"],
    ["printf 'a\\nb\\n' > d1; printf 'a\\nc\\n' > d2; diff -u d1 d2 > dd; echo $?; tail -n +3 dd; diff d1 d1 && echo same", "1\n@@ -1,2 +1,2 @@\n a\n-b\n+c\nsame\n"],
    ["ls -l /etc/hostname | tr -s ' ' | cut -d' ' -f5,8", "6 /etc/hostname\n"],
    ["top -b -n 1 | head -1", /./],
  ];

  for (const [script, expected] of CASES) {
    it(script, async () => {
      const out = await sh(script);
      if (typeof expected === "string") assert.equal(out, expected);
      else assert.match(out, expected);
    });
  }

  // Commands that register an exit handler (sed -i's tempfile, top's cursor) used to
  // trap on the way out, after their work: the status is what is checked here.
  it("sed -i rewrites each file in place and exits 0", async () => {
    const r = await host.run(["sh", "-c", "echo a > si1; echo a > si2; sed -i s/a/b/ si1 si2; echo $?; cat si1 si2; ls si1*"], { cwd: "/tmp", timeoutMs: 15_000 });
    assert.equal(r.stdout, "0\nb\nb\nsi1\n", r.stderr);
    const direct = await host.run(["sed", "-i", "s/b/c/", "/tmp/si1"], { timeoutMs: 15_000 });
    assert.equal(direct.exitCode, 0, direct.stderr);
    assert.equal(await sh("cat /tmp/si1"), "c\n");
  });

  it("sed -i.bak keeps the original beside the rewritten file", async () => {
    assert.equal(await sh("echo a > sb; sed -i.bak s/a/b/ sb; echo $?; cat sb sb.bak"), "0\nb\na\n");
  });

  /** Runs argv on a terminal, typing each key once the screen has been still for a while; returns the screen and status. */
  const onTerminal = async (argv: string[], keys: string[] = []) => {
    const p = await host.spawn(argv, { terminal: { columns: 40, rows: 10 }, cwd: "/tmp" });
    let screen = "";
    const reading = (async () => {
      for await (const chunk of p.stdout) screen += new TextDecoder().decode(chunk);
    })();
    for (const key of keys) {
      for (let seen = -1; seen !== screen.length; ) {
        seen = screen.length;
        await new Promise((r) => setTimeout(r, 200));
      }
      await p.write(key);
    }
    const status = await Promise.race([p.wait(), new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    if (!status) await p.kill();
    await reading;
    return { screen, exitCode: status?.exitCode ?? -1 };
  };

  it("tty names the terminal (libcompat's ttyname)", async () => {
    assert.deepEqual(await onTerminal(["tty"]), { screen: "/dev/tty\r\n", exitCode: 0 });
  });

  it("vi edits a file on a terminal: raw keys, arrows, insert, delete, :wq", async () => {
    assert.equal(await sh("printf 'line1\\nline2\\nline3\\n' > vi.txt; echo ok"), "ok\n");
    // Down arrow, delete that line, delete a character, append, open a line below, write and quit.
    const { screen, exitCode } = await onTerminal(["vi", "vi.txt"], ["\x1b[B", "dd", "x", "Ahey\x1b", "o", "new\x1b", ":wq\r"]);
    assert.equal(exitCode, 0, JSON.stringify(screen));
    assert.ok(screen.includes("-- INSERT --"), JSON.stringify(screen));
    assert.equal(await sh("cat vi.txt"), "line1\nine3hey\nnew\n");
  });

  it("vi writes a new file (build-step.mjs: loadEmptyFileAsLine)", async () => {
    const { exitCode } = await onTerminal(["vi", "vinew.txt"], ["ihello\rworld\x1b", ":wq\r"]);
    assert.equal(exitCode, 0);
    assert.equal(await sh("cat vinew.txt"), "hello\nworld\n");
  });

  it("vi :q! leaves the file as it was", async () => {
    assert.equal(await sh("echo keep > viq.txt; echo ok"), "ok\n");
    const { exitCode } = await onTerminal(["vi", "viq.txt"], ["dd", ":q!\r"]);
    assert.equal(exitCode, 0);
    assert.equal(await sh("cat viq.txt"), "keep\n");
  });

  it("top without -b exits 0", async () => {
    const r = await host.run(["top", "-n", "1"], { timeoutMs: 15_000 });
    assert.equal(r.exitCode, 0, r.stderr);
  });
});

// ps, top, uname and friends read /proc as on Linux: here a /proc written by the test.
describe("toybox on a /proc given by the test", () => {
  let kernel: Kernel;
  let machine: Machine;
  const stat = (pid: number, comm: string, ppid: number) =>
    `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 1000 2097152 100 ` +
    "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
  const status = (name: string) => `Name:\t${name}\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n`;
  before(async () => {
    kernel = await bootNodeKernel();
    const proc = MemoryFileSystem.from({
      "1/stat": stat(1, "sh", 0),
      "1/cmdline": "sh\0",
      "1/statm": "512 100 50 10 0 80 0\n",
      "1/status": status("sh"),
      "42/stat": stat(42, "sleep", 1),
      "42/cmdline": "sleep\x0099\0",
      "42/statm": "256 50 20 5 0 40 0\n",
      "42/status": status("sleep"),
      uptime: "3700.00 50.00\n",
      meminfo: "MemTotal: 1024000 kB\nMemFree: 512000 kB\nMemAvailable: 600000 kB\n",
      loadavg: "0.10 0.20 0.30 1/2 42\n",
      stat: "cpu  10 0 10 1000 0 0 0 0 0 0\nbtime 0\n",
      "sys/kernel/ostype": "Linux\n",
      "sys/kernel/hostname": "box\n",
      "sys/kernel/osrelease": "6.1.0-test\n",
      "sys/kernel/version": "#1 SMP test\n",
      mounts: "proc /proc proc ro 0 0\nberthfs /etc berthfs rw 0 0\n",
    });
    machine = await kernel.createMachine({
      env: { PATH: "/bin:/usr/bin" },
      files: { "/etc/passwd": "root:x:0:0:root:/root:/bin/sh\n", "/etc/group": "root:x:0:\n" },
      mounts: [{ path: "/proc", fs: proc }],
    });
  });
  after(async () => kernel.close());

  const run = async (...argv: string[]) => {
    const r = await machine.run(argv, { timeoutMs: 15_000 });
    assert.equal(r.exitCode, 0, r.stderr);
    return r.stdout;
  };

  it("ps lists the processes in /proc", async () => {
    assert.match(await run("ps", "-o", "pid,ppid,args"), /^ +PID +PPID ARGS *\n +1 +0 sh\n +42 +1 sleep 99\n$/);
    assert.match(await run("ps", "-ef"), /^root +42 +1 .* sleep 99$/m);
  });

  it("pgrep finds a process by name", async () => {
    assert.equal(await run("pgrep", "sleep"), "42\n");
  });

  it("top counts the tasks and reads the memory", async () => {
    const out = await run("top", "-b", "-n", "1");
    assert.match(out, /^Tasks: 2 total/);
    assert.match(out, /Mem: +1024000K total/);
  });

  it("uname -a reads /proc/sys/kernel", async () => {
    assert.equal(await run("uname", "-a"), "Linux box 6.1.0-test #1 SMP test wasm32 Toybox\n");
  });

  it("uptime and free read /proc/uptime, /proc/loadavg and /proc/meminfo", async () => {
    assert.match(await run("uptime"), /up +1:01, .*load average: 0\.10, 0\.20, 0\.30\n$/);
    assert.match(await run("free", "-k"), /^Mem: +1024000 +512000 +512000 /m);
  });

  it("mount reads /proc/mounts", async () => {
    assert.equal(await run("mount"), "proc on /proc type proc (ro)\nberthfs on /etc type berthfs (rw)\n");
  });
});

