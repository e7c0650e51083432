/**
 * A container's lifecycle as Docker reports it (`State.Status`):
 *
 *   created --start--> running --(process exits | kill | stop)--> exited
 *   running --pause--> paused --unpause--> running
 *   running --(exit with a restart policy)--> restarting --> running
 *   exited --start--> running          (docker start / restart)
 *   created|exited|dead --remove--> removing --> (gone); a failed removal leaves "dead"
 *
 * The table of legal transitions lives here, apart from the code that runs
 * processes (runc's habit): an illegal one is an error naming both states,
 * in the words Docker uses for it.
 */
import { BerthError } from "../util/index.ts";

export type ContainerStatus = "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";

export type ContainerEvent = "start" | "exit" | "pause" | "unpause" | "restart" | "remove" | "fail-remove";

const TRANSITIONS: Record<ContainerStatus, Partial<Record<ContainerEvent, ContainerStatus>>> = {
  created: { start: "running", remove: "removing" },
  running: { exit: "exited", pause: "paused", restart: "restarting" },
  paused: { unpause: "running", exit: "exited" },
  restarting: { start: "running", exit: "exited" },
  exited: { start: "running", restart: "restarting", remove: "removing" },
  // A finished removal deletes the container's record: no state follows "removing".
  removing: { "fail-remove": "dead" },
  dead: { remove: "removing" },
};

/** The status after `event`, or a Docker-worded error when the event is not allowed now. */
export function transition(id: string, from: ContainerStatus, event: ContainerEvent): ContainerStatus {
  const to = TRANSITIONS[from][event];
  if (to) return to;
  throw new BerthError("CONFLICT", illegalMessage(id, from, event));
}

function illegalMessage(id: string, from: ContainerStatus, event: ContainerEvent): string {
  const short = id.slice(0, 12);
  switch (event) {
    case "pause":
      return from === "paused" ? `Container ${id} is already paused` : `Container ${id} is not running`;
    case "unpause":
      return `Container ${id} is not paused`;
    case "remove":
      return from === "running" || from === "paused" || from === "restarting"
        ? `cannot remove container "${short}": container is ${from}: stop the container before removing or force remove`
        : `removal of container ${short} is already in progress`;
    case "start":
      return from === "paused"
        ? `cannot start a paused container, try unpause instead`
        : `container ${short} is already ${from}`;
    default:
      return `container ${short}: cannot ${event} while ${from}`;
  }
}

/** States in which the container has processes (docker ps without -a lists these). */
export function isRunning(status: ContainerStatus): boolean {
  return status === "running" || status === "paused" || status === "restarting";
}
