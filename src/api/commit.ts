/** POST /commit: a container's changes as a new image (docker commit). */
import { commitContainer, type Engine } from "../engine/index.ts";
import { formatReference, parseReference, repositoryName, type RunConfig } from "../image/index.ts";
import { BerthError } from "../util/index.ts";
import { json, readJson, type GoStruct } from "./http.ts";
import type { Route } from "./router.ts";

/** The fields of the body (a container.Config over the container's) a commit honours, as dockerd decodes them. */
const COMMIT_CONFIG: GoStruct = {
  name: "container.Config",
  fields: {
    User: "string",
    ExposedPorts: "map[string]struct {}",
    Env: "[]string",
    Cmd: "strslice.StrSlice",
    Entrypoint: "strslice.StrSlice",
    Volumes: "map[string]struct {}",
    WorkingDir: "string",
    Labels: "map[string]string",
    StopSignal: "string",
  },
};

type CommitBody = { -readonly [K in "User" | "ExposedPorts" | "Env" | "Cmd" | "Entrypoint" | "Volumes" | "WorkingDir" | "Labels" | "StopSignal"]?: unknown };

/** dockerd's RepoTagReference: no repo, no name; a tag given replaces any in the repo; digests are refused. */
function commitReference(repo: string, tag: string): string | undefined {
  if (!repo) return undefined;
  const ref = parseReference(repo);
  if (ref.digest) throw new BerthError("INVALID_ARGUMENT", "cannot commit to digest reference");
  return tag ? formatReference(parseReference(`${repositoryName(ref)}:${tag}`)) : formatReference(ref);
}

export function commitRoutes(engine: Engine): Route[] {
  return [
    {
      method: "POST",
      path: "/commit",
      handle: async ({ request, query }) => {
        const body = readJson<CommitBody>(request, COMMIT_CONFIG);
        const config = Object.fromEntries(
          Object.keys(COMMIT_CONFIG.fields).flatMap((key) => {
            const value = body[key as keyof CommitBody];
            // A string Cmd or Entrypoint is one word (Go's StrSlice).
            return value === undefined || value === null ? [] : [[key, typeof value === "string" && (key === "Cmd" || key === "Entrypoint") ? [value] : value]];
          }),
        ) as RunConfig;
        const reference = commitReference(query.get("repo") ?? "", query.get("tag") ?? "");
        // `pause` needs nothing: the writable layer is read in one synchronous pass, which nothing interleaves with.
        const container = engine.runtime.get(query.get("container") ?? "");
        const id = await commitContainer(engine, container, {
          author: query.get("author") || undefined,
          message: query.get("comment") || undefined,
          changes: query.getAll("changes"),
          reference,
          config,
        });
        return json(201, { Id: id });
      },
    },
  ];
}
