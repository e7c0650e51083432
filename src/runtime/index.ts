export { newContainerId, type Container, type ContainerConfig, type ContainerResources, type ContainerState, type LogEntry, type MountPoint } from "./container.ts";
export { ContainerLog, ENTRY_COST, LOG_LIMIT_BYTES, type LogPosition } from "./container-log.ts";
export { randomName } from "./names.ts";
export { parseSignal, Runtime, type ContainerUsage, type CreateOptions, type ExecOptions, type StartOptions, type StopOptions, type VolumeRequest } from "./runtime.ts";
export { isRunning, transition, type ContainerEvent, type ContainerStatus } from "./state.ts";
export { namespacedMachine, PidNamespace, ProcessTable, type HostProcessInfo, type ProcessInfo } from "./process-table.ts";
export { ProcHookDevice, type ProcHooks } from "./proc-hook.ts";
