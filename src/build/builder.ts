/**
 * docker build: a Dockerfile's stages run step by step on the real kernel.
 *
 * - FROM pulls the base image when it is missing.
 * - ENV, ARG, LABEL, USER, CMD, ENTRYPOINT, EXPOSE, VOLUME, STOPSIGNAL, SHELL,
 *   HEALTHCHECK, MAINTAINER change the config only (empty layers in history).
 * - RUN runs `SHELL + [cmd]` (or the exec form) in a container made from the
 *   image so far; its writable layer becomes the step's layer.
 * - COPY/ADD write files from the build context (or an earlier stage) into a
 *   new layer; WORKDIR makes its directory when it is missing.
 *
 * Every step stores its config and manifest (unnamed), so the next RUN's
 * container starts from it; only the final image gets the names asked for.
 * A failing step leaves no name behind.
 */
import { layerEntries, layerTree, MemoryFileSystem, OverlayFileSystem, readTar, type DirNode, type TreeNode } from "../fs/index.ts";
import { pull, storeImage, storeLayer, type Descriptor, type HistoryEntry, type Image, type ImageConfig, type ImageStore, type Registry, type RunConfig } from "../image/index.ts";
import type { Runtime } from "../runtime/index.ts";
import { BerthError, concatBytes, sha256, type Digest } from "../util/index.ts";
import {
  checkSupported,
  DockerfileError,
  envFromList,
  expandInstruction,
  formatSnippet,
  parseDockerfile,
  parseOnbuildTrigger,
  ShellLex,
  type Dockerfile,
  type Instruction,
  type Stage,
} from "./dockerfile/index.ts";
import { applyConfigInstruction, DEFAULT_SHELL, goList, type MutableRunConfig } from "./config-instructions.ts";
import { archiveEntries, dockerignore, filteredSource, joinPath, treeSource, type FileSource } from "./context.ts";
import type { BuildProgress } from "./progress.ts";

export interface BuildOptions {
  readonly images: ImageStore;
  readonly registry: Registry;
  readonly runtime: Runtime;
  /** The build context: the directory's files, paths relative to it. */
  readonly context: FileSource;
  readonly dockerfile: string;
  /** The Dockerfile's name, for messages ("Dockerfile"). */
  readonly dockerfileName?: string;
  readonly tags?: readonly string[];
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly target?: string;
  /** BuildKit's progress: its vertexes as they start, report and end (plainProgress, ttyProgress). */
  readonly progress?: BuildProgress;
  /** The build step by step as Docker's classic builder tells it (the Engine API's build stream). */
  readonly steps?: BuildStepObserver;
  /** How FROM pulls a base image that is missing (the API's, with Docker's pull progress); default: quietly. */
  readonly pull?: (reference: string) => Promise<Image>;
  /** Steps of earlier builds to reuse (the engine's); --no-cache: `noCache`. */
  readonly cache?: BuildCache;
  readonly noCache?: boolean;
}

/**
 * What Docker's classic builder reports: every instruction is a step, the
 * ARGs before the first FROM and each FROM included (ONBUILD triggers run
 * within their FROM).
 */
export interface BuildStepObserver {
  /** Step `index` of `total` begins: its Dockerfile text. */
  step(index: number, total: number, text: string): void;
  /** The step's result came from the build cache. */
  cached(): void;
  /** The step runs in this container (RUN); its output follows (the next waits for what `output` returns). */
  containerCreated(id: string): void;
  output(stream: "stdout" | "stderr", data: Uint8Array): void | Promise<void>;
  containerRemoved(id: string): void;
  /** The step is done: the image so far (the base image, for FROM; none on scratch). */
  stepDone(imageId: Digest | undefined): void;
  /** A stage is done: its image. */
  stageDone(imageId: Digest): void;
}

interface CachedStep {
  readonly created: string;
  readonly layer?: Descriptor;
}

/**
 * The build cache: what a step made, keyed like Docker's — the chain of every
 * instruction since the base image's ID, plus the content of copied files.
 * An unchanged rebuild reuses every layer and timestamp: the same image ID.
 */
export class BuildCache {
  readonly #steps = new Map<string, CachedStep>();

