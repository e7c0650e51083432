/**
 * The contract between the kernel and a filesystem written in TypeScript that
 * guests see as a mounted directory (a container's rootfs, /proc, a volume).
 *
 * It is the shape of the SDK's host filesystem bridge (DESIGN.md): paths arrive
 * relative to the mount point without a leading slash ("" is the mount's root);
 * files are opened into numeric handles; metadata is only a kind and a size.
 * Failures throw a {@link MountedFsError} whose code is a POSIX name; the kernel
 * maps ENOENT, EEXIST, EACCES/EPERM, ENOTDIR, EISDIR, ENOTEMPTY and ENOTSUP to
 * the matching WASI errors, anything else to EIO.
 *
 * Methods may return promises: the guest waits (up to 30 s) for the answer.
 */
export interface MountedFileSystem {
  stat(path: string): MaybePromise<MountedStat>;
  readDir(path: string): MaybePromise<readonly MountedDirEntry[]>;
  open(path: string, options: OpenOptions): MaybePromise<number>;
  read(handle: number, offset: number, length: number): MaybePromise<Uint8Array>;
  write(handle: number, offset: number, data: Uint8Array): MaybePromise<number>;
  setLen(handle: number, length: number): MaybePromise<void>;
  flush(handle: number): MaybePromise<void>;
  close(handle: number): MaybePromise<void>;
  mkdir(path: string): MaybePromise<void>;
  /** Removes a file or an empty directory. */
  remove(path: string): MaybePromise<void>;
  rename(from: string, to: string): MaybePromise<void>;
  /** Flushes the whole filesystem. */
  sync(): MaybePromise<void>;
}

export type MaybePromise<T> = T | Promise<T>;

export interface MountedStat {
  readonly kind: "file" | "directory";
  readonly size: number;
}

export interface MountedDirEntry extends MountedStat {
  readonly name: string;
}

export interface OpenOptions {
  readonly read: boolean;
  readonly write: boolean;
  readonly create: boolean;
  readonly createNew: boolean;
  readonly truncate: boolean;
  readonly append: boolean;
}

export type MountedFsErrorCode = "ENOENT" | "EEXIST" | "EACCES" | "EPERM" | "ENOTDIR" | "EISDIR" | "ENOTEMPTY" | "ENOTSUP" | "EBADF" | "EINVAL" | "EIO";

export class MountedFsError extends Error {
  constructor(
    readonly code: MountedFsErrorCode,
    message: string = code,
  ) {
    super(message);
    this.name = "MountedFsError";
  }
}

/** A directory the guest sees, served by a filesystem written in TypeScript. */
export interface Mount {
  /** Absolute guest path; not "/" or "/workspace" (the SDK refuses those). */
  readonly path: string;
  readonly fs: MountedFileSystem;
  readonly readOnly?: boolean;
}
