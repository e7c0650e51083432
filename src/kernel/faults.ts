/**
 * A guest's own fault — a WebAssembly trap: `unreachable` (also wasi-libc's
 * `abort()`), a memory access out of bounds, a bad indirect call, an integer
 * division by zero, the call stack exhausted — as a process status.
 *
 * Measured (SDK 0.16.0, wasm/README.md "Kernel facts"): a root process that
 * traps makes the SDK's `wait()`/`run()` reject with a WasmerError
 * `EXECUTION_ERROR`, "command execution failed: RuntimeError: js: MESSAGE"
 * and the engine's stack after it; a parent inside the kernel sees its
 * trapped child exit with status 12. The process is gone either way: the
 * kernel reports it as Linux would a segfault.
 */

/** 128 + SIGSEGV: Linux's status for every trap, so a root and a child report the same (wasm/README.md). */
export const TRAP_EXIT_CODE = 128 + 11;

export interface GuestFault {
  readonly exitCode: number;
  /** "wasm trap: memory access out of bounds" */
  readonly message: string;
}

const FAULT = /^command execution failed: RuntimeError: js: (.*)$/m;
/** V8's, SpiderMonkey's and JavaScriptCore's words for a guest that recursed too deep. */
const STACK_EXHAUSTED = /maximum call stack size exceeded|too much recursion/i;

/** The fault a rejected `wait()`/`run()` reports, or undefined when the error is not the guest's. */
export function guestFault(error: unknown): GuestFault | undefined {
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== "EXECUTION_ERROR") return undefined;
  const match = FAULT.exec(error.message);
  if (!match) return undefined;
  const what = STACK_EXHAUSTED.test(match[1]!) ? "call stack exhausted" : match[1]!.trim();
  return { exitCode: TRAP_EXIT_CODE, message: `wasm trap: ${what}` };
}
