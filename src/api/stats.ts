/**
 * A container's resource usage in Docker's shape (GET /containers/{id}/stats,
 * dockerd's StatsJSON): one reading of its counters, with the reading before
 * it in `precpu_stats`, so a client works out CPU % from the two, as the
 * docker CLI does. Berth's own `docker stats` reads the same objects.
 *
 * Where the numbers come from: CPU time is what the container's workers'
 * threads used while running its processes (Machine.cpuTime; unknown in a
 * browser, where `total_usage` is left out); memory is the sum of its
 * processes' WebAssembly memories (the process table); PIDs its processes.
 * There is no network, so no `networks`; block I/O is not counted.
 */
import type { Runtime } from "../runtime/index.ts";
import { json, queryBool, type ApiResponse } from "./http.ts";
import type { Route } from "./router.ts";
import { pause } from "../util/index.ts";

export interface CpuStats {
  /** Omitted where CPU time cannot be measured. */
  readonly cpu_usage: { readonly total_usage?: number };
  /** All CPUs' time that passed, in nanoseconds (what /proc/stat's total counts). */
  readonly system_cpu_usage?: number;
  readonly online_cpus?: number;
  readonly throttling_data: { readonly periods: number; readonly throttled_periods: number; readonly throttled_time: number };
}

export interface ContainerStatsJson {
  readonly name: string;
  readonly id: string;
  readonly read: string;
  readonly preread: string;
  readonly pids_stats: { readonly current?: number; readonly limit?: number };
  readonly blkio_stats: Record<string, null>;
  readonly num_procs: number;
  readonly storage_stats: Record<string, never>;
  readonly cpu_stats: CpuStats;
  readonly precpu_stats: CpuStats;
  readonly memory_stats: { readonly usage?: number; readonly stats?: Record<string, number>; readonly limit?: number };
}

/** How often dockerd's collector reads a container's counters. */
export const STATS_INTERVAL_MS = 1_000;
/** Go's zero time, which dockerd sends for a reading it has not taken. */
const ZERO_TIME = "0001-01-01T00:00:00Z";
const NO_CPU: CpuStats = { cpu_usage: { total_usage: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
const NO_BLKIO = Object.fromEntries(
  ["io_service_bytes_recursive", "io_serviced_recursive", "io_queue_recursive", "io_service_time_recursive", "io_wait_time_recursive", "io_merged_recursive", "io_time_recursive", "sectors_recursive"].map((k) => [k, null]),
);

/**
 * One reading of the container's counters, `previous` (its last reading) as
 * precpu; a container that is not running reads all zero, as dockerd's.
 */
export function statsReading(runtime: Runtime, ref: string, previous?: ContainerStatsJson): ContainerStatsJson {
  const container = runtime.get(ref);
  const usage = runtime.usage(container.id);
  const base = { name: `/${container.name}`, id: container.id, blkio_stats: NO_BLKIO, num_procs: 0, storage_stats: {} };
  if (!usage) return { ...base, read: ZERO_TIME, preread: ZERO_TIME, pids_stats: {}, cpu_stats: NO_CPU, precpu_stats: NO_CPU, memory_stats: {} };
  const cpus = runtime.kernel.cpus;
  const cpu: CpuStats = {
    cpu_usage: usage.cpuTime === undefined ? {} : { total_usage: Math.round(usage.cpuTime) },
    system_cpu_usage: Math.round(performance.now() * 1e6 * cpus),
    online_cpus: cpus,
    throttling_data: NO_CPU.throttling_data,
  };
  const limit = container.resources.pidsLimit;
  return {
    ...base,
    read: new Date().toISOString(),
    preread: previous?.read ?? ZERO_TIME,
    pids_stats: limit > 0 ? { current: usage.pids, limit } : { current: usage.pids },
    cpu_stats: cpu,
    precpu_stats: previous?.cpu_stats ?? NO_CPU,
    memory_stats: { usage: usage.memory, stats: {}, limit: usage.memoryLimit },
  };
}

/**
 * Readings as dockerd sends them: with `stream`, one every second from now
 * on (the first without a previous reading); without it, one — taken a
 * second after a first, so that it carries CPU deltas — or, `oneShot`, at once.
 * A stream ends when the container is removed.
 */
export async function* statsReadings(runtime: Runtime, ref: string, options: { stream: boolean; oneShot?: boolean }): AsyncGenerator<ContainerStatsJson> {
  const id = runtime.get(ref).id;
  let previous = statsReading(runtime, id);
  if (!options.stream) {
    if (options.oneShot || !runtime.isRunning(id)) {
      yield previous;
      return;
    }
    await pause(STATS_INTERVAL_MS);
    yield statsReading(runtime, id, previous);
    return;
  }
  for (;;) {
    yield previous;
    await pause(STATS_INTERVAL_MS);
    if (!runtime.exists(id)) return;
    previous = statsReading(runtime, id, previous);
  }
}

export function statsRoutes(runtime: Runtime): Route[] {
  return [
    {
      method: "GET",
      path: "/containers/{name}/stats",
      handle: async ({ params, query }): Promise<ApiResponse> => {
        runtime.get(params.name!); // a 404 before the stream starts
        const stream = query.has("stream") ? queryBool(query, "stream") : true;
        const readings = statsReadings(runtime, params.name!, { stream, oneShot: queryBool(query, "one-shot") });
        if (!stream) {
          const { value } = await readings.next();
          return json(200, value);
        }
        const encoder = new TextEncoder();
        async function* body(): AsyncIterable<Uint8Array> {
          for await (const reading of readings) yield encoder.encode(`${JSON.stringify(reading)}\n`);
        }
        return { status: 200, headers: { "content-type": "application/json" }, body: body() };
      },
    },
  ];
}
