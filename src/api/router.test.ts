import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { MountedFsError } from "../kernel/index.ts";
import { json, type ApiRequest } from "./http.ts";
import { createRouter } from "./router.ts";

const request = (method: string, url: string): ApiRequest => ({ method, url, headers: {}, body: new Uint8Array() });
const message = (body: unknown) => (JSON.parse(new TextDecoder().decode(body as Uint8Array)) as { message: string }).message;

describe("API router", () => {
  const route = createRouter([
    { method: "GET", path: "/things/{name}/json", handle: async ({ params }) => json(200, { name: params.name }) },
    {
      method: "POST",
      path: "/things/{name}/fail",
      handle: async () => {
        throw new MountedFsError("ENOENT", "/gone: no such file or directory");
      },
    },
  ]);

  it("routes by method and path, with the name decoded", async () => {
    const r = await route(request("GET", "/v1.50/things/a%20b/json"));
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(r.body as Uint8Array)), { name: "a b" });
  });

  // Found by the fuzzer: these threw out of the router, and the server dropped the connection without a word.
  it("answers 400 for a URL it cannot parse or decode", async () => {
    for (const url of ["/things/%E0%A4%A/json", "//bad%host/things/x/json"]) {
      const r = await route(request("GET", url));
      assert.equal(r.status, 400, url);
      assert.equal(message(r.body), `malformed request URL: ${url}`);
    }
  });

  // Found by the fuzzer: an error with a code of its own (a filesystem's "ENOENT") gave the status undefined.
  it("answers 500 for an error whose code is not the engine's", async () => {
    const r = await route(request("POST", "/things/x/fail"));
    assert.equal(r.status, 500);
    assert.equal(message(r.body), "/gone: no such file or directory");
  });
});
