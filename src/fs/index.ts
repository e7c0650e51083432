export { MemoryFileSystem, type FileSource } from "./memory-fs.ts";
export { OverlayFileSystem, type Change } from "./overlay.ts";
export { createProcFs, type ProcFsOptions, type ProcProcess } from "./procfs.ts";
export { newDir, newFile, newSymlink, treeSize, WHITEOUT, type DirNode, type EntryNode, type FileNode, type Meta, type TreeNode } from "./tree.ts";
export { layerEntries, layerTree } from "./layer.ts";
export { readTar, writeTar, type TarEntry, type TarEntryType } from "./tar.ts";
export { SubtreeFileSystem } from "./subtree.ts";
export { KERNEL_DIRECTORIES, MountTree, ROOT_MOUNT } from "./mount-tree.ts";
export { MemoryContentStore, type ContentIngester, type ContentProvider, type ContentStore } from "./content-store.ts";
export { UnionDirectory } from "./union-dir.ts";
export { MachineFiles } from "./machine-files.ts";
export { copyTree, readWholeFile, writeWholeFile } from "./copy.ts";
export {
  archiveResource,
  archiveTree,
  extractInto,
  machineCopyTree,
  overlayCopyTree,
  prepareCopy,
  rebase,
  resolveInScope,
  sourceNode,
  splitPathDirEntry,
  type Archived,
  type CopyTree,
  type Destination,
  type ExtractOptions,
} from "./copy-archive.ts";
