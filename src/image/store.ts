/**
 * Local images: names pointing at manifests whose blobs are in the local
 * content store (containerd's image store). An image's ID is its config's
 * digest, as Docker shows it; several names may point at one image.
 */
import type { ContentStore } from "../fs/index.ts";
import { BerthError, EventLog, type Digest } from "../util/index.ts";
import type { Descriptor, ImageConfig, ImageManifest } from "./oci.ts";
import { familiarReference, familiarRepository, formatReference, parseReference } from "./reference.ts";

export interface ImageRecord {
  /** Normalized reference, e.g. "docker.io/library/alpine:latest". */
  readonly name: string;
  readonly target: Descriptor;
  /** When this name was set, ms since the epoch. */
  readonly updated: number;
}

export interface Image {
  /** The config digest: Docker's image ID. */
  readonly id: Digest;
  readonly manifest: ImageManifest;
  readonly manifestDigest: Digest;
  /** The descriptor a name points at. */
  readonly target: Descriptor;
  readonly config: ImageConfig;
  /** Every name pointing at this image. */
  readonly names: readonly string[];
}

export class ImageStore {
  readonly #records = new Map<string, ImageRecord>();
  /** Images kept without a name (a build without -t, or whose tag moved on): Docker's <none>:<none>. */
  readonly #unnamed = new Map<Digest, Descriptor>();

  constructor(
    readonly content: ContentStore,
    /** Where its image events go (pull, tag, untag, delete). */
    readonly events = new EventLog(),
  ) {}

  list(): ImageRecord[] {
    return [...this.#records.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): ImageRecord | undefined {
    return this.#records.get(formatReference(parseReference(name)));
  }

  /** Points a name at a manifest (tagging moves a name from its old image). */
  set(name: string, target: Descriptor): ImageRecord {
    const record = { name: formatReference(parseReference(name)), target, updated: Date.now() };
    this.#records.set(record.name, record);
    return record;
  }

  /** docker tag (and build -t): points `name` at the image, with Docker's tag event. */
  tag(name: string, image: Image): ImageRecord {
    const record = this.set(name, image.target);
    this.#log("tag", image, image.id, familiarReference(parseReference(name)));
    return record;
  }

  /** docker rmi of one name: the name goes, with Docker's untag event (named by the image's ID). */
  untag(name: string, image: Image): void {
    this.delete(name);
    this.#log("untag", image, image.id, image.id);
  }

  /** docker rmi of the image itself (its last name gone, or by ID): no longer kept, with Docker's delete event. */
  remove(image: Image): void {
    this.forget(image.manifestDigest);
    this.events.log("image", "delete", image.id, { name: image.id });
  }

  /** Docker's pull event, named by the reference pulled ("alpine:latest", name=alpine). */
  logPull(reference: string, image: Image): void {
    const ref = parseReference(reference);
    this.#log("pull", image, familiarReference(ref), familiarRepository(ref));
  }

  /** An image event with the image's labels and `name` as attributes (dockerd's LogImageEvent). */
  #log(action: string, image: Image, id: string, name: string): void {
    this.events.log("image", action, id, { ...(image.config.config.Labels ?? {}), name });
  }

  /** Keeps an image even when no name points at it (docker build's images). */
  keep(target: Descriptor): void {
    this.#unnamed.set(target.digest, target);
  }

  /** Drops a kept image (docker rmi of its last name or its ID). */
  forget(manifestDigest: Digest): void {
    this.#unnamed.delete(manifestDigest);
  }

  /** Kept images no name points at: the dangling images `docker images` shows as <none>. */
  dangling(): Descriptor[] {
    const named = new Set([...this.#records.values()].map((r) => r.target.digest));
    return [...this.#unnamed.values()].filter((d) => !named.has(d.digest));
  }

  delete(name: string): void {
    const key = formatReference(parseReference(name));
    if (!this.#records.delete(key)) throw new BerthError("NOT_FOUND", `No such image: ${name}`);
  }

  /** The image a name, a full or short ID names, read from the content store. */
  async resolve(nameOrId: string): Promise<Image> {
    const byName = this.#tryName(nameOrId);
    if (byName) return this.#load(byName.target.digest);
    const id = nameOrId.startsWith("sha256:") ? nameOrId.slice(7) : nameOrId;
    if (/^[0-9a-f]{1,64}$/.test(id)) {
      const matches = new Set<Digest>();
      for (const target of [...[...this.#records.values()].map((r) => r.target), ...this.#unnamed.values()]) {
        const image = await this.#load(target.digest);
        if (image.id.slice(7).startsWith(id)) matches.add(target.digest);
      }
      if (matches.size === 1) return this.#load([...matches][0]!);
      if (matches.size > 1) throw new BerthError("INVALID_ARGUMENT", `multiple IDs found with provided prefix: ${id}`);
    }
    throw new BerthError("NOT_FOUND", `No such image: ${nameOrId}`);
  }

  #tryName(name: string): ImageRecord | undefined {
    try {
      return this.get(name);
    } catch {
      return undefined;
    }
  }

  /** An image by its manifest digest, named or not (the builder's intermediate images). */
  load(manifestDigest: Digest): Promise<Image> {
    return this.#load(manifestDigest);
  }

  async #load(manifestDigest: Digest): Promise<Image> {
    const manifestBytes = await this.content.get(manifestDigest);
    const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as ImageManifest;
    const config = JSON.parse(new TextDecoder().decode(await this.content.get(manifest.config.digest))) as ImageConfig;
    const names = [...this.#records.values()].filter((r) => r.target.digest === manifestDigest).map((r) => r.name).sort();
    const target = { mediaType: manifest.mediaType, digest: manifestDigest, size: manifestBytes.length };
    return { id: manifest.config.digest, manifest, manifestDigest, target, config, names };
  }
}
