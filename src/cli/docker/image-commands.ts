import { pullImage, removeImage as removeImageFromEngine } from "../../api/index.ts";
import { familiarRepository, parseReference } from "../../image/index.ts";
import type { DockerIO, Engine } from "../../engine/index.ts";
import { eachName, type DockerCommand } from "./command.ts";
import { ago, goTime, humanSize, shortId, table, templateOutput } from "./format.ts";

/**
 * Pulls, printing the daemon's progress messages as the docker CLI does on a
 * terminal once a pull is done: each layer's last step, then the digest and status.
 */
export async function pullWithProgress(engine: Engine, reference: string, out: (text: string) => void, options: { sayDefaultTag?: boolean } = {}) {
  if (options.sayDefaultTag && !reference.includes(":") && !reference.includes("@")) out("Using default tag: latest\n");
  return pullImage(engine, reference, (message) => {
    if (message.progressDetail) {
      if (message.status === "Pull complete" || message.status === "Already exists") out(`${message.id}: ${message.status} \n`);
      return;
    }
    out(`${message.id ? `${message.id}: ` : ""}${message.status}\n`);
  });
}

export const pullCommand: DockerCommand = {
  name: "pull",
  usage: "pull [OPTIONS] NAME[:TAG|@DIGEST]",
  summary: "Download an image from a registry",
  flags: [{ name: "quiet", short: "q", kind: "bool", description: "Suppress verbose output" }],
  minArgs: 1,
  maxArgs: 1,
  async run({ engine, flags, io }) {
    const reference = flags.args[0]!;
    const quiet = flags.bools.get("quiet") ?? false;
    await pullWithProgress(engine, reference, quiet ? () => {} : (text) => io.stdout(text), { sayDefaultTag: true });
    io.stdout(`${formatPulled(reference)}\n`);
    return 0;
  },
};

function formatPulled(reference: string): string {
  const ref = parseReference(reference);
  return `${ref.domain}/${ref.path}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}

export const imagesCommand: DockerCommand = {
  name: "images",
  aliases: ["image ls", "image list"],
  usage: "images [OPTIONS] [REPOSITORY[:TAG]]",
  summary: "List images",
  flags: [
    { name: "quiet", short: "q", kind: "bool", description: "Only show image IDs" },
    { name: "all", short: "a", kind: "bool", description: "Show all images (default hides intermediate images)" },
    { name: "no-trunc", kind: "bool", description: "Don't truncate output" },
    { name: "format", kind: "string", description: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template" },
  ],
  maxArgs: 1,
  async run({ engine, flags, io }) {
    const rows: string[][] = [];
    const items: Record<string, unknown>[] = [];
    const ids: string[] = [];
    const filter = flags.args[0];
    for (const record of engine.images.list()) {
      const ref = parseReference(record.name);
      const repository = familiarRepository(ref);
      if (filter && filter !== repository && filter !== `${repository}:${ref.tag}`) continue;
      const image = await engine.images.resolve(record.name);
      const id = flags.bools.get("no-trunc") ? image.id : shortId(image.id);
      const size = image.manifest.layers.reduce((n, l) => n + l.size, 0);
      const created = image.config.created ? ago(new Date(image.config.created)) : "N/A";
      rows.push([repository, ref.tag ?? "<none>", id, created, humanSize(size)]);
      items.push(imageItem(repository, ref.tag ?? "<none>", id, image.config.created, size));
      if (!ids.includes(id)) ids.push(id);
    }
    if (!filter) {
      for (const target of engine.images.dangling()) {
        const image = await engine.images.load(target.digest);
        const id = flags.bools.get("no-trunc") ? image.id : shortId(image.id);
        const size = image.manifest.layers.reduce((n, l) => n + l.size, 0);
        const created = image.config.created ? ago(new Date(image.config.created)) : "N/A";
        rows.push(["<none>", "<none>", id, created, humanSize(size)]);
        items.push(imageItem("<none>", "<none>", id, image.config.created, size));
        if (!ids.includes(id)) ids.push(id);
      }
    }
    const format = flags.strings.get("format");
    if (flags.bools.get("quiet")) io.stdout(ids.map((id) => `${id}\n`).join(""));
    else if (format !== undefined && format !== "table") io.stdout(templateOutput(format, IMAGE_TITLES, items));
    else io.stdout(table(["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"], rows));
    return 0;
  },
};

const IMAGE_TITLES = { Repository: "REPOSITORY", Tag: "TAG", ID: "IMAGE ID", CreatedSince: "CREATED", CreatedAt: "CREATED AT", Size: "SIZE", Digest: "DIGEST" };

/** One image as `docker images --format` sees it. */
function imageItem(repository: string, tag: string, id: string, created: string | undefined, size: number): Record<string, unknown> {
  return {
    Repository: repository,
    Tag: tag,
    ID: id,
    CreatedSince: created ? ago(new Date(created)) : "N/A",
    CreatedAt: created ? goTime(new Date(created)) : "",
    Size: humanSize(size),
    Digest: "<none>",
  };
}

export const rmiCommand: DockerCommand = {
  name: "rmi",
  aliases: ["image rm", "image remove"],
  usage: "rmi [OPTIONS] IMAGE [IMAGE...]",
  summary: "Remove one or more images",
  flags: [{ name: "force", short: "f", kind: "bool", description: "Force removal of the image" }],
  minArgs: 1,
  async run({ engine, flags, io }) {
    return eachName(flags.args, io, async (name) => {
      await removeImage(engine, name, flags.bools.get("force") ?? false, io);
      return undefined;
    });
  },
};

async function removeImage(engine: Engine, name: string, force: boolean, io: DockerIO): Promise<void> {
  for (const removed of await removeImageFromEngine(engine, name, force)) {
    io.stdout("Untagged" in removed ? `Untagged: ${removed.Untagged}\n` : `Deleted: ${removed.Deleted}\n`);
  }
}

export const tagCommand: DockerCommand = {
  name: "tag",
  aliases: ["image tag"],
  usage: "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
  summary: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
  flags: [],
  minArgs: 2,
  maxArgs: 2,
  async run({ engine, flags }) {
    const image = await engine.images.resolve(flags.args[0]!);
    engine.images.tag(flags.args[1]!, image);
    return 0;
  },
};
