/**
 * Image archives, as `docker save` writes them since Docker 25 and `docker
 * load` reads them: an OCI image layout (`oci-layout`, `index.json`,
 * `blobs/sha256/<hex>`) that also carries Docker's `manifest.json` (Config,
 * RepoTags and Layers as paths into blobs/), so Docker and OCI tools both
 * accept it. Reading takes that form, the older docker-archive (only
 * `manifest.json`, any paths) and a plain OCI layout (only `index.json`).
 *
 * Loading verifies everything before the store sees anything: every blob
 * against its name, every layer against the config's diff IDs, every entry
 * path, link and reference inside the archive's root. `readImageArchive`
 * stages; `loadImageArchive` commits only what was fully staged.
 */
import { readTar, writeTar, type TarEntry } from "../fs/index.ts";
import { BerthError, isDigest, sha256, type Digest } from "../util/index.ts";
import { MEDIA_TYPES, type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest } from "./oci.ts";
import { json } from "./recipe.ts";
import { familiarReference, familiarRepository, formatReference, parseReference, repositoryName, type Reference } from "./reference.ts";
import type { Image, ImageStore } from "./store.ts";

const LAYOUT_FILE = "oci-layout";
const LAYOUT_CONTENT = '{"imageLayoutVersion": "1.0.0"}';
const INDEX_FILE = "index.json";
const MANIFEST_FILE = "manifest.json";
const REPOSITORIES_FILE = "repositories";
/** containerd's annotation for an image's full name; OCI's for its tag. */
const IMAGE_NAME_ANNOTATION = "io.containerd.image.name";
const REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";
/** Manifest media types whose layers a loaded image can keep as they are. */
const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_INDEX = "application/vnd.docker.distribution.manifest.list.v2+json";
const UNCOMPRESSED_LAYERS = new Set<string>([MEDIA_TYPES.layer, "application/vnd.docker.image.rootfs.diff.tar"]);
/** Symlinks followed per lookup before giving up (Linux's limit). */
const MAX_LINKS = 40;

/** One entry of Docker's manifest.json. */
interface ManifestItem {
  readonly Config: string;
  readonly RepoTags: readonly string[] | null;
  readonly Layers: readonly string[];
}

// ---------------------------------------------------------------- save

interface SelectedImage {
  readonly image: Image;
  readonly refs: Reference[];
}

/**
 * The archive `docker save NAME...` writes. As Docker: a name without a tag
 * saves every tag of that repository, a tagged name that one tag, an ID the
 * image without a name; an image named twice is written once.
 */
export async function saveImages(store: ImageStore, names: readonly string[]): Promise<Uint8Array> {
  const selected = new Map<Digest, SelectedImage>();
  const add = (image: Image, ref?: Reference) => {
    const entry = selected.get(image.id) ?? { image, refs: [] };
    selected.set(image.id, entry);
    if (ref && !entry.refs.some((r) => formatReference(r) === formatReference(ref))) entry.refs.push(ref);
  };
  for (const name of names) {
    for (const { image, ref } of await imagesNamed(store, name)) add(image, ref);
  }

  const blobs = new Map<string, { data: Uint8Array; mtime: number }>();
  const items: ManifestItem[] = [];
  const descriptors: Descriptor[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const { image, refs } of selected.values()) {
    const created = image.config.created ? Math.max(0, Math.floor(Date.parse(image.config.created) / 1000)) : 0;
    const manifestBytes = await store.content.get(image.manifestDigest);
    blobs.set(hex(image.manifestDigest), { data: manifestBytes, mtime: 0 });
    blobs.set(hex(image.id), { data: await store.content.get(image.id), mtime: created });
    for (const layer of image.manifest.layers) blobs.set(hex(layer.digest), { data: await store.content.get(layer.digest), mtime: created });

    const platform = { architecture: image.config.architecture, os: image.config.os };
    const manifestDescriptor = { mediaType: MEDIA_TYPES.manifest, digest: image.manifestDigest, size: manifestBytes.length };
    // Untagged images get a descriptor without names, so OCI tools still find them.
    if (refs.length === 0) descriptors.push({ ...manifestDescriptor, platform });
    for (const ref of refs) {
      descriptors.push({ ...manifestDescriptor, annotations: { [IMAGE_NAME_ANNOTATION]: formatReference(ref), [REF_NAME_ANNOTATION]: ref.tag! }, platform });
      const repository = familiarRepository(ref);
      repositories[repository] = { ...repositories[repository], [ref.tag!]: hex(image.manifest.layers.at(-1)?.digest ?? image.id) };
    }
    items.push({
      Config: blobPath(image.id),
      RepoTags: refs.length > 0 ? refs.map(familiarReference) : null,
      Layers: image.manifest.layers.map((l) => blobPath(l.digest)),
    });
  }

  const file = (path: string, data: Uint8Array | string, mtime = 0): TarEntry => ({
    path,
    type: "file",
    data: typeof data === "string" ? new TextEncoder().encode(data) : data,
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtime,
  });
  const directory = (path: string): TarEntry => ({ path, type: "directory", mode: 0o755, uid: 0, gid: 0, mtime: 0 });
  const index: ImageIndex = { schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests: descriptors };
  // In the order of a directory walk, as Docker tars its export directory.
  const entries: TarEntry[] = [
    directory("blobs"),
    directory("blobs/sha256"),
    ...[...blobs.keys()].sort().map((name) => file(`blobs/sha256/${name}`, blobs.get(name)!.data, blobs.get(name)!.mtime)),
    file(INDEX_FILE, json(index)),
    file(MANIFEST_FILE, `${JSON.stringify(items)}\n`),
    file(LAYOUT_FILE, LAYOUT_CONTENT),
  ];
  if (Object.keys(repositories).length > 0) entries.push(file(REPOSITORIES_FILE, `${JSON.stringify(sortedKeys(repositories))}\n`));
  return writeTar(entries);
}

