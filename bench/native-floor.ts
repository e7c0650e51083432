/**
 * The native floor of bench/containers.bench.ts, in a small process of its
 * own (forked with an IPC channel): it starts the floor in about 4 ms, the
 * booted engine's process (hundreds of MB, many threads) in 45–145 ms, so
 * the engine cannot time it itself. Its parent asks for one run at a time,
 * interleaved with its own, so that both see the same load on a shared
 * machine.
 *
 * Sets up a busybox-static ROOTFS in a temporary directory, sends
 * `{unshared}`, then answers each message with `{ms}`: one
 * `unshare -p -f -m -u -n -i chroot ROOTFS /bin/true` (`chroot ROOTFS /bin/true`
 * where unshare is refused). Removes ROOTFS when its parent disconnects.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface NativeFloorReady {
  readonly unshared: boolean;
}
export interface NativeFloorRun {
  readonly ms: number;
}

const BUSYBOX = "/bin/busybox";
const UNSHARE = ["unshare", "-p", "-f", "-m", "-u", "-n", "-i"];

const send = (message: NativeFloorReady | NativeFloorRun) => process.send!(message);

if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: sh scripts/bootstrap.sh --bench installs busybox-static`);
const rootfs = mkdtempSync(path.join(tmpdir(), "berth-bench-rootfs-"));
process.on("disconnect", () => rmSync(rootfs, { recursive: true, force: true }));
mkdirSync(path.join(rootfs, "bin"));
copyFileSync(BUSYBOX, path.join(rootfs, "bin/busybox"));
symlinkSync("busybox", path.join(rootfs, "bin/true"));

const chroot = ["chroot", rootfs, "/bin/true"];
const unshared = spawnSync(UNSHARE[0]!, [...UNSHARE.slice(1), ...chroot]).status === 0;
const argv = unshared ? [...UNSHARE, ...chroot] : chroot;
process.on("message", () => {
  const t0 = performance.now();
  const result = spawnSync(argv[0]!, argv.slice(1));
  const ms = performance.now() - t0;
  if (result.status !== 0) throw new Error(`${argv.join(" ")}: exit ${result.status}: ${result.stderr}`);
  send({ ms });
});
send({ unshared });
