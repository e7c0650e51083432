// Docker's filters (issue 7): the parser and matchers on their own, then
// docker ps, docker images and docker volume ls filtered through the official
// CLI against berth daemon and through Berth's own CLI on the same engine,
// which must print the same, errors in dockerd's words included.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

import { daemonTestBed, type CliResult } from "./daemon-test-bed.ts";
import { filterBool, filtersFromFlags, filterTime, matchesLabels, matchesPattern, matchesPrefix, parseFilters, pathMatch, validateFilters } from "./filters.ts";

describe("Docker's filter arguments", () => {
  it("reads the API's filters in the map form and the legacy list form", () => {
    assert.deepEqual(parseFilters('{"name":{"web":true,"db":true},"label":{"a=1":true}}'), new Map([["name", ["web", "db"]], ["label", ["a=1"]]]));
    assert.deepEqual(parseFilters('{"status":["exited","exited","created"]}'), new Map([["status", ["exited", "created"]]]));
    assert.deepEqual(parseFilters(null), new Map());
    assert.deepEqual(parseFilters(""), new Map());
    for (const bad of ["{not", "[]", '"x"', '{"name":"web"}', '{"name":[1]}', '{"name":{"web":"yes"}}']) {
      assert.throws(() => parseFilters(bad), { message: "invalid filter" }, bad);
    }
  });

  it("reads --filter flags as the docker CLI does: key trimmed and lower-cased, value trimmed, each once", () => {
    assert.deepEqual(filtersFromFlags([" Name =web ", "name=web", "label=a=b", "", "status="]), new Map([["name", ["web"]], ["label", ["a=b"]], ["status", [""]]]));
    assert.throws(() => filtersFromFlags(["bogus"]), { message: "bad format of filter (expected name=value)" });
  });

  it("refuses a key the listing does not take, in dockerd's words", () => {
    assert.doesNotThrow(() => validateFilters(new Map([["name", ["x"]]]), ["name", "label"]));
    assert.throws(() => validateFilters(new Map([["bogus", ["x"]]]), ["name"]), { message: "invalid filter 'bogus'", code: "INVALID_ARGUMENT" });
  });

  it("matches as dockerd: unanchored expressions, prefixes, label lists, booleans", () => {
    const filters = new Map([["name", ["web"]], ["anchored", ["^web$"]], ["broken", ["(web"]], ["label", ["tier", "owner=ops"]]]);
    assert.equal(matchesPattern(filters, "name", "my-web-1"), true);
    assert.equal(matchesPattern(filters, "name", "db"), false);
    assert.equal(matchesPattern(filters, "anchored", "web"), true);
    assert.equal(matchesPattern(filters, "anchored", "web1"), false);
    // Not an expression: only itself matches.
    assert.equal(matchesPattern(filters, "broken", "(web"), true);
    assert.equal(matchesPattern(filters, "broken", "web"), false);
    assert.equal(matchesPattern(filters, "absent", "anything"), true);
    assert.equal(matchesPrefix(new Map([["id", ["abc"]]]), "id", "abcdef"), true);
    assert.equal(matchesPrefix(new Map([["id", ["bcd"]]]), "id", "abcdef"), false);
    assert.equal(matchesLabels(filters, "label", { tier: "", owner: "ops" }), true);
    assert.equal(matchesLabels(filters, "label", { tier: "web", owner: "dev" }), false);
    assert.equal(matchesLabels(filters, "label", { owner: "ops" }), false);
    assert.equal(matchesLabels(filters, "label", {}), false);
    assert.equal(filterBool(new Map([["dangling", ["true"]]]), "dangling"), true);
    assert.equal(filterBool(new Map([["dangling", ["0"]]]), "dangling"), false);
    assert.equal(filterBool(new Map(), "dangling"), undefined);
    assert.throws(() => filterBool(new Map([["dangling", ["maybe"]]]), "dangling"), { message: "invalid filter 'dangling=[maybe]'" });
    assert.throws(() => filterBool(new Map([["dangling", ["true", "false"]]]), "dangling"), { message: "invalid filter 'dangling=[true false]'" });
  });

  it("matches references as Go's path.Match", () => {
    assert.equal(pathMatch("alpine", "alpine"), true);
    assert.equal(pathMatch("alp*", "alpine:3"), true);
    assert.equal(pathMatch("*", "library/alpine"), false);
    assert.equal(pathMatch("*/*", "library/alpine"), true);
    assert.equal(pathMatch("alpine:?", "alpine:3"), true);
    assert.equal(pathMatch("alpine:[0-9]*", "alpine:3.19"), true);
    assert.equal(pathMatch("alpine:[^0-9]*", "alpine:3.19"), false);
    assert.equal(pathMatch("a.c", "abc"), false);
    assert.equal(pathMatch("a\\*", "a*"), true);
    for (const bad of ["[", "a[", "[]", "[a-", "\\", "[z-a]"]) assert.throws(() => pathMatch(bad, "a"), { message: "syntax error in pattern" }, bad);
  });

  it("reads a filter's time as a duration back from now, a date, an RFC 3339 time or Unix seconds", () => {
    const now = Date.parse("2024-05-01T12:00:00Z");
    assert.equal(filterTime("90m", now), Date.parse("2024-05-01T10:30:00Z"));
    assert.equal(filterTime("2024-01-02T03:04:05Z", now), Date.parse("2024-01-02T03:04:05Z"));
    assert.equal(filterTime("1700000000.5", now), 1_700_000_000_500);
    assert.equal(filterTime("0", now), 0);
    assert.throws(() => filterTime("soon", now), { message: 'failed to parse value as time or duration: invalid seconds "soon": invalid syntax' });
  });
});

