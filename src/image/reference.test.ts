import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { familiarReference, formatReference, parseReference } from "./reference.ts";

const D = "sha256:" + "a".repeat(64);

// input -> [normalized, familiar]; the normalization table of Docker's distribution/reference.
const VALID: [string, string, string][] = [
  ["alpine", "docker.io/library/alpine:latest", "alpine:latest"],
  ["alpine:3.19", "docker.io/library/alpine:3.19", "alpine:3.19"],
  ["library/alpine", "docker.io/library/alpine:latest", "alpine:latest"],
  ["docker.io/alpine", "docker.io/library/alpine:latest", "alpine:latest"],
  ["index.docker.io/library/alpine", "docker.io/library/alpine:latest", "alpine:latest"],
  ["user/app:1.0", "docker.io/user/app:1.0", "user/app:1.0"],
  ["localhost/app", "localhost/app:latest", "localhost/app:latest"],
  ["localhost:5000/team/app:v2", "localhost:5000/team/app:v2", "localhost:5000/team/app:v2"],
  ["mcr.microsoft.com/windows/nanoserver", "mcr.microsoft.com/windows/nanoserver:latest", "mcr.microsoft.com/windows/nanoserver:latest"],
  [`alpine@${D}`, `docker.io/library/alpine@${D}`, `alpine@${D}`],
  [`alpine:3@${D}`, `docker.io/library/alpine:3@${D}`, `alpine:3@${D}`],
  ["user/my_app.v2-x__y:tag_1.0-rc", "docker.io/user/my_app.v2-x__y:tag_1.0-rc", "user/my_app.v2-x__y:tag_1.0-rc"],
  // Found by the fuzzer: "library/" is dropped only before a single name, else the short form names docker.io/a/b.
  ["library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest"],
];

const INVALID: [string, RegExp][] = [
  ["", /^invalid reference format$/],
  ["Alpine", /repository name must be lowercase/],
  ["user/App", /repository name must be lowercase/],
  ["alpine:", /^invalid reference format$/],
  ["alpine:-bad", /^invalid reference format$/],
  ["alpine@sha256:short", /^invalid reference format$/],
  ["a//b", /^invalid reference format$/],
  ["my_app.v2/x", /^invalid reference format$/], // a first part with a dot is a registry host, and hosts have no "_"
  ["-alpine", /^invalid reference format$/],
  [" alpine", /^invalid reference format$/],
  ["alpine:" + "x".repeat(129), /^invalid reference format$/],
  ["a/" + "b".repeat(260), /must not be more than 255 characters/],
];

describe("image references", () => {
  for (const [input, normalized, familiar] of VALID) {
    it(`normalizes ${JSON.stringify(input)}`, () => {
      const ref = parseReference(input);
      assert.equal(formatReference(ref), normalized);
      assert.equal(familiarReference(ref), familiar);
    });
  }
  for (const [input, message] of INVALID) {
    it(`refuses ${JSON.stringify(input.length > 40 ? input.slice(0, 40) + "…" : input)}`, () => {
      assert.throws(() => parseReference(input), (e: unknown) => (e as { code?: string }).code === "INVALID_ARGUMENT" && message.test((e as Error).message));
    });
  }
});
