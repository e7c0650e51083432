/**
 * docker save and docker load: images to and from tar archives (the format is
 * src/image/archive.ts), on the caller's stdout/stdin or the host's files.
 */
import { loadMessages } from "../../api/index.ts";
import { joinPath } from "../../build/index.ts";
import { loadImageArchive, saveImages } from "../../image/index.ts";
import { CommandError, readStdin, type DockerCommand } from "./command.ts";
import { humanSize } from "./format.ts";

export const saveCommand: DockerCommand = {
  name: "save",
  aliases: ["image save"],
  usage: "save [OPTIONS] IMAGE [IMAGE...]",
  summary: "Save one or more images to a tar archive (streamed to STDOUT by default)",
  flags: [{ name: "output", short: "o", kind: "string", description: "Write to a file, instead of STDOUT" }],
  minArgs: 1,
  async run({ engine, flags, io, request }) {
    const output = flags.strings.get("output");
    if (!output && request.stdoutTty) throw new CommandError("cowardly refusing to save to a terminal. Use the -o flag or redirect");
    const files = engine.hostFiles;
    const path = output ? joinPath(request.cwd || "/", output) : undefined;
    if (path) {
      if (!files) throw new CommandError("failed to save image: this engine has no host filesystem to write to");
      if (!files.exists(path.slice(0, path.lastIndexOf("/")) || "/")) {
        throw new CommandError(`failed to save image: invalid output path: directory "${outputDir(output!)}" does not exist`);
      }
      if (files.exists(path) && files.stat(path).kind === "directory") throw new CommandError(`failed to save image: open ${output}: is a directory`);
    }
    const archive = await saveImages(engine.images, flags.args);
    if (path && files) files.writeFile(path, archive);
    else io.stdout(archive);
    return 0;
  },
};

/** The directory of the path as given, as Go's filepath.Dir(filepath.Clean(path)) prints it. */
function outputDir(output: string): string {
  const slash = output.replace(/\/+$/, "").lastIndexOf("/");
  return slash < 0 ? "." : slash === 0 ? "/" : output.slice(0, slash);
}

export const loadCommand: DockerCommand = {
  name: "load",
  aliases: ["image load"],
  usage: "load [OPTIONS]",
  summary: "Load an image from a tar archive or STDIN",
  flags: [
    { name: "input", short: "i", kind: "string", description: "Read from tar archive file, instead of STDIN" },
    { name: "quiet", short: "q", kind: "bool", description: "Suppress the load output" },
  ],
  maxArgs: 0,
  async run({ engine, flags, io, request }) {
    const input = flags.strings.get("input");
    let archive: Uint8Array;
    if (input) {
      try {
        if (!engine.hostFiles) throw new Error("no host filesystem");
        archive = engine.hostFiles.readFile(joinPath(request.cwd || "/", input));
      } catch {
        throw new CommandError(`open ${input}: no such file or directory`);
      }
    } else {
      // Reading a terminal would wait for a tarball someone has to type.
      if (request.stdinTty) throw new CommandError("requested load from stdin, but stdin is empty");
      archive = await readStdin(io);
    }
    const result = await loadImageArchive(engine.images, archive);
    // As Docker: progress only on a terminal, and not with -q.
    const progress = !(flags.bools.get("quiet") ?? false) && request.stdoutTty;
    for (const message of loadMessages(result, progress)) io.stdout("stream" in message ? message.stream : loadingLayer(message.id, message.progressDetail.total, request.columns));
    return 0;
  },
};

/** A finished "Loading layer" progress line; the bar only on terminals wider than 110 columns, as Docker's jsonmessage. */
function loadingLayer(id: string, size: number, columns: number): string {
  const bar = columns > 110 ? `[${"=".repeat(50)}>] ` : "";
  const bytes = humanSize(size, 4);
  return `${id}: Loading layer ${bar}${bytes.padStart(8)}/${bytes}\n`;
}

