export { DockerDevice, type DockerHandler, type DockerIO, type DockerRequest, type TerminalInput } from "./docker-device.ts";
export { createEngine, type Engine } from "./engine.ts";
