export { digestHex, isDigest, parseDigest, sha256, type Digest } from "./digest.ts";
export { BerthError, type ErrorCode } from "./errors.ts";
export { humanDuration } from "./units.ts";
export { concatBytes } from "./bytes.ts";
export { EVENT_HISTORY, EventLog, type EngineEvent, type EventActor, type EventListener, type EventType } from "./events.ts";
export { pause, settlesWithin } from "./pause.ts";
