// `npm run build`: everything that exists. With --if-missing, only what is stale.
import { execFileSync } from "node:child_process";

const ifMissing = process.argv.includes("--if-missing");
execFileSync("sh", ["scripts/bootstrap.sh"], { stdio: "inherit" });
execFileSync(process.execPath, ["wasm/build.mjs", ...(ifMissing ? ["--if-stale"] : [])], { stdio: "inherit" });
