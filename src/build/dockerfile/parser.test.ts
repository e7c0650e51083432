import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

import { BUILDKIT_DOCKERFILE_CONFORMANCE as DATA } from "./conformance.ts";
import { DockerfileError, formatSnippet } from "./errors.ts";
import { dump, extractBuilderFlags, goQuote, parse, parseWords } from "./parser.ts";

const read = (...p: string[]) => readFileSync(path.join(DATA, ...p), "utf8");

describe("parser: BuildKit testfiles", () => {
  const cases = readdirSync(path.join(DATA, "testfiles")).sort();

  it("dumps every case byte-identical to its result file", () => {
    assert.equal(cases.length, 33, "testfiles has 33 cases");
    const failures: string[] = [];
    for (const name of cases) {
      const want = read("testfiles", name, "result");
      let got: string;
      try {
        got = dump(parse(read("testfiles", name, "Dockerfile")).ast) + "\n";
      } catch (error) {
        got = `threw: ${String(error)}`;
      }
      if (got !== want) failures.push(`${name}:\n--- want\n${want}--- got\n${got}`);
    }
    console.log(`buildkit-parser testfiles: ${cases.length - failures.length}/${cases.length} byte-identical`);
    assert.deepEqual(failures, []);
  });

  it("rejects every negative case", () => {
    const negatives = readdirSync(path.join(DATA, "testfiles-negative")).sort();
    assert.equal(negatives.length, 4);
    const accepted: string[] = [];
    for (const name of negatives) {
      const file = path.join(DATA, "testfiles-negative", name, "Dockerfile");
      assert.ok(existsSync(file), file);
      try {
        parse(readFileSync(file, "utf8"));
        accepted.push(name);
      } catch (error) {
        assert.ok(error instanceof DockerfileError, `${name}: ${String(error)}`);
      }
    }
    console.log(`buildkit-parser testfiles-negative: ${negatives.length - accepted.length}/${negatives.length} rejected`);
    assert.deepEqual(accepted, []);
  });

  it("gets the lines of testfile-line right", () => {
    const { ast } = parse(read("testfile-line", "Dockerfile"));
    assert.deepEqual([ast.startLine, ast.endLine], [5, 31]);
    assert.deepEqual(
      ast.children.map((c) => [c.startLine, c.endLine]),
      [
        [5, 5],
        [11, 12],
        [17, 31],
      ],
    );
  });
});

