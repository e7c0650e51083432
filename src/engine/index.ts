export { DockerDevice, type DockerHandler, type DockerIO, type DockerRequest } from "./docker-device.ts";
export { createEngine, type Engine } from "./engine.ts";
