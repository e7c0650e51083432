/**
 * What the shared kernel says about itself (uname, /proc/version). Every
 * machine on one kernel reports the same: that is what "containers share the
 * host's kernel" looks like from inside.
 */
export const KERNEL_IDENTITY = {
  ostype: "Linux",
  release: "6.8.0-berth",
  version: "#1 SMP PREEMPT_DYNAMIC WebAssembly (wasmer-sdk 0.16.0)",
  machine: "wasm32",
} as const;
