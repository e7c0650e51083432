// Every shipped toybox command, run for real on the kernel, on a host with /etc and /proc.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

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
    ["mkdir -p /tmp/tar && echo t > /tmp/tar/f && tar -C /tmp -cf /tmp/x.tar tar && tar -tf /tmp/x.tar", "tar/\ntar/f\n"],
    ["free | head -1 | tr -s ' '", /total used free/],
    ["df /etc | head -1", /^Filesystem/],
    ["uptime", /up /],
    ["mount | grep ' /proc '", "proc on /proc type proc (ro)\n"],
    ["ps -o pid= | head -1; echo ps-ran", /ps-ran\n$/],
    ["kill -l 9", "KILL\n"],
    ["pgrep nosuchprocess; echo $?", "1\n"],
    ["echo a b | xargs -n1 2>&1 | head -1", /./],
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
});
