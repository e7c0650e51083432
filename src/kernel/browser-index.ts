// Browser surface of the kernel: booting in a Worker from the SDK as the site hosts it.
export { bootBrowserKernel, browserKernelProblem } from "./browser.ts";
// A Worker's first script imports downloadBrowserKernel from browser-download.ts itself:
// that module loads no code, where this one brings the whole kernel.
export type { BrowserKernelDownload, BrowserKernelSite } from "./browser-download.ts";
