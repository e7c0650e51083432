import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** fixtures/host of this checkout: the host's root filesystem, as files. */
export const HOST_ROOTFS_DIR = fileURLToPath(new URL("../../fixtures/host/", import.meta.url));

/** Reads a directory tree into a path -> contents map rooted at "/" (Node). */
export async function readRootfs(dir: string = HOST_ROOTFS_DIR): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.posix.join(rel, entry.name);
      if (entry.isDirectory()) await walk(child);
      else files["/" + child] = new Uint8Array(await readFile(path.join(dir, child)));
    }
  };
  await walk("");
  return files;
}
