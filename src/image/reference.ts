/**
 * Image references as Docker normalizes them (distribution/reference):
 *
 *   alpine                   -> docker.io/library/alpine:latest
 *   user/app:1.0             -> docker.io/user/app:1.0
 *   localhost:5000/app       -> localhost:5000/app:latest
 *   alpine@sha256:<64 hex>   -> docker.io/library/alpine@sha256:<64 hex>
 *
 * `familiar` gives the short form Docker prints (`alpine:latest`, `user/app:1.0`).
 */
import { BerthError, isDigest, type Digest } from "../util/index.ts";

export interface Reference {
  /** Registry host, e.g. "docker.io". */
  readonly domain: string;
  /** Repository path, e.g. "library/alpine". */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: Digest;
}

const DEFAULT_DOMAIN = "docker.io";
const OFFICIAL_PREFIX = "library/";
const DEFAULT_TAG = "latest";

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$|^\[[0-9a-fA-F:]+\](?::[0-9]+)?$/;
const MAX_NAME_LENGTH = 255;

function invalid(detail?: string): BerthError {
  return new BerthError("INVALID_ARGUMENT", detail ? `invalid reference format: ${detail}` : "invalid reference format");
}

/** Parses and normalizes a reference; a tag defaults to "latest" unless a digest is given. */
export function parseReference(input: string): Reference {
  if (input === "" || input !== input.trim()) throw invalid();
  let rest = input;
  let digest: Digest | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    const d = rest.slice(at + 1);
    if (!isDigest(d)) throw invalid();
    digest = d;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(":");
  if (lastColon > rest.lastIndexOf("/")) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) throw invalid();
  }
  const slash = rest.indexOf("/");
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const first = slash >= 0 ? rest.slice(0, slash) : "";
  if (slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase())) {
    domain = first;
    path = rest.slice(slash + 1);
    if (!DOMAIN.test(domain)) throw invalid();
  }
  if (domain === "index.docker.io") domain = DEFAULT_DOMAIN;
  if (path === "" || path.split("/").some((c) => c === "")) throw invalid();
  if (path !== path.toLowerCase()) throw invalid("repository name must be lowercase");
  if (!path.split("/").every((c) => PATH_COMPONENT.test(c))) throw invalid();
  if (domain === DEFAULT_DOMAIN && !path.includes("/")) path = OFFICIAL_PREFIX + path;
  if (`${domain}/${path}`.length > MAX_NAME_LENGTH) throw invalid("repository name must not be more than 255 characters");
  if (tag === undefined && digest === undefined) tag = DEFAULT_TAG;
  return { domain, path, tag, digest };
}

/** "docker.io/library/alpine" */
export function repositoryName(ref: Reference): string {
  return `${ref.domain}/${ref.path}`;
}

/**
 * The repository as Docker prints it: "alpine", "user/app", "localhost:5000/app".
 * "library/" goes only before a single name: "library/a/b" stays, or it would read as "docker.io/a/b".
 */
export function familiarRepository(ref: Reference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryName(ref);
  const official = ref.path.startsWith(OFFICIAL_PREFIX) && !ref.path.slice(OFFICIAL_PREFIX.length).includes("/");
  return official ? ref.path.slice(OFFICIAL_PREFIX.length) : ref.path;
}

/** The full normalized form: "docker.io/library/alpine:latest". */
export function formatReference(ref: Reference): string {
  return repositoryName(ref) + suffix(ref);
}

/** The short form Docker prints: "alpine:latest", "user/app@sha256:…". */
export function familiarReference(ref: Reference): string {
  return familiarRepository(ref) + suffix(ref);
}

function suffix(ref: Reference): string {
  return (ref.tag !== undefined ? `:${ref.tag}` : "") + (ref.digest !== undefined ? `@${ref.digest}` : "");
}
