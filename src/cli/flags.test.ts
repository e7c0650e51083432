import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { formatOptions, parseFlags, type FlagSpec } from "./flags.ts";

const RUN: FlagSpec[] = [
  { name: "interactive", short: "i", kind: "bool", description: "Keep STDIN open even if not attached" },
  { name: "tty", short: "t", kind: "bool", description: "Allocate a pseudo-TTY" },
  { name: "detach", short: "d", kind: "bool", description: "Run container in background and print container ID" },
  { name: "rm", kind: "bool", description: "Automatically remove the container when it exits" },
  { name: "env", short: "e", kind: "list", description: "Set environment variables" },
  { name: "name", kind: "string", description: "Assign a name to the container" },
  { name: "publish", short: "p", kind: "list", description: "Publish a container's port(s) to the host" },
];

// docker run's grammar: flags end at the first argument (the image).
const parse = (...argv: string[]) => {
  const p = parseFlags(argv, RUN, false);
  return { bools: Object.fromEntries(p.bools), strings: Object.fromEntries(p.strings), lists: Object.fromEntries(p.lists), args: p.args };
};

describe("docker flag grammar", () => {
  it("combines short booleans", () => {
    assert.deepEqual(parse("-it", "alpine", "sh"), { bools: { interactive: true, tty: true }, strings: {}, lists: {}, args: ["alpine", "sh"] });
  });

  it("takes values attached, separate or after =", () => {
    assert.deepEqual(parse("-eA=1", "-e", "B=2", "--env=C=3", "--env", "D=4", "--name=web", "x").lists, { env: ["A=1", "B=2", "C=3", "D=4"] });
    assert.deepEqual(parse("--name", "web", "x").strings, { name: "web" });
  });

  it("lets a value flag end a short cluster", () => {
    assert.deepEqual(parse("-dp", "80:80", "nginx"), { bools: { detach: true }, strings: {}, lists: { publish: ["80:80"] }, args: ["nginx"] });
  });

  it("stops at the first argument and after --", () => {
    assert.deepEqual(parse("alpine", "ls", "-l").args, ["alpine", "ls", "-l"]);
    assert.deepEqual(parse("--rm", "--", "-weird-image").args, ["-weird-image"]);
    assert.deepEqual(parse("-", "x").args, ["-", "x"]);
  });

  it("takes flags between the arguments elsewhere, as pflag does, until --", () => {
    const p = parseFlags(["img1", "--rm", "img2", "-t", "--", "-d"], RUN);
    assert.deepEqual([p.args, p.bools.get("rm"), p.bools.get("tty"), p.bools.has("detach")], [["img1", "img2", "-d"], true, true, false]);
  });

  it("reads explicit booleans", () => {
    assert.deepEqual(parse("--rm=false", "x").bools, { rm: false });
    assert.deepEqual(parse("-t=true", "x").bools, { tty: true });
  });

  const errors: [string[], string][] = [
    [["--bogus"], "unknown flag: --bogus"],
    [["-z"], "unknown shorthand flag: 'z' in -z"],
    [["-iz"], "unknown shorthand flag: 'z' in -iz"],
    [["-e"], "flag needs an argument: 'e' in -e"],
    [["--name"], "flag needs an argument: --name"],
    [["--rm=maybe"], 'invalid argument "maybe" for "--rm" flag: strconv.ParseBool: parsing "maybe": invalid syntax'],
  ];
  for (const [argv, message] of errors) {
    it(`says "${message}"`, () => {
      assert.throws(() => parseFlags(argv, RUN), { code: "INVALID_ARGUMENT", message });
    });
  }

  it("lays out --help options as the docker CLI does", () => {
    assert.equal(
      formatOptions(RUN.slice(3, 6)),
      "      --rm            Automatically remove the container when it exits\n" +
        "  -e, --env list      Set environment variables\n" +
        "      --name string   Assign a name to the container",
    );
  });
});
