/** `_ping`, `version` and `info`: what a client asks before anything else. */
import type { Engine } from "../engine/index.ts";
import { KERNEL_IDENTITY } from "../kernel/index.ts";
import type { ApiResponse } from "./http.ts";
import { json } from "./http.ts";
import type { Route } from "./router.ts";
import { API_VERSION, ENGINE_VERSION, MIN_API_VERSION } from "./version.ts";

/** Headers dockerd puts on `_ping`; the client negotiates its API version from API-Version. */
const PING_HEADERS = {
  "api-version": API_VERSION,
  "builder-version": "1",
  "docker-experimental": "false",
  ostype: "linux",
  "cache-control": "no-cache, no-store, must-revalidate",
  pragma: "no-cache",
};

const BUILT = new Date(0).toISOString();

export function versionJson(): unknown {
  const details = {
    ApiVersion: API_VERSION,
    Arch: KERNEL_IDENTITY.machine,
    BuildTime: BUILT,
    Experimental: "false",
    GitCommit: "berth",
    GoVersion: "n/a (TypeScript)",
    KernelVersion: KERNEL_IDENTITY.release,
    MinAPIVersion: MIN_API_VERSION,
    Os: "linux",
  };
  return {
    Platform: { Name: "Berth Engine" },
    Components: [
      { Name: "Engine", Version: ENGINE_VERSION, Details: details },
      { Name: "wasix", Version: "@wasmer/sdk 0.16.0", Details: { GitCommit: "" } },
    ],
    Version: ENGINE_VERSION,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: "berth",
    GoVersion: "n/a (TypeScript)",
    Os: "linux",
    Arch: KERNEL_IDENTITY.machine,
    KernelVersion: KERNEL_IDENTITY.release,
    BuildTime: BUILT,
  };
}

export function infoJson(engine: Engine): unknown {
  const containers = engine.runtime.list({ all: true });
  const count = (status: string) => containers.filter((c) => c.state.status === status).length;
  return {
    ID: "berth",
    Containers: containers.length,
    ContainersRunning: count("running"),
    ContainersPaused: count("paused"),
    ContainersStopped: containers.length - count("running") - count("paused"),
    Images: engine.images.list().length + engine.images.dangling().length,
    Driver: "overlay2",
    DriverStatus: [["Backing Filesystem", "in-memory layers; whiteouts as OCI"]],
    Plugins: { Volume: ["local"], Network: [], Authorization: null, Log: ["json-file"] },
    MemoryLimit: true,
    SwapLimit: false,
    CpuCfsPeriod: false,
    CpuCfsQuota: false,
    CPUShares: false,
    CPUSet: false,
    PidsLimit: true,
    IPv4Forwarding: false,
    Debug: false,
    NFd: 0,
    OomKillDisable: false,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: "json-file",
    CgroupDriver: "none",
    CgroupVersion: "2",
    NEventsListener: 0,
    KernelVersion: KERNEL_IDENTITY.release,
    OperatingSystem: "Berth (WebAssembly)",
    OSVersion: "",
    OSType: "linux",
    Architecture: KERNEL_IDENTITY.machine,
    IndexServerAddress: "https://index.docker.io/v1/",
    RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: [], Mirrors: [] },
    NCPU: 1,
    MemTotal: 2 * 1024 ** 3,
    DockerRootDir: "/var/lib/docker",
    Name: "berth",
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: ENGINE_VERSION,
    Runtimes: { wasix: { path: "@wasmer/sdk" } },
    DefaultRuntime: "wasix",
    Swarm: { NodeID: "", NodeAddr: "", LocalNodeState: "inactive", ControlAvailable: false, Error: "", RemoteManagers: null },
    LiveRestoreEnabled: false,
    Isolation: "",
    InitBinary: "",
    SecurityOptions: [],
    Warnings: [],
  };
}

function ping(): ApiResponse {
  return { status: 200, headers: { ...PING_HEADERS, "content-type": "text/plain; charset=utf-8" }, body: new TextEncoder().encode("OK") };
}

export function systemRoutes(engine: Engine): Route[] {
  return [
    { method: "GET", path: "/_ping", handle: async () => ping() },
    { method: "GET", path: "/version", handle: async () => json(200, versionJson()) },
    { method: "GET", path: "/info", handle: async () => json(200, infoJson(engine)) },
  ];
}