/** What one `docker save` argument stands for (Docker's tarexporter.parseNames). */
async function imagesNamed(store: ImageStore, name: string): Promise<{ image: Image; ref?: Reference }[]> {
  if (/^sha256:[0-9a-f]+$/.test(name)) return [{ image: await store.resolve(name) }];
  const ref = parseReference(name);
  if (ref.digest) return [{ image: await store.resolve(name) }];
  if (!hasTag(name)) {
    const tagged = store.list().filter((r) => repositoryName(parseReference(r.name)) === repositoryName(ref));
    if (tagged.length === 0) return [{ image: await store.resolve(name) }]; // a short ID
    return Promise.all(tagged.map(async (r) => ({ image: await store.resolve(r.name), ref: parseReference(r.name) })));
  }
  if (!store.get(name)) throw new BerthError("NOT_FOUND", `No such image: ${familiarReference(ref)}`);
  return [{ image: await store.resolve(name), ref }];
}

// ---------------------------------------------------------------- load

/** An image staged from an archive. */
export interface ArchiveImage {
  /** The config digest: Docker's image ID. */
  readonly id: Digest;
  readonly target: Descriptor;
  readonly layers: readonly Descriptor[];
  /** Normalized references ("docker.io/library/alpine:latest"). */
  readonly names: readonly string[];
}

/** An archive, read and verified, not yet in any store. */
export interface ImageArchive {
  readonly blobs: ReadonlyMap<Digest, Uint8Array>;
  readonly images: readonly ArchiveImage[];
}

/** Reads and verifies an archive (plain or gzip-compressed); throws on anything wrong, before any store is touched. */
export async function readImageArchive(archive: Uint8Array): Promise<ImageArchive> {
  const files = new ArchiveFiles(readTar(isGzip(archive) ? await gunzip(archive) : archive, { confined: true }));
  await files.verifyBlobs();
  const staging = new Staging();
  const index = files.has(INDEX_FILE) ? parseJson<ImageIndex>(files.read(INDEX_FILE), INDEX_FILE) : undefined;

  if (files.has(MANIFEST_FILE)) {
    const items = parseJson<ManifestItem[] | null>(files.read(MANIFEST_FILE), MANIFEST_FILE);
    if (!Array.isArray(items)) throw new BerthError("INVALID_ARGUMENT", "invalid manifest, manifest cannot be null (but can be [])");
    const indexed = index ? await manifestsOf(files, index) : [];
    for (const item of items) {
      if (typeof item?.Config !== "string" || !Array.isArray(item.Layers)) throw new BerthError("INVALID_ARGUMENT", `${MANIFEST_FILE}: an entry without Config or Layers`);
      const config = files.read(item.Config);
      const id = await sha256(config);
      const original = indexed.find((m) => m.manifest.config?.digest === id);
      const names = (item.RepoTags ?? []).map((tag) => {
        if (!hasTag(tag)) throw new BerthError("INVALID_ARGUMENT", `invalid tag "${tag}"`);
        return formatReference(parseReference(tag));
      });
      await staging.add(config, item.Layers.map((path) => files.read(path)), names, original?.bytes);
    }
  } else if (index) {
    for (const { manifest, bytes, names } of await manifestsOf(files, index)) {
      if (!manifest.config?.digest || !Array.isArray(manifest.layers)) throw new BerthError("INVALID_ARGUMENT", "invalid manifest: no config or layers");
      const config = files.blob(manifest.config);
      await staging.add(config, manifest.layers.map((l) => files.blob(l)), names, bytes);
    }
  } else {
    throw new BerthError("INVALID_ARGUMENT", `open ${MANIFEST_FILE}: no such file or directory`);
  }
  return { blobs: staging.blobs, images: staging.images };
}

