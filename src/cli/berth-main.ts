/**
 * `berth`: a shell on the Berth host, in your terminal.
 *
 *   berth                      interactive shell (a script from stdin when it is not a terminal)
 *   berth -c 'SCRIPT' [ARG...] run SCRIPT on the host, print its output, exit with its status
 *   berth daemon [--host ...]  serve Docker's Engine API (see daemon.ts)
 */
import { once } from "node:events";

import type { KernelProcess } from "../kernel/index.ts";
import { bootNodeKernel } from "../kernel/node-index.ts";
import { settlesWithin } from "../util/index.ts";
import { runDaemon } from "./daemon.ts";
import { bootNodePlayground } from "./node-playground.ts";
import { TerminalKeys } from "./playground.ts";

const USAGE = `Usage: berth [-c SCRIPT [NAME [ARG...]]]
       berth daemon [--host unix:///PATH | tcp://HOST:PORT]...

A container playground whose kernel is WebAssembly.

  berth                 open a shell on the Berth host
  berth -c SCRIPT       run SCRIPT with the host's sh, then exit with its status
  berth daemon          serve the Docker Engine API (for DOCKER_HOST=unix://...)

Options:
  -c SCRIPT   run SCRIPT (further arguments become $0, $1, ...)
  -h, --help  show this help
  --version   print the version
`;

const VERSION = "0.1.0";

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "-h" || argv[0] === "--help") {
    process.stdout.write(USAGE);
    return 0;
  }
  if (argv[0] === "--version") {
    process.stdout.write(`berth ${VERSION}\n`);
    return 0;
  }
  if (argv[0] === "daemon") return runDaemon(argv.slice(1));
  if (argv.length > 0 && argv[0] !== "-c") {
    process.stderr.write(`berth: unknown argument '${argv[0]}'\n\n${USAGE}`);
    return 2;
  }
  if (argv[0] === "-c" && argv.length < 2) {
    process.stderr.write("berth: -c: option requires an argument\n");
    return 2;
  }

  const kernel = await bootNodeKernel();
  try {
    const keys = new TerminalKeys();
    const { host: { machine: host } } = await bootNodePlayground(kernel, { term: process.env.TERM, terminalInput: keys });
    const interactive = argv.length === 0 && process.stdin.isTTY && process.stdout.isTTY;
    const shArgs = argv.length > 0 ? ["sh", ...argv] : interactive ? ["sh", "-i"] : ["sh"];
    const child = await host.spawn(shArgs, {
      cwd: "/root",
      terminal: interactive ? { columns: process.stdout.columns, rows: process.stdout.rows } : undefined,
    });
    return interactive ? await attachTerminal(child, keys) : await attachPipes(child);
  } finally {
    await kernel.close();
  }
}

/** How long the output may go on after the shell ended (as the kernel's run()). */
const OUTPUT_GRACE_MS = 1_000;

/** Pipes: our stdin to the guest's (until EOF), its stdout and stderr to ours. */
async function attachPipes(child: KernelProcess): Promise<number> {
  const input = (async () => {
    if (!process.stdin.isTTY) {
      for await (const chunk of process.stdin) await child.write(chunk as Uint8Array);
    }
    await child.closeStdin();
  })();
  const copy = async (from: AsyncIterable<Uint8Array> | null, to: NodeJS.WriteStream) => {
    if (from) for await (const chunk of from) await written(to, chunk);
  };
  const output = Promise.all([copy(child.stdout, process.stdout), copy(child.stderr, process.stderr)]);
  const status = await child.wait();
  // A killed background job can hold the shell's pipes open for ever (wasm/README.md): what came by then is the output.
  await settlesWithin(output, OUTPUT_GRACE_MS);
  process.stdin.destroy();
  await input.catch(() => undefined);
  return status.exitCode;
}

/** A terminal: raw keystrokes in, the guest's screen out, resizes forwarded. */
async function attachTerminal(child: KernelProcess, keys: TerminalKeys): Promise<number> {
  const stdin = process.stdin;
  stdin.setRawMode(true);
  const onData = (chunk: Buffer) => keys.deliver(new Uint8Array(chunk), (data) => void child.write(data));
  const onResize = () => child.resize(process.stdout.columns, process.stdout.rows);
  stdin.on("data", onData);
  process.stdout.on("resize", onResize);
  try {
    const output = (async () => {
      for await (const chunk of child.stdout) await written(process.stdout, chunk);
    })();
    const status = await child.wait();
    await output;
    return status.exitCode;
  } finally {
    stdin.off("data", onData);
    process.stdout.off("resize", onResize);
    stdin.setRawMode(false);
    stdin.pause();
  }
}

/**
 * Writes to our terminal or pipe, settling once it can take more: a reader
 * slower than the guest (a slow terminal, `berth -c ... | less`) slows the
 * guest instead of Node queueing its output.
 */
async function written(to: NodeJS.WriteStream, chunk: Uint8Array): Promise<void> {
  if (to.write(chunk)) return;
  const settled = new AbortController();
  try {
    await Promise.race([once(to, "drain", { signal: settled.signal }), once(to, "close", { signal: settled.signal })]);
  } finally {
    settled.abort();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`berth: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(125);
  },
);
