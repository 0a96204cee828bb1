// rich-bokeh.js: BokehJS 2.4.3 (its own prebuilt bundles: core, widgets, tables, which
// scripts/build.mjs puts before this code) for Bokeh 1.x and 2.x outputs of trusted notebooks,
// which load BokehJS from cdn.bokeh.org themselves. Bokeh
// outputs are scripts, not data: cdn-loader.ts loads this bundle before an output script that
// asks for a BokehJS it fits (cdn.ts), and the script then finds `window.Bokeh` as it would in
// Jupyter: the layer of bokeh-embed.ts, which adapts Bokeh 1.x documents (bokeh-docs.ts).
import { version } from '@bokeh/bokehjs2/package.json';
import type { RichDraw } from '../rich';
import { adaptDocJson, adaptDocsJson, adaptRenderItems, type DescribeProperty } from './bokeh-docs';
import { installBokeh, registered, type RenderItem } from './bokeh-embed';

const real = registered(version);

type PropDef = { type?: unknown };

/** A property's definition tells a plain one (a Kind, with valid()) from a spec (a class). */
const describe: DescribeProperty = (type, attr) => {
  const props = real.Models.get(type)?.prototype._props as Record<string, PropDef> | undefined;
  if (props === undefined) return undefined;
  let def = props[attr];
  // An alias (plot_width -> width) points at the property it stands for.
  const alias = (def?.type as { attr?: unknown } | undefined)?.attr;
  if (typeof alias === 'string') def = props[alias];
  if (def === undefined) return null;
  const kind = def.type as { valid?: unknown } | undefined;
  if (typeof def.type !== 'function' && typeof kind?.valid === 'function') {
    const valid = kind.valid as (v: unknown) => boolean;
    return { valid: (v) => valid.call(kind, v) };
  }
  return {};
};

installBokeh(real, 'bokeh', {
  reads: [1, 2],
  docs: (d) => adaptDocsJson(d, describe),
  doc: (d) => adaptDocJson(d, describe),
  items: (items, docs) => adaptRenderItems(items, docs) as RenderItem[],
  // 2.4's embed_items_notebook leaves its drawing's promise unwatched; embed_items returns it.
  notebook: (docs, items) => real.embed.embed_items(docs, items),
});

// Bokeh has no mime type drawn from data alone (its outputs are scripts): nothing to draw here.
const draw: RichDraw = () =>
  Promise.reject(new Error('Bokeh outputs are drawn by their own script'));
const rich = window as Window & { __nbshieldRich?: Record<string, RichDraw> };
rich.__nbshieldRich = { ...rich.__nbshieldRich, bokeh: draw };
