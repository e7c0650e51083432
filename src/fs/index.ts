export { MemoryFileSystem } from "./memory-fs.ts";
