import { imageSummaries, pullImage, removeImage as removeImageFromEngine } from "../../api/index.ts";
import { familiarRepository, parseReference } from "../../image/index.ts";
import type { DockerIO, Engine } from "../../engine/index.ts";
import { eachName, type DockerCommand } from "./command.ts";
import { filterFlag, filtersOf } from "./filter-flag.ts";
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
    { name: "digests", kind: "bool", description: "Show digests" },
    filterFlag(),
    { name: "no-trunc", kind: "bool", description: "Don't truncate output" },
    { name: "format", kind: "string", description: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template" },
  ],
  maxArgs: 1,
  async run({ engine, flags, io }) {
    // The positional REPOSITORY[:TAG] is a reference filter, as the docker CLI sends it.
    const reference = flags.args[0];
    const filters = filtersOf(flags, imagesCommand, reference === undefined ? [] : [`reference=${reference}`]);
    const format = flags.strings.get("format");
    const showDigests = flags.bools.get("digests") ?? false;
    const trunc = !(flags.bools.get("no-trunc") ?? false);
    const items: Record<string, unknown>[] = [];
    for (const summary of await imageSummaries(engine, filters)) {
      for (const { repository, tag, digest } of imageRows(summary, showDigests || (format ?? "").includes("{{.Digest}}"))) {
        items.push(imageItem(summary, repository, tag, digest, trunc));
      }
    }
    if (flags.bools.get("quiet")) io.stdout(items.map((item) => `${item.ID}\n`).join(""));
    else if (format !== undefined && format !== "table") io.stdout(templateOutput(format, IMAGE_TITLES, items));
    else {
      const columns = ["Repository", "Tag", ...(showDigests ? ["Digest"] : []), "ID", "CreatedSince", "Size"];
      io.stdout(table(columns.map((c) => IMAGE_TITLES[c as keyof typeof IMAGE_TITLES]), items.map((item) => columns.map((c) => String(item[c])))));
    }
    return 0;
  },
};

const IMAGE_TITLES = { Repository: "REPOSITORY", Tag: "TAG", ID: "IMAGE ID", CreatedSince: "CREATED", CreatedAt: "CREATED AT", Size: "SIZE", Digest: "DIGEST" };

/**
 * The rows of one image as the docker CLI makes them from its summary: a
 * dangling image is one <none> row; else each repository's tags, a row per
 * tag and, when digests are shown, per digest of that repository; then a
 * row for each repository known only by digest.
 */
function imageRows(summary: Record<string, unknown>, showDigests: boolean): { repository: string; tag: string; digest: string }[] {
  const repoTags = summary.RepoTags as string[];
  const repoDigests = summary.RepoDigests as string[];
  if (repoTags.length === 0 && repoDigests.length === 0) return [{ repository: "<none>", tag: "<none>", digest: "<none>" }];
  const tags = new Map<string, string[]>();
  for (const name of repoTags) {
    const ref = parseReference(name);
    if (ref.tag) tags.set(familiarRepository(ref), [...(tags.get(familiarRepository(ref)) ?? []), ref.tag]);
  }
  const digests = new Map<string, string[]>();
  for (const name of repoDigests) {
    const ref = parseReference(name);
    if (ref.digest) digests.set(familiarRepository(ref), [...(digests.get(familiarRepository(ref)) ?? []), ref.digest]);
  }
  const rows: { repository: string; tag: string; digest: string }[] = [];
  for (const [repository, repositoryTags] of tags) {
    const repositoryDigests = showDigests ? (digests.get(repository) ?? []) : [];
    digests.delete(repository);
    for (const tag of repositoryTags) {
      if (repositoryDigests.length === 0) rows.push({ repository, tag, digest: "<none>" });
      for (const digest of repositoryDigests) rows.push({ repository, tag, digest });
    }
  }
  for (const [repository, repositoryDigests] of digests) {
    if (showDigests) rows.push(...repositoryDigests.map((digest) => ({ repository, tag: "<none>", digest })));
    else rows.push({ repository, tag: "<none>", digest: "" });
  }
  return rows;
}

/** One row as `docker images --format` sees it, from the image's summary. */
function imageItem(summary: Record<string, unknown>, repository: string, tag: string, digest: string, trunc: boolean): Record<string, unknown> {
  const id = String(summary.Id);
  const created = new Date(Number(summary.Created) * 1000);
  return {
    Repository: repository,
    Tag: tag,
    ID: trunc ? shortId(id) : id,
    CreatedSince: ago(created),
    CreatedAt: goTime(created),
    Size: humanSize(Number(summary.Size)),
    Digest: digest,
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
