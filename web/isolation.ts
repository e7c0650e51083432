/**
 * Cross-origin isolation without server headers (GitHub Pages and the like):
 * a service worker of ours re-serves every response of this site with COOP
 * and COEP, and the page reloads once so that it loads under them.
 */
const RELOADED = "berth-isolation-reload";

export function isolateWithServiceWorker(workerUrl: URL): void {
  if (globalThis.crossOriginIsolated || !("serviceWorker" in navigator) || !isSecureContext) return;
  void navigator.serviceWorker.register(workerUrl).then(
    async () => {
      await navigator.serviceWorker.ready;
      // One reload at most: if the worker cannot help, the page says why instead of looping.
      if (sessionStorage.getItem(RELOADED)) return;
      sessionStorage.setItem(RELOADED, "1");
      location.reload();
    },
    (error: unknown) => console.warn("berth: cannot install the isolation service worker:", error),
  );
}