/** What loading did, for Docker's messages. */
export interface LoadResult {
  readonly images: readonly {
    readonly id: Digest;
    readonly names: readonly string[];
    /** Layers that were not in the store yet (Docker shows "Loading layer" for these). */
    readonly newLayers: readonly Descriptor[];
    /** Names that pointed at another image before, with that image's ID. */
    readonly renamed: readonly { readonly name: string; readonly previousId: Digest }[];
  }[];
}

/** Reads, verifies, then stores an archive's images; on any error the store is left as it was. */
export async function loadImageArchive(store: ImageStore, archive: Uint8Array): Promise<LoadResult> {
  const staged = await readImageArchive(archive);
  const present = new Set<Digest>();
  for (const digest of staged.blobs.keys()) if (await store.content.has(digest)) present.add(digest);
  const previous = new Map<string, Digest>();
  for (const image of staged.images) {
    for (const name of image.names) {
      const record = store.get(name);
      if (record && record.target.digest !== image.target.digest) previous.set(name, (await store.load(record.target.digest)).id);
    }
  }
  // Everything is verified and every lookup done: from here on nothing fails.
  for (const [digest, data] of staged.blobs) if (!present.has(digest)) await store.content.put(data);
  const images = staged.images.map((image) => {
    const renamed = image.names.flatMap((name) => {
      const previousId = previous.get(name);
      if (!previousId) return [];
      store.keep(store.get(name)!.target); // the old image stays, as <none>
      return [{ name, previousId }];
    });
    for (const name of image.names) store.set(name, image.target);
    if (image.names.length === 0) store.keep(image.target);
    const newLayers = image.layers.filter((l) => !present.has(l.digest));
    return { id: image.id, names: image.names, newLayers, renamed };
  });
  return { images };
}

/** The images an archive's blobs make up, verified, keyed for the store. */
class Staging {
  readonly blobs = new Map<Digest, Uint8Array>();
  readonly images: ArchiveImage[] = [];

  async add(configBytes: Uint8Array, layerBlobs: readonly Uint8Array[], names: readonly string[], manifestBytes: Uint8Array | undefined): Promise<void> {
    const id = await sha256(configBytes);
    const config = parseJson<ImageConfig>(configBytes, id);
    const diffIds = config.rootfs?.diff_ids;
    if (!Array.isArray(diffIds)) throw new BerthError("INVALID_ARGUMENT", `config ${id}: no rootfs.diff_ids`);
    if (diffIds.length !== layerBlobs.length) {
      throw new BerthError("INVALID_ARGUMENT", `invalid manifest, layers length mismatch: expected ${layerBlobs.length}, got ${diffIds.length}`);
    }
    const layers: Descriptor[] = [];
    for (const [i, blob] of layerBlobs.entries()) {
      // The store keeps layers uncompressed: their digest is their diff ID.
      const data = isGzip(blob) ? await gunzip(blob) : blob;
      const diffId = await sha256(data);
      if (diffId !== diffIds[i]) throw new BerthError("DATA_LOSS", `invalid diffID for layer ${i}: expected "${diffIds[i]}", got "${diffId}"`);
      try {
        readTar(data);
      } catch (error) {
        throw new BerthError("DATA_LOSS", `layer ${diffId}: ${(error as Error).message}`);
      }
      this.blobs.set(diffId, data);
      layers.push({ mediaType: MEDIA_TYPES.layer, digest: diffId, size: data.length });
    }
    this.blobs.set(id, configBytes);
    // The archive's own manifest keeps its digest when the store can use it as it is.
    const manifest = manifestBytes && keepsAsIs(parseJson<ImageManifest>(manifestBytes, "manifest"), id, layers) ? manifestBytes : json(ociManifest(id, configBytes.length, layers));
    const manifestDigest = await sha256(manifest);
    this.blobs.set(manifestDigest, manifest);
    const target: Descriptor = {
      mediaType: MEDIA_TYPES.manifest,
      digest: manifestDigest,
      size: manifest.length,
      platform: { os: config.os, architecture: config.architecture },
    };
    this.images.push({ id, target, layers, names });
  }
}

