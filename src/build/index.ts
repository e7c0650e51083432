export * from "./dockerfile/index.ts";
export { build, BuildCache, BuildError, type BuildOptions, type BuildResult } from "./builder.ts";
export { dockerignore, filteredSource, hostFiles, joinPath, subSource, type FileSource, type TopLevelFileSystem } from "./context.ts";
