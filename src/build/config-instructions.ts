/**
 * What the Dockerfile instructions that change only the image's config do to
 * it (ENV, LABEL, USER, EXPOSE, VOLUME, STOPSIGNAL, SHELL, CMD, ENTRYPOINT,
 * HEALTHCHECK, ONBUILD, WORKDIR): used by the builder's steps and by
 * `docker commit --change`, as Docker's dispatchers serve both.
 */
import type { RunConfig } from "../image/index.ts";
import { joinPath } from "./context.ts";
import type { Instruction } from "./dockerfile/index.ts";

export type MutableRunConfig = { -readonly [K in keyof RunConfig]: RunConfig[K] };

/** What a stage remembers between instructions: the SHELL, and whether CMD was set (ENTRYPOINT then keeps it). */
export interface ConfigStage {
  shell: string[];
  cmdSet: boolean;
}

export const DEFAULT_SHELL = ["/bin/sh", "-c"];

/**
 * Applies a config instruction to `run` (and `stage`); returns the history's
 * CREATED BY for it, or undefined when `ins` is not a config instruction.
 * WORKDIR only sets the directory here: the builder also makes it.
 */
export function applyConfigInstruction(run: MutableRunConfig, ins: Instruction, stage: ConfigStage): string | undefined {
  switch (ins.kind) {
    case "ENV": {
      const env = new Map((run.Env ?? []).map((e) => [e.split("=")[0]!, e] as const));
      for (const p of ins.env) env.set(p.key, `${p.key}=${p.value}`);
      run.Env = [...env.values()];
      return `ENV ${ins.env.map((p) => `${p.key}=${p.value}`).join(" ")}`;
    }
    case "LABEL":
      run.Labels = { ...(run.Labels ?? {}), ...Object.fromEntries(ins.labels.map((l) => [l.key, l.value])) };
      return `LABEL ${ins.labels.map((l) => `${l.key}=${l.value}`).join(" ")}`;
    case "USER":
      run.User = ins.user;
      return `USER ${ins.user}`;
    case "EXPOSE": {
      const ports = { ...(run.ExposedPorts ?? {}) } as Record<string, object>;
      for (const p of ins.ports) ports[p.includes("/") ? p : `${p}/tcp`] = {};
      run.ExposedPorts = ports;
      return `EXPOSE map[${Object.keys(ports).map((p) => `${p}:{}`).join(" ")}]`;
    }
    case "VOLUME": {
      const volumes = { ...(run.Volumes ?? {}) } as Record<string, object>;
      for (const v of ins.volumes) volumes[v] = {};
      run.Volumes = volumes;
      return `VOLUME ${goList(ins.volumes)}`;
    }
    case "STOPSIGNAL":
      run.StopSignal = ins.signal;
      return `STOPSIGNAL ${ins.signal}`;
    case "SHELL":
      stage.shell = ins.shell;
      return `SHELL ${goList(ins.shell)}`;
    case "CMD":
    case "ENTRYPOINT": {
      const argv = ins.prependShell ? [...stage.shell, ins.cmdLine.join(" ")] : ins.cmdLine;
      if (ins.kind === "CMD") {
        run.Cmd = argv;
        stage.cmdSet = true;
      } else {
        run.Entrypoint = argv;
        if (!stage.cmdSet) run.Cmd = null;
      }
      return `${ins.kind} ${goList(argv)}`;
    }
    case "HEALTHCHECK": {
      const h = ins.health;
      run.Healthcheck = {
        Test: h.test,
        ...(h.interval ? { Interval: h.interval } : {}),
        ...(h.timeout ? { Timeout: h.timeout } : {}),
        ...(h.startPeriod ? { StartPeriod: h.startPeriod } : {}),
        ...(h.startInterval ? { StartInterval: h.startInterval } : {}),
        ...(h.retries ? { Retries: h.retries } : {}),
      };
      return `HEALTHCHECK ${goList(h.test)}`;
    }
    case "ONBUILD":
      run.OnBuild = [...(run.OnBuild ?? []), ins.expression];
      return `ONBUILD ${ins.expression}`;
    case "WORKDIR":
      run.WorkingDir = joinPath(run.WorkingDir || "/", ins.path);
      return `WORKDIR ${run.WorkingDir}`;
    default:
      return undefined;
  }
}

/** Go's %v of a string slice: [a b c], as Docker writes CMD/SHELL in history. */
export function goList(words: readonly string[]): string {
  return `[${words.map((w) => JSON.stringify(w)).join(" ")}]`;
}
