/**
 * A container is metadata (what to run: config, image, name) plus, while it
 * runs, a task (what is running: a machine on the kernel and its processes) —
 * containerd keeps the two apart, and so do we.
 */
import type { MemoryFileSystem, OverlayFileSystem } from "../fs/index.ts";
import type { MountedFileSystem } from "../kernel/index.ts";
import type { Digest } from "../util/index.ts";
import type { ContainerLog } from "./container-log.ts";
import type { ContainerStatus } from "./state.ts";

export interface ContainerConfig {
  /** The reference the user gave ("alpine"). */
  readonly image: string;
  readonly imageId: Digest;
  readonly cmd: readonly string[];
  readonly entrypoint: readonly string[];
  readonly env: readonly string[];
  readonly workingDir: string;
  readonly hostname: string;
  readonly user: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly tty: boolean;
  readonly openStdin: boolean;
  readonly autoRemove: boolean;
}

/**
 * What a container may use: Docker's HostConfig resources, a cgroup's
 * limits. Unlike the rest of its configuration, `docker update` replaces
 * them, also while it runs.
 */
export interface ContainerResources {
  /** `--pids-limit`: the most processes at once (pids.max); 0 for no limit. */
  readonly pidsLimit: number;
  /** `--memory`, in bytes: the most memory each process may have, fixed when the process starts; 0 for no limit. */
  readonly memory: number;
  /** `--memory-swap`, in bytes, as given (no swap here: recorded for inspect); 0 unset, -1 unlimited. */
  readonly memorySwap: number;
  /**
   * `--cpus`, in billionths of a CPU (HostConfig.NanoCpus); 0 for no limit.
   * Accounted, not enforced: the kernel cannot preempt a WebAssembly worker.
   */
  readonly nanoCpus: number;
  /** `--cpu-shares`, a relative weight (cpu.weight); 0 for the default. Recorded, not enforced (as --cpus). */
  readonly cpuShares: number;
}

/** A volume or a host directory mounted into the container. */
export interface MountPoint {
  readonly type: "volume" | "bind";
  /** The volume's name (type "volume"). */
  readonly name?: string;
  /** The host path (bind) or the volume's mountpoint, as Docker shows it. */
  readonly source: string;
  readonly destination: string;
  readonly readOnly: boolean;
  /** The `-v` argument it came from (Docker's HostConfig.Binds); none for an image's VOLUME. */
  readonly spec?: string;
  readonly fs: MountedFileSystem;
  /** A bind of one file: in the container's tree only (the kernel mounts directories). */
  readonly file?: boolean;
}

export interface ContainerState {
  status: ContainerStatus;
  /** Host PID of the main process while running, else 0. */
  pid: number;
  exitCode: number;
  error: string;
  oomKilled: boolean;
  startedAt?: Date;
  finishedAt?: Date;
}

export interface LogEntry {
  readonly stream: "stdout" | "stderr";
  readonly time: Date;
  readonly data: Uint8Array;
}

export interface Container {
  /** 64 hex characters; Docker shows the first 12. */
  readonly id: string;
  name: string;
  readonly created: Date;
  readonly config: ContainerConfig;
  resources: ContainerResources;
  readonly state: ContainerState;
  /** The root filesystem: the image's layers under this container's writable layer. */
  readonly rootfs: OverlayFileSystem;
  /** Volumes and host directories over the root filesystem, parents before children. */
  readonly mounts: readonly MountPoint[];
  /**
   * The files Docker writes for each container and mounts over the image's:
   * `hostname` and `hosts`, at /etc. Its own (writable, kept across restarts,
   * not in docker diff or commit), made at create.
   */
  readonly etcFiles: MemoryFileSystem;
  /** The tail of its output, bounded (container-log.ts). */
  readonly logs: ContainerLog;
  /** How many times it was started. */
  restartCount: number;
}

/** A fresh 64-hex container ID. */
export function newContainerId(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}
