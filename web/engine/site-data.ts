/**
 * The data files the built site carries for the engine Worker: the host's root
 * filesystem and the offline registry's image recipes, as `scripts/site-data.ts`
 * writes them to `fixtures.json` (file contents in base64, so bytes survive).
 */
import type { RecipeSource } from "../../src/image/index.ts";

export interface SiteFixtures {
  /** absolute path -> base64 contents */
  readonly host: Readonly<Record<string, string>>;
  readonly images: readonly { readonly recipe: RecipeSource["recipe"]; readonly files: Readonly<Record<string, string>> }[];
}

export function encodeFiles(files: Readonly<Record<string, Uint8Array>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(files)) out[name] = toBase64(bytes);
  return out;
}

export function decodeFiles(files: Readonly<Record<string, string>>): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [name, text] of Object.entries(files)) out[name] = fromBase64(text);
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
