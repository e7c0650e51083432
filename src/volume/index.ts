export { checkVolumeName, VolumeStore, volumeSize, type Volume } from "./store.ts";
