// Interactive output types that a library bundled with the extension draws, in trusted notebooks
// only and only inside the opaque-origin sandbox. Untrusted, they fall through to the bundle's
// safe types (image, text) with a "not run: notebook not trusted" note (mime.ts).
//
// The sandboxed renderer loads `rich-LIBRARY.js` (built from src/renderer/rich/LIBRARY.entry.ts)
// on first use; see src/renderer/rich.ts for the contract between the two.

import type { RichLibrary } from './types';

export interface RichKind {
  label: string;
  mime: RegExp;
  library: RichLibrary;
  /** Lower wins (mime.ts registry); all rank above the notice and below JavaScript. */
  rank: number;
}

export const RICH_KINDS: readonly RichKind[] = [
  {
    label: 'widget',
    mime: /^application\/vnd\.jupyter\.widget-view\+json$/i,
    library: 'widgets',
    rank: 2,
  },
  { label: 'Plotly', mime: /^application\/vnd\.plotly\.v1\+json$/i, library: 'plotly', rank: 5 },
  {
    label: 'Vega-Lite',
    mime: /^application\/vnd\.vegalite\.v\d+(\.\d+)*\+json$/i,
    library: 'vega',
    rank: 5,
  },
  {
    label: 'Vega',
    mime: /^application\/vnd\.vega\.v\d+(\.\d+)*\+json$/i,
    library: 'vega',
    rank: 5,
  },
  // Drawn as shapes by the bundled Vega-Lite: no map tiles (they would come from the web).
  { label: 'GeoJSON', mime: /^application\/geo\+json$/i, library: 'vega', rank: 5 },
];

/**
 * Libraries that draw an output from its own data alone (no page script, no shared state): such
 * an output may be drawn whenever its cell is rendered, in any order, so a trusted notebook with
 * only these can render its far cells lazily. Widgets share models through one manager: not here.
 */
const ORDER_FREE: ReadonlySet<RichLibrary> = new Set<RichLibrary>(['plotly', 'vega']);

/** Whether `mime` is drawn by an order-free library (see ORDER_FREE). */
export function drawsAlone(mime: string): boolean {
  return RICH_KINDS.some((k) => ORDER_FREE.has(k.library) && k.mime.test(mime));
}
