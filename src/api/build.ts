/**
 * POST /build: Docker's classic builder over the API (what `DOCKER_BUILDKIT=0
 * docker build` and dockerode speak). The body is the context, a tar (plain
 * or gzip); the answer streams the classic builder's output as JSON messages
 * — "Step 1/3 : FROM alpine", " ---> <id>", the RUN's output, the image ID as
 * `aux`, "Successfully built" — and a failure as `errorDetail`. A failure
 * before any output (a Dockerfile that does not parse) is the response's
 * status instead, as dockerd answers it.
 */
import { archiveContext, build, BuildError, type BuildStepObserver } from "../build/index.ts";
import type { Engine } from "../engine/index.ts";
import { familiarReference, parseReference } from "../image/index.ts";
import { BerthError } from "../util/index.ts";
import { Channel } from "./channel.ts";
import { jsonLines, queryBool, type ApiResponse } from "./http.ts";
import { pullImage, type ProgressMessage } from "./images.ts";
import type { Route } from "./router.ts";

/** One message of the build stream (Docker's jsonmessage). */
type BuildMessage =
  | { readonly stream: string }
  | { readonly aux: { readonly ID: string } }
  | { readonly errorDetail: { readonly code?: number; readonly message: string }; readonly error: string }
  | ProgressMessage;

/** dockerd's stderr lines in a build stream: in the terminal's bright red. */
const STDERR_START = "\u001b[91m";
const STDERR_END = "\u001b[0m";

function shortId(id: string): string {
  return id.replace(/^sha256:/, "").slice(0, 12);
}

/** A JSON map query parameter (buildargs, labels): `{}` when absent. */
function queryMap(query: URLSearchParams, name: string): Record<string, string | null> {
  const text = query.get(name);
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BerthError("INVALID_ARGUMENT", `invalid ${name}: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.values(value).every((v) => v === null || typeof v === "string")) {
    throw new BerthError("INVALID_ARGUMENT", `json: cannot unmarshal ${Array.isArray(value) ? "array" : typeof value} into Go value of type map[string]*string`);
  }
  return value as Record<string, string | null>;
}

/** The classic builder's words for each step, sent as `stream` messages. */
function classicSteps(send: (message: BuildMessage) => void | Promise<void>): BuildStepObserver {
  const stream = (text: string) => send({ stream: text });
  const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  return {
    step: (index, total, text) => {
      void stream(`Step ${index}/${total} : ${text}`);
      void stream("\n");
    },
    cached: () => void stream(" ---> Using cache\n"),
    containerCreated: (id) => void stream(` ---> Running in ${shortId(id)}\n`),
    output: (kind, data) => {
      const text = decoders[kind].decode(data, { stream: true });
      if (text) return stream(kind === "stderr" ? `${STDERR_START}${text}${STDERR_END}` : text);
    },
    containerRemoved: (id) => void stream(` ---> Removed intermediate container ${shortId(id)}\n`),
    stepDone: (imageId) => void stream(` ---> ${imageId ? shortId(imageId) : ""}\n`),
    stageDone: (imageId) => void send({ aux: { ID: imageId } }),
  };
}

/** A build failure as the classic builder words it (BuildKit's "failed to solve: " left out): a RUN's status is its code. */
function failure(error: unknown): Extract<BuildMessage, { error: string }> {
  if (error instanceof BuildError && error.failedCommand) {
    const { argv, exitCode } = error.failedCommand;
    const message = `The command '${argv.join(" ")}' returned a non-zero code: ${exitCode}`;
    return { errorDetail: { code: exitCode, message }, error: message };
  }
  const message = error instanceof BuildError ? error.message.replace(/^failed to solve: /, "") : error instanceof Error ? error.message : String(error);
  return { errorDetail: { message }, error: message };
}

export function buildRoutes(engine: Engine): Route[] {
  return [
    {
      method: "POST",
      path: "/build",
      handle: async ({ request, query }): Promise<ApiResponse> => {
        if (query.get("remote")) throw new BerthError("INVALID_ARGUMENT", "Berth builds from the context in the request body only: remote contexts (a URL or git repository) are not supported");
        if (query.get("version") === "2") throw new BerthError("INVALID_ARGUMENT", "Berth's API has the classic builder only (version 1): BuildKit's session protocol is not supported");
        const labels = queryMap(query, "labels");
        if (Object.keys(labels).length > 0) throw new BerthError("NOT_IMPLEMENTED", "Berth's builder does not add --label labels yet");
        const tags = query.getAll("t");
        // A bad name is refused before anything is built.
        for (const tag of tags) parseReference(tag);
        const context = await archiveContext(request.body);
        if (!context) throw new BerthError("INVALID_ARGUMENT", "failed to read the build context: the body is not a tar archive (plain or gzip)");
        const dockerfilePath = query.get("dockerfile") || "Dockerfile";
        let dockerfile: string;
        try {
          dockerfile = new TextDecoder().decode(context.readFile(dockerfilePath.replace(/^\.?\/+/, "")));
        } catch {
          throw new BerthError("INVALID_ARGUMENT", `Cannot locate specified Dockerfile: ${dockerfilePath}`);
        }
        const buildArgs = Object.fromEntries(Object.entries(queryMap(query, "buildargs")).filter((entry): entry is [string, string] => entry[1] !== null));

        // -q: the output waits in a buffer, sent only when the build fails; success sends the ID alone.
        const quiet = queryBool(query, "q");
        const held: BuildMessage[] = [];
        const messages = new Channel<BuildMessage>();
        let sent = false;
        let streaming!: () => void;
        const started = new Promise<void>((resolve) => (streaming = resolve));
        const push = (message: BuildMessage) => {
          sent = true;
          streaming();
          return messages.push(message);
        };
        const send = (message: BuildMessage): void | Promise<void> => (quiet ? void held.push(message) : push(message));
        const finished = build({
          images: engine.images,
          registry: engine.registry,
          runtime: engine.runtime,
          context,
          dockerfile,
          dockerfileName: dockerfilePath.slice(dockerfilePath.lastIndexOf("/") + 1),
          tags,
          buildArgs,
          target: query.get("target") || undefined,
          cache: engine.buildCache,
          noCache: queryBool(query, "nocache"),
          steps: classicSteps(send),
          pull: (reference) => pullImage(engine, reference, (message) => void send(message)),
        })
          .then(async (result) => {
            await send({ stream: `Successfully built ${shortId(result.id)}\n` });
            for (const tag of tags) await send({ stream: `Successfully tagged ${familiarReference(parseReference(tag))}\n` });
            if (quiet) await push({ stream: `${result.id}\n` });
          })
          .catch((error: unknown) => {
            for (const message of held.splice(0)) void push(message);
            const message = failure(error);
            // Nothing sent yet: the error is the response's status.
            if (!sent) throw error instanceof BuildError ? new BerthError(error.code, message.error) : error;
            void push(message);
          })
          .finally(() => messages.close());
        await Promise.race([started, finished]);
        return { status: 200, headers: { "content-type": "application/json" }, body: jsonLines(messages) };
      },
    },
  ];
}
