/**
 * The flags that set a container's resources (its cgroup's limits), shared by
 * `docker run`, `docker create` and `docker update`, parsed as the docker CLI
 * parses them, with its errors.
 */
import type { ContainerResources } from "../../runtime/index.ts";
import type { FlagSpec, ParsedFlags } from "../flags.ts";
import { flagValueError, intFlag } from "./command.ts";

export const RESOURCE_FLAGS: FlagSpec[] = [
  { name: "cpu-shares", short: "c", kind: "string", valueName: "int", description: "CPU shares (relative weight; recorded, not enforced)" },
  { name: "cpus", kind: "string", valueName: "decimal", description: "Number of CPUs (accounted in docker stats, not enforced: the kernel cannot preempt a WebAssembly worker)" },
  { name: "memory", short: "m", kind: "string", valueName: "bytes", description: "Memory limit (per process: each program's memory maximum)" },
  { name: "memory-swap", kind: "string", valueName: "bytes", description: "Swap limit equal to memory plus swap: -1 to enable unlimited swap (accepted; there is no swap)" },
  { name: "pids-limit", kind: "string", valueName: "int", description: "Tune container pids limit (set -1 for unlimited)" },
];

const spec = (name: string): FlagSpec => RESOURCE_FLAGS.find((f) => f.name === name)!;

/**
 * The resources the flags set (only those given), or the docker CLI's error
 * for a value it cannot parse (status 125, with the command's `usage` line).
 */
export function resourceFlags(flags: ParsedFlags, usage: string): Partial<ContainerResources> {
  const changes: { -readonly [K in keyof ContainerResources]?: ContainerResources[K] } = {};
  const pidsLimit = intFlag(flags, spec("pids-limit"), usage);
  if (pidsLimit !== undefined) changes.pidsLimit = Math.max(0, pidsLimit);
  const memory = bytesFlag(flags, "memory", usage);
  if (memory !== undefined) changes.memory = memory;
  const memorySwap = flags.strings.get("memory-swap") === "-1" ? -1 : bytesFlag(flags, "memory-swap", usage);
  if (memorySwap !== undefined) changes.memorySwap = memorySwap;
  const nanoCpus = cpusFlag(flags, usage);
  if (nanoCpus !== undefined) changes.nanoCpus = nanoCpus;
  const cpuShares = intFlag(flags, spec("cpu-shares"), usage);
  if (cpuShares !== undefined) changes.cpuShares = cpuShares;
  return changes;
}

/**
 * A size flag as Docker's (go-units' RAMInBytes): a number, optionally with a
 * unit b, k, m, g, t or p, binary (1k = 1024), an optional "i" and "b".
 */
function bytesFlag(flags: ParsedFlags, name: "memory" | "memory-swap", usage: string): number | undefined {
  const value = flags.strings.get(name);
  if (value === undefined) return undefined;
  const size = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(value);
  if (!size || !Number.isFinite(Number(size[1]))) throw flagValueError(value, spec(name), `invalid size: '${value}'`, usage);
  const unit = "bkmgtp".indexOf((size[2] ?? "b").toLowerCase());
  return Math.floor(Number(size[1]) * 1024 ** unit);
}

/** `--cpus`: a rational number of CPUs, in billionths (the docker CLI's NanoCPUs). */
function cpusFlag(flags: ParsedFlags, usage: string): number | undefined {
  const value = flags.strings.get("cpus");
  if (value === undefined) return undefined;
  const rational = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(value);
  if (!rational || (rational[2] === "" && !rational[3])) throw flagValueError(value, spec("cpus"), `failed to parse ${value} as a rational number`, usage);
  const [, sign, whole, fraction = ""] = rational;
  if (fraction.replace(/0+$/, "").length > 9) throw flagValueError(value, spec("cpus"), "value is too precise", usage);
  const nano = Number(whole || "0") * 1e9 + Number(fraction.padEnd(9, "0").slice(0, 9));
  return sign === "-" ? -nano : nano;
}
