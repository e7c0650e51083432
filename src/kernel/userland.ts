/**
 * The guest userland: the WebAssembly programs built by `wasm/build.mjs` and the
 * command names that start them (toybox is one module behind many commands).
 */
export interface Userland {
  /** module name -> WebAssembly bytes */
  readonly modules: Readonly<Record<string, Uint8Array>>;
  /** command name -> module name */
  readonly commands: Readonly<Record<string, string>>;
}

/** What `wasm/dist/manifest.json` holds. */
export interface UserlandManifest {
  readonly inputs: string;
  readonly modules: Readonly<Record<string, { file: string; sha256: string; size: number }>>;
  readonly commands: Readonly<Record<string, string>>;
  readonly testCommands: Readonly<Record<string, string>>;
}

/** Picks the modules a command table needs out of a manifest, reading each through `read`. */
export async function userlandFromManifest(
  manifest: UserlandManifest,
  read: (file: string) => Promise<Uint8Array>,
  options: { includeTestCommands?: boolean } = {},
): Promise<Userland> {
  const commands: Record<string, string> = { ...manifest.commands };
  if (options.includeTestCommands) Object.assign(commands, manifest.testCommands);
  const names = [...new Set(Object.values(commands))];
  const files = names.map((name) => {
    const entry = manifest.modules[name];
    if (!entry) throw new Error(`userland manifest: command module ${name} is not listed`);
    return entry.file;
  });
  // All at once: in a browser each read is a download.
  const contents = await Promise.all(files.map(read));
  return { modules: Object.fromEntries(names.map((name, i) => [name, contents[i]!])), commands };
}