function ociManifest(configDigest: Digest, configSize: number, layers: readonly Descriptor[]): ImageManifest {
  return { schemaVersion: 2, mediaType: MEDIA_TYPES.manifest, config: { mediaType: MEDIA_TYPES.config, digest: configDigest, size: configSize }, layers };
}

function keepsAsIs(manifest: ImageManifest, configDigest: Digest, layers: readonly Descriptor[]): boolean {
  return (
    manifest.mediaType === MEDIA_TYPES.manifest &&
    manifest.config?.digest === configDigest &&
    manifest.layers?.length === layers.length &&
    manifest.layers.every((l, i) => UNCOMPRESSED_LAYERS.has(l.mediaType) && l.digest === layers[i]!.digest)
  );
}

/** The image manifests an index leads to (through nested indexes), with the names its annotations give. */
async function manifestsOf(files: ArchiveFiles, index: ImageIndex): Promise<{ manifest: ImageManifest; bytes: Uint8Array; names: string[] }[]> {
  if (!Array.isArray(index.manifests)) throw new BerthError("INVALID_ARGUMENT", `${INDEX_FILE}: no manifests`);
  const found: { manifest: ImageManifest; bytes: Uint8Array; names: string[] }[] = [];
  const visit = async (descriptors: readonly Descriptor[], names: string[], depth: number) => {
    for (const descriptor of descriptors) {
      const bytes = files.blob(descriptor);
      const own = [...names, ...annotatedNames(descriptor)];
      if (descriptor.mediaType === MEDIA_TYPES.index || descriptor.mediaType === DOCKER_INDEX) {
        if (depth > MAX_LINKS) throw new BerthError("INVALID_ARGUMENT", `${INDEX_FILE}: indexes nested too deep`);
        const nested = parseJson<ImageIndex>(bytes, descriptor.digest);
        await visit(nested.manifests ?? [], own, depth + 1);
      } else if (descriptor.mediaType === MEDIA_TYPES.manifest || descriptor.mediaType === DOCKER_MANIFEST) {
        const existing = found.find((m) => m.bytes === bytes);
        if (existing) existing.names.push(...own.filter((n) => !existing.names.includes(n)));
        else found.push({ manifest: parseJson<ImageManifest>(bytes, descriptor.digest), bytes, names: [...new Set(own)] });
      }
    }
  };
  await visit(index.manifests, [], 0);
  return found;
}

/** An index entry's name: containerd's full-name annotation, else an OCI ref name that is a full reference. */
function annotatedNames(descriptor: Descriptor): string[] {
  const name = descriptor.annotations?.[IMAGE_NAME_ANNOTATION] ?? descriptor.annotations?.[REF_NAME_ANNOTATION];
  if (name === undefined || !hasTag(name) || !name.includes(":")) return [];
  try {
    return [formatReference(parseReference(name))];
  } catch {
    return [];
  }
}

/**
 * An archive's entries by path. Links resolve inside the archive only: a
 * symlink or hard link whose target leaves the root is refused outright.
 */
class ArchiveFiles {
  readonly #files = new Map<string, Uint8Array>();
  readonly #symlinks = new Map<string, string>();

  constructor(entries: readonly TarEntry[]) {
    for (const entry of entries) {
      if (entry.type === "file") this.#files.set(entry.path, entry.data ?? new Uint8Array());
      else if (entry.type === "symlink") {
        const target = entry.linkname!.startsWith("/") ? undefined : inside([dirname(entry.path), entry.linkname].filter(Boolean).join("/"));
        if (target === undefined) throw new BerthError("DATA_LOSS", `invalid symlink "${entry.path}" -> "${entry.linkname}"`);
        this.#symlinks.set(entry.path, target);
      } else if (entry.type === "hardlink") {
        const target = entry.linkname!.startsWith("/") ? undefined : inside(entry.linkname!);
        const data = target === undefined ? undefined : this.#files.get(target);
        if (!data) throw new BerthError("DATA_LOSS", `invalid hardlink "${entry.path}" -> "${entry.linkname}"`);
        this.#files.set(entry.path, data);
      }
    }
  }

  has(path: string): boolean {
    return this.#resolve(path) !== undefined;
  }

