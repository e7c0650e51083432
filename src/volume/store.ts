/**
 * Volumes: directories that live outside any container's layers, so data
 * outlives the container (Docker's `local` driver, in memory).
 *
 * create (named: `docker volume create`, `-v NAME:/dir`; anonymous: `-v /dir`,
 * an image's VOLUME) -> mounted by containers -> remove once no container
 * uses it (anonymous ones with their container: `--rm`, `docker rm -v`).
 */
import { MemoryFileSystem, treeSize } from "../fs/index.ts";
import { BerthError, EventLog } from "../util/index.ts";

export interface Volume {
  readonly name: string;
  readonly driver: "local";
  readonly createdAt: Date;
  readonly labels: Readonly<Record<string, string>>;
  /** Made for one container (a 64-hex name); removed with it by `--rm` and `docker rm -v`. */
  readonly anonymous: boolean;
  /** Where Docker's local driver keeps the data; shown by `docker volume inspect`. */
  readonly mountpoint: string;
  readonly fs: MemoryFileSystem;
}

/** Docker's rule for local volume names. */
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export class VolumeStore {
  readonly #volumes = new Map<string, Volume>();

  /** `events` gets each create and destroy, as dockerd logs them. */
  constructor(readonly events = new EventLog()) {}

  /**
   * A named volume (returned as it is when it exists, as `docker volume create`
   * does) or, without a name, a new anonymous one.
   */
  create(options: { name?: string; labels?: Readonly<Record<string, string>> } = {}): Volume {
    if (options.name !== undefined) {
      const existing = this.#volumes.get(options.name);
      // dockerd logs a create for a name that exists too: the caller asked for it.
      if (existing) return this.#logged(existing, "create");
      checkVolumeName(options.name);
    }
    const name = options.name ?? anonymousName();
    const volume: Volume = {
      name,
      driver: "local",
      createdAt: new Date(),
      labels: options.labels ?? {},
      anonymous: options.name === undefined,
      mountpoint: `/var/lib/docker/volumes/${name}/_data`,
      fs: new MemoryFileSystem(),
    };
    this.#volumes.set(name, volume);
    return this.#logged(volume, "create");
  }

  get(name: string): Volume {
    const volume = this.#volumes.get(name);
    if (!volume) throw new BerthError("NOT_FOUND", `get ${name}: no such volume`);
    return volume;
  }

  has(name: string): boolean {
    return this.#volumes.has(name);
  }

  /** By name, as `docker volume ls` lists them. */
  list(): Volume[] {
    return [...this.#volumes.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Removes a volume; `usedBy` are the IDs of containers that still mount it (Docker refuses then). */
  remove(name: string, usedBy: readonly string[] = []): void {
    const volume = this.get(name);
    if (usedBy.length > 0) throw new BerthError("CONFLICT", `remove ${name}: volume is in use - [${usedBy.join(", ")}]`);
    this.#volumes.delete(name);
    this.#logged(volume, "destroy");
  }

  #logged(volume: Volume, action: string): Volume {
    this.events.log("volume", action, volume.name, { driver: volume.driver });
    return volume;
  }
}

/** Docker's error for a name its local driver refuses. */
export function checkVolumeName(name: string): void {
  if (!VOLUME_NAME.test(name)) {
    throw new BerthError(
      "INVALID_ARGUMENT",
      `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    );
  }
}

/** The bytes of every file in a volume. */
export function volumeSize(volume: Volume): number {
  return treeSize(volume.fs.root);
}

function anonymousName(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}
