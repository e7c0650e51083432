// `npm run build`: the guest userland (wasm/dist) and the bundles (dist/).
// With --if-missing, only what is stale; installs the toolchain first if needed.
import { execFileSync } from "node:child_process";

const ifMissing = process.argv.includes("--if-missing");
execFileSync("sh", ["scripts/bootstrap.sh"], { stdio: "inherit" });
execFileSync(process.execPath, ["wasm/build.mjs", ...(ifMissing ? ["--if-stale"] : [])], { stdio: "inherit" });
execFileSync(process.execPath, ["esbuild.config.mjs"], { stdio: "inherit" });
