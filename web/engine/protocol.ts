/**
 * What the page asks of the engine Worker (through Comlink). One Worker holds
 * the one kernel; each playground on the page is a host with its own engine on
 * it; each terminal is a session: a shell process on that host.
 */
import type { XraySnapshot } from "./xray.ts";

export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

export interface EngineApi {
  /** A new host (with its own docker engine) on the shared kernel, once it has booted. */
  createPlayground(): Promise<number>;
  /**
   * Starts an interactive shell on a playground's host. Output arrives through
   * `onOutput`, whose promise settles once the page has drawn it: while much
   * is undrawn, the shell's output waits (a flood does not pile up in the
   * page); `onExit` is called once with the shell's exit status.
   */
  openShell(
    playground: number,
    size: TerminalSize,
    onOutput: (data: Uint8Array) => void | Promise<void>,
    onExit: (exitCode: number) => void,
  ): Promise<number>;
  /** Keystrokes (or pasted text) for a session's terminal. */
  write(session: number, data: string): Promise<void>;
  resize(session: number, size: TerminalSize): Promise<void>;
  /** Pulls an image into a playground's engine, as `docker pull` would. */
  pull(playground: number, image: string): Promise<void>;
  /** What the X-ray view draws: images, containers, layers, processes. */
  xray(playground: number, selected?: string): Promise<XraySnapshot>;
  /**
   * A request to a playground's Docker Engine API: the same routes `berth
   * daemon` serves. A streamed body is read to its end (ask for one reading:
   * `stream=0`, no `follow`); without a socket there is no hijacking, so
   * attach and exec start answer with their output as the body.
   */
  engineRequest(playground: number, request: EngineRequest): Promise<EngineResponse>;
}

export interface EngineRequest {
  readonly method: string;
  /** Path and query, e.g. "/containers/json?all=1" (a version prefix "/v1.47" is optional). */
  readonly url: string;
  /** A JSON body. */
  readonly body?: Uint8Array;
}

export interface EngineResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}
