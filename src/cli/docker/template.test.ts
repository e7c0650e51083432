import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { renderTemplate, TemplateError } from "./template.ts";

describe("Go templates for --format", () => {
  const data = {
    Name: "/web",
    State: { Status: "running", Pid: 42, Running: true },
    Config: { Env: ["PATH=/bin", "A=1"], Labels: { b: "2", a: "1" }, Entrypoint: null },
    Mounts: [
      { Type: "volume", Destination: "/data" },
      { Type: "bind", Destination: "/site" },
    ],
  };

  it("prints fields as Go's %v does", () => {
    assert.equal(renderTemplate("{{.State.Status}} {{.State.Pid}} {{.State.Running}}", data), "running 42 true");
    assert.equal(renderTemplate("{{.Config.Env}}|{{.Config.Labels}}|{{.Config.Entrypoint}}|{{.Nope}}", data), "[PATH=/bin A=1]|map[a:1 b:2]|<nil>|<no value>");
  });

  it("has Docker's functions and pipelines", () => {
    assert.equal(renderTemplate("{{json .State}}", data), '{"Status":"running","Pid":42,"Running":true}');
    assert.equal(renderTemplate('{{join .Config.Env ","}}', data), "PATH=/bin,A=1");
    assert.equal(renderTemplate("{{.Name | upper}} {{len .Mounts}} {{index .Config.Labels \"a\"}}", data), "/WEB 2 1");
  });

  it("ranges, with $ for the root, and branches with if/else", () => {
    assert.equal(renderTemplate("{{range .Mounts}}{{.Type}}:{{.Destination}} {{end}}", data), "volume:/data bind:/site ");
    assert.equal(renderTemplate("{{range .Mounts}}{{$.Name}}{{end}}", data), "/web/web");
    assert.equal(renderTemplate("{{if .State.Running}}up{{else}}down{{end}}", data), "up");
    assert.equal(renderTemplate("{{range .Config.Entrypoint}}x{{else}}none{{end}}", data), "none");
  });

  it("says what it cannot do in Go's words", () => {
    assert.throws(() => renderTemplate("{{nope .Name}}", data), TemplateError);
    assert.throws(() => renderTemplate("{{range .Mounts}}", data), /unexpected EOF/);
    assert.throws(() => renderTemplate("{{.Name", data), /unclosed action/);
    assert.throws(() => renderTemplate("{{.Name.Deeper}}", data), /can't evaluate field Deeper in type string/);
  });
});
