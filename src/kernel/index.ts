export type { Kernel, KernelProcess, Machine, MachineOptions, RunOptions, RunResult, SpawnOptions } from "./kernel.ts";
export { createKernel } from "./kernel.ts";
export type { Userland, UserlandManifest } from "./userland.ts";
export { userlandFromManifest } from "./userland.ts";
