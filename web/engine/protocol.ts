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
  /** Boots the shared kernel; every later call waits for the same boot. */
  boot(): Promise<void>;
  /** A new host (with its own docker engine) on the shared kernel. */
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
}
