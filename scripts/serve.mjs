// `npm start`: serves the built playground (dist/web) on loopback, with the
// headers that make the page cross-origin isolated (the kernel needs
// SharedArrayBuffer). PORT overrides the port (0 picks a free one).
//
//   node scripts/serve.mjs [--dir DIR] [--no-isolation-headers]
//
// --no-isolation-headers serves like a plain static host (GitHub Pages), to
// exercise the service-worker fallback.
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** Starts the server; resolves with its URL once it listens. */
export function serve({ dir, port = 8080, host = "127.0.0.1", isolationHeaders = true } = {}) {
  const root = path.resolve(dir);
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (file !== root && !file.startsWith(root + path.sep)) return send(response, 403, "forbidden");
    try {
      if (statSync(file).isDirectory()) file = path.join(file, "index.html");
      const { size, mtime } = statSync(file);
      // Revalidated on every use (a rebuild shows at once), answered 304 while unchanged:
      // each SDK worker the page starts asks for the SDK's modules again.
      const etag = `"${size.toString(16)}-${mtime.getTime().toString(16)}"`;
      const headers = {
        "Content-Type": TYPES[path.extname(file)] ?? "application/octet-stream",
        "Cache-Control": "no-cache",
        ETag: etag,
        "Last-Modified": mtime.toUTCString(),
      };
      if (isolationHeaders) {
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Embedder-Policy"] = "require-corp";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
      }
      if (request.headers["if-none-match"] === etag) {
        response.writeHead(304, headers);
        return response.end();
      }
      headers["Content-Length"] = size;
      response.writeHead(200, headers);
      if (request.method === "HEAD") return response.end();
      createReadStream(file).pipe(response);
    } catch {
      send(response, 404, "not found");
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolve({ url: `http://${host}:${actual}/`, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

function send(response, status, text) {
  response.writeHead(status, { "Content-Type": "text/plain" });
  response.end(text + "\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const dirFlag = args.indexOf("--dir");
  const dir = dirFlag >= 0 ? args[dirFlag + 1] : fileURLToPath(new URL("../dist/web/", import.meta.url));
  const port = Number(process.env.PORT ?? 8080);
  const { url } = await serve({ dir, port, isolationHeaders: !args.includes("--no-isolation-headers") }).catch((error) => {
    console.error(`berth: cannot serve on port ${port}: ${error.message}`);
    process.exit(1);
  });
  console.log(`Berth playground: ${url}`);
}
