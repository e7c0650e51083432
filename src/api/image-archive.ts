/**
 * Image archives over the API: GET /images/{name}/get and /images/get
 * (docker save), POST /images/load (docker load) with dockerd's JSON message
 * stream, which Berth's own CLI prints from too.
 */
import type { Engine } from "../engine/index.ts";
import { familiarReference, loadImageArchive, parseReference, saveImages, type LoadResult } from "../image/index.ts";
import { jsonLines, type ApiResponse } from "./http.ts";
import type { Route } from "./router.ts";

/** One message of docker load's stream: text for the caller's stdout, or a layer's progress. */
export type LoadMessage =
  | { readonly stream: string }
  | { readonly status: "Loading layer"; readonly progressDetail: { readonly current: number; readonly total: number }; readonly id: string };

/**
 * What dockerd says of a load: each new layer's progress (unless quiet),
 * renamed names, "Loaded image: NAME" for each name, and the IDs of images
 * without one, together at the end.
 */
export function loadMessages(result: LoadResult, progress: boolean): LoadMessage[] {
  const messages: LoadMessage[] = [];
  let ids = "";
  for (const image of result.images) {
    if (progress) {
      for (const layer of image.newLayers) {
        messages.push({ status: "Loading layer", progressDetail: { current: layer.size, total: layer.size }, id: layer.digest.replace(/^sha256:/, "").slice(0, 12) });
      }
    }
    for (const { name, previousId } of image.renamed) {
      messages.push({ stream: `The image ${familiarReference(parseReference(name))} already exists, renaming the old one with ID ${previousId} to empty string\n` });
    }
    for (const name of image.names) messages.push({ stream: `Loaded image: ${familiarReference(parseReference(name))}\n` });
    if (image.names.length === 0) ids += `Loaded image ID: ${image.id}\n`;
  }
  if (ids) messages.push({ stream: ids });
  return messages;
}

export function imageArchiveRoutes(engine: Engine): Route[] {
  const save = async (names: string[]): Promise<ApiResponse> => ({ status: 200, headers: { "content-type": "application/x-tar" }, body: await saveImages(engine.images, names) });
  return [
    { method: "GET", path: "/images/get", handle: async ({ query }) => save(query.getAll("names")) },
    { method: "GET", path: "/images/{name*}/get", handle: async ({ params }) => save([params.name!]) },
    {
      method: "POST",
      path: "/images/load",
      handle: async ({ request, query }) => {
        // As dockerd: quiet when not asked (its BoolValueOrDefault); a failed load is the stream's last message, after 200.
        const quiet = query.get("quiet");
        const progress = quiet !== null && /^(0|no|false|none)?$/i.test(quiet.trim());
        async function* messages(): AsyncIterable<unknown> {
          let result: LoadResult;
          try {
            result = await loadImageArchive(engine.images, request.body);
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            yield { errorDetail: { message }, error: message };
            return;
          }
          yield* loadMessages(result, progress);
        }
        return { status: 200, headers: { "content-type": "application/json" }, body: jsonLines(messages()) };
      },
    },
  ];
}
