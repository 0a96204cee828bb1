// rich-bokeh3.js: BokehJS 3.10 (its own prebuilt bundles: core, widgets, tables, which
// scripts/build.mjs puts before this code) for Bokeh 3.x
// outputs of trusted notebooks, as rich-bokeh.js is for Bokeh 1-2 (see there). Bokeh 3 wrote a
// new document format, which 3.10 reads as it is: no adaptation.
import { version } from '@bokeh/bokehjs3/package.json';
import type { RichDraw } from '../rich';
import { installBokeh, registered, type RenderItem } from './bokeh-embed';

type Notebook = (docs: unknown, items: RenderItem[]) => Promise<unknown>;

const real = registered(version);
const notebook = (real.embed as unknown as { embed_items_notebook: Notebook }).embed_items_notebook;

installBokeh(real, 'bokeh3', {
  reads: [3],
  docs: (docsJson) => ({ docsJson, dropped: [] }),
  doc: (docsJson) => ({ docsJson, dropped: [] }),
  items: (items) => items,
  // 3.x's is async and takes the element ids off once drawn.
  notebook: (docs, items) => notebook(docs, items),
});

const draw: RichDraw = () =>
  Promise.reject(new Error('Bokeh outputs are drawn by their own script'));
const rich = window as Window & { __nbshieldRich?: Record<string, RichDraw> };
rich.__nbshieldRich = { ...rich.__nbshieldRich, bokeh3: draw };
