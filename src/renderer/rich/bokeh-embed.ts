// The `window.Bokeh` that Bokeh outputs of trusted notebooks find (rich-bokeh.js for Bokeh 1-2,
// rich-bokeh3.js for Bokeh 3): a thin layer over the bundled BokehJS. Its embed functions adapt
// the documents where the bundled copy needs it (bokeh-docs.ts), refuse documents of a major it
// does not read, and report each plot's outcome on the output box whose script asked for it
// (`data-bokeh-state` drawn / error, with a visible note on error): the notebook's own
// embed_items_notebook leaves the drawing's errors unseen (2.4) or unhandled (3.x).
import { docsVersions, type Adapted } from './bokeh-docs';
import { shareModules } from './modules';
import { noteElement } from '../note';

export type RenderItem = { roots?: Record<string, string>; elementid?: string };
interface Embed {
  embed_items(docs: unknown, items: RenderItem[], ...rest: unknown[]): Promise<unknown>;
  embed_item(item: { doc?: unknown; target_id?: string }, target?: string): Promise<unknown>;
}
export interface BokehJs {
  version: string;
  embed: Embed;
  Models: { get(name: string): { prototype: { _props?: Record<string, unknown> } } | undefined };
}

export interface BokehOptions {
  /** The majors of documents this copy reads. */
  reads: number[];
  docs: (docsJson: unknown) => Adapted;
  doc: (doc: unknown) => Adapted;
  items: (items: RenderItem[], docsJson: unknown) => RenderItem[];
  /** The notebook's embed: 2.4's drops the promise, so it goes through embed_items. */
  notebook: (docsJson: unknown, items: RenderItem[]) => Promise<unknown>;
}

/** The BokehJS of this version that its prebuilt bundle registered (window.Bokeh[version]). */
export function registered(version: string): BokehJs {
  const g = window as unknown as { Bokeh?: Record<string, unknown> };
  const found = g.Bokeh?.[version] as BokehJs | undefined;
  if (!found) throw new Error(`BokehJS ${version} did not start`);
  return found;
}

function outputBox(): HTMLElement | null {
  return document.currentScript?.closest<HTMLElement>('[data-script-index]') ?? null;
}

/** The elements plots go into, marked (BokehJS 3 removes their ids once drawn). */
function targets(items: RenderItem[]): string[] {
  const ids = items.flatMap((i) =>
    i.roots ? Object.values(i.roots) : i.elementid ? [i.elementid] : [],
  );
  for (const id of ids) {
    const el = document.getElementById(id);
    if (el) el.dataset.bokehRoot = id;
  }
  return ids;
}

/** Installs the layer as window.Bokeh and shares it as `module` (cdn-loader.ts). */
export function installBokeh(real: BokehJs, module: string, o: BokehOptions): void {
  const version = real.version;

  const unreadable = (docs: unknown): Error | null => {
    const v = docsVersions(docs).find((x) => !o.reads.includes(Number(/^\d+/.exec(x)?.[0])));
    return v
      ? new Error(
          `this plot was written by Bokeh ${v}, whose documents BokehJS ${version} does not read`,
        )
      : null;
  };

  /** Marks the box with the outcome once the drawing is done (or failed). */
  const track = (box: HTMLElement | null, ids: string[], a: Adapted, p: Promise<unknown>) => {
    if (box) {
      box.dataset.bokehState = 'loading';
      box.dataset.bokehTargets = ids.join(' ');
      if (a.dropped.length > 0) box.dataset.bokehDropped = a.dropped.join(' ');
    }
    if (a.dropped.length > 0)
      console.info(`nbshield: properties BokehJS ${version} lacks, left out:`, a.dropped);
    p.then(
      () => {
        if (box) box.dataset.bokehState = 'drawn';
      },
      (err: unknown) => {
        console.warn('nbshield: a Bokeh plot failed', err);
        if (!box) return;
        box.dataset.bokehState = 'error';
        const why = err instanceof Error ? err.message : String(err);
        const note = noteElement(
          `This Bokeh plot could not be drawn with BokehJS ${version}: ${why}`,
          'nb-bokeh-error',
        );
        box.append(note);
      },
    );
  };

  const run = (
    docs: unknown,
    items: unknown,
    embed: (docs: unknown, items: RenderItem[]) => Promise<unknown>,
  ): Promise<unknown> => {
    const box = outputBox();
    const a = o.docs(docs);
    const list = Array.isArray(items) ? o.items(items as RenderItem[], docs) : [];
    const ids = targets(list);
    const refused = unreadable(docs);
    // Run after this script, as BokehJS's own embed does (it defers too).
    const p = refused
      ? Promise.reject(refused)
      : Promise.resolve().then(() => embed(a.docsJson, list));
    track(box, ids, a, p);
    return p;
  };

  const embed = Object.create(real.embed, {
    embed_items_notebook: {
      value: (docs: unknown, items: unknown) => {
        run(docs, items, o.notebook).catch(() => {});
      },
    },
    embed_items: {
      value: (docs: unknown, items: unknown, ...rest: unknown[]) =>
        run(docs, items, (d, i) => real.embed.embed_items(d, i, ...rest)),
    },
    embed_item: {
      value: (item: { doc?: unknown; target_id?: string }, target?: string) => {
        const box = outputBox();
        const a = o.doc(item?.doc);
        const id = target ?? item?.target_id;
        if (id) targets([{ elementid: id }]);
        const refused = unreadable({ doc: item?.doc });
        const p = refused
          ? Promise.reject(refused)
          : Promise.resolve().then(() =>
              real.embed.embed_item({ ...item, doc: a.docsJson }, target),
            );
        track(box, id ? [id] : [], a, p);
        return p;
      },
    },
  }) as Embed;

  const bokeh = Object.create(real, { embed: { value: embed } }) as BokehJs;
  (window as unknown as { Bokeh?: unknown }).Bokeh = bokeh;
  shareModules({ [module]: bokeh });
}