describe("filtered listings through berth daemon and Berth's own CLI", () => {
  const bed = daemonTestBed();

  const official = async (...args: string[]) => {
    const r = await bed.docker(args, { env: { DOCKER_BUILDKIT: "0" } });
    assert.equal(r.code, 0, `docker ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };

  const berth = bed.berth;
  const getText = async (urlPath: string) => {
    const { status, text } = await bed.request("GET", urlPath);
    return { status, body: text };
  };

  /** Both CLIs' result, which must be the same. */
  async function both(...argv: string[]): Promise<CliResult> {
    const theirs = await bed.docker(argv);
    const ours = await berth(argv);
    assert.deepEqual(ours, theirs, `docker ${argv.join(" ")}`);
    return theirs;
  }

  /** The lines both CLIs print, when both succeed. */
  async function lines(...argv: string[]): Promise<string[]> {
    const r = await both(...argv);
    assert.equal(r.code, 0, `docker ${argv.join(" ")}: ${r.stderr}`);
    return r.stdout.split("\n").filter(Boolean);
  }

  /** What both CLIs say when the daemon refuses. */
  async function refused(...argv: string[]): Promise<string> {
    const r = await both(...argv);
    assert.equal(r.code, 1, `docker ${argv.join(" ")}: ${r.stdout}`);
    return r.stderr;
  }

  it("filters docker ps by id, name, label, exit code, status, ancestor, before, since, volume, health and is-task", async () => {
    await official("pull", "-q", "alpine");
    const context = path.join(bed.dir, "context");
    fs.mkdirSync(context);
    fs.writeFileSync(path.join(context, "Dockerfile"), "FROM alpine\nLABEL tier=web\nRUN touch /built\n");
    await official("build", "-q", "-t", "app:1", context);
    await official("volume", "create", "data");
    await official("run", "--name", "done0", "alpine", "true");
    await official("run", "-d", "--name", "failed3", "alpine", "sh", "-c", "exit 3");
    assert.equal(await official("wait", "failed3"), "3\n");
    await official("create", "--name", "fresh", "-v", "data:/data", "app:1");
    const web = (await official("run", "-d", "--name", "web1", "-l", "app=web", "-l", "tier", "alpine", "sleep", "300")).trim();

    const names = (...filters: string[]) => lines("ps", "-a", "--format", "{{.Names}}", ...filters.flatMap((f) => ["-f", f]));
    assert.deepEqual(await names(), ["web1", "fresh", "failed3", "done0"]);
    assert.deepEqual(await names("name=e"), ["web1", "fresh", "failed3", "done0"]);
    assert.deepEqual(await names("name=^web"), ["web1"]);
    assert.deepEqual(await names("name=^/fresh$"), ["fresh"]);
    assert.deepEqual(await names("name=web", "name=fresh"), ["web1", "fresh"]);
    assert.deepEqual(await names(`id=${web.slice(0, 6)}`), ["web1"]);
    assert.deepEqual(await names(`id=${web.slice(0, 6)}`, "name=fresh"), []);
    assert.deepEqual(await names("label=app"), ["web1"]);
    assert.deepEqual(await names("label=app=web", "label=tier"), ["web1"]);
    assert.deepEqual(await names("label=app=db"), []);
    assert.deepEqual(await names("exited=3"), ["failed3"]);
    // A container that never ran has no exit code to match.
    assert.deepEqual(await names("exited=0"), ["done0"]);
    assert.deepEqual(await names("status=exited"), ["failed3", "done0"]);
    assert.deepEqual(await names("ancestor=alpine"), ["web1", "fresh", "failed3", "done0"]);
    assert.deepEqual(await names("ancestor=app:1"), ["fresh"]);
    assert.deepEqual(await names("ancestor=nothing:here"), []);
    assert.deepEqual(await names("before=fresh"), ["failed3", "done0"]);
    assert.deepEqual(await names("since=failed3"), ["web1", "fresh"]);
    assert.deepEqual(await names("volume=data"), ["fresh"]);
    assert.deepEqual(await names("volume=/data"), ["fresh"]);
    assert.deepEqual(await names("health=none", "status=running"), ["web1"]);
    assert.deepEqual(await names("is-task=true"), []);
    assert.deepEqual(await names("is-task=false", "network=bridge"), []);

    // A status filter lists stopped containers without -a; -q with a filter.
    assert.deepEqual(await lines("ps", "--format", "{{.Names}}", "-f", "status=created"), ["fresh"]);
    assert.deepEqual(await lines("ps", "-q", "-f", "name=web"), [web.slice(0, 12)]);
    assert.deepEqual(await lines("ps", "-q", "-f", "name=fresh"), []);
    assert.deepEqual(await lines("container", "ls", "-aq", "--no-trunc", "--filter", "label=app"), [web]);
    // A container carries its image's labels.
    assert.deepEqual(await names("label=tier=web"), ["fresh"]);

    assert.equal(await refused("ps", "-f", "bogus=1"), "Error response from daemon: invalid filter 'bogus'\n");
    assert.equal(
      await refused("ps", "-f", "status=bogus"),
      "Error response from daemon: invalid filter 'status=bogus': invalid value for state (bogus): must be one of created, running, paused, restarting, removing, exited, dead\n",
    );
    assert.equal(await refused("ps", "-f", "exited=x"), "Error response from daemon: invalid filter 'exited=x': strconv.Atoi: parsing \"x\": invalid syntax\n");
    assert.equal(await refused("ps", "-f", "before=nobody"), "Error response from daemon: No such container: nobody\n");
    // Not key=value: the client's own flag error.
    const unparsed = await both("ps", "-f", "bogus");
    assert.equal(unparsed.code, 125);
    assert.match(unparsed.stderr, /^invalid argument "bogus" for "-f, --filter" flag: bad format of filter \(expected name=value\)\n/);
    await official("rm", "-f", "web1", "fresh", "failed3", "done0");
    await official("rmi", "app:1");
  });

  it("filters docker images by reference (the positional name too), label, dangling, before, since and until", async () => {
    await official("pull", "-q", "alpine");
    // A second tag in the same repository: the official CLI orders an image's repositories at random.
    await official("tag", "alpine", "alpine:edge");
    const context = path.join(bed.dir, "images");
    fs.mkdirSync(context);
    fs.writeFileSync(path.join(context, "Dockerfile"), "FROM alpine\nLABEL kind=site\nRUN touch /made\n");
    await official("build", "-q", "-t", "site:1", context);
    // Built again under the same tag: the first build is left dangling.
    fs.writeFileSync(path.join(context, "Dockerfile"), "FROM alpine\nLABEL kind=site\nRUN touch /made /again\n");
    await official("build", "-q", "-t", "site:1", context);
    const dangling = await lines("images", "-q", "-f", "dangling=true");
    assert.equal(dangling.length, 1);

    const images = (...args: string[]) => lines("images", "--format", "{{.Repository}}:{{.Tag}}", ...args);
    assert.deepEqual(await images("alpine"), ["alpine:edge", "alpine:latest"]);
    assert.deepEqual(await images("alpine:latest"), ["alpine:latest"]);
    assert.deepEqual(await images("-f", "reference=alpine"), ["alpine:edge", "alpine:latest"]);
    assert.deepEqual(await images("-f", "reference=alpine:e*"), ["alpine:edge"]);
    assert.deepEqual(await images("-f", "reference=*/alpine"), []);
    assert.deepEqual(await images("-f", "reference=*:1"), ["site:1"]);
    assert.deepEqual(await images("-f", "reference=nothing"), []);
    assert.deepEqual(await images("-f", "reference=*:1", "-f", "reference=*:edge"), ["site:1", "alpine:edge"]);
    assert.deepEqual(await images("-f", "label=kind=site", "-f", "dangling=false"), ["site:1"]);
    assert.deepEqual(await images("-f", "label=kind=db"), []);
    assert.deepEqual(await images("-f", "dangling=true"), ["<none>:<none>"]);
    assert.deepEqual(await images("-f", "dangling=false"), ["site:1", "alpine:edge", "alpine:latest"]);
    assert.deepEqual(await images("-f", "since=alpine", "-f", "dangling=false"), ["site:1"]);
    assert.deepEqual(await images("-f", "before=site:1", "-f", "dangling=false"), ["alpine:edge", "alpine:latest"]);
    assert.deepEqual(await images("-f", "until=2000-01-01T00:00:00Z"), []);
    // A row per name, as the official CLI prints them.
    const alpine = await lines("images", "-q", "alpine:latest");
    assert.equal(alpine.length, 1);
    assert.deepEqual(await lines("images", "-q", "alpine"), [alpine[0], alpine[0]]);

    assert.equal(await refused("images", "-f", "bogus=1"), "Error response from daemon: invalid filter 'bogus'\n");
    assert.equal(await refused("images", "-f", "dangling=maybe"), "Error response from daemon: invalid filter 'dangling=[maybe]'\n");
    assert.equal(await refused("images", "-f", "before=nothing:here"), "Error response from daemon: No such image: nothing:here\n");
  });

  it("filters docker volume ls by dangling, name, label and driver", async () => {
    await official("volume", "create", "used");
    await official("volume", "create", "--label", "team=core", "spare");
    await official("create", "--name", "holder", "-v", "used:/v", "alpine");
    const volumes = (...filters: string[]) => lines("volume", "ls", "-q", ...filters.flatMap((f) => ["-f", f]));
    assert.ok((await volumes("dangling=true")).includes("spare"));
    assert.ok(!(await volumes("dangling=true")).includes("used"));
    assert.ok((await volumes("dangling=false")).includes("used"));
    assert.ok(!(await volumes("dangling=false")).includes("spare"));
    assert.deepEqual(await volumes("name=^sp"), ["spare"]);
    assert.deepEqual(await volumes("name=use", "driver=local"), ["used"]);
    assert.deepEqual(await volumes("label=team"), ["spare"]);
    assert.deepEqual(await volumes("label=team=core", "name=spare"), ["spare"]);
    assert.deepEqual(await volumes("label=team=edge"), []);
    assert.deepEqual(await volumes("driver=other"), []);
    assert.deepEqual(await lines("volume", "ls", "--format", "{{.Name}} {{.Labels}}", "--filter", "label=team"), ["spare team=core"]);
    assert.equal(await refused("volume", "ls", "-f", "bogus=1"), "Error response from daemon: invalid filter 'bogus'\n");
    assert.equal(await refused("volume", "ls", "-f", "dangling=maybe"), "Error response from daemon: invalid filter 'dangling=[maybe]'\n");
    await official("rm", "holder");
  });

  it("answers an unknown filter with 400, and takes the legacy list form, over HTTP", async () => {
    const bogus = await getText(`/containers/json?filters=${encodeURIComponent('{"bogus":{"x":true}}')}`);
    assert.deepEqual(bogus, { status: 400, body: '{"message":"invalid filter \'bogus\'"}\n' });
    const notJson = await getText("/volumes?filters=%7Bnot");
    assert.deepEqual(notJson, { status: 400, body: '{"message":"invalid filter"}\n' });
    await official("volume", "create", "--label", "legacy=1", "old-style");
    const legacy = await getText(`/volumes?filters=${encodeURIComponent('{"label":["legacy=1"]}')}`);
    assert.equal(legacy.status, 200);
    assert.deepEqual((JSON.parse(legacy.body) as { Volumes: { Name: string }[] }).Volumes.map((v) => v.Name), ["old-style"]);
  });
});
