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

const draw: RichDraw = async (target, output) => {
  const geo = /^application\/geo\+json$/i.test(output.mime);
  const checked = geo ? geoJsonSpec(output.value) : checkSpec(output.value);
  if (!checked.ok) throw new Error(checked.message);
  // JupyterLab reads embed options from the output metadata, under the MIME type.
  const meta = output.metadata[output.mime];
  const own = isObject(meta) && isObject(meta.embed_options) ? meta.embed_options : {};
  const result = await embed(
    target,
    structuredClone(checked.spec) as VisualizationSpec,
    localOptions({ ...own, mode: geo ? 'vega-lite' : vegaMode(output.mime) }),
  );
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
  const checked = checkSpec(spec);
  if (!checked.ok) {
    const target = typeof el === 'string' ? document.querySelector<HTMLElement>(el) : el;
    const note = document.createElement('div');
    note.className = 'nb-placeholder nb-chart-note';
    note.setAttribute('role', 'note');
    note.textContent = `This chart could not be drawn: ${checked.message}.`;
    target?.replaceChildren(note);
    return Promise.resolve(undefined);
  }
  return embed(el, checked.spec as VisualizationSpec, localOptions(opts));
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
