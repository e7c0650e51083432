import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { BerthError } from "../util/index.ts";
import { readJson, type ApiRequest, type GoStruct } from "./http.ts";

const STRUCT: GoStruct = {
  name: "container.CreateRequest",
  fields: {
    Image: "string",
    Cmd: "strslice.StrSlice",
    Env: "[]string",
    Tty: "bool",
    Labels: "map[string]string",
    Volumes: "map[string]struct {}",
    ConsoleSize: "[2]uint",
    HostConfig: { name: "container.HostConfig", fields: { Binds: "[]string", PidsLimit: "int64" } },
  },
};

const post = (body: string): ApiRequest => ({ method: "POST", url: "/", headers: { "content-type": "application/json" }, body: new TextEncoder().encode(body) });
const refused = (message: string) => (e: unknown) => e instanceof BerthError && e.code === "INVALID_ARGUMENT" && e.message === message;

// Found by the fuzzer: a field of another type reached the engine, which failed with "x.map is not a function" (a 500).
describe("request bodies, typed as dockerd's decoder types them", () => {
  it("takes the fields it knows in their types, ignores the others, and reads empty or null as {}", () => {
    const body = { Image: "alpine", Cmd: "sh", Env: ["A=1"], Tty: true, Labels: { a: "b" }, Volumes: { "/d": {} }, ConsoleSize: [24, 80], HostConfig: { PidsLimit: -1 }, Other: 1 };
    assert.deepEqual(readJson(post(JSON.stringify(body)), STRUCT), body);
    assert.deepEqual(readJson(post(""), STRUCT), {});
    assert.deepEqual(readJson(post("null"), STRUCT), {});
  });

  it("turns null items into Go's zero values", () => {
    assert.deepEqual(readJson(post('{"Env":[null],"Labels":{"a":null},"Volumes":{"/d":null},"ConsoleSize":[null,3]}'), STRUCT), {
      Env: [""],
      Labels: { a: "" },
      Volumes: { "/d": {} },
      ConsoleSize: [0, 3],
    });
  });

  it("refuses another type in Go's words, naming the field", () => {
    const cases: [string, string][] = [
      ["[1]", "json: cannot unmarshal array into Go value of type container.CreateRequest"],
      ['{"Image":1.5}', "json: cannot unmarshal number into Go struct field CreateRequest.Image of type string"],
      ['{"Cmd":{}}', "json: cannot unmarshal object into Go struct field CreateRequest.Cmd of type strslice.StrSlice"],
      ['{"Env":["A",1]}', "json: cannot unmarshal number into Go struct field CreateRequest.Env of type string"],
      ['{"Tty":"yes"}', "json: cannot unmarshal string into Go struct field CreateRequest.Tty of type bool"],
      ['{"Labels":[]}', "json: cannot unmarshal array into Go struct field CreateRequest.Labels of type map[string]string"],
      ['{"Volumes":{"/d":1}}', "json: cannot unmarshal number into Go struct field CreateRequest.Volumes of type struct {}"],
      ['{"ConsoleSize":[-1,80]}', "json: cannot unmarshal number -1 into Go struct field CreateRequest.ConsoleSize of type uint"],
      ['{"HostConfig":true}', "json: cannot unmarshal bool into Go struct field CreateRequest.HostConfig of type container.HostConfig"],
      ['{"HostConfig":{"Binds":"/a:/b"}}', "json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Binds of type []string"],
      ['{"HostConfig":{"PidsLimit":1.5}}', "json: cannot unmarshal number 1.5 into Go struct field HostConfig.HostConfig.PidsLimit of type int64"],
    ];
    for (const [body, message] of cases) assert.throws(() => readJson(post(body), STRUCT), refused(message), body);
  });

  it("refuses what is not JSON, or not sent as JSON", () => {
    assert.throws(() => readJson(post("{"), STRUCT), (e: unknown) => e instanceof BerthError && e.message.startsWith("invalid JSON: "));
    assert.throws(
      () => readJson({ ...post("{}"), headers: { "content-type": "text/plain" } }, STRUCT),
      refused("unsupported Content-Type header (text/plain): must be 'application/json'"),
    );
  });
});