describe("parser", () => {
  it("says why the negative cases fail, with their lines", () => {
    assert.throws(() => parse(""), { message: "dockerfile parse error on line 0: file with no instructions" });
    assert.throws(() => parse("# a\n# b\n\n"), { code: "INVALID_ARGUMENT", message: /file with no instructions/ });
    assert.throws(() => parse("FROM busybox\n\nENV PATH\n"), (e: unknown) => {
      assert.ok(e instanceof DockerfileError);
      assert.equal(e.message, "dockerfile parse error on line 3: ENV must have two arguments");
      assert.deepEqual(e.range, { start: 3, end: 3 });
      assert.deepEqual(e.toJSON(), { code: "INVALID_ARGUMENT", message: e.message, range: { start: 3, end: 3 } });
      return true;
    });
    assert.throws(() => parse(`CMD [ "echo", [ "nested json" ] ]`), { message: /arrays must be comprised of strings only/ });
  });

  it("gives a continued instruction's whole range to its error", () => {
    assert.throws(() => parse("FROM a\nENV A=1 \\\n  B\n"), (e: unknown) => {
      assert.ok(e instanceof DockerfileError);
      assert.deepEqual(e.range, { start: 2, end: 3 });
      assert.match(e.message, /can't find = in "B"/);
      return true;
    });
  });

  it("prints the snippet BuildKit prints", () => {
    const src = "FROM busybox\n\nENV PATH\nRUN a\nRUN b\nRUN c\nRUN d\n";
    assert.equal(
      formatSnippet(src, { start: 3, end: 3 }),
      [
        "Dockerfile:3",
        "--------------------",
        "   1 |     FROM busybox",
        "   2 |     ",
        "   3 | >>> ENV PATH",
        "   4 |     RUN a",
        "   5 |     RUN b",
        "--------------------",
        "",
      ].join("\n"),
    );
    assert.equal(
      formatSnippet(src, { start: 4, end: 5 }, "app.Dockerfile"),
      ["app.Dockerfile:4", "--------------------", "   3 |     ENV PATH", "   4 | >>> RUN a", "   5 | >>> RUN b", "   6 |     RUN c", "--------------------", ""].join("\n"),
    );
  });

  it("reads heredocs", () => {
    const src = [
      "FROM alpine",
      "RUN <<EOF",
      "echo $HOME",
      "EOF",
      "COPY <<-\"A\" /a 3<<B /b",
      "\tone",
      "\tA",
      "two",
      "B",
      "RUN [\"echo\", \"<<X\"]",
      "CMD x",
    ].join("\n");
    const { ast } = parse(src);
    assert.equal(dump(ast), ['(from "alpine")', '(run "<<EOF")', '(copy "<<-\\"A\\"" "/a" "3<<B" "/b")', '(run "echo" "<<X")', '(cmd "x")'].join("\n"));
    const [, run, copy, json, cmd] = ast.children;
    assert.deepEqual(run!.heredocs, [{ name: "EOF", content: "echo $HOME\n", expand: true, chomp: false, fileDescriptor: 0 }]);
    assert.deepEqual(copy!.heredocs, [
      { name: "A", content: "\tone\n", expand: false, chomp: true, fileDescriptor: 0 },
      { name: "B", content: "two\n", expand: true, chomp: false, fileDescriptor: 3 },
    ]);
    assert.deepEqual([run!.startLine, run!.endLine, copy!.startLine, copy!.endLine], [2, 4, 5, 9]);
    assert.deepEqual(json!.heredocs, []);
    assert.equal(cmd!.startLine, 11);
    assert.throws(() => parse("FROM a\nRUN <<EOF\necho\n"), { message: "dockerfile parse error on line 2: unterminated heredoc" });
  });

  it("reads parser directives only at the top", () => {
    const r = parse("# syntax=docker/dockerfile:1\n# escape=`\nFROM a\nRUN echo `\n  hi\n");
    assert.deepEqual(r.directives.map((d) => [d.name, d.value, d.line]), [["syntax", "docker/dockerfile:1", 1], ["escape", "`", 2]]);
    assert.equal(r.escapeToken, "`");
    assert.equal(dump(r.ast), '(from "a")\n(run "echo   hi")');
    assert.throws(() => parse("# escape=`\n# escape=\\\nFROM a"), { message: "dockerfile parse error on line 2: only one escape parser directive can be used" });
    assert.throws(() => parse("# escape=x\nFROM a"), { message: /invalid escape token 'x'/ });
    assert.equal(parse("# hello\n# escape=`\nFROM a").escapeToken, "\\");
  });

  it("keeps comments above an instruction and warns about empty continuation lines", () => {
    const r = parse("# base image\nFROM a\nRUN a \\\n\n  b\n");
    assert.deepEqual(r.ast.children[0]!.prevComments, ["base image"]);
    assert.deepEqual(r.ast.children[1]!.prevComments, []);
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0]!.short, /Empty continuation line/);
    assert.equal(r.ast.children[1]!.original, "RUN a   b");
  });

  it("handles CRLF, a byte order mark and unknown instructions", () => {
    const { ast } = parse("\ufeffFROM a\r\nFOO bar\r\nRUN x \\\r\n y\r\n");
    assert.equal(dump(ast), '(from "a")\n(foo "")\n(run "x  y")');
  });

  it("splits flags and words as BuildKit does", () => {
    assert.deepEqual(extractBuilderFlags(`--from=build --chown="a b" src dst`), { rest: "src dst", flags: ["--from=build", "--chown=a b"] });
    assert.deepEqual(extractBuilderFlags("--a -- --b c"), { rest: " --b c", flags: ["--a"] });
    assert.deepEqual(parseWords(`a "b c" d\\ e 'f\\'`, "\\"), ["a", '"b c"', "d\\ e", "'f\\'"]);
  });

  it("quotes like Go", () => {
    assert.equal(goQuote("a\"\\\n\t\u0000\u007f\u00a0é☃\u{1F600}\u200b"), '"a\\"\\\\\\n\\t\\x00\\x7f\\u00a0é☃😀\\u200b"');
  });
});
