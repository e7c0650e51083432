/**
 * Docker's multiplexed stream (its stdcopy package): each chunk of a
 * container's output without a TTY goes out behind an 8-byte header — the
 * stream (1 stdout, 2 stderr), three zero bytes, the length (big-endian u32).
 * With a TTY the output goes out raw: a terminal has one stream.
 */
import type { LogEntry } from "../runtime/index.ts";

export const MULTIPLEXED_STREAM = "application/vnd.docker.multiplexed-stream";
export const RAW_STREAM = "application/vnd.docker.raw-stream";

const STREAM_IDS: Readonly<Record<LogEntry["stream"], number>> = { stdout: 1, stderr: 2 };

export function frame(stream: LogEntry["stream"], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + data.length);
  out[0] = STREAM_IDS[stream];
  new DataView(out.buffer).setUint32(4, data.length);
  out.set(data, 8);
  return out;
}

/** How a container's output is written: framed, or raw for a TTY. */
export function outputEncoder(tty: boolean): (stream: LogEntry["stream"], data: Uint8Array) => Uint8Array {
  return tty ? (_stream, data) => data : frame;
}
