export { isRunning, transition, type ContainerEvent, type ContainerStatus } from "./state.ts";
