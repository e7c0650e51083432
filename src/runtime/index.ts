export { newContainerId, type Container, type ContainerConfig, type ContainerState, type LogEntry } from "./container.ts";
export { randomName } from "./names.ts";
export { Runtime, type CreateOptions, type StartOptions } from "./runtime.ts";
export { isRunning, transition, type ContainerEvent, type ContainerStatus } from "./state.ts";
