// Entry of every SDK worker in Node: the SDK's own worker, plus the worker half
// of the host filesystem bridge, which the SDK's Node build leaves out (DESIGN.md).
const dist = new URL(".", import.meta.resolve("@wasmer/sdk/node"));
await import(new URL("node-worker.js", dist).href);
const { installHostFileSystemWorkerBridge } = await import(new URL("host-filesystem.js", dist).href);
installHostFileSystemWorkerBridge();
