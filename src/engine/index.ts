export { commitContainer, type CommitOptions } from "./commit.ts";
export { containerArchive, containerPathStat, copyPath, extractToContainer, type ContainerPathStat, type ExtractToContainerOptions } from "./container-archive.ts";
export { diskUsage, type BuildCacheUsage, type ContainerUsage, type DiskUsage, type ImageUsage, type VolumeUsage } from "./disk-usage.ts";
export { DockerDevice, type DockerHandler, type DockerIO, type DockerRequest, type TerminalInput } from "./docker-device.ts";
export { createEngine, type Engine } from "./engine.ts";
