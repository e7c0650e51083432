// Values esbuild.config.mjs puts into the bundles at build time.

/**
 * The SDK's modules that the kernel's boot imports, as paths of the site
 * (sdk/...), separated by spaces: a string is put where it is used, where an
 * array would become a shared chunk that berth.js imports.
 */
declare const BERTH_SDK_MODULES: string;
