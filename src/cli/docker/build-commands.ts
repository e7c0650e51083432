/**
 * docker build: reads the context from the caller's machine (the host's
 * files, relative to the docker command's cwd) and prints BuildKit's progress
 * on stderr: the live view on a terminal, plain lines elsewhere (--progress
 * chooses); -q prints only the image ID on stdout.
 */
import { imageHistory } from "../../api/index.ts";
import { archiveContext, build, BuildError, joinPath, plainProgress, subSource, treeSource, ttyProgress, type BuildProgress, type FileSource } from "../../build/index.ts";
import type { DockerIO, Engine } from "../../engine/index.ts";
import type { DockerCommand } from "./command.ts";
import { CommandError, readStdin, withCallerEnv } from "./command.ts";
import { ago, ellipsis, humanSize, rfc3339, shortId, table } from "./format.ts";

export const buildCommand: DockerCommand = {
  name: "build",
  aliases: ["image build", "builder build", "buildx build"],
  usage: "build [OPTIONS] PATH | URL | -",
  summary: "Build an image from a Dockerfile",
  flags: [
    { name: "build-arg", kind: "list", description: "Set build-time variables" },
    { name: "file", short: "f", kind: "string", description: "Name of the Dockerfile (default: \"PATH/Dockerfile\")" },
    { name: "no-cache", kind: "bool", description: "Do not use cache when building the image" },
    { name: "progress", kind: "string", description: "Set type of progress output (\"auto\", \"plain\", \"tty\", \"quiet\")", defaultValue: "auto" },
    { name: "quiet", short: "q", kind: "bool", description: "Suppress the build output and print image ID on success" },
    { name: "tag", short: "t", kind: "list", description: "Name and optionally a tag (format: \"name:tag\")" },
    { name: "target", kind: "string", description: "Set the target build stage to build" },
  ],
  minArgs: 1,
  maxArgs: 1,
  async run({ engine, flags, io, request }) {
    const { context, dockerfile, dockerfileName } = await buildSource(engine, io, request.cwd || "/", flags.args[0]!, flags.strings.get("file"));
    const buildArgs: Record<string, string> = {};
    for (const entry of withCallerEnv(flags.lists.get("build-arg") ?? [], request.env)) {
      const eq = entry.indexOf("=");
      buildArgs[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    const mode = flags.strings.get("progress") ?? "auto";
    if (!["auto", "plain", "tty", "quiet", "rawjson"].includes(mode)) throw new CommandError(`ERROR: invalid progress mode ${mode}`);
    const quiet = (flags.bools.get("quiet") ?? false) || mode === "quiet";
    const live = mode === "tty" || (mode === "auto" && request.stderrTty);
    const write = (text: string) => void io.stderr(text);
    let progress: BuildProgress | undefined;
    if (!quiet && live) progress = ttyProgress(write, { columns: request.columns || 80, rows: request.rows || 24 });
    else if (!quiet) {
      write('#0 building with "default" instance using docker driver\n');
      progress = plainProgress(write);
    }
    try {
      const result = await build({
        images: engine.images,
        registry: engine.registry,
        runtime: engine.runtime,
        context,
        dockerfile,
        dockerfileName,
        tags: flags.lists.get("tag") ?? [],
        buildArgs,
        target: flags.strings.get("target"),
        progress,
        cache: engine.buildCache,
        noCache: flags.bools.get("no-cache") ?? false,
      });
      progress?.finished();
      if (quiet) io.stdout(`${result.id}\n`);
      else if (!live) io.stderr("\n");
      return 0;
    } catch (error) {
      progress?.finished();
      if (error instanceof BuildError) {
        io.stderr(`${quiet || live || error.snippet.startsWith("------") ? "" : "\n"}${error.snippet}ERROR: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  },
};

/**
 * The build's context and Dockerfile, as the docker CLI finds them: PATH a
 * directory of the caller's machine (its Dockerfile, or -f's, relative to the
 * caller's directory; `-f -` reads it from stdin), or `-`: stdin is a tar of
 * the context, or else the Dockerfile itself with an empty context.
 */
async function buildSource(engine: Engine, io: DockerIO, cwd: string, arg: string, fileFlag: string | undefined): Promise<{ context: FileSource; dockerfile: string; dockerfileName: string }> {
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  if (arg === "-") {
    if (fileFlag === "-") throw new CommandError("ERROR: invalid argument: can't use stdin for both build context and dockerfile");
    const input = await readStdin(io);
    const archive = await archiveContext(input);
    if (!archive) return { context: treeSource([]), dockerfile: decode(input), dockerfileName: "Dockerfile" };
    const name = (fileFlag ?? "Dockerfile").replace(/^\.?\/+/, "");
    try {
      return { context: archive, dockerfile: decode(archive.readFile(name)), dockerfileName: name.slice(name.lastIndexOf("/") + 1) };
    } catch {
      throw new CommandError(`ERROR: failed to solve: failed to read dockerfile: open ${name}: no such file or directory`);
    }
  }
  const files = engine.hostFiles;
  if (!files) throw new CommandError("ERROR: this engine has no host filesystem to read a build context from");
  const contextDir = joinPath(cwd, arg);
  try {
    if (files.stat(contextDir).kind !== "directory") throw new Error("not a directory");
  } catch {
    throw new CommandError(`ERROR: unable to prepare context: path "${arg}" not found`);
  }
  const context = subSource(files, contextDir);
  if (fileFlag === "-") return { context, dockerfile: decode(await readStdin(io)), dockerfileName: "Dockerfile" };
  const dockerfilePath = fileFlag ? joinPath(cwd, fileFlag) : joinPath(contextDir, "Dockerfile");
  const dockerfileName = dockerfilePath.slice(dockerfilePath.lastIndexOf("/") + 1);
  try {
    return { context, dockerfile: decode(files.readFile(dockerfilePath)), dockerfileName };
  } catch {
    throw new CommandError(`ERROR: failed to solve: failed to read dockerfile: open ${dockerfileName}: no such file or directory`);
  }
}

export const historyCommand: DockerCommand = {
  name: "history",
  aliases: ["image history"],
  usage: "history [OPTIONS] IMAGE",
  summary: "Show the history of an image",
  flags: [
    { name: "human", short: "H", kind: "bool", description: "Print sizes and dates in human readable format", defaultValue: "true" },
    { name: "no-trunc", kind: "bool", description: "Don't truncate output" },
    { name: "quiet", short: "q", kind: "bool", description: "Only show image IDs" },
  ],
  minArgs: 1,
  maxArgs: 1,
  async run({ engine, flags, io }) {
    const image = await engine.images.resolve(flags.args[0]!);
    const noTrunc = flags.bools.get("no-trunc") ?? false;
    const human = flags.bools.get("human") ?? true;
    const history = await imageHistory(engine, image);
    // As the docker CLI's history formatter: one row per entry, -q too; IDs
    // cut unless --no-trunc; tabs in CREATED BY as spaces.
    const ids = history.map((item) => (noTrunc ? item.Id : shortId(item.Id)));
    if (flags.bools.get("quiet")) {
      io.stdout(ids.map((id) => `${id}\n`).join(""));
      return 0;
    }
    const rows = history.map((item, i) => {
      const createdBy = item.CreatedBy.replaceAll("\t", " ");
      const created = human ? ago(new Date(item.Created * 1000)) : rfc3339(item.Created);
      return [ids[i]!, created, noTrunc ? createdBy : ellipsis(createdBy, 45), human ? humanSize(item.Size) : String(item.Size), item.Comment];
    });
    io.stdout(table(["IMAGE", human ? "CREATED" : "CREATED AT", "CREATED BY", "SIZE", "COMMENT"], rows));
    return 0;
  },
};