  /** Each layer the cache holds, once, with when its step first ran (docker system df's build cache records). */
  records(): { readonly layer: Descriptor; readonly created: string }[] {
    const byDigest = new Map<Digest, { layer: Descriptor; created: string }>();
    for (const { layer, created } of this.#steps.values()) if (layer && !byDigest.has(layer.digest)) byDigest.set(layer.digest, { layer, created });
    return [...byDigest.values()];
  }

  get(key: string): CachedStep | undefined {
    return this.#steps.get(key);
  }

  set(key: string, step: CachedStep): void {
    this.#steps.set(key, step);
  }

  get size(): number {
    return this.#steps.size;
  }

  /** The layers cached steps made: kept when images are pruned, for the next build to reuse. */
  layers(): Digest[] {
    return [...this.#steps.values()].flatMap((step) => (step.layer ? [step.layer.digest] : []));
  }
}

export interface BuildResult {
  readonly id: Digest;
  readonly manifest: Descriptor;
}

/** A failed step: BuildKit's "failed to solve" message; the CLI prints it and exits 1. */
export class BuildError extends BerthError {
  constructor(
    message: string,
    /** The Dockerfile snippet, when the error is at a line. */
    readonly snippet = "",
    /** A RUN whose process failed: its command and exit status (the classic builder reports these). */
    readonly failedCommand?: { readonly argv: readonly string[]; readonly exitCode: number },
  ) {
    super("INVALID_ARGUMENT", message);
    this.name = "BuildError";
  }
}

const HISTORY_COMMENT = "buildkit.dockerfile.v0";
/** Instructions BuildKit shows as steps ([n/N]); the others only change the config. */
const STEP_KINDS = new Set(["RUN", "COPY", "ADD", "WORKDIR"]);

interface StageState {
  config: ImageConfig;
  layers: Descriptor[];
  /** The layers' trees, lowest first. */
  trees: DirNode[];
  shell: string[];
  args: Map<string, string>;
  /** Whether this stage has set CMD (ENTRYPOINT then keeps it, else resets it). */
  cmdSet: boolean;
  /** The cache key of the image so far. */
  key: string;
  manifest?: Descriptor;
}

export async function build(options: BuildOptions): Promise<BuildResult> {
  return new Builder(options).run();
}

class Builder {
  #vertex = 0;
  /** Set when the current step came from the cache. */
  #hit = false;
  readonly #lex: ShellLex;
  readonly #df: Dockerfile;
  readonly #stages = new Map<string, StageState>();
  /** The context, less what .dockerignore leaves out. */
  readonly #context: FileSource;
  #contextLoaded = false;
  /** The classic builder's step count: the last step begun, and how many there are. */
  #stepIndex = 0;
  #stepTotal = 0;

  constructor(readonly o: BuildOptions) {
    this.#vertex = 0;
    const name = o.dockerfileName ?? "Dockerfile";
    this.#df = this.#vertexDone(`[internal] load build definition from ${name}`, () => {
      this.#status(`transferring dockerfile: ${new TextEncoder().encode(o.dockerfile).length}B done`);
      return this.#located(() => {
        const df = parseDockerfile(o.dockerfile);
        checkSupported(df);
        return df;
      });
    });
    this.#lex = new ShellLex({ escapeToken: this.#df.escapeToken });
    this.#context = this.#vertexDone("[internal] load .dockerignore", () => {
      let text = "";
      try {
        text = new TextDecoder().decode(o.context.readFile(".dockerignore"));
      } catch {
        // no .dockerignore
      }
      this.#status(`transferring context: ${new TextEncoder().encode(text).length || 2}B done`);
      return text ? filteredSource(o.context, dockerignore(text)) : o.context;
    });
  }

  async run(): Promise<BuildResult> {
    const df = this.#df;
    if (df.stages.length === 0) throw new BuildError("failed to solve: the Dockerfile has no FROM instruction");
    let last = df.stages.length - 1;
    if (this.o.target !== undefined) {
      last = df.stages.findIndex((s) => s.name?.toLowerCase() === this.o.target!.toLowerCase());
      if (last < 0) throw new BuildError(`failed to solve: target stage "${this.o.target}" could not be found`);
    }
    this.#stepTotal = df.metaArgs.length + df.stages.slice(0, last + 1).reduce((n, stage) => n + 1 + stage.commands.length, 0);
    const metaArgs = new Map<string, string>();
    for (const arg of df.metaArgs) {
      this.#stepBegins(arg.original);
      for (const a of arg.args) {
        const value = this.o.buildArgs?.[a.key] ?? (a.value === undefined ? undefined : this.#expandWith(a.value, metaArgs));
        if (value !== undefined) metaArgs.set(a.key, value);
      }
    }
    let state: StageState | undefined;
    for (let i = 0; i <= last; i++) {
      state = await this.#stage(df.stages[i]!, metaArgs);
      if (this.o.steps) this.o.steps.stageDone((await this.#imageId(state))!);
      this.#stages.set(String(i), state);
      if (df.stages[i]!.name) this.#stages.set(df.stages[i]!.name!.toLowerCase(), state);
    }
    return this.#export(state!);
  }

  // -------------------------------------------------------------------------------
  // Stages and steps

  async #stage(stage: Stage, metaArgs: Map<string, string>): Promise<StageState> {
    const steps = stage.commands.filter((c) => STEP_KINDS.has(c.kind)).length + 1;
    let step = 1;
    const label = () => `[${this.#stageLabel(stage)}${step}/${steps}]`;
    const from = this.#located(() => expandInstruction(stage.from, (w) => this.#expandWith(w, metaArgs)));
    this.#stepBegins(stage.from.original);
    const state = await this.#from(from.baseName, `${label()} FROM ${this.#fromLabel(from.baseName)}`);
    // The base image's ONBUILD triggers run first, then leave the new image's config.
    const triggers = state.config.config.OnBuild ?? [];
    if (triggers.length > 0) state.config = { ...state.config, config: { ...state.config.config, OnBuild: null } };
    const commands = [...triggers.map((t) => this.#located(() => parseOnbuildTrigger(t, stage.from.range))), ...stage.commands];
    for (const ins of commands) {
      const args = state.args;
      const env = [...(state.config.config.Env ?? []), ...[...args].map(([k, v]) => `${k}=${v}`)];
      const expanded = this.#located(() => expandInstruction(ins, (w) => this.#expandWith(w, env)), ins);
      if (STEP_KINDS.has(ins.kind)) step++;
      if ((ins.kind === "COPY" && ins.from === undefined) || ins.kind === "ADD") this.#loadContext();
      const trigger = !stage.commands.includes(ins);
      if (trigger && STEP_KINDS.has(ins.kind)) step--;
      const title = trigger ? `[${this.#stageLabel(stage)}1/${steps}] ONBUILD ${ins.original.trim()}` : `${label()} ${ins.original.trim()}`;
      // The base image's step ends once its triggers ran.
      if (!trigger && ins === stage.commands[0]) await this.#stepDone(state);
      if (!trigger) this.#stepBegins(ins.original);
      await this.#step(state, expanded, STEP_KINDS.has(ins.kind) ? title : "", metaArgs);
      if (!trigger) await this.#stepDone(state);
    }
    if (stage.commands.length === 0) await this.#stepDone(state);
    return state;
  }

  /** BuildKit's "load build context" vertex, once, before the first step that reads it. */
  #loadContext(): void {
    if (this.#contextLoaded) return;
    this.#contextLoaded = true;
    this.#vertexDone("[internal] load build context", () => {
      let bytes = 0;
      const count = (dir: string) => {
        for (const e of this.#context.readDir(dir)) {
          const path = dir ? `${dir}/${e.name}` : e.name;
          if (e.kind === "directory") count(path);
          else bytes += this.#context.stat(path).size;
        }
      };
      try {
        count("");
      } catch {
        // an unreadable context shows in the COPY that needs it
      }
      this.#status(`transferring context: ${bytes}B done`);
    });
  }

  #stageLabel(stage: Stage): string {
    return this.#df.stages.length > 1 || stage.name ? `${stage.name ?? `stage-${this.#df.stages.indexOf(stage)}`} ` : "";
  }

  #fromLabel(name: string): string {
    if (this.#stages.has(name.toLowerCase())) return name;
    return name === "scratch" ? name : qualify(name);
  }

  async #from(baseName: string, title: string): Promise<StageState> {
    const previous = this.#stages.get(baseName.toLowerCase());
    if (previous && this.#df.stages.some((s) => s.name?.toLowerCase() === baseName.toLowerCase())) {
      return { ...previous, layers: [...previous.layers], trees: [...previous.trees], args: new Map(), cmdSet: false, key: previous.key, config: previous.config };
    }
    if (baseName === "scratch") {
      return {
        config: { architecture: "wasm32", os: "linux", config: { Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] }, rootfs: { type: "layers", diff_ids: [] }, history: [] },
        layers: [],
        trees: [],
        shell: DEFAULT_SHELL,
        args: new Map(),
        cmdSet: false,
        key: "scratch",
      };
    }
    const image = await this.#vertexAsync(title, async () => {
      try {
        return await this.o.images.resolve(baseName);
      } catch {
        this.#status(`resolve ${qualify(baseName)} done`);
        return this.o.pull ? this.o.pull(baseName) : pull({ reference: baseName, registry: this.o.registry, images: this.o.images });
      }
    });
    const trees = await Promise.all(image.manifest.layers.map(async (l) => layerTree(readTar(await this.o.images.content.get(l.digest)))));
    return {
      config: { ...image.config, history: image.config.history ?? [] },
      layers: [...image.manifest.layers],
      trees,
      shell: DEFAULT_SHELL,
      args: new Map(),
      cmdSet: false,
      key: image.id,
      manifest: image.target,
    };
  }

  async #step(state: StageState, ins: Instruction, title: string, metaArgs: Map<string, string>): Promise<void> {
    const run: MutableRunConfig = { ...state.config.config };
    const history = (createdBy: string, empty: boolean) =>
      ({ created: new Date().toISOString(), created_by: createdBy, comment: HISTORY_COMMENT, ...(empty ? { empty_layer: true } : {}) }) as HistoryEntry;
    const setConfig = (createdBy: string) => this.#commit(state, run, undefined, history(createdBy, true));
    if (ins.kind === "WORKDIR") {
      const createdBy = applyConfigInstruction(run, ins, state)!;
      const path = run.WorkingDir!;
      return this.#vertexAsync(title, async () => {
        const fs = new OverlayFileSystem([...state.trees].reverse());
        if (exists(fs, path)) return this.#commit(state, run, undefined, history(createdBy, true));
        const hit = this.#lookup(state, createdBy);
        if (hit) return this.#commit(state, run, hit, history(createdBy, false));
        const upper = new MemoryFileSystem();
        upper.mkdirAll(path);
        return this.#commit(state, run, upper.root, history(createdBy, false));
      });
    }
    const createdBy = applyConfigInstruction(run, ins, state);
    if (createdBy !== undefined) return setConfig(createdBy);
    switch (ins.kind) {
      case "ARG":
        for (const a of ins.args) {
          const value = this.o.buildArgs?.[a.key] ?? a.value ?? metaArgs.get(a.key);
          if (value !== undefined) state.args.set(a.key, value);
        }
        return setConfig(`ARG ${ins.args.map((a) => (a.value === undefined ? a.key : `${a.key}=${a.value}`)).join(" ")}`);
      case "MAINTAINER":
        return setConfig(`MAINTAINER ${ins.maintainer}`);
      case "RUN":
        return this.#vertexAsync(title, () => this.#run(state, ins, run, history));
      case "COPY":
      case "ADD":
        return this.#vertexAsync(title, () => this.#copy(state, ins, run, history));
    }
  }

  async #run(
    state: StageState,
    ins: Extract<Instruction, { kind: "RUN" }>,
    run: RunConfig,
    history: (createdBy: string, empty: boolean) => HistoryEntry,
  ): Promise<void> {
    const argv = ins.prependShell ? [...state.shell, ins.cmdLine.join(" ")] : ins.cmdLine;
    const described = ins.prependShell ? argv.join(" ") : goList(argv);
    const argEnv = [...state.args].map(([k, v]) => `${k}=${v}`);
    const createdBy = `RUN ${argEnv.length ? `|${argEnv.length} ${argEnv.join(" ")} ` : ""}${described} # buildkit`;
    const hit = this.#lookup(state, createdBy);
    if (hit) return this.#commit(state, run, hit, history(createdBy, false));
    // The step's container starts from the image so far.
    if (!state.manifest) await this.#commit(state, { ...run }, undefined, undefined);
    const container = await this.o.runtime.create({
      image: (await this.#imageId(state))!,
      manifestDigest: state.manifest!.digest,
      entrypoint: [],
      cmd: argv,
      env: argEnv,
      workingDir: run.WorkingDir || "/",
      user: run.User,
    });
    const t0 = Date.now();
    const output: string[] = [];
    let partial = "";
    const decoder = new TextDecoder();
    this.o.steps?.containerCreated(container.id);
    const emit = (text: string) => {
      const lines = (partial + text).split("\n");
      partial = lines.pop()!;
      for (const line of lines) {
        const ms = Date.now() - t0;
        output.push(`${(ms / 1000).toFixed(3)} ${line}`);
        this.o.progress?.log(this.#vertex, line, ms);
      }
    };
    let exitCode: number;
    try {
      await this.o.runtime.start(container.id, {
        onOutput: (entry) => {
          emit(decoder.decode(entry.data, { stream: true }));
          return this.o.steps?.output(entry.stream, entry.data);
        },
      });
      exitCode = await this.o.runtime.wait(container.id);
      if (partial) emit("\n");
    } catch (error) {
      await this.o.runtime.remove(container.id, { force: true, volumes: true }).catch(() => undefined);
      throw new StepError(`process "${described}" did not complete successfully: ${(error as Error).message}`, ins);
    }
    const upper = container.rootfs.upper;
    await this.o.runtime.remove(container.id, { force: true, volumes: true });
    if (exitCode !== 0) {
      throw new StepError(`process "${described}" did not complete successfully: exit code: ${exitCode}`, ins, output, { argv, exitCode });
    }
    this.o.steps?.containerRemoved(container.id);
    await this.#commit(state, run, upper, history(createdBy, false));
  }

  async #copy(
    state: StageState,
    ins: Extract<Instruction, { kind: "COPY" | "ADD" }>,
    run: RunConfig,
    history: (createdBy: string, empty: boolean) => HistoryEntry,
  ): Promise<void> {
    let source: FileSource = this.#context;
    if (ins.kind === "COPY" && ins.from !== undefined) {
      const stage = this.#stages.get(ins.from.toLowerCase());
      if (stage) source = treeSource(stage.trees);
      else {
        const image = await this.#from(ins.from, `[internal] load ${qualify(ins.from)}`);
        source = treeSource(image.trees);
      }
    }
    const current = new OverlayFileSystem([...state.trees].reverse());
    const workdir = run.WorkingDir || "/";
    const dest = joinPath(workdir, ins.destPath);
    const upper = new MemoryFileSystem();
    const meta = { ...ownerOf(ins.chown, treeSource(state.trees)), ...(ins.chmod !== undefined ? { mode: parseInt(ins.chmod, 8) } : {}) };
    const destIsDir = ins.destPath.endsWith("/") || ins.sourcePaths.length + ins.sourceContents.length > 1 || isDir(current, dest);
    const put = (path: string, data: Uint8Array) => {
      upper.writeFile(path, data);
      applyMeta(upper, path, meta);
    };
    for (const content of ins.sourceContents) {
      put(destIsDir ? joinPath(dest, content.path) : dest, new TextEncoder().encode(content.data));
    }
    for (const pattern of ins.sourcePaths) {
      const matches = glob(source, pattern);
      if (matches.length === 0) {
        throw new StepError(`failed to compute cache key: failed to calculate checksum of ref: "/${trimSlashes(pattern)}": not found`, ins);
      }
      const many = matches.length > 1;
      for (const match of matches) {
        const stat = source.stat(match);
        if (stat.kind === "directory") {
          const into = dest;
          upper.mkdirAll(into, {});
          walk(source, match, (rel, data) => put(joinPath(into, rel), data), (rel) => upper.mkdirAll(joinPath(into, rel)));
        } else {
          const data = source.readFile(match);
          const archive = ins.kind === "ADD" && ins.unpack !== false ? await archiveEntries(data) : undefined;
          if (archive) {
            // ADD of a local tar archive (plain or gzip): its contents, unpacked into the destination directory.
            upper.mkdirAll(dest);
            for (const entry of archive) {
              const path = joinPath(dest, entry.path);
              if (entry.type === "directory") upper.mkdirAll(path, { mode: entry.mode });
              else if (entry.type === "file") {
                upper.writeFile(path, entry.data ?? new Uint8Array());
                applyMeta(upper, path, { mode: entry.mode, uid: entry.uid, gid: entry.gid, ...meta });
              }
            }
          } else put(destIsDir || many ? joinPath(dest, basename(match)) : dest, data);
        }
      }
    }
    const shown = [...ins.sourcePaths, ...ins.sourceContents.map((c) => c.path)].join(" ");
    const from = ins.kind === "COPY" && ins.from !== undefined ? `--from=${ins.from} ` : "";
    const createdBy = `${ins.kind} ${from}${shown} ${ins.destPath} # buildkit`;
    const contentKey = await contentDigest(upper.root);
    const hit = this.#lookup(state, createdBy, contentKey);
    await this.#commit(state, run, hit ?? upper.root, history(createdBy, false), contentKey);
  }

  /** Records a step: a layer (when `upper` is given), the config, history, and the manifest. */
  async #commit(
    state: StageState,
    run: RunConfig,
    upper: DirNode | CachedStep | undefined,
    entry: HistoryEntry | undefined,
    contentKey = "",
  ): Promise<void> {
    const content = this.o.images.content;
    let diffIds = state.config.rootfs.diff_ids;
    let layer: Descriptor | undefined;
    if (entry) {
      state.key = `${state.key}\n${entry.created_by}${contentKey ? `\n${contentKey}` : ""}`;
      const cached = this.o.noCache ? undefined : this.o.cache?.get(state.key);
      if (cached && (!upper || !("kind" in upper))) entry = { ...entry, created: cached.created };
    }
    if (upper && "kind" in upper) {
      const stored = await storeLayer(content, upper);
      layer = stored.descriptor;
      state.trees = [...state.trees, layerTree(readTar(stored.tar))];
    } else if (upper?.layer) {
      layer = upper.layer;
      state.trees = [...state.trees, layerTree(readTar(await content.get(layer.digest)))];
    }
    if (layer) {
      state.layers = [...state.layers, layer];
      diffIds = [...diffIds, layer.digest];
    }
    if (entry) this.o.cache?.set(state.key, { created: entry.created!, ...(layer ? { layer } : {}) });
    state.config = {
      ...state.config,
      created: entry?.created ?? state.config.created ?? new Date().toISOString(),
      config: run,
      rootfs: { type: "layers", diff_ids: diffIds },
      history: entry ? [...(state.config.history ?? []), entry] : state.config.history,
    };
    state.manifest = await storeImage(content, state.config, state.layers);
  }

  /** A cached layer for the step `createdBy` on the image so far; says CACHED on a hit. */
  #lookup(state: StageState, createdBy: string, contentKey = ""): CachedStep | undefined {
    if (this.o.noCache) return undefined;
    const hit = this.o.cache?.get(`${state.key}\n${createdBy}${contentKey ? `\n${contentKey}` : ""}`);
    if (!hit?.layer) return undefined;
    this.#hit = true;
    this.o.steps?.cached();
    return hit;
  }

  async #export(state: StageState): Promise<BuildResult> {
    if (!state.manifest) await this.#commit(state, state.config.config, undefined, undefined);
    const manifest = state.manifest!;
    const image = await this.o.images.load(manifest.digest);
    const id = image.id;
    await this.#vertexAsync("exporting to image", async () => {
      this.#status("exporting layers done");
      this.o.images.keep(manifest);
      this.#status(`writing image ${id} done`);
      for (const tag of this.o.tags ?? []) {
        this.o.images.tag(tag, image);
        this.#status(`naming to ${qualify(tag)} done`);
      }
    });
    return { id, manifest };
  }

  // -------------------------------------------------------------------------------
  // Words, errors and progress

  #stepBegins(text: string): void {
    this.o.steps?.step(++this.#stepIndex, this.#stepTotal, text.trim());
  }

  async #stepDone(state: StageState): Promise<void> {
    if (this.o.steps) this.o.steps.stepDone(await this.#imageId(state));
  }

  /** The ID of the stage's image so far; none before its first step on scratch. */
  async #imageId(state: StageState): Promise<Digest | undefined> {
    return state.manifest && (await this.o.images.load(state.manifest.digest)).id;
  }

  #expandWith(word: string, env: Map<string, string> | readonly string[]): string {
    const list = env instanceof Map ? [...env].map(([k, v]) => `${k}=${v}`) : env;
    return this.#lex.processWord(word, envFromList([...list]));
  }

  /** Runs `f`, turning Dockerfile errors into BuildErrors with the snippet. */
  #located<T>(f: () => T, ins?: Instruction): T {
    try {
      return f();
    } catch (error) {
      if (error instanceof DockerfileError) {
        const snippet = formatSnippetOf(this.o.dockerfile, error, this.o.dockerfileName);
        throw new BuildError(`failed to solve: ${error.kind === "parse" ? error.message : error.detail}`, snippet);
      }
      if (ins) throw new StepError((error as Error).message, ins);
      throw error;
    }
  }

  #status(text: string): void {
    this.o.progress?.status(this.#vertex, text);
  }

  #open(title: string): void {
    this.#vertex++;
    this.o.progress?.started(this.#vertex, title);
  }

  #vertexDone<T>(title: string, f: () => T): T {
    this.#open(title);
    try {
      return f();
    } finally {
      this.o.progress?.completed(this.#vertex, {});
    }
  }

  async #vertexAsync<T>(title: string, f: () => Promise<T>): Promise<T> {
    if (!title) return f();
    this.#open(title);
    this.#hit = false;
    try {
      const value = await f();
      this.o.progress?.completed(this.#vertex, { cached: this.#hit });
      this.#hit = false;
      return value;
    } catch (error) {
      if (error instanceof StepError) {
        this.o.progress?.completed(this.#vertex, { error: error.message });
        const tail = error.output.slice(-10);
        const box = ["------", ` > ${title}:`, ...tail, "------"].join("\n");
        const snippet = formatSnippetOf(this.o.dockerfile, { range: error.ins.range }, this.o.dockerfileName);
        throw new BuildError(`failed to solve: ${error.message}`, `${box}\n${snippet}`, error.failedCommand);
      }
      if (!(error instanceof BuildError)) {
        this.o.progress?.completed(this.#vertex, { error: (error as Error).message });
        throw new BuildError(`failed to solve: ${(error as Error).message}`);
      }
      throw error;
    }
  }
}

/** An error of one instruction, with the output its process wrote. */
class StepError extends Error {
  constructor(
    message: string,
    readonly ins: Instruction,
    readonly output: readonly string[] = [],
    readonly failedCommand?: { readonly argv: readonly string[]; readonly exitCode: number },
  ) {
    super(message);
  }
}

function formatSnippetOf(source: string, error: { range: { start: number; end: number } }, name = "Dockerfile"): string {
  return formatSnippet(source, error.range, name);
}

/** "alpine" -> "docker.io/library/alpine:latest", as BuildKit names images. */
function qualify(name: string): string {
  let ref = name;
  if (!ref.includes("@") && !/:[^/]+$/.test(ref)) ref += ":latest";
  const first = ref.split("/")[0]!;
  if (!ref.includes("/") || !(first.includes(".") || first.includes(":") || first === "localhost")) {
    ref = `docker.io/${ref.includes("/") ? "" : "library/"}${ref}`;
  }
  return ref;
}

/** The digest of a layer's paths, kinds, modes, owners and bytes (not times): COPY's cache key. */
async function contentDigest(root: DirNode): Promise<string> {
  const parts: Uint8Array[] = [];
  const encoder = new TextEncoder();
  for (const e of layerEntries(root)) {
    parts.push(encoder.encode(`${e.path}\0${e.type}\0${e.mode}\0${e.uid}:${e.gid}\0${e.linkname ?? ""}\0${e.data?.length ?? 0}\0`));
    if (e.data) parts.push(e.data);
  }
  return sha256(concatBytes(parts));
}

function exists(fs: OverlayFileSystem, path: string): boolean {
  try {
    fs.stat(trimSlashes(path));
    return true;
  } catch {
    return false;
  }
}

function isDir(fs: OverlayFileSystem, path: string): boolean {
  try {
    return fs.stat(trimSlashes(path)).kind === "directory";
  } catch {
    return false;
  }
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, "");
}

