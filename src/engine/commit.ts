/**
 * docker commit: a container's writable layer becomes a new image layer over
 * its image's, the container's config the image's, with `--change`
 * instructions applied (Docker's CreateImageFromContainer).
 */
import { applyConfigInstruction, DEFAULT_SHELL, envFromList, expandInstruction, parse, parseInstruction, ShellLex, type Instruction, type MutableRunConfig } from "../build/index.ts";
import { storeImage, storeLayer, type HistoryEntry, type ImageConfig, type RunConfig } from "../image/index.ts";
import type { Container } from "../runtime/index.ts";
import { BerthError, type Digest } from "../util/index.ts";
import type { Engine } from "./engine.ts";

/** The instructions `docker commit --change` accepts (Docker's validCommitCommands). */
const COMMIT_CHANGES = new Set(["cmd", "entrypoint", "healthcheck", "env", "expose", "label", "onbuild", "stopsignal", "user", "volume", "workdir"]);

export interface CommitOptions {
  readonly author?: string;
  readonly message?: string;
  /** Dockerfile instructions, one each ("ENV A=1"). */
  readonly changes: readonly string[];
  /** The name to give the image ("snap:v1"); none leaves it unnamed. */
  readonly reference?: string;
  /**
   * A config over the container's (the Engine API's commit body): what it
   * sets wins, its Env and Labels are merged with the container's by name.
   */
  readonly config?: RunConfig;
}

/**
 * The container's writable layer as a new layer over its image's (none when
 * nothing changed: an empty layer in history, as Docker's), its config as the
 * image's, `changes` applied; returns the new image's ID.
 */
export async function commitContainer(engine: Engine, container: Container, options: CommitOptions): Promise<Digest> {
  const image = await engine.images.resolve(container.config.imageId);
  const c = container.config;
  const run: MutableRunConfig = {
    ...image.config.config,
    Env: [...c.env],
    Cmd: [...c.cmd],
    Entrypoint: c.entrypoint.length ? [...c.entrypoint] : null,
    WorkingDir: c.workingDir === "/" ? image.config.config.WorkingDir : c.workingDir,
    User: c.user || image.config.config.User,
    Labels: { ...c.labels },
  };
  if (options.config) mergeConfig(run, options.config);
  applyChanges(run, options.changes);
  const content = engine.images.content;
  const empty = container.rootfs.upper.children.size === 0;
  const layer = empty ? undefined : (await storeLayer(content, container.rootfs.upper)).descriptor;
  const created = new Date().toISOString();
  const entry: HistoryEntry = {
    created,
    ...(options.author ? { author: options.author } : {}),
    // Docker records the container's command (without its entrypoint).
    created_by: c.cmd.join(" "),
    ...(options.message ? { comment: options.message } : {}),
    ...(empty ? { empty_layer: true } : {}),
  };
  const { author: _baseAuthor, ...base } = image.config;
  const config: ImageConfig = {
    ...base,
    created,
    ...(options.author ? { author: options.author } : {}),
    config: run,
    rootfs: { type: "layers", diff_ids: layer ? [...image.config.rootfs.diff_ids, layer.digest] : image.config.rootfs.diff_ids },
    history: [...(image.config.history ?? []), entry],
  };
  const target = await storeImage(content, config, layer ? [...image.manifest.layers, layer] : image.manifest.layers);
  engine.images.keep(target);
  if (options.reference !== undefined) engine.images.set(options.reference, target);
  return (await engine.images.load(target.digest)).id;
}

/** Docker's merge of a commit's config over the container's: set fields win; Env and Labels by name. */
function mergeConfig(run: MutableRunConfig, over: RunConfig): void {
  const envName = (entry: string) => entry.split("=", 1)[0];
  // An entrypoint of its own takes only its own command with it.
  if (over.Entrypoint?.length) run.Cmd = over.Cmd ?? null;
  for (const [key, value] of Object.entries(over) as [keyof RunConfig, unknown][]) {
    if (value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0)) continue;
    if (key === "Env") {
      const names = new Set(over.Env!.map(envName));
      run.Env = [...over.Env!, ...(run.Env ?? []).filter((e) => !names.has(envName(e)))];
    } else if (key === "Labels") {
      run.Labels = { ...run.Labels, ...over.Labels };
    } else {
      Object.assign(run, { [key]: value });
    }
  }
}

/** `--change` instructions, parsed and applied as Docker's BuildFromConfig does (variables from the config's Env). */
function applyChanges(run: MutableRunConfig, changes: readonly string[]): void {
  if (changes.length === 0) return;
  const nodes = parse(changes.join("\n")).ast.children;
  for (const node of nodes) {
    if (!COMMIT_CHANGES.has(node.value.toLowerCase())) {
      throw new BerthError("INVALID_ARGUMENT", `${node.value.toLowerCase()} is not a valid change command`);
    }
  }
  const lex = new ShellLex({ escapeToken: "\\" });
  const stage = { shell: [...DEFAULT_SHELL], cmdSet: false };
  for (const node of nodes) {
    const ins = parseInstruction(node) as Instruction;
    const expanded = expandInstruction(ins, (word) => lex.processWord(word, envFromList(run.Env ?? [])));
    applyConfigInstruction(run, expanded, stage);
  }
}
