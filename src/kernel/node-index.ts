// Node-only surface of the kernel: booting from the userland on disk.
export { bootNodeKernel } from "./node.ts";
export { DEFAULT_USERLAND_DIR, loadUserland } from "./userland-node.ts";