function basename(path: string): string {
  const parts = trimSlashes(path).split("/");
  return parts[parts.length - 1] ?? "";
}

/** --chown=USER[:GROUP], names looked up in the image's /etc/passwd and /etc/group, as BuildKit does. */
function ownerOf(chown: string | undefined, image: FileSource): { uid?: number; gid?: number } {
  if (chown === undefined) return {};
  const [user, group] = chown.split(":") as [string, string | undefined];
  const table = (file: string) => {
    try {
      return new TextDecoder().decode(image.readFile(file)).split("\n").map((l) => l.split(":"));
    } catch {
      return [];
    }
  };
  const out: { uid?: number; gid?: number } = {};
  if (/^\d+$/.test(user)) out.uid = Number(user);
  else {
    const entry = table("etc/passwd").find((f) => f[0] === user);
    if (!entry) throw new Error(`unable to convert uid/gid chown string to host mapping: can't find uid for user ${user}: no such user: ${user}`);
    out.uid = Number(entry[2]);
    if (group === undefined) out.gid = Number(entry[3]);
  }
  if (group !== undefined) {
    if (/^\d+$/.test(group)) out.gid = Number(group);
    else {
      const entry = table("etc/group").find((f) => f[0] === group);
      if (!entry) throw new Error(`unable to convert uid/gid chown string to host mapping: can't find gid for group ${group}: no such group: ${group}`);
      out.gid = Number(entry[2]);
    }
  }
  out.gid ??= out.uid;
  return out;
}

