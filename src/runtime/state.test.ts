import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { transition, type ContainerEvent, type ContainerStatus } from "./state.ts";

const ID = "4f1c2b3a5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081";

describe("container state machine", () => {
  const legal: [ContainerStatus, ContainerEvent, ContainerStatus][] = [
    ["created", "start", "running"],
    ["running", "exit", "exited"],
    ["running", "pause", "paused"],
    ["paused", "unpause", "running"],
    ["exited", "start", "running"],
    ["exited", "remove", "removing"],
    ["created", "remove", "removing"],
    ["running", "restart", "restarting"],
    ["restarting", "start", "running"],
    ["removing", "fail-remove", "dead"],
  ];
  for (const [from, event, to] of legal) {
    it(`${from} --${event}--> ${to}`, () => assert.equal(transition(ID, from, event), to));
  }

  it("refuses to remove a running container in Docker's words", () => {
    assert.throws(
      () => transition(ID, "running", "remove"),
      (e: unknown) =>
        (e as { code: string }).code === "CONFLICT" &&
        (e as Error).message === `cannot remove container "${ID.slice(0, 12)}": container is running: stop the container before removing or force remove`,
    );
  });

  it("refuses to pause what is not running", () => {
    assert.throws(() => transition(ID, "exited", "pause"), { message: `Container ${ID} is not running` });
    assert.throws(() => transition(ID, "paused", "pause"), { message: `Container ${ID} is already paused` });
    assert.throws(() => transition(ID, "running", "unpause"), { message: `Container ${ID} is not paused` });
  });

  it("refuses to start a paused container", () => {
    assert.throws(() => transition(ID, "paused", "start"), { message: "cannot start a paused container, try unpause instead" });
  });
});
