/**
 * The Docker Engine API over Berth's engine, apart from any transport: a
 * request in, a response out (bytes, a stream, or a hijacked connection).
 * Node serves it on a socket (src/cli/daemon.ts); the browser's Worker can
 * hand it the same requests.
 */
import type { Engine } from "../engine/index.ts";
import { archiveRoutes } from "./archive.ts";
import { buildRoutes } from "./build.ts";
import { commitRoutes } from "./commit.ts";
import { containerRoutes } from "./containers.ts";
import { diskUsageRoutes } from "./disk-usage.ts";
import { eventRoutes } from "./events.ts";
import { execRoutes } from "./exec.ts";
import type { ApiHandler } from "./http.ts";
import { imageArchiveRoutes } from "./image-archive.ts";
import { imageRoutes } from "./images.ts";
import { createRouter } from "./router.ts";
import { statsRoutes } from "./stats.ts";
import { systemRoutes } from "./system.ts";
import { volumeRoutes } from "./volumes.ts";

export function createApiHandler(engine: Engine): ApiHandler {
  return createRouter([...systemRoutes(engine), ...containerRoutes(engine), ...statsRoutes(engine.runtime), ...execRoutes(engine), ...imageRoutes(engine), ...volumeRoutes(engine), ...archiveRoutes(engine), ...commitRoutes(engine), ...imageArchiveRoutes(engine), ...diskUsageRoutes(engine), ...eventRoutes(engine), ...buildRoutes(engine)]);
}

export { containerCommand, containerInspect, containerStatusText, containerSummary, containerTop, logLines, LogStamper, logTimestamp, tailEntries, topUser, type LogLine, type TopResult } from "./containers-json.ts";
export { mountRequest, volumeRequest } from "./binds.ts";
export { listContainers, startFailure } from "./containers.ts";
export { eventJson, eventStream, matchesFilters, parseEventTime, type EventStream } from "./events.ts";
export { filtersFromFlags, filterTime, parseFilters, type Filters } from "./filters.ts";
export { execStartFailure } from "./exec.ts";
export type { ApiHandler, ApiRequest, ApiResponse, HijackedConnection } from "./http.ts";
export { loadMessages, type LoadMessage } from "./image-archive.ts";
export { imageHistory, imageInspect, imageSize, imageSummaries, imageSummary, listImages, pullImage, removeImage, type HistoryItem, type ProgressMessage, type RemovedImage } from "./images.ts";
export { statsReading, statsReadings, STATS_INTERVAL_MS, type ContainerStatsJson } from "./stats.ts";
export { frame, MULTIPLEXED_STREAM, RAW_STREAM } from "./stdcopy.ts";
export { API_VERSION, ENGINE_VERSION, MIN_API_VERSION } from "./version.ts";
export { listVolumes, volumeInspect } from "./volumes.ts";