function applyMeta(fs: MemoryFileSystem, path: string, meta: { uid?: number; gid?: number; mode?: number }): void {
  if (Object.keys(meta).length === 0) return;
  let node: TreeNode = fs.root;
  for (const part of trimSlashes(path).split("/")) {
    if (node.kind !== "directory") return;
    const next: TreeNode | undefined = node.children.get(part);
    if (!next) return;
    node = next;
  }
  if (node.kind !== "whiteout") Object.assign(node, meta);
}

/** Every file under `dir` of a source, paths relative to `dir`. */
function walk(source: FileSource, dir: string, file: (rel: string, data: Uint8Array) => void, directory: (rel: string) => void, rel = ""): void {
  for (const entry of source.readDir(joinRel(dir, rel))) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.kind === "directory") {
      directory(child);
      walk(source, dir, file, directory, child);
    } else file(child, source.readFile(joinRel(dir, child)));
  }
}

function joinRel(a: string, b: string): string {
  return [trimSlashes(a), trimSlashes(b)].filter(Boolean).join("/");
}

/** The paths (relative) a COPY source names: a path, or a glob of * ? [...] per segment. */
function glob(source: FileSource, pattern: string): string[] {
  const parts = trimSlashes(joinPath("/", pattern)).split("/").filter(Boolean);
  let paths = [""];
  for (const part of parts) {
    const next: string[] = [];
    for (const base of paths) {
      if (!/[*?[]/.test(part)) {
        const path = joinRel(base, part);
        try {
          source.stat(path);
          next.push(path);
        } catch {
          // not there
        }
        continue;
      }
      const re = new RegExp(`^${part.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")}$`);
      try {
        for (const entry of source.readDir(base)) if (re.test(entry.name)) next.push(joinRel(base, entry.name));
      } catch {
        // not a directory
      }
    }
    paths = next;
  }
  return paths.sort();
}
