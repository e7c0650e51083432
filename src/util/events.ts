/**
 * The engine's events (Docker's daemon/events): what happened to which
 * object, when. The stores and the runtime log them where the action
 * happens; `GET /events` and `docker events` read them. The last
 * EVENT_HISTORY events stay for `--since`; later ones reach subscribers.
 */

/** The kinds of object Berth's engine has events for (Docker's events.Type). */
export type EventType = "container" | "image" | "volume";

export interface EventActor {
  readonly ID: string;
  readonly Attributes: Readonly<Record<string, string>>;
}

/** One event, in the fields of Docker's events.Message (timeNano as a bigint: nanoseconds do not fit a double). */
export interface EngineEvent {
  readonly Type: EventType;
  readonly Action: string;
  readonly Actor: EventActor;
  readonly scope: "local";
  /** Seconds since the epoch. */
  readonly time: number;
  /** Nanoseconds since the epoch. */
  readonly timeNano: bigint;
}

/** Events kept for `--since`: Docker's eventsLimit. */
export const EVENT_HISTORY = 256;

export type EventListener = (event: EngineEvent) => void;

export class EventLog {
  readonly #history: EngineEvent[] = [];
  readonly #listeners = new Set<EventListener>();
  #lastNano = 0n;

  /** Logs an event now; every subscriber gets it at once. */
  log(type: EventType, action: string, id: string, attributes: Readonly<Record<string, string>> = {}): EngineEvent {
    const timeNano = this.#now();
    const event: EngineEvent = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: "local",
      time: Number(timeNano / 1_000_000_000n),
      timeNano,
    };
    this.#history.push(event);
    if (this.#history.length > EVENT_HISTORY) this.#history.shift();
    for (const listener of this.#listeners) listener(event);
    return event;
  }

  /**
   * The kept events from `since` up to `until` (nanoseconds; either may be
   * absent), oldest first — none when neither is given, as dockerd's
   * loadBufferedEvents.
   */
  past(since?: bigint, until?: bigint): EngineEvent[] {
    if (since === undefined && until === undefined) return [];
    return this.#history.filter((e) => e.timeNano >= (since ?? 0n) && (until === undefined || e.timeNano <= until));
  }

  /** Calls `listener` with each event from now on; returns the way to stop. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Wall-clock nanoseconds, strictly increasing: two events never share a time, so since/until cut between them. */
  #now(): bigint {
    // Date.now() is the clock clients compare with; performance.now() adds what falls within its millisecond.
    const nano = BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor((performance.now() % 1) * 1_000_000));
    this.#lastNano = nano > this.#lastNano ? nano : this.#lastNano + 1n;
    return this.#lastNano;
  }
}
