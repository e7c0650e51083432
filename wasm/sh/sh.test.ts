// The shell under the real kernel: what a user of sh relies on, end to end.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { MemoryFileSystem } from "../../src/fs/index.ts";
import type { Kernel, Machine } from "../../src/kernel/index.ts";
import { bootNodeKernel } from "../../src/kernel/node-index.ts";

describe("sh on WASIX", () => {
  let kernel: Kernel;
  let machine: Machine;
  let tmp: MemoryFileSystem;
  before(async () => {
    kernel = await bootNodeKernel({ includeTestCommands: true });
    tmp = new MemoryFileSystem();
    machine = await kernel.createMachine({ env: { PATH: "/bin:/usr/bin", HOME: "/tmp" }, mounts: [{ path: "/tmp", fs: tmp }] });
  });
  after(async () => kernel.close());

  const sh = (script: string, stdin = "") => machine.run(["sh", "-c", script], { stdin, timeoutMs: 15_000 });

  it("runs programs found through PATH and passes their status", async () => {
    const r = await sh("probe args 'a b' c; probe exit 3");
    assert.deepEqual([r.stdout, r.exitCode], ["[a b]\n[c]\n", 3]);
  });

  it("connects pipelines and delivers EOF", async () => {
    const r = await sh("seq 1 5 | sort -r | tr '\\n' ' '");
    assert.equal(r.stdout, "5 4 3 2 1 ");
  });

  it("expands parameters, arithmetic and command substitutions", async () => {
    const r = await sh('x=abc; n=6; echo "${x#a}" ${#x} $((n * 7)) "$(echo sub | tr a-z A-Z)" `echo bq` ${unset:-dflt}');
    assert.equal(r.stdout, "bc 3 42 SUB bq dflt\n");
  });

  it("runs functions, case, loops and here-documents", async () => {
    const r = await sh(`greet() { echo "hi $1"; return 4; }
greet you; echo "status=$?"
for w in one two; do case $w in o*) echo "o:$w";; *) echo "x:$w";; esac; done
i=0; while [ $i -lt 3 ]; do i=$((i + 1)); done; echo "i=$i"
cat <<EOF
here $i
EOF`);
    assert.equal(r.stdout, "hi you\nstatus=4\no:one\nx:two\ni=3\nhere 3\n");
  });

  it("expands bash's and ash's substrings and pattern replacements, and reads their function keyword and echo options", async () => {
    const r = await sh(`x=abcdef; i=2; echo \${x:1} \${x:1:2} \${x: -2} \${x:2:-1} \${x:$i:1} "\${x::0}"
echo \${x/cd/XY} \${x//[ace]/_} \${x/#ab/S} \${x/%ef/E} \${x/#/P} \${x/c}; p=/usr/bin; echo "\${p//\\//:}"
set -- one two three; echo "\${@:2}" \${*: -1} "\${@:1:1}"
function f { echo "f:$1"; }; function g() { echo g; }; f a; g
echo -ne 'n\\t'; echo -E 'e\\t'`);
    assert.equal(r.stdout, "bcdef bc ef cde c \nabXYef _b_d_f Scdef abcdE Pabcdef abdef\n:usr:bin\ntwo three three one\nf:a\ng\nn\te\\t\n");
  });

  it("reads a line continued past the end of a read (a backslash-newline at a 4 KiB boundary)", async () => {
    const line = "echo a \\\n";
    const pad = "#" + "x".repeat(4096 - line.length - 2) + "\n";
    const r = await machine.run(["sh"], { stdin: pad + line + "  b\n" });
    assert.equal(r.stdout, "a b\n");
  });

  it("prints %b's NUL bytes and %s past 4 KiB, padded and cut as asked (both went through C strings, %s a 4 KiB one)", async () => {
    const r = await sh("printf '%b|%3b|%-3s|%.2s|' 'a\\0b' x y abc | od -An -tx1; printf %s \"$(seq 2000)\" | wc -c");
    assert.equal(r.stdout, " 61 00 62 7c 20 20 78 7c 79 20 20 7c 61 62 7c\n8892\n");
  });

  it("reads \\xHH in printf and echo -e, as bash and ash do (plain echo prints it as dash does)", async () => {
    const r = await sh("printf 'A\\x42\\x3Q%b|' '\\x44'; echo -e '\\x45\\xZ'; echo '\\x46'");
    assert.equal(r.stdout, "AB\x03QD|E\\xZ\n\\x46\n");
  });

  it("unsets variables for its children, exported ones it started with too", async () => {
    const r = await machine.run(["env", "GONE=1", "sh", "-c", "unset GONE; env | grep -c GONE; echo ${GONE-unset}"], { timeoutMs: 15_000 });
    assert.equal(r.stdout, "0\nunset\n");
  });

  it("lets children inherit cd", async () => {
    const r = await sh("cd /etc && pwd && probe cwd");
    assert.equal(r.stdout, "/etc\n/etc\n");
  });

  it("cds to paths whose '..' undo their last parts (once freed each part twice and crashed)", async () => {
    const r = await sh("mkdir -p /tmp/a/b; cd /tmp/..; pwd; cd /tmp/a/b/../..; pwd; cd /etc/../tmp/a/b/..; pwd");
    assert.deepEqual([r.stdout, r.stderr, r.exitCode], ["/\n/tmp\n/tmp/a\n", "", 0]);
  });

  it("keeps subshell changes in the subshell", async () => {
    const r = await sh("x=1; (x=2; cd /etc; echo \"in $x $(pwd)\"); echo \"out $x $(pwd)\"");
    assert.equal(r.stdout, "in 2 /etc\nout 1 /\n");
  });

  it("redirects to and from files", async () => {
    const r = await sh("echo one > /tmp/f; echo two >> /tmp/f; wc -l < /tmp/f; cat /tmp/f 2>&1 >/dev/null; probe args err >&2");
    assert.equal(r.stdout, "2\n");
    assert.equal(r.stderr, "[err]\n");
  });

  it("runs #! scripts and scripts without one", async () => {
    tmp.writeFile("with-shebang", "#!/bin/sh\necho shebang $1\n");
    tmp.writeFile("without", "echo plain $1\n");
    const r = await sh("/tmp/with-shebang a; /tmp/without b");
    assert.equal(r.stdout, "shebang a\nplain b\n");
  });

  it("runs background jobs and waits for them", async () => {
    const r = await sh("probe exit 5 & pid=$!; wait $pid; echo \"waited $?\"");
    assert.equal(r.stdout, "waited 5\n");
  });

  it("says not found with 127, and 126 for what cannot run", async () => {
    tmp.writeFile("data.bin", new Uint8Array([0, 1, 2, 3]));
    const missing = await sh("nosuchcommand");
    assert.deepEqual([missing.exitCode, missing.stderr], [127, "sh: line 1: nosuchcommand: not found\n"]);
    const dir = await sh("/etc");
    assert.equal(dir.exitCode, 126);
  });

  it("reports syntax errors with the line and status 2", async () => {
    const r = await sh("echo ok\nif then fi");
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /^sh: line 2: syntax error: unexpected "then"\n$/);
  });

  it("reads a script from stdin", async () => {
    const r = await machine.run(["sh"], { stdin: "echo from stdin\nexit 7\n" });
    assert.deepEqual([r.stdout, r.exitCode], ["from stdin\n", 7]);
  });

  it("stops on errors with set -e and traces with set -x", async () => {
    const r = await sh("set -ex; echo a; false; echo never");
    assert.deepEqual([r.stdout, r.exitCode], ["a\n", 1]);
    assert.equal(r.stderr, "+ echo a\n+ false\n");
  });

  it("runs the EXIT trap", async () => {
    const r = await sh("trap 'echo bye' EXIT; echo hi");
    assert.equal(r.stdout, "hi\nbye\n");
  });

  /** Types lines into an interactive shell on a terminal; returns what the terminal showed and the exit status. */
  async function interactive(env: Record<string, string>, lines: string[]): Promise<{ screen: string; exitCode: number }> {
    const p = await machine.spawn(["sh", "-i"], { terminal: { columns: 80, rows: 24 }, env: { PS1: "$ ", ...env } });
    let screen = "";
    const reading = (async () => {
      for await (const chunk of p.stdout) screen += new TextDecoder().decode(chunk);
    })();
    const settled = async () => {
      // Type once the screen has been still for a while: the prompt is up and the editor reads in raw mode.
      for (let seen = -1; seen !== screen.length; ) {
        seen = screen.length;
        await new Promise((r) => setTimeout(r, 150));
      }
    };
    for (const line of lines) {
      await settled();
      // Control keys are typed alone; anything else is a line.
      await p.write(line === "\x03" ? line : line + "\r");
    }
    const status = await Promise.race([p.wait(), new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    if (!status) await p.kill();
    await reading;
    return { screen, exitCode: status?.exitCode ?? -1 };
  }

  it("marks prompts and commands for the terminal (OSC 133) when BERTH_SHELL_INTEGRATION is set", async () => {
    const mark = (m: string) => `\x1b]133;${m}\x07`;
    const { screen, exitCode } = await interactive({ BERTH_SHELL_INTEGRATION: "1" }, ["echo hi; false", "exit 3"]);
    assert.equal(exitCode, 3);
    const first = screen.indexOf(mark("A"));
    const ended = screen.indexOf(mark("D;1"));
    assert.ok(first >= 0 && screen.indexOf(`$ ${mark("B")}`) > first, JSON.stringify(screen));
    assert.ok(screen.indexOf(mark("C")) < screen.indexOf("hi\r\n") || screen.indexOf(mark("C")) < screen.indexOf("hi\n"), JSON.stringify(screen));
    assert.ok(ended > screen.indexOf(mark("C")) && screen.indexOf(mark("A"), ended) > ended, JSON.stringify(screen));
    const plain = await interactive({}, ["echo hi", "exit 0"]);
    assert.ok(!plain.screen.includes("\x1b]133;"), JSON.stringify(plain.screen));
  });

  it("stops the foreground job on Ctrl-C, abandons the rest of the line and sets $? to 130", async () => {
    const { screen, exitCode } = await interactive({}, [
      "sleep 30; echo not-reached",
      "\x03",
      "for i in 1 2; do sleep 30; echo loop$i; done",
      "\x03",
      "echo status=$?",
      "exit 4",
    ]);
    assert.equal(exitCode, 4, JSON.stringify(screen));
    assert.match(screen, /status=130/);
    assert.doesNotMatch(screen, /not-reached\r?\n|loop1/);
  });
});
