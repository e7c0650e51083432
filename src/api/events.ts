/**
 * GET /events: the engine's events as a JSON stream. With `since`, the kept
 * events from then first; with `until`, the stream ends then (at once when it
 * is past); `filters` as dockerd's events filter reads them.
 */
import type { Engine } from "../engine/index.ts";
import { BerthError, type EngineEvent } from "../util/index.ts";
import { Channel } from "./channel.ts";
import { matchesExactly, matchesLabels, matchesPrefix, parseFilters, type Filters } from "./filters.ts";
import type { ApiResponse } from "./http.ts";
import type { Route } from "./router.ts";

/** Docker's "sec[.nanos]" timestamps (the CLI turns "10m" and RFC 3339 into these), as nanoseconds. */
export function parseEventTime(name: string, text: string | null): bigint | undefined {
  if (!text) return undefined;
  const [seconds, fraction] = text.split(".", 2) as [string, string | undefined];
  const integer = (s: string) => {
    if (!/^[+-]?\d+$/.test(s)) throw new BerthError("INVALID_ARGUMENT", `strconv.ParseInt: parsing "${s}": invalid syntax`);
    return BigInt(s);
  };
  const nanos = fraction === undefined ? 0n : integer(fraction.slice(0, 9).padEnd(9, "0"));
  const value = integer(seconds) * 1_000_000_000n + nanos;
  if (value < 0n) throw new BerthError("INVALID_ARGUMENT", `invalid ${name} time: ${text}`);
  return value;
}

/**
 * Whether an event passes the filters, as dockerd's events.Filter: `type`,
 * `event` and `scope` exactly; `container` and `volume` by ID or name prefix;
 * `image` by ID, name, or either without its tag; `label` as key or key=value.
 */
export function matchesFilters(event: EngineEvent, filters: Filters): boolean {
  const exact = (key: string, ...values: string[]) => values.some((v) => matchesExactly(filters, key, v));
  const fuzzy = (key: string, ...values: string[]) => values.some((v) => matchesPrefix(filters, key, v));
  const byName = (type: string) => fuzzy(type, event.Actor.ID, event.Actor.Attributes.name ?? "");
  const image = event.Type === "image" ? (event.Actor.Attributes.name ?? "") : (event.Actor.Attributes.image ?? "");
  // exec_create and exec_start carry the command after a colon: those two match by prefix.
  const action = (filters.get("event") ?? []).some((e) => ["health_status", "exec_create", "exec_start"].includes(e)) ? fuzzy : exact;
  return (
    action("event", event.Action) &&
    exact("type", event.Type) &&
    exact("scope", event.scope) &&
    byName("container") &&
    byName("volume") &&
    exact("image", event.Actor.ID, image, stripTag(event.Actor.ID), stripTag(image)) &&
    matchesLabels(filters, "label", event.Actor.Attributes)
  );
}

/** "alpine:3" -> "alpine"; a digest or a registry's port stays. */
function stripTag(name: string): string {
  if (name.includes("@")) return name;
  const slash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  return colon > slash ? name.slice(0, colon) : name;
}

/** An event as dockerd writes it: Docker's Message fields, the deprecated status/id/from first (filled for containers and images). */
export function eventJson(event: EngineEvent): string {
  const legacy =
    event.Type === "container"
      ? { status: event.Action, id: event.Actor.ID, ...(event.Actor.Attributes.image ? { from: event.Actor.Attributes.image } : {}) }
      : event.Type === "image"
        ? { status: event.Action, id: event.Actor.ID }
        : {};
  const fields = JSON.stringify({ ...legacy, Type: event.Type, Action: event.Action, Actor: event.Actor, scope: event.scope, time: event.time });
  // timeNano is a bigint, which JSON.stringify does not take: it goes in as its digits.
  return `${fields.slice(0, -1)},"timeNano":${event.timeNano}}`;
}

/** Events as a reader takes them; `close` ends the reading at once, even while it waits for the next event. */
export interface EventStream extends AsyncIterable<EngineEvent> {
  close(): void;
}

/**
 * The events from `since` (kept ones) on, until `until` or, without it, until
 * closed. Subscribed when made: nothing logged after this call is missed.
 */
export function eventStream(engine: Engine, options: { since?: bigint; until?: bigint; filters: Filters }): EventStream {
  const { since, until, filters } = options;
  const live = new Channel<EngineEvent>(Number.POSITIVE_INFINITY);
  const unsubscribe = engine.events.subscribe((event) => void live.push(event));
  const nowNano = BigInt(Date.now()) * 1_000_000n;
  const timer = until !== undefined && until > nowNano ? setTimeout(() => live.close(), Number((until - nowNano) / 1_000_000n) + 1) : undefined;
  const close = () => {
    unsubscribe();
    clearTimeout(timer);
    live.close();
  };
  async function* read(): AsyncGenerator<EngineEvent> {
    try {
      const past = engine.events.past(since, until);
      for (const event of past) if (matchesFilters(event, filters)) yield event;
      if (until !== undefined && until <= nowNano) return;
      const last = past.at(-1)?.timeNano ?? -1n;
      for await (const event of live) {
        if (event.timeNano <= last) continue;
        if (until !== undefined && event.timeNano > until) return;
        if (matchesFilters(event, filters)) yield event;
      }
    } finally {
      close();
    }
  }
  return { [Symbol.asyncIterator]: read, close };
}

export function eventRoutes(engine: Engine): Route[] {
  return [
    {
      method: "GET",
      path: "/events",
      handle: async ({ query }): Promise<ApiResponse> => {
        const since = parseEventTime("since", query.get("since"));
        const until = parseEventTime("until", query.get("until"));
        if (until !== undefined && since !== undefined && until < since) {
          throw new BerthError("INVALID_ARGUMENT", `\`since\` time (${query.get("since")}) cannot be after \`until\` time (${query.get("until")})`);
        }
        const events = eventStream(engine, { since, until, filters: parseFilters(query.get("filters")) });
        const encoder = new TextEncoder();
        const lines = (async function* () {
          for await (const event of events) yield encoder.encode(`${eventJson(event)}\n`);
        })();
        // A client that leaves ends the subscription now, not at the next event.
        const body: AsyncIterable<Uint8Array> = {
          [Symbol.asyncIterator]: () => ({
            next: () => lines.next(),
            return: () => {
              events.close();
              return lines.return(undefined);
            },
          }),
        };
        return { status: 200, headers: { "content-type": "application/json" }, body };
      },
    },
  ];
}
