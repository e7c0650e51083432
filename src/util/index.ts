export { digestHex, isDigest, parseDigest, sha256, type Digest } from "./digest.ts";
export { BerthError, type ErrorCode } from "./errors.ts";
export { humanDuration } from "./units.ts";
export { concatBytes } from "./bytes.ts";
