/**
 * A registry that answers without a network: images built from fixture
 * recipes, served from their own content store. `docker pull` talks to it
 * exactly as to a remote one: resolve a reference, then fetch blobs by digest.
 */
import { MemoryContentStore, type ContentProvider } from "../fs/index.ts";
import { BerthError, type Digest } from "../util/index.ts";
import type { Descriptor } from "./oci.ts";
import { buildRecipe, type ImageRecipe } from "./recipe.ts";
import { familiarRepository, formatReference, parseReference, repositoryName } from "./reference.ts";

export interface Registry {
  /** The manifest a reference names; NOT_FOUND in Docker's words when there is none. */
  resolve(reference: string): Promise<Descriptor>;
  fetch(digest: Digest): Promise<Uint8Array>;
}

export interface RecipeSource {
  readonly recipe: ImageRecipe;
  readonly files: Readonly<Record<string, Uint8Array>>;
}

export class FixtureRegistry implements Registry {
  readonly #content: ContentProvider;
  /** "docker.io/library/alpine:latest" -> manifest */
  readonly #tags: ReadonlyMap<string, Descriptor>;

  private constructor(content: ContentProvider, tags: ReadonlyMap<string, Descriptor>) {
    this.#content = content;
    this.#tags = tags;
  }

  static async build(sources: readonly RecipeSource[]): Promise<FixtureRegistry> {
    const content = new MemoryContentStore();
    const tags = new Map<string, Descriptor>();
    for (const { recipe, files } of sources) {
      const image = await buildRecipe(recipe, files, content);
      for (const tag of image.tags) tags.set(formatReference(parseReference(`${image.repository}:${tag}`)), image.manifest);
    }
    return new FixtureRegistry(content, tags);
  }

  /** Every tag the registry serves, normalized. */
  get references(): string[] {
    return [...this.#tags.keys()].sort();
  }

  async resolve(reference: string): Promise<Descriptor> {
    const ref = parseReference(reference);
    if (ref.digest) {
      for (const [name, manifest] of this.#tags) {
        if (manifest.digest === ref.digest && name.startsWith(repositoryName(ref) + ":")) return manifest;
      }
      throw new BerthError("NOT_FOUND", `manifest for ${familiarRepository(ref)}@${ref.digest} not found: manifest unknown`);
    }
    const manifest = this.#tags.get(formatReference(ref));
    if (manifest) return manifest;
    const known = [...this.#tags.keys()].some((name) => name.startsWith(repositoryName(ref) + ":"));
    if (known) throw new BerthError("NOT_FOUND", `manifest for ${familiarRepository(ref)}:${ref.tag} not found: manifest unknown: manifest unknown`);
    throw new BerthError(
      "NOT_FOUND",
      `pull access denied for ${familiarRepository(ref)}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
    );
  }

  fetch(digest: Digest): Promise<Uint8Array> {
    return this.#content.get(digest);
  }
}
