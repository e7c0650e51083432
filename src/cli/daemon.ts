/**
 * `berth daemon`: Docker's Engine API for the official docker CLI (and any
 * Docker client), served from the same engine the Berth host's shell uses.
 *
 *   berth daemon [-H|--host unix:///path/berth.sock]... [-H|--host tcp://127.0.0.1:2375]...
 */
import { createApiHandler } from "../api/index.ts";
import { bootNodeKernel } from "../kernel/node-index.ts";
import { isLoopback, listenApi, parseHost, type ApiServer, type Listen } from "./api-server.ts";
import { bootNodePlayground } from "./node-playground.ts";

export const DAEMON_USAGE = `Usage: berth daemon [OPTIONS]

Serve the Docker Engine API from Berth's engine (DOCKER_HOST=... docker ...).

Options:
  -H, --host ADDRESS   unix:///path or tcp://host:port to listen on (repeatable;
                       default ${defaultSocketPath()})
  -h, --help           show this help
`;

/** $XDG_RUNTIME_DIR/berth.sock, else /tmp/berth-UID/berth.sock: a directory only its owner reaches. */
export function defaultSocketPath(): string {
  const runtimeDir = process.env.XDG_RUNTIME_DIR;
  return runtimeDir ? `${runtimeDir}/berth.sock` : `/tmp/berth-${process.getuid?.() ?? 0}/berth.sock`;
}

function parseArgs(argv: readonly string[]): Listen[] | "help" {
  const hosts: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-h" || arg === "--help") return "help";
    const inline = /^--host=(.*)$/.exec(arg);
    if (inline) hosts.push(inline[1]!);
    else if (arg === "-H" || arg === "--host") {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg}: option requires an argument`);
      hosts.push(value);
    } else throw new Error(`unknown argument '${arg}'`);
  }
  return (hosts.length ? hosts : [`unix://${defaultSocketPath()}`]).map(parseHost);
}

/** Runs until SIGINT or SIGTERM; returns the exit status. */
export async function runDaemon(argv: readonly string[]): Promise<number> {
  let listens: Listen[];
  try {
    const parsed = parseArgs(argv);
    if (parsed === "help") {
      process.stdout.write(DAEMON_USAGE);
      return 0;
    }
    listens = parsed;
  } catch (error) {
    process.stderr.write(`berth daemon: ${(error as Error).message}\n\n${DAEMON_USAGE}`);
    return 2;
  }
  const kernel = await bootNodeKernel();
  const servers: ApiServer[] = [];
  try {
    const { engine } = await bootNodePlayground(kernel);
    const handler = createApiHandler(engine);
    for (const listen of listens) {
      if (listen.kind === "tcp" && !isLoopback(listen.host)) {
        // dockerd's warning for a plain TCP socket open to the network.
        process.stderr.write(
          `WARNING: Binding to IP address ${listen.host} without TLS gives root-equivalent access to this engine to everyone who can reach it on your network.\n`,
        );
      }
      const server = await listenApi(handler, listen);
      servers.push(server);
      process.stdout.write(`API listen on ${server.address}\n`);
    }
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    return 0;
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    await kernel.close();
  }
}
