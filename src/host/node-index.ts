// Node-only surface of the host: its root filesystem read from fixtures/.
export { HOST_ROOTFS_DIR, readRootfs } from "./rootfs-node.ts";
