// Values esbuild.config.mjs puts into the bundles at build time.

/** The SDK's modules that the kernel's boot imports, as paths of the site (sdk/...). */
declare const BERTH_SDK_MODULES: readonly string[];
