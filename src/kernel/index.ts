export type { CpuClock, Kernel, KernelProcess, Machine, MachineOptions, RunOptions, RunResult, SpawnOptions } from "./kernel.ts";
export { createKernel } from "./kernel.ts";
export type { Userland, UserlandManifest } from "./userland.ts";
export type { MaybePromise, Mount, MountedDirEntry, MountedFileSystem, MountedFsErrorCode, MountedStat, OpenOptions } from "./mounted-fs.ts";
export { MountedFsError } from "./mounted-fs.ts";
export { KERNEL_IDENTITY } from "./identity.ts";
