/**
 * Content-addressed blobs (layers, configs, manifests), as containerd's content
 * store: a blob's name is the sha256 of its bytes, checked again on every read,
 * so damaged content is found, never used.
 *
 * Readers ask for `ContentProvider`, writers for `ContentIngester`.
 */
import { BerthError, sha256, type Digest } from "../util/index.ts";

export interface ContentProvider {
  has(digest: Digest): Promise<boolean>;
  /** The blob's bytes, verified against its digest. */
  get(digest: Digest): Promise<Uint8Array>;
  size(digest: Digest): Promise<number>;
}

export interface ContentIngester {
  /** Stores bytes and returns their digest; storing the same bytes twice keeps one blob. */
  put(data: Uint8Array): Promise<Digest>;
}

export interface ContentStore extends ContentProvider, ContentIngester {
  delete(digest: Digest): Promise<void>;
  list(): Promise<Digest[]>;
}

export class MemoryContentStore implements ContentStore {
  readonly #blobs: Map<Digest, Uint8Array>;

  /** @param blobs where the blobs live (given by tests that damage them on purpose). */
  constructor(blobs: Map<Digest, Uint8Array> = new Map()) {
    this.#blobs = blobs;
  }

  async has(digest: Digest): Promise<boolean> {
    return this.#blobs.has(digest);
  }

  async get(digest: Digest): Promise<Uint8Array> {
    const data = this.#blobs.get(digest);
    if (!data) throw new BerthError("NOT_FOUND", `content ${digest}: not found`);
    const actual = await sha256(data);
    if (actual !== digest) throw new BerthError("DATA_LOSS", `content ${digest}: stored bytes hash to ${actual}`);
    return data;
  }

  async size(digest: Digest): Promise<number> {
    const data = this.#blobs.get(digest);
    if (!data) throw new BerthError("NOT_FOUND", `content ${digest}: not found`);
    return data.length;
  }

  async put(data: Uint8Array): Promise<Digest> {
    const digest = await sha256(data);
    if (!this.#blobs.has(digest)) this.#blobs.set(digest, data.slice());
    return digest;
  }

  async delete(digest: Digest): Promise<void> {
    if (!this.#blobs.delete(digest)) throw new BerthError("NOT_FOUND", `content ${digest}: not found`);
  }

  async list(): Promise<Digest[]> {
    return [...this.#blobs.keys()].sort();
  }
}
