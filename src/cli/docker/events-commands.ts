/**
 * `docker events`: the engine's events as they happen (and the kept ones
 * from --since), read from the same stream GET /events serves, printed as
 * the docker CLI prints them. Without --until it runs until the caller goes.
 */
import { eventJson, eventStream, filterTime } from "../../api/index.ts";
import type { BerthError, EngineEvent } from "../../util/index.ts";
import { CommandError, type DockerCommand } from "./command.ts";
import { filterFlag, filtersOf } from "./filter-flag.ts";
import { templateOutput } from "./format.ts";

/** An event's time as the docker CLI prints it: RFC 3339 with nanoseconds, in UTC. */
function eventTime(timeNano: bigint): string {
  const seconds = new Date(Number(timeNano / 1_000_000_000n) * 1000).toISOString().slice(0, 19);
  return `${seconds}.${String(timeNano % 1_000_000_000n).padStart(9, "0")}Z`;
}

/** One line: time, type, action, actor, and its attributes sorted by key. */
function eventLine(event: EngineEvent): string {
  const attributes = Object.entries(event.Actor.Attributes)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`);
  const actor = attributes.length ? ` (${attributes.join(", ")})` : "";
  return `${eventTime(event.timeNano)} ${event.Type} ${event.Action} ${event.Actor.ID}${actor}\n`;
}

export const eventsCommand: DockerCommand = {
  name: "events",
  aliases: ["system events"],
  usage: "events [OPTIONS]",
  summary: "Get real time events from the server",
  flags: [
    filterFlag("Filter output based on conditions provided"),
    { name: "format", kind: "string", description: "Format output using a custom template: 'json' or a Go template" },
    { name: "since", kind: "string", description: "Show all events created since timestamp" },
    { name: "until", kind: "string", description: "Stream events until this timestamp" },
  ],
  maxArgs: 0,
  async run({ engine, flags, io }) {
    const now = Date.now();
    const time = (name: "since" | "until") => {
      const value = flags.strings.get(name);
      if (value === undefined || value === "") return undefined;
      try {
        return BigInt(Math.round(filterTime(value, now))) * 1_000_000n;
      } catch (error) {
        throw new CommandError(`Error response from daemon: ${(error as BerthError).message}`, 1);
      }
    };
    const [since, until] = [time("since"), time("until")];
    if (since !== undefined && until !== undefined && until < since) {
      throw new CommandError(`Error response from daemon: \`since\` time (${flags.strings.get("since")}) cannot be after \`until\` time (${flags.strings.get("until")})`, 1);
    }
    const format = flags.strings.get("format");
    const events = eventStream(engine, { since, until, filters: filtersOf(flags, eventsCommand) });
    // Ctrl-C (the caller gone) ends the reading at once, not at the next event.
    void io.closed?.then(() => events.close());
    for await (const event of events) {
      const line = format === "json" ? `${eventJson(event)}\n` : format ? templateOutput(format, {}, [event as unknown as Record<string, unknown>]) : eventLine(event);
      await io.stdout(line);
    }
    return 0;
  },
};
