// Berth's isolation service worker: adds Cross-Origin-Opener-Policy and
// Cross-Origin-Embedder-Policy to every response it serves, so the page and its
// workers are cross-origin isolated on hosts that cannot set headers.
// Plain JavaScript, copied into the site as is (a service worker's scope is
// the folder it is served from: keep it beside the page).

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  // Chrome rejects these when they are not same-origin.
  if (request.cache === "only-if-cached" && request.mode !== "same-origin") return;
  event.respondWith(
    fetch(request).then((response) => {
      // Opaque responses have no headers to change.
      if (response.status === 0) return response;
      const headers = new Headers(response.headers);
      headers.set("Cross-Origin-Opener-Policy", "same-origin");
      headers.set("Cross-Origin-Embedder-Policy", "require-corp");
      headers.set("Cross-Origin-Resource-Policy", "cross-origin");
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }),
  );
});
