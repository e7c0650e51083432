export { MemoryFileSystem } from "./memory-fs.ts";
export { createProcFs, type ProcFsOptions } from "./procfs.ts";
