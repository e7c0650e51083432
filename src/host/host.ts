/**
 * The host: the machine a user lands on, at the root of everything. It has its
 * own root filesystem (an Ubuntu-like userland) and runs the shell; later
 * issues put the `docker` command and the containers beside it.
 */
import type { Kernel, Machine } from "../kernel/index.ts";

export const HOST_HOSTNAME = "berth";

/** The environment of a login shell on the host. */
export const HOST_ENV: Readonly<Record<string, string>> = {
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  HOME: "/root",
  USER: "root",
  LOGNAME: "root",
  SHELL: "/bin/sh",
  HOSTNAME: HOST_HOSTNAME,
  PS1: "\\u@\\h:\\w\\$ ",
};

export interface HostOptions {
  /** The host's root filesystem files, path -> contents. */
  readonly rootfs: Readonly<Record<string, string | Uint8Array>>;
  /** Terminal type for interactive sessions. */
  readonly term?: string;
}

/** Boots the host machine on a kernel. */
export function createHost(kernel: Kernel, options: HostOptions): Promise<Machine> {
  return kernel.createMachine({
    files: options.rootfs,
    env: { ...HOST_ENV, TERM: options.term ?? "xterm-256color" },
  });
}
