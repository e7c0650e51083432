/**
 * Mounts for the sandbox being created. The SDK's sandbox builder has a
 * `mountHost(path, mountId, readOnly)` call that its public API does not
 * expose; we wrap the core's `sandbox()` so each new builder receives the
 * mounts of the one sandbox being created. Creations are serialized so that
 * mounts never reach the wrong sandbox.
 */
export interface PendingMount {
  readonly path: string;
  readonly id: number;
  readonly readOnly: boolean;
}

interface SandboxBuilder {
  mountHost(path: string, mountId: number, readOnly: boolean): void;
}

interface SandboxFactory {
  sandbox(): SandboxBuilder;
}

let pending: readonly PendingMount[] = [];
let queue: Promise<unknown> = Promise.resolve();

/** Makes every builder that `core.sandbox()` returns receive the pending mounts. */
export function wrapSandboxFactory(core: SandboxFactory): void {
  const create = core.sandbox.bind(core);
  core.sandbox = () => {
    const builder = create();
    for (const mount of pending) builder.mountHost(mount.path, mount.id, mount.readOnly);
    return builder;
  };
}

/** Runs `create` (one sandbox creation) with these mounts pending, one creation at a time. */
export function withPendingMounts<T>(mounts: readonly PendingMount[], create: () => Promise<T>): Promise<T> {
  const run = queue.then(async () => {
    pending = mounts;
    try {
      return await create();
    } finally {
      pending = [];
    }
  });
  queue = run.catch(() => undefined);
  return run;
}
