/**
 * Where the BuildKit conformance data lives: read in place from `../shared/conformance`
 * beside the repository, never copied into it. Used by tests and `npm run conformance`.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** `<repo>/../shared/conformance/buildkit-dockerfile` */
export const BUILDKIT_DOCKERFILE_CONFORMANCE = path.resolve(REPO_ROOT, "../shared/conformance/buildkit-dockerfile");
