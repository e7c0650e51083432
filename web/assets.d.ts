// esbuild loads stylesheets as text (see esbuild.config.mjs).
declare module "*.css" {
  const text: string;
  export default text;
}
