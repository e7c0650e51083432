import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

import { BUILDKIT_DOCKERFILE_CONFORMANCE as DATA } from "./conformance.ts";
import { DockerfileError } from "./errors.ts";
import { checkSupported, expandInstruction, parseDockerfile, parseOnbuildTrigger, type Instruction } from "./instructions.ts";
import { envFromList, ShellLex } from "./shell-lex.ts";

const expander = (env: string[]) => {
  const lex = new ShellLex();
  const get = envFromList(env);
  return (w: string) => lex.processWord(w, get);
};

function only<K extends Instruction["kind"]>(src: string, kind: K): Extract<Instruction, { kind: K }> {
  const df = parseDockerfile(`FROM scratch\n${src}`);
  const ins = df.stages[0]!.commands[0]!;
  assert.equal(ins.kind, kind);
  return ins as Extract<Instruction, { kind: K }>;
}

function parseError(src: string): DockerfileError {
  try {
    parseDockerfile(src);
  } catch (error) {
    assert.ok(error instanceof DockerfileError, String(error));
    return error;
  }
  assert.fail(`accepted: ${src}`);
}

describe("instructions", () => {
  it("groups a multi-stage Dockerfile into stages, ARGs before FROM as meta args", () => {
    const df = parseDockerfile(
      [
        "# syntax=docker/dockerfile:1",
        "ARG BASE=alpine:3.19",
        "ARG VERSION",
        "# build compiles the app",
        "FROM --platform=linux/amd64 $BASE AS Build",
        "WORKDIR /src",
        "COPY --chown=app:app . .",
        "RUN make",
        "",
        "FROM scratch",
        "COPY --from=build /src/app /app",
        'ENTRYPOINT ["/app"]',
      ].join("\n"),
    );
    assert.deepEqual(df.metaArgs.map((a) => a.args), [[{ key: "BASE", value: "alpine:3.19" }], [{ key: "VERSION" }]]);
    assert.equal(df.stages.length, 2);
    const [build, final] = df.stages;
    assert.equal(build!.name, "build");
    assert.equal(build!.baseName, "$BASE");
    assert.equal(build!.platform, "linux/amd64");
    assert.equal(build!.from.comment, "build compiles the app");
    assert.deepEqual(build!.range, { start: 5, end: 8 });
    assert.deepEqual(build!.commands.map((c) => c.kind), ["WORKDIR", "COPY", "RUN"]);
    assert.equal(final!.name, undefined);
    const copy = final!.commands[0]!;
    assert.ok(copy.kind === "COPY");
    assert.equal(copy.from, "build");
    assert.deepEqual([copy.sourcePaths, copy.destPath], [["/src/app"], "/app"]);
    const ep = final!.commands[1]!;
    assert.ok(ep.kind === "ENTRYPOINT");
    assert.deepEqual([ep.cmdLine, ep.prependShell], [["/app"], false]);
  });

  it("types every instruction", () => {
    assert.deepEqual(only("ENV A=1 B='x y'", "ENV").env, [
      { key: "A", value: "1", noDelim: false },
      { key: "B", value: "'x y'", noDelim: false },
    ]);
    assert.deepEqual(only("ENV A x y", "ENV").env, [{ key: "A", value: "x y", noDelim: true }]);
    assert.deepEqual(only('LABEL a=b "c d"=e', "LABEL").labels.map((l) => [l.key, l.value]), [["a", "b"], ['"c d"', "e"]]);
    assert.equal(only("MAINTAINER me <me@x>", "MAINTAINER").maintainer, "me <me@x>");
    const run = only("RUN echo $HOME", "RUN");
    assert.deepEqual([run.cmdLine, run.prependShell, run.mounts], [["echo $HOME"], true, []]);
    assert.deepEqual(only('CMD ["a", "b"]', "CMD").cmdLine, ["a", "b"]);
    assert.deepEqual(only("CMD", "CMD").cmdLine, []);
    const add = only("ADD --chown=1:1 --chmod=644 a.tar b /dst/", "ADD");
    assert.deepEqual([add.sourcePaths, add.destPath, add.chown, add.chmod, add.link], [["a.tar", "b"], "/dst/", "1:1", "644", false]);
    assert.equal(only("WORKDIR /a b", "WORKDIR").path, "/a b");
    assert.equal(only("USER app:app", "USER").user, "app:app");
    assert.deepEqual(only("EXPOSE 80/tcp 443", "EXPOSE").ports, ["80/tcp", "443"]);
    assert.deepEqual(only('VOLUME ["/a", "/b"]', "VOLUME").volumes, ["/a", "/b"]);
    assert.equal(only("STOPSIGNAL SIGKILL", "STOPSIGNAL").signal, "SIGKILL");
    assert.deepEqual(only('SHELL ["/bin/sh", "-ec"]', "SHELL").shell, ["/bin/sh", "-ec"]);
    assert.equal(only("ONBUILD  RUN echo hi", "ONBUILD").expression, "RUN echo hi");
    assert.deepEqual(only("HEALTHCHECK --interval=1m30s --retries=3 CMD curl -f localhost", "HEALTHCHECK").health, {
      test: ["CMD-SHELL", "curl -f localhost"],
      interval: 90e9,
      timeout: 0,
      startPeriod: 0,
      startInterval: 0,
      retries: 3,
    });
    assert.deepEqual(only('HEALTHCHECK CMD ["true"]', "HEALTHCHECK").health.test, ["CMD", "true"]);
    assert.deepEqual(only("HEALTHCHECK NONE", "HEALTHCHECK").health.test, ["NONE"]);
    assert.deepEqual(only("ARG a b=c", "ARG").args, [{ key: "a" }, { key: "b", value: "c" }]);
  });

  it("parses ONBUILD triggers when they fire, with the FROM's line", () => {
    const trigger = only("ONBUILD COPY --chown=1 . /app", "ONBUILD");
    const copy = parseOnbuildTrigger(trigger.expression, { start: 7, end: 7 });
    assert.ok(copy.kind === "COPY");
    assert.deepEqual([copy.chown, copy.sourcePaths, copy.destPath, copy.range], ["1", ["."], "/app", { start: 7, end: 7 }]);
    assert.throws(() => parseOnbuildTrigger("COPY x", { start: 7, end: 7 }), { message: /^dockerfile parse error on line 7: COPY requires at least two arguments/ });
  });

  it("turns heredocs into inline files and sources", () => {
    const df = parseDockerfile(["FROM alpine", "RUN <<EOF", "echo hi", "EOF", "COPY <<-A <<'B' /etc/", "\tx", "A", "$y", "B"].join("\n"));
    const [run, copy] = df.stages[0]!.commands;
    assert.ok(run!.kind === "RUN" && copy!.kind === "COPY");
    assert.deepEqual(run.files, [{ name: "EOF", data: "echo hi\n", chomp: false, expand: true }]);
    assert.deepEqual(copy.sourcePaths, []);
    assert.deepEqual(copy.sourceContents, [
      { path: "A", data: "x\n", expand: true },
      { path: "B", data: "$y\n", expand: false },
    ]);
    assert.throws(() => parseDockerfile("FROM a\nCOPY x <<EOF\nhi\nEOF\n"), { message: /COPY cannot accept a heredoc as a destination/ });
  });

  it("expands the words BuildKit expands, with the environment given", () => {
    const expand = expander(["V=1.0", "DIR=/opt", "U=app"]);
    const df = parseDockerfile(
      'FROM img:$V\nENV A="x $V" ${U}_B=\'$V\'\nWORKDIR $DIR/app\nCOPY --chown=$U:$U src-${V}.tgz $DIR/\nRUN echo $V\nUSER ${U:-root}\nLABEL "v"=$V\nEXPOSE ${P:-80}\nARG X=$V\n',
    );
    const st = df.stages[0]!;
    assert.equal(expandInstruction(st.from, expand).baseName, "img:1.0");
    const [env, workdir, copy, run, user, label, expose, arg] = st.commands.map((c) => expandInstruction(c, expand));
    assert.ok(env!.kind === "ENV" && workdir!.kind === "WORKDIR" && copy!.kind === "COPY" && run!.kind === "RUN");
    assert.deepEqual(env.env.map((e) => [e.key, e.value]), [["A", "x 1.0"], ["app_B", "$V"]]);
    assert.equal(workdir.path, "/opt/app");
    assert.deepEqual([copy.chown, copy.sourcePaths, copy.destPath], ["app:app", ["src-1.0.tgz"], "/opt/"]);
    assert.deepEqual(run.cmdLine, ["echo $V"], "RUN is left to the shell");
    assert.ok(user!.kind === "USER" && label!.kind === "LABEL" && expose!.kind === "EXPOSE" && arg!.kind === "ARG");
    assert.equal(user.user, "app");
    assert.deepEqual(label.labels.map((l) => [l.key, l.value]), [["v", "1.0"]]);
    assert.deepEqual(expose.ports, ["80"]);
    assert.deepEqual(arg.args, [{ key: "X", value: "1.0" }]);
    assert.throws(() => expandInstruction(only("WORKDIR ${NOPE:?is required}", "WORKDIR"), expand), (e: unknown) => {
      assert.ok(e instanceof DockerfileError);
      assert.equal(e.message, "dockerfile parse error on line 2: NOPE: is required");
      assert.deepEqual(e.range, { start: 2, end: 2 });
      return true;
    });
  });

  it("rejects bad instructions with the line and BuildKit's words", () => {
    const cases: [string, number, RegExp][] = [
      ["RUN x", 1, /no build stage in current context/],
      ["FROM a b", 1, /FROM requires either one or three arguments/],
      ["FROM a AS 1x", 1, /invalid name for build stage: "1x"/],
      ["FROM a\nFOO bar", 2, /unknown instruction: FOO/],
      ["FROM a\n\nCOPY x", 3, /COPY requires at least two arguments, but only one was provided/],
      ["FROM a\nCOPY --nope=1 a b", 2, /unknown flag: nope/],
      ["FROM a\nCOPY --from a b", 2, /Missing a value on flag: from/],
      ["FROM a\nCOPY --link=maybe a b", 2, /expecting boolean value for flag link/],
      ["FROM a\nWORKDIR", 2, /WORKDIR requires exactly one argument/],
      ["FROM a\nEXPOSE", 2, /EXPOSE requires at least one argument/],
      ["FROM a\nSHELL sh -c", 2, /SHELL requires the arguments to be in JSON form/],
      ["FROM a\nHEALTHCHECK NONE x", 2, /HEALTHCHECK NONE takes no arguments/],
      ["FROM a\nHEALTHCHECK PING x", 2, /Unknown type "PING" in HEALTHCHECK/],
      ["FROM a\nHEALTHCHECK CMD", 2, /Missing command after HEALTHCHECK CMD/],
      ["FROM a\nHEALTHCHECK --interval=1us CMD x", 2, /Interval "interval" cannot be less than 1ms/],
      ["FROM a\nHEALTHCHECK --timeout=soon CMD x", 2, /time: invalid duration "soon"/],
      ["FROM a\nONBUILD ONBUILD RUN x", 2, /Chaining ONBUILD/],
      ["FROM a\nONBUILD FROM b", 2, /FROM isn't allowed as an ONBUILD trigger/],
      ["FROM a\nARG =x", 2, /ARG names can not be blank/],
      ["FROM a\nENV =x", 2, /ENV names can not be blank/],
      ["FROM a\nVOLUME [\"\"]", 2, /VOLUME specified can not be an empty string/],
      ["FROM a\nRUN a \\\n  && b\nUSER", 4, /USER requires exactly one argument/],
    ];
    for (const [src, line, message] of cases) {
      const e = parseError(src);
      assert.equal(e.range.start, line, src);
      assert.match(e.message, message, src);
      assert.ok(e.message.startsWith(`dockerfile parse error on line ${line}: `), e.message);
    }
  });

  it("names the line of what Berth cannot build", () => {
    const unsupported: [string, RegExp][] = [
      ["RUN --mount=type=cache,target=/c make", /RUN --mount is not supported by Berth/],
      ["RUN --network=none make", /RUN --network/],
      ["ADD https://example.com/a.tgz /", /ADD from a URL or git repository/],
      ["ADD git@github.com:a/b.git /src", /ADD from a URL/],
      ["COPY --link a b", /COPY --link/],
    ];
    for (const [line, message] of unsupported) {
      const df = parseDockerfile(`FROM a\n\n${line}\n`);
      assert.throws(() => checkSupported(df), (e: unknown) => {
        assert.ok(e instanceof DockerfileError);
        assert.equal(e.code, "NOT_IMPLEMENTED");
        assert.deepEqual(e.range, { start: 3, end: 3 });
        assert.match(e.message, message);
        return true;
      });
    }
    checkSupported(parseDockerfile("FROM a\nADD local.tar.gz /\nCOPY --from=x --chown=1 a b\n"));
  });

  it("reads every BuildKit test Dockerfile into instructions, rejecting what BuildKit rejects", () => {
    // These parse (the parser tests dump them) but are not buildable Dockerfiles.
    const rejected: Record<string, RegExp> = {
      flags: /line 3: unknown flag: user/,
      health: /line 4: HEALTHCHECK requires at least one argument/,
      "jeztah-invalid-json-json-inside-string": /line 1: no build stage in current context/,
      "jeztah-invalid-json-json-inside-string-double": /line 1: no build stage in current context/,
      "jeztah-invalid-json-single-quotes": /line 1: no build stage in current context/,
      "jeztah-invalid-json-unterminated-bracket": /line 1: no build stage in current context/,
      "jeztah-invalid-json-unterminated-string": /line 1: no build stage in current context/,
      json: /line 1: no build stage in current context/,
    };
    let typed = 0;
    let ok = 0;
    const dirs = readdirSync(path.join(DATA, "testfiles")).sort();
    for (const name of dirs) {
      const src = readFileSync(path.join(DATA, "testfiles", name, "Dockerfile"), "utf8");
      const want = rejected[name];
      if (want) {
        assert.throws(() => parseDockerfile(src), (e: unknown) => e instanceof DockerfileError && want.test(e.message), name);
        continue;
      }
      const df = parseDockerfile(src);
      ok++;
      typed += df.stages.reduce((n, s) => n + s.commands.length + 1, 0) + df.metaArgs.length;
    }
    assert.equal(ok, 25);
    console.log(`buildkit testfiles as instructions: ${ok} Dockerfiles, ${typed} instructions typed; ${Object.keys(rejected).length} rejected as BuildKit does`);
  });
});
