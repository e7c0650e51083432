/**
 * Routes by method and path, as dockerd's router: an optional `/v1.NN`
 * prefix (checked against the versions we speak), `{name}` segments; names
 * of images may hold slashes. A path no route has, or a method a path does not
 * take, is dockerd's 404 "page not found".
 */
import { errorFrom, errorResponse, type ApiRequest, type ApiResponse } from "./http.ts";
import { API_VERSION, MIN_API_VERSION } from "./version.ts";

export interface RouteContext {
  readonly request: ApiRequest;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The version the client asked for in the path, else ours. */
  readonly apiVersion: string;
}

export interface Route {
  readonly method: string;
  /** "/containers/{name}/start"; `{name*}` takes slashes too. */
  readonly path: string;
  readonly handle: (context: RouteContext) => Promise<ApiResponse>;
}

interface CompiledRoute extends Route {
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/[.]/g, "\\.").replace(/\{(\w+)(\*?)\}/g, (_, name: string, greedy: string) => {
    names.push(name);
    return greedy ? "(.+)" : "([^/]+)";
  });
  return { ...route, pattern: new RegExp(`^${source}$`), names };
}

function compareVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split(".").map(Number);
  const [bm = 0, bn = 0] = b.split(".").map(Number);
  return am - bm || an - bn;
}

export function createRouter(routes: readonly Route[]): (request: ApiRequest) => Promise<ApiResponse> {
  const compiled = routes.map(compile);
  return async (request) => {
    let url: URL;
    let path: string;
    try {
      url = new URL(request.url, "http://berth");
      path = decodeURIComponent(url.pathname);
    } catch {
      // "//bad:host/..." or an escape that is not UTF-8: Go's server refuses these before any route too.
      return errorResponse(400, `malformed request URL: ${request.url}`);
    }
    let apiVersion = API_VERSION;
    const versioned = /^\/v([0-9.]+)(\/.*)$/.exec(path);
    if (versioned) {
      apiVersion = versioned[1]!;
      path = versioned[2]!;
      if (compareVersions(apiVersion, API_VERSION) > 0) {
        return errorResponse(400, `client version ${apiVersion} is too new. Maximum supported API version is ${API_VERSION}`);
      }
      if (compareVersions(apiVersion, MIN_API_VERSION) < 0) {
        return errorResponse(
          400,
          `client version ${apiVersion} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`,
        );
      }
    }
    // HEAD is served by the GET route, without the body (Go's net/http does the same).
    const method = request.method === "HEAD" ? "GET" : request.method;
    for (const route of compiled) {
      if (route.method !== method) continue;
      const match = route.pattern.exec(path);
      if (!match) continue;
      const params = Object.fromEntries(route.names.map((name, i) => [name, match[i + 1]!]));
      try {
        const response = await route.handle({ request, params, query: url.searchParams, apiVersion });
        return request.method === "HEAD" ? { status: response.status, headers: response.headers } : response;
      } catch (error) {
        return errorFrom(error);
      }
    }
    return errorResponse(404, "page not found");
  };
}
