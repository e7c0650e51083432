export * from "./dockerfile/index.ts";
export { build, BuildCache, BuildError, type BuildOptions, type BuildResult, type BuildStepObserver } from "./builder.ts";
export { archiveContext, dockerignore, filteredSource, joinPath, subSource, treeSource, type FileSource } from "./context.ts";
export { applyConfigInstruction, DEFAULT_SHELL, type MutableRunConfig } from "./config-instructions.ts";
export { plainProgress, ttyProgress, type BuildProgress, type TtyProgressOptions, type VertexOutcome } from "./progress.ts";
