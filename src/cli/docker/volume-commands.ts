/** `docker volume ...`: volumes by name or anonymous, in Docker's grammar and words. */
import { listVolumes, volumeInspect } from "../../api/index.ts";
import { volumeSize } from "../../volume/index.ts";
import { CommandError, confirmed, eachName, type DockerCommand } from "./command.ts";
import { filterFlag, filtersOf } from "./filter-flag.ts";
import { pruneReport, table, templateOutput } from "./format.ts";

function labels(entries: readonly string[]): Record<string, string> {
  return Object.fromEntries(entries.map((l) => [l.split("=")[0]!, l.includes("=") ? l.slice(l.indexOf("=") + 1) : ""]));
}

export const volumeCreateCommand: DockerCommand = {
  name: "volume create",
  usage: "volume create [OPTIONS] [VOLUME]",
  summary: "Create a volume",
  flags: [
    { name: "driver", short: "d", kind: "string", description: "Specify volume driver name", defaultValue: "local" },
    { name: "label", kind: "list", description: "Set metadata for a volume" },
    { name: "name", kind: "string", description: "Specify volume name" },
  ],
  maxArgs: 1,
  async run({ engine, flags, io }) {
    const driver = flags.strings.get("driver") ?? "local";
    if (driver !== "local") throw new CommandError(`Error response from daemon: create ${flags.args[0] ?? ""}: error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    const named = flags.strings.get("name");
    if (named !== undefined && flags.args[0] !== undefined && named !== flags.args[0]) {
      throw new CommandError(`conflicting options: either specify --name or provide positional arg, not both`);
    }
    const volume = engine.volumes.create({ name: named ?? flags.args[0], labels: labels(flags.lists.get("label") ?? []) });
    io.stdout(`${volume.name}\n`);
    return 0;
  },
};

export const volumeLsCommand: DockerCommand = {
  name: "volume ls",
  aliases: ["volume list"],
  usage: "volume ls [OPTIONS]",
  summary: "List volumes",
  flags: [
    { name: "format", kind: "string", description: "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template" },
    filterFlag('Provide filter values (e.g. "dangling=true")'),
    { name: "quiet", short: "q", kind: "bool", description: "Only display volume names" },
  ],
  maxArgs: 0,
  async run({ engine, flags, io }) {
    const volumes = listVolumes(engine, filtersOf(flags, volumeLsCommand));
    const format = flags.strings.get("format");
    if (flags.bools.get("quiet")) io.stdout(volumes.map((v) => `${v.name}\n`).join(""));
    else if (format !== undefined && format !== "table") {
      const items = volumes.map((v) => ({
        Driver: v.driver,
        Name: v.name,
        Mountpoint: v.mountpoint,
        Scope: "local",
        Labels: Object.entries(v.labels).map(([k, l]) => `${k}=${l}`).join(","),
      }));
      io.stdout(templateOutput(format, { Driver: "DRIVER", Name: "VOLUME NAME", Mountpoint: "MOUNTPOINT", Scope: "SCOPE", Labels: "LABELS" }, items));
    }
    else io.stdout(table(["DRIVER", "VOLUME NAME"], volumes.map((v) => [v.driver, v.name])));
    return 0;
  },
};

export const volumeInspectCommand: DockerCommand = {
  name: "volume inspect",
  usage: "volume inspect [OPTIONS] VOLUME [VOLUME...]",
  summary: "Display detailed information on one or more volumes",
  flags: [],
  minArgs: 1,
  async run({ engine, flags, io }) {
    const found: unknown[] = [];
    const errors: string[] = [];
    for (const name of flags.args) {
      try {
        found.push(volumeInspect(engine.volumes.get(name)));
      } catch (error) {
        errors.push(`Error response from daemon: ${(error as Error).message}\n`);
      }
    }
    io.stdout(`${JSON.stringify(found, null, 4)}\n`);
    for (const error of errors) io.stderr(error);
    return errors.length ? 1 : 0;
  },
};

export const volumeRmCommand: DockerCommand = {
  name: "volume rm",
  aliases: ["volume remove"],
  usage: "volume rm [OPTIONS] VOLUME [VOLUME...]",
  summary: "Remove one or more volumes",
  flags: [{ name: "force", short: "f", kind: "bool", description: "Force the removal of one or more volumes" }],
  minArgs: 1,
  async run({ engine, flags, io }) {
    return eachName(flags.args, io, async (name) => {
      // -f forgives a missing volume, never one in use (as Docker's).
      if (flags.bools.get("force") && !engine.volumes.has(name)) return undefined;
      engine.volumes.remove(name, engine.runtime.volumeUsers(name));
      return name;
    });
  },
};

export const volumePruneCommand: DockerCommand = {
  name: "volume prune",
  usage: "volume prune [OPTIONS]",
  summary: "Remove unused local volumes",
  flags: [
    { name: "all", short: "a", kind: "bool", description: "Remove all unused volumes, not just anonymous ones" },
    { name: "force", short: "f", kind: "bool", description: "Do not prompt for confirmation" },
  ],
  maxArgs: 0,
  async run({ engine, flags, io }) {
    const all = flags.bools.get("all") ?? false;
    const warning = all
      ? "WARNING! This will remove all local volumes not used by at least one container."
      : "WARNING! This will remove anonymous local volumes not used by at least one container.";
    if (!flags.bools.get("force") && !(await confirmed(io, warning))) return 0;
    const unused = engine.volumes.list().filter((v) => (all || v.anonymous) && engine.runtime.volumeUsers(v.name).length === 0);
    let reclaimed = 0;
    for (const volume of unused) {
      reclaimed += volumeSize(volume);
      engine.volumes.remove(volume.name);
    }
    io.stdout(pruneReport("Deleted Volumes", unused.map((v) => v.name), reclaimed));
    return 0;
  },
};

export const VOLUME_COMMANDS: readonly DockerCommand[] = [volumeCreateCommand, volumeInspectCommand, volumeLsCommand, volumePruneCommand, volumeRmCommand];