  /** A file by its path in the archive (as manifest.json names them). */
  read(path: string): Uint8Array {
    const resolved = this.#resolve(path);
    if (resolved === undefined) throw new BerthError("NOT_FOUND", `open ${path}: no such file or directory`);
    return this.#files.get(resolved)!;
  }

  /** A blob by its descriptor: present and of the size the descriptor says (its digest was checked by verifyBlobs). */
  blob(descriptor: Descriptor): Uint8Array {
    const digest: unknown = descriptor?.digest;
    if (typeof digest !== "string" || !isDigest(digest)) {
      throw new BerthError("INVALID_ARGUMENT", `invalid descriptor: ${digest === undefined ? "no digest" : `digest ${JSON.stringify(digest)}`}`);
    }
    // A size left out is Go's zero value, as containerd reads it.
    const size: unknown = descriptor.size ?? 0;
    if (typeof size !== "number") throw new BerthError("INVALID_ARGUMENT", `invalid descriptor ${digest}: size ${JSON.stringify(size)} is not a number`);
    const resolved = this.#resolve(blobPath(digest));
    if (resolved === undefined) throw new BerthError("NOT_FOUND", `content digest ${digest}: not found`);
    const data = this.#files.get(resolved)!;
    if (data.length !== size) {
      throw new BerthError("DATA_LOSS", `${blobPath(digest)}: unexpected commit size ${data.length}, expected ${size}: failed precondition`);
    }
    return data;
  }

  /** Every blob under blobs/sha256/ hashes to its name. */
  async verifyBlobs(): Promise<void> {
    for (const path of [...this.#files.keys(), ...this.#symlinks.keys()]) {
      if (!path.startsWith("blobs/sha256/")) continue;
      const name = path.slice("blobs/sha256/".length);
      const data = this.#resolve(path) === undefined ? undefined : this.read(path);
      if (!/^[0-9a-f]{64}$/.test(name) || !data) throw new BerthError("DATA_LOSS", `${path}: not a sha256 blob`);
      const actual = await sha256(data);
      if (actual !== `sha256:${name}`) throw new BerthError("DATA_LOSS", `${path}: unexpected commit digest ${actual}, expected sha256:${name}: failed precondition`);
    }
  }

  /** The file a path leads to through symlinks, inside the archive; undefined if none. */
  #resolve(path: string): string | undefined {
    let current = inside(path);
    if (current === undefined) throw new BerthError("DATA_LOSS", `path "${path}" is outside of the archive`);
    for (let hops = 0; hops <= MAX_LINKS; hops++) {
      if (this.#files.has(current)) return current;
      const next = this.#symlinkIn(current);
      if (next === undefined) return undefined;
      current = next;
    }
    throw new BerthError("DATA_LOSS", `${path}: too many levels of symbolic links`);
  }

  /** `path` with its first symlinked component (itself or a parent directory) replaced by the link's target. */
  #symlinkIn(path: string): string | undefined {
    const parts = path.split("/");
    for (let i = 1; i <= parts.length; i++) {
      const target = this.#symlinks.get(parts.slice(0, i).join("/"));
      if (target !== undefined) return inside([target, ...parts.slice(i)].join("/"));
    }
    return undefined;
  }
}

/** A relative path normalized; undefined when ".." climbs out of the root or it is absolute. */
function inside(path: string): string | undefined {
  if (path.startsWith("/")) return undefined;
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part !== "..") parts.push(part);
    else if (parts.pop() === undefined) return undefined;
  }
  return parts.join("/");
}

function dirname(path: string): string {
  return path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
}

function blobPath(digest: Digest): string {
  return `blobs/sha256/${hex(digest)}`;
}

function hex(digest: Digest): string {
  return digest.slice("sha256:".length);
}

/** Whether a reference names its tag ("alpine:3" but not "alpine" or "localhost:5000/alpine"). */
function hasTag(name: string): boolean {
  const last = name.slice(name.lastIndexOf("/") + 1);
  return last.includes(":") && !name.includes("@");
}

function parseJson<T>(bytes: Uint8Array, what: string): T {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch (error) {
    throw new BerthError("INVALID_ARGUMENT", `${what}: invalid JSON: ${(error as Error).message}`);
  }
}

/** A copy with keys sorted, as Go's encoding/json writes maps. */
function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]!]));
}

function isGzip(data: Uint8Array): boolean {
  return data[0] === 0x1f && data[1] === 0x8b;
}

async function gunzip(data: Uint8Array): Promise<Uint8Array> {
  try {
    const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new BerthError("DATA_LOSS", `gzip: ${(error as Error).message}`);
  }
}
