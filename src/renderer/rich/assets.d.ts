// Vite turns these imports into strings at build time (scripts/build.mjs, library mode).
declare module '*.css?inline' {
  const css: string;
  export default css;
}
declare module '*.woff2?inline' {
  /** A data: URL. */
  const url: string;
  export default url;
}
