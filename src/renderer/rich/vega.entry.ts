// rich-vega.js: draws `application/vnd.vega.v*+json` and `application/vnd.vegalite.v*+json` with
// the bundled vega, vega-lite and vega-embed, in the trusted sandbox only (src/renderer/rich.ts).
// No actions menu (its "Open in Vega Editor" would send the spec to a web site), and a loader
// that never reaches the network.
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import embed, {
  version as embedVersion,
  type EmbedOptions,
  type VisualizationSpec,
} from 'vega-embed';
import type { RichDraw } from '../rich';
import { shareModules } from './modules';
import { checkSpec, geoJsonSpec, vegaMode } from './vega-spec';
import { noteElement } from '../note';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A loader that fails at once with a message a reader understands (CSP would block it anyway). */
function offlineLoader(): ReturnType<typeof vega.loader> {
  const l = vega.loader();
  l.load = (uri: string) =>
    Promise.reject(new Error(`${uri} is on the web, and nbshield does not fetch data from it`));
  return l;
}

function theme(): 'dark' | undefined {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : undefined;
}

/** Options nbshield always applies, over the output's own embed options. */
function localOptions(opts: unknown): EmbedOptions {
  const own = isObject(opts) ? (opts as EmbedOptions) : {};
  const t = own.theme ?? theme();
  return {
    ...own,
    actions: false,
    loader: offlineLoader(),
    ...(t ? { theme: t } : {}),
  };
}

/**
 * Charts drawn with nbshield's theme (no theme of their own): drawn again when the reader switches
 * between light and dark, as Vega bakes its colours into the SVG or canvas. `data-vega-theme` on
 * the element says which theme it was drawn with.
 */
const following = new Map<
  HTMLElement,
  { spec: VisualizationSpec; opts: EmbedOptions; view: { finalize(): void } }
>();

async function embedHere(
  el: HTMLElement,
  spec: VisualizationSpec,
  opts: EmbedOptions,
): Promise<Awaited<ReturnType<typeof embed>>> {
  const result = await embed(el, spec, localOptions(opts));
  el.dataset.vegaTheme = opts.theme ?? theme() ?? 'light';
  if (opts.theme === undefined) following.set(el, { spec, opts, view: result.view });
  return result;
}

new MutationObserver(() => {
  const now = theme() ?? 'light';
  for (const [el, chart] of following) {
    if (!el.isConnected) {
      chart.view.finalize();
      following.delete(el);
    } else if (el.dataset.vegaTheme !== now) {
      chart.view.finalize();
      // It drew once with these options; a failure now keeps the error in the console only.
      void embedHere(el, chart.spec, chart.opts).catch(() => undefined);
    }
  }
}).observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });

const draw: RichDraw = async (target, output) => {
  const geo = /^application\/geo\+json$/i.test(output.mime);
  const checked = geo ? geoJsonSpec(output.value) : checkSpec(output.value);
  if (!checked.ok) throw new Error(checked.message);
  // JupyterLab reads embed options from the output metadata, under the MIME type.
  const meta = output.metadata[output.mime];
  const own = isObject(meta) && isObject(meta.embed_options) ? meta.embed_options : {};
  const result = await embedHere(target, structuredClone(checked.spec) as VisualizationSpec, {
    ...(own as EmbedOptions),
    mode: geo ? 'vega-lite' : vegaMode(output.mime),
  });
  // A spec that compiles but whose view fails to run has logged the error; surface it.
  await result.view.runAsync();
};

// Outputs whose own HTML calls vegaEmbed (Altair) get the same library and the same options. A
// chart that cannot draw here says why in its own element, and resolves: Altair's error path would
// replace that with "this usually means there's a typo in your chart specification".
function embedForOutputs(
  el: HTMLElement | string,
  spec: VisualizationSpec | string,
  opts?: EmbedOptions,
) {
  const target = typeof el === 'string' ? document.querySelector<HTMLElement>(el) : el;
  const checked = checkSpec(spec);
  if (!checked.ok) {
    const note = noteElement(`This chart could not be drawn: ${checked.message}.`, 'nb-chart-note');
    target?.replaceChildren(note);
    return Promise.resolve(undefined);
  }
  const own = isObject(opts) ? (opts as EmbedOptions) : {};
  if (!target) return embed(el, checked.spec as VisualizationSpec, localOptions(own));
  return embedHere(target, checked.spec as VisualizationSpec, own);
}
Object.assign(embedForOutputs, embed, {
  vega,
  vegaLite,
  version: embedVersion,
  default: embedForOutputs,
});

shareModules({
  vega,
  'vega-lib': vega,
  'vega-lite': vegaLite,
  'vega-embed': embedForOutputs,
});
const g = window as Window & { __nbshieldRich?: Record<string, RichDraw> };
g.__nbshieldRich = { ...g.__nbshieldRich, vega: draw };
