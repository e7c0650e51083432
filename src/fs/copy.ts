/**
 * Copies between filesystems of the mount contract: an image's files into a
 * new volume (Docker fills an empty volume from the image), `docker cp`.
 */
import type { MountedFileSystem, OpenOptions } from "../kernel/index.ts";

const READ: OpenOptions = { read: true, write: false, create: false, createNew: false, truncate: false, append: false };
const WRITE: OpenOptions = { read: false, write: true, create: true, createNew: false, truncate: true, append: false };

/** Reads a whole file. */
export async function readWholeFile(fs: MountedFileSystem, path: string): Promise<Uint8Array> {
  const { size } = await fs.stat(path);
  const handle = await fs.open(path, READ);
  try {
    return await fs.read(handle, 0, size);
  } finally {
    await fs.close(handle);
  }
}

/** Writes (creates or replaces) a whole file; its directory must exist. */
export async function writeWholeFile(fs: MountedFileSystem, path: string, data: Uint8Array): Promise<void> {
  const handle = await fs.open(path, WRITE);
  try {
    await fs.write(handle, 0, data);
  } finally {
    await fs.close(handle);
  }
}

/** Copies the file or directory tree at `fromPath` to `toPath` (whose parent must exist), merging into directories there. */
export async function copyTree(from: MountedFileSystem, fromPath: string, to: MountedFileSystem, toPath: string): Promise<void> {
  const join = (dir: string, name: string) => (dir === "" ? name : `${dir}/${name}`);
  if ((await from.stat(fromPath)).kind === "file") {
    await writeWholeFile(to, toPath, await readWholeFile(from, fromPath));
    return;
  }
  if (toPath !== "" && !(await isDirectory(to, toPath))) await to.mkdir(toPath);
  for (const entry of await from.readDir(fromPath)) await copyTree(from, join(fromPath, entry.name), to, join(toPath, entry.name));
}

async function isDirectory(fs: MountedFileSystem, path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)).kind === "directory";
  } catch {
    return false;
  }
}
