// Browser surface of the kernel: booting in a Worker from the SDK as the site hosts it.
export { bootBrowserKernel, browserKernelProblem, type BrowserKernelOptions } from "./browser.ts";
