import { familiarRepository, parseReference, pull, type PullEvent } from "../../image/index.ts";
import type { DockerIO, Engine } from "../../engine/index.ts";
import { BerthError } from "../../util/index.ts";
import type { DockerCommand } from "./command.ts";
import { ago, humanSize, shortId, table } from "./format.ts";

/** Pulls with Docker's progress lines; returns the image. */
export async function pullWithProgress(engine: Engine, reference: string, out: (text: string) => void, options: { sayDefaultTag?: boolean } = {}) {
  const ref = parseReference(reference);
  const tag = ref.tag ?? "latest";
  if (options.sayDefaultTag && !reference.includes(":") && !reference.includes("@")) out("Using default tag: latest\n");
  out(`${ref.digest && !ref.tag ? ref.digest : tag}: Pulling from ${ref.path}\n`);
  const onProgress = (event: PullEvent) => {
    if (event.kind === "layer") {
      if (event.status === "Pull complete" || event.status === "Already exists") out(`${event.id}: ${event.status} \n`);
      return;
    }
    out(`Digest: ${event.digest}\n`);
    const name = `${familiarRepository(ref)}:${tag}`;
    out(event.upToDate ? `Status: Image is up to date for ${name}\n` : `Status: Downloaded newer image for ${name}\n`);
  };
  return pull({ reference, registry: engine.registry, images: engine.images, onProgress });
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
  ],
  maxArgs: 1,
  async run({ engine, flags, io }) {
    const rows: string[][] = [];
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
      if (!ids.includes(id)) ids.push(id);
    }
    if (!filter) {
      for (const target of engine.images.dangling()) {
        const image = await engine.images.load(target.digest);
        const id = flags.bools.get("no-trunc") ? image.id : shortId(image.id);
        const size = image.manifest.layers.reduce((n, l) => n + l.size, 0);
        const created = image.config.created ? ago(new Date(image.config.created)) : "N/A";
        rows.push(["<none>", "<none>", id, created, humanSize(size)]);
        if (!ids.includes(id)) ids.push(id);
      }
    }
    if (flags.bools.get("quiet")) io.stdout(ids.map((id) => `${id}\n`).join(""));
    else io.stdout(table(["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"], rows));
    return 0;
  },
};

export const rmiCommand: DockerCommand = {
  name: "rmi",
  aliases: ["image rm", "image remove"],
  usage: "rmi [OPTIONS] IMAGE [IMAGE...]",
  summary: "Remove one or more images",
  flags: [{ name: "force", short: "f", kind: "bool", description: "Force removal of the image" }],
  minArgs: 1,
  async run({ engine, flags, io }) {
    let status = 0;
    for (const name of flags.args) {
      try {
        await removeImage(engine, name, flags.bools.get("force") ?? false, io);
      } catch (error) {
        io.stderr(`Error response from daemon: ${(error as Error).message}\n`);
        status = 1;
      }
    }
    return status;
  },
};

async function removeImage(engine: Engine, name: string, force: boolean, io: DockerIO): Promise<void> {
  const image = await engine.images.resolve(name);
  const users = engine.runtime.list({ all: true }).filter((c) => c.config.imageId === image.id);
  if (users.length > 0 && !force) {
    throw new BerthError(
      "CONFLICT",
      `conflict: unable to remove repository reference "${name}" (must force) - container ${shortId(users[0]!.id)} is using its referenced image ${shortId(image.id)}`,
    );
  }
  const record = engine.images.get(name);
  const names = record ? [record.name] : image.names;
  for (const n of names) {
    engine.images.delete(n);
    const ref = parseReference(n);
    io.stdout(`Untagged: ${familiarRepository(ref)}:${ref.tag}\n`);
  }
  // The last name gone (or removed by ID), the image goes too.
  if ((await engine.images.resolve(image.id).then((i) => i.names.length > 0).catch(() => false)) === false) {
    engine.images.forget(image.manifestDigest);
    io.stdout(`Deleted: ${image.id}\n`);
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
    engine.images.set(flags.args[1]!, image.target);
    return 0;
  },
};
