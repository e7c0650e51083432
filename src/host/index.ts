export { createHost, HOST_ENV, HOST_HOSTNAME, type Host, type HostOptions } from "./host.ts";
