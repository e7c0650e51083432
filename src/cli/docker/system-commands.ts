import { API_VERSION, ENGINE_VERSION } from "../../api/index.ts";
import { KERNEL_IDENTITY } from "../../kernel/index.ts";
import type { DockerCommand } from "./command.ts";

/** Berth's CLI and engine are one release. */
const CLIENT_VERSION = ENGINE_VERSION;

export const versionCommand: DockerCommand = {
  name: "version",
  usage: "version [OPTIONS]",
  summary: "Show the Docker version information",
  flags: [],
  maxArgs: 0,
  async run({ io }) {
    const engine = [
      "Server: Berth Engine",
      " Engine:",
      `  Version:          ${CLIENT_VERSION}`,
      `  API version:      ${API_VERSION} (minimum version 1.24)`,
      "  Go version:       n/a (TypeScript)",
      `  Built:            ${new Date(0).toUTCString()}`,
      `  OS/Arch:          linux/${KERNEL_IDENTITY.machine}`,
      "  Experimental:     false",
      " Kernel:",
      `  Version:          ${KERNEL_IDENTITY.release}`,
      "  Runtime:          @wasmer/sdk 0.16.0 (WASIX)",
    ];
    io.stdout(
      [
        "Client:",
        ` Version:           ${CLIENT_VERSION}`,
        ` API version:       ${API_VERSION}`,
        " Go version:        n/a (TypeScript)",
        ` OS/Arch:           linux/${KERNEL_IDENTITY.machine}`,
        " Context:           default",
        "",
        ...engine,
        "",
      ].join("\n"),
    );
    return 0;
  },
};

export const infoCommand: DockerCommand = {
  name: "info",
  aliases: ["system info"],
  usage: "info [OPTIONS]",
  summary: "Display system-wide information",
  flags: [],
  maxArgs: 0,
  async run({ engine, io }) {
    const containers = engine.runtime.list({ all: true });
    const count = (status: string) => containers.filter((c) => c.state.status === status).length;
    io.stdout(
      [
        "Client:",
        ` Version:    ${CLIENT_VERSION}`,
        " Context:    default",
        " Debug Mode: false",
        "",
        "Server:",
        ` Containers: ${containers.length}`,
        `  Running: ${count("running")}`,
        `  Paused: ${count("paused")}`,
        `  Stopped: ${count("exited") + count("created")}`,
        ` Images: ${engine.images.list().length}`,
        ` Server Version: ${CLIENT_VERSION}`,
        " Storage Driver: overlay2 (in-memory layers; whiteouts as OCI)",
        " Cgroup Driver: none",
        " Runtimes: wasix",
        " Default Runtime: wasix",
        ` Kernel Version: ${KERNEL_IDENTITY.release}`,
        " Operating System: Berth (WebAssembly)",
        ` OSType: ${KERNEL_IDENTITY.ostype.toLowerCase()}`,
        ` Architecture: ${KERNEL_IDENTITY.machine}`,
        " Name: berth",
        " Docker Root Dir: /var/lib/docker",
        "",
      ].join("\n"),
    );
    return 0;
  },
};
