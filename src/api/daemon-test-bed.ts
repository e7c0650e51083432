/**
 * What an Engine API suite stands on: a kernel, the playground's engine and
 * `berth daemon`'s server on a temporary unix socket, booted before the suite
 * and closed after it. `docker(...)` runs the official docker CLI against it
 * (a missing client fails the suite: scripts/bootstrap.sh installs it).
 * Call it inside the suite's `describe`.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, before } from "node:test";

import { listenApi, type ApiServer } from "../cli/api-server.ts";
import { runDocker } from "../cli/docker/index.ts";
import { bootNodePlayground } from "../cli/node-playground.ts";
import type { DockerIO, Engine } from "../engine/index.ts";
import type { Kernel } from "../kernel/index.ts";
import { bootNodeKernel } from "../kernel/node-index.ts";
import { createApiHandler } from "./index.ts";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface DaemonTestBed {
  readonly engine: Engine;
  /** The daemon's socket path. */
  readonly socket: string;
  /** A directory of the suite's own, removed after it. */
  readonly dir: string;
  /** The official CLI's environment: DOCKER_HOST at the daemon, times printed in UTC. */
  readonly env: NodeJS.ProcessEnv;
  /** Runs the official docker CLI to its end. */
  docker(args: readonly string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<CliResult>;
  /** Starts the official docker CLI, for commands that stream (docker events). */
  spawnDocker(args: readonly string[]): ChildProcessWithoutNullStreams;
  /** The official docker CLI with bytes on its stdin; its stdout as bytes. */
  dockerWithStdin(args: readonly string[], stdin: Uint8Array): Promise<{ code: number | null; stdout: Buffer; stderr: string }>;
  /** Berth's own docker CLI on the daemon's engine, as the host's shell runs it. */
  berth(argv: readonly string[]): Promise<CliResult>;
  /** A raw request to the daemon's socket: status, headers, the body as bytes and as text. */
  request(method: string, urlPath: string, body?: Uint8Array): Promise<RawResponse>;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
}

export function daemonTestBed(): DaemonTestBed {
  let booted: { kernel: Kernel; engine: Engine; server: ApiServer; dir: string } | undefined;
  const ready = () => {
    if (!booted) throw new Error("the test bed is used before its suite booted it");
    return booted;
  };
  const bed: DaemonTestBed = {
    get engine() {
      return ready().engine;
    },
    get dir() {
      return ready().dir;
    },
    get socket() {
      return path.join(ready().dir, "berth.sock");
    },
    get env() {
      return { ...process.env, DOCKER_HOST: `unix://${bed.socket}`, DOCKER_CONFIG: ready().dir, TZ: "UTC" };
    },
    docker: (args, options = {}) =>
      new Promise<CliResult>((resolve, reject) => {
        execFile("docker", args, { env: { ...bed.env, ...options.env }, cwd: options.cwd, timeout: 120_000 }, (error, stdout, stderr) => {
          if (error && typeof error.code !== "number") reject(new Error(`the docker client could not run (${error.message}); scripts/bootstrap.sh installs it`));
          else resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
        });
      }),
    spawnDocker: (args) => spawn("docker", args, { env: bed.env }),
    dockerWithStdin: (args, stdin) =>
      new Promise((resolve, reject) => {
        const child = bed.spawnDocker(args);
        const out: Buffer[] = [];
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", reject).on("close", (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
        child.stdin.end(stdin);
      }),
    async berth(argv) {
      let stdout = "";
      let stderr = "";
      const text = (d: string | Uint8Array) => (typeof d === "string" ? d : new TextDecoder().decode(d));
      const io: DockerIO = {
        stdout: (d) => void (stdout += text(d)),
        stderr: (d) => void (stderr += text(d)),
        stdin: async function* () {},
        rawTerminal: () => undefined,
      };
      const code = await runDocker(bed.engine, { argv: [...argv], stdinTty: false, stdoutTty: false, stderrTty: false, columns: 80, rows: 24, cwd: "/root" }, io);
      return { code, stdout, stderr };
    },
    request: (method, urlPath, body) =>
      new Promise((resolve, reject) => {
        const req = http.request({ socketPath: bed.socket, method, path: urlPath }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const data = Buffer.concat(chunks);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data, text: data.toString("utf8") });
          });
        });
        req.on("error", reject);
        req.end(body);
      }),
  };
  before(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "berth-api-"));
    const kernel = await bootNodeKernel();
    const { engine } = await bootNodePlayground(kernel);
    const server = await listenApi(createApiHandler(engine), { kind: "unix", path: path.join(dir, "berth.sock") });
    booted = { kernel, engine, server, dir };
  });
  after(async () => {
    await booted?.server.close();
    await booted?.kernel.close();
    if (booted) fs.rmSync(booted.dir, { recursive: true, force: true });
  });
  return bed;
}
