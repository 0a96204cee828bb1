// rich-bokeh.js: BokehJS 2.4.3 (its own prebuilt bundles: core, widgets, tables) for Bokeh outputs
// of trusted notebooks, which load BokehJS from cdn.bokeh.org themselves. Bokeh outputs are
// scripts, not data: cdn-loader.ts loads this bundle before an output script that asks for a
// BokehJS it fits (cdn.ts), and the script then finds `window.Bokeh` as it would in Jupyter.
//
// `window.Bokeh` is a thin layer over the real one: its embed functions adapt Bokeh 1.x documents
// (bokeh-docs.ts) and report each plot's outcome on the output box that asked for it
// (`data-bokeh-state` drawn / error, with a visible note on error), since the notebook's own
// embed_items_notebook drops the drawing's errors.
import '@bokeh/bokehjs2/build/js/bokeh.min.js';
import '@bokeh/bokehjs2/build/js/bokeh-widgets.min.js';
import '@bokeh/bokehjs2/build/js/bokeh-tables.min.js';
import { version } from '@bokeh/bokehjs2/package.json';
import type { RichDraw } from '../rich';
import {
  adaptDocJson,
  adaptDocsJson,
  adaptRenderItems,
  docsVersions,
  type Adapted,
  type DescribeProperty,
} from './bokeh-docs';
import { shareModules } from './modules';

type RenderItem = { roots?: Record<string, string>; elementid?: string; root_id?: string };
interface Embed {
  embed_items(docs: unknown, items: RenderItem[], ...rest: unknown[]): Promise<unknown>;
  embed_item(item: { doc?: unknown; target_id?: string }, target?: string): Promise<unknown>;
}
interface BokehJs {
  version: string;
  embed: Embed;
  Models: { get(name: string): { prototype: { _props?: Record<string, unknown> } } | undefined };
}

const g = window as unknown as { Bokeh?: Record<string, unknown> };
// Each BokehJS registers itself under its version (and as window.Bokeh if there was none).
const found = g.Bokeh?.[version] as BokehJs | undefined;
if (!found) throw new Error(`BokehJS ${version} did not start`);
const real: BokehJs = found;

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

function outputBox(): HTMLElement | null {
  return document.currentScript?.closest<HTMLElement>('[data-script-index]') ?? null;
}

function targetIds(items: RenderItem[]): string[] {
  return items.flatMap((i) =>
    i.roots ? Object.values(i.roots) : i.elementid ? [i.elementid] : [],
  );
}

/** Marks the box with the outcome once the drawing is done (or failed). */
function track(box: HTMLElement | null, ids: string[], a: Adapted, p: Promise<unknown>): void {
  if (box) {
    box.dataset.bokehState = 'loading';
    box.dataset.bokehTargets = ids.join(' ');
    if (a.dropped.length > 0) box.dataset.bokehDropped = a.dropped.join(' ');
  }
  if (a.dropped.length > 0)
    console.info(`nbshield: Bokeh 1 properties BokehJS ${version} lacks, left out:`, a.dropped);
  p.then(
    () => {
      if (box) box.dataset.bokehState = 'drawn';
    },
    (err: unknown) => {
      console.warn('nbshield: a Bokeh plot failed', err);
      if (!box) return;
      box.dataset.bokehState = 'error';
      const note = document.createElement('div');
      note.className = 'nb-placeholder nb-bokeh-error';
      note.setAttribute('role', 'note');
      const why = err instanceof Error ? err.message : String(err);
      note.textContent = `This Bokeh plot could not be drawn with BokehJS ${version}: ${why}`;
      box.append(note);
    },
  );
}

/** Bokeh 3 changed the document format: such a plot (in a notebook that also loaded 2.x) is refused. */
function unreadable(docs: unknown): Error | null {
  const v = docsVersions(docs).find((x) => Number(/^\d+/.exec(x)?.[0] ?? 0) > 2);
  return v
    ? new Error(`this plot was written by Bokeh ${v}, whose documents BokehJS 2 does not read`)
    : null;
}

function embedItems(docs: unknown, items: RenderItem[], ...rest: unknown[]): Promise<unknown> {
  const box = outputBox();
  const a = adaptDocsJson(docs, describe);
  const list = (Array.isArray(items) ? adaptRenderItems(items, docs) : []) as RenderItem[];
  const newer = unreadable(docs);
  const p = newer
    ? Promise.reject(newer)
    : Promise.resolve().then(() => real.embed.embed_items(a.docsJson, list, ...rest));
  track(box, targetIds(list), a, p);
  return p;
}

const embed = Object.create(real.embed, {
  // Jupyter's form: synchronous, no result (the real one leaves the drawing's promise unwatched).
  embed_items_notebook: {
    value: (docs: unknown, items: RenderItem[]) => void embedItems(docs, items).catch(() => {}),
  },
  embed_items: { value: embedItems },
  embed_item: {
    value: (item: { doc?: unknown; target_id?: string }, target?: string) => {
      const box = outputBox();
      const a = adaptDocJson(item?.doc, describe);
      const id = target ?? item?.target_id;
      const newer = unreadable({ doc: item?.doc });
      const p = newer
        ? Promise.reject(newer)
        : Promise.resolve().then(() => real.embed.embed_item({ ...item, doc: a.docsJson }, target));
      track(box, id ? [id] : [], a, p);
      return p;
    },
  },
}) as Embed;

const bokeh = Object.create(real, { embed: { value: embed } }) as BokehJs;
g.Bokeh = bokeh as unknown as Record<string, unknown>;
shareModules({ bokeh });

// Bokeh has no mime type drawn from data alone (its outputs are scripts): nothing to draw here.
const draw: RichDraw = () =>
  Promise.reject(new Error('Bokeh outputs are drawn by their own script'));
const rich = window as Window & { __nbshieldRich?: Record<string, RichDraw> };
rich.__nbshieldRich = { ...rich.__nbshieldRich, bokeh: draw };
