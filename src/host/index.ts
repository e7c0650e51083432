export { createHost, HOST_ENV, HOST_HOSTNAME, type HostOptions } from "./host.ts";
