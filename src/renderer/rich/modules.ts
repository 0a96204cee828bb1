// What a rich bundle (LIBRARY.entry.ts) shares besides its draw function: the library objects
// themselves, by the names output scripts ask for (`require(["vega-embed"])`, `window.Plotly`).
// src/renderer/cdn-loader.ts hands these to outputs whose HTML asks for the library from a CDN.

export type RichModules = Record<string, unknown>;

type ModulesGlobal = Window & { __nbshieldRichModules?: RichModules };

export function shareModules(modules: RichModules): void {
  const g = window as ModulesGlobal;
  g.__nbshieldRichModules = { ...g.__nbshieldRichModules, ...modules };
}

export function sharedModule(name: string): unknown {
  return (window as ModulesGlobal).__nbshieldRichModules?.[name];
}
