// Boots the SDK as the playground's Worker does and runs our shell once.
import { Wasmer } from "./sdk/dist/index.js";

const wasmer = await Wasmer.create({ cache: "memory" });
const bytes = new Uint8Array(await (await fetch("./wasm/sh.wasm")).arrayBuffer());
const pkg = await wasmer.packages.load(bytes);
const sandbox = await wasmer.sandboxes.create({ packages: [pkg] });
const output = await sandbox.command("main", ["-c", "echo floor"]).run({ check: false });
postMessage(output.stdout.text());
