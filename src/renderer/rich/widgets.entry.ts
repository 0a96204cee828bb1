// rich-widgets.js: ipywidgets views drawn from the notebook's saved widget state, in TRUSTED
// notebooks only, inside the opaque-origin sandboxed renderer (src/renderer/rich.ts loads it).
//
// The manager is @jupyter-widgets/html-manager's HTMLManager (what nbconvert's embed uses), with
// its widget modules bundled: ipywidgets 8 (base 6, controls 5) and ipywidgets 7 (base 4,
// controls 3) as html-manager itself ships them, and its Output widget. Its `loader` for other
// (third-party) widget modules would fetch code from a CDN through requirejs; here there is no
// loader and loadClass refuses any module that is not bundled ("widget module X@Y is not
// bundled"), so nothing is ever fetched. The page CSP (connect-src 'none', script-src 'self')
// would block it anyway.
// jQuery UI (ipywidgets 7's slider) is AMD-or-global: jQuery on window first, then the slider's
// own dependencies in order, since the bundler does not read AMD `define` lists.
import './jquery-global';
import 'jquery-ui/ui/version';
import 'jquery-ui/ui/widget';
import 'jquery-ui/ui/keycode';
import 'jquery-ui/ui/widgets/mouse';
import { HTMLManager } from '@jupyter-widgets/html-manager/lib/htmlmanager';
import * as outputWidgets from '@jupyter-widgets/html-manager/lib/output';
import * as base8 from '@jupyter-widgets/base';
import * as base7 from '@jupyter-widgets/base7';
import * as controls8 from '@jupyter-widgets/controls';
import * as controls7 from '@jupyter-widgets/controls7';
import type { WidgetModel, WidgetView } from '@jupyter-widgets/base';
import type { IManagerState } from '@jupyter-widgets/base-manager';

import luminoCss from '@lumino/widgets/style/index.css?inline';
import faCss from '@fortawesome/fontawesome-free/css/fontawesome.min.css?inline';
import faShimsCss from '@fortawesome/fontawesome-free/css/v4-shims.min.css?inline';
import faSolid from '@fortawesome/fontawesome-free/webfonts/fa-solid-900.woff2?inline';
import faRegular from '@fortawesome/fontawesome-free/webfonts/fa-regular-400.woff2?inline';
import outputCss from '@jupyter-widgets/html-manager/css/output.css?inline';
import controls8Css from '@jupyter-widgets/controls/css/widgets-base.css?inline';
import controls8Vars from '@jupyter-widgets/controls/css/labvariables.css?inline';
import controls7Css from '@jupyter-widgets/controls7/css/widgets-base.css?inline';
import controls7Vars from '@jupyter-widgets/controls7/css/labvariables.css?inline';

import type { JsonValue } from '../../core/model';
import type { RichDraw, RichOutput } from '../rich';
import {
  NOT_SAVED,
  normalizeModuleVersion,
  normalizeWidgetState,
  unbundledReason,
  viewModelId,
  viewProblem,
  type NormalizedState,
} from './widget-state';

type WidgetClass = typeof WidgetModel | typeof WidgetView;
type WidgetModule = Record<string, unknown>;

/** Bundled module for a name and (normalized) version, by the same rule as html-manager's. */
function bundledModule(name: string, version: string): WidgetModule | null {
  if (unbundledReason(name, version) !== null) return null;
  const v7 = version.startsWith('1.');
  if (name === '@jupyter-widgets/base') return v7 ? base7 : base8;
  if (name === '@jupyter-widgets/controls') {
    addCss(v7 ? 'controls7' : 'controls8');
    return v7 ? controls7 : controls8;
  }
  if (name === '@jupyter-widgets/output') return outputWidgets;
  return null;
}

class BundledOnlyManager extends HTMLManager {
  protected override loadClass(
    className: string,
    moduleName: string,
    moduleVersion: string,
  ): Promise<WidgetClass> {
    const version = normalizeModuleVersion(moduleVersion);
    const mod = bundledModule(moduleName, version);
    if (mod === null)
      return Promise.reject(new Error(`widget module ${moduleName}@${version} is not bundled`));
    const cls = mod[className];
    if (typeof cls !== 'function')
      return Promise.reject(
        new Error(`widget class ${className} is not in ${moduleName}@${version}`),
      );
    return Promise.resolve(cls as WidgetClass);
  }
}

// --- CSS, bundled, added once per page and only what the notebook's widgets need ----------------

const FONTS = `
@font-face { font-family: 'Font Awesome 5 Free'; font-style: normal; font-weight: 900;
  font-display: block; src: url(${faSolid}) format('woff2'); }
@font-face { font-family: 'Font Awesome 5 Free'; font-style: normal; font-weight: 400;
  font-display: block; src: url(${faRegular}) format('woff2'); }
.fa, .fas { font-family: 'Font Awesome 5 Free'; font-weight: 900; }
.far { font-family: 'Font Awesome 5 Free'; font-weight: 400; }`;

// Widgets are styled with JupyterLab's variables, defined light at :root by labvariables.css. On
// the dark theme the box gets JupyterLab's dark values (theme-dark-extension) instead, set on the
// box itself: a variable defined at :root from other variables keeps their :root values, so the
// derived --jp-widgets-* ones are set again here too.
const DARK_ARROW = `url("data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 18 18"><path fill="#e0e0e0" d="M5.2,5.9L9,9.7l3.8-3.8l1.2,1.2l-4.9,5l-4.9-5L5.2,5.9z"/></svg>',
)}")`;
const OWN = `
.nb-rich-output[data-rich="widgets"] > .nb-rich-target { max-width: 100%; }
html[data-theme="dark"] .nb-rich-output[data-rich="widgets"] > .nb-rich-target {
  color-scheme: dark;
  --jp-border-color0: #616161; --jp-border-color1: #616161; --jp-border-color2: #424242;
  --jp-border-color3: #212121;
  --jp-ui-font-color0: rgba(255, 255, 255, 1); --jp-ui-font-color1: rgba(255, 255, 255, 0.87);
  --jp-ui-font-color2: rgba(255, 255, 255, 0.6); --jp-ui-font-color3: rgba(255, 255, 255, 0.38);
  --jp-ui-inverse-font-color0: rgba(0, 0, 0, 1); --jp-ui-inverse-font-color1: rgba(0, 0, 0, 0.8);
  --jp-inverse-ui-font-color0: rgba(0, 0, 0, 1); --jp-inverse-ui-font-color1: rgba(0, 0, 0, 0.8);
  --jp-content-font-color0: rgba(255, 255, 255, 1); --jp-content-font-color1: rgba(255, 255, 255, 1);
  --jp-content-font-color2: rgba(255, 255, 255, 0.7);
  --jp-layout-color0: #111111; --jp-layout-color1: #212121; --jp-layout-color2: #424242;
  --jp-layout-color3: #616161;
  --jp-brand-color0: #1976d2; --jp-brand-color1: #64b5f6; --jp-brand-color2: #90caf9;
  --jp-widgets-color: var(--jp-content-font-color1);
  --jp-widgets-label-color: var(--jp-widgets-color);
  --jp-widgets-readout-color: var(--jp-widgets-color);
  --jp-widgets-input-color: var(--jp-ui-font-color1);
  --jp-widgets-input-background-color: var(--jp-layout-color1);
  --jp-widgets-input-border-color: var(--jp-border-color1);
  --jp-widgets-input-focus-border-color: var(--jp-brand-color2);
  --jp-widgets-slider-handle-border-color: var(--jp-border-color1);
  --jp-widgets-slider-handle-background-color: var(--jp-layout-color1);
  --jp-widgets-slider-active-handle-color: var(--jp-brand-color1);
  --jp-widgets-dropdown-arrow: ${DARK_ARROW};
  color: var(--jp-ui-font-color1);
}`;

const CSS: Record<string, () => string> = {
  common: () => [luminoCss, faCss, faShimsCss, FONTS, outputCss, OWN].join('\n'),
  controls8: () => controls8Vars + '\n' + controls8Css,
  controls7: () => controls7Vars + '\n' + controls7Css,
};
const added = new Set<string>();

function addCss(which: keyof typeof CSS): void {
  if (added.has(which)) return;
  // ipywidgets 7 and 8 each define the lab variables; the first one in wins, as in html-manager.
  added.add(which);
  const style = document.createElement('style');
  style.dataset.nbshieldWidgets = which;
  style.textContent = CSS[which]?.() ?? '';
  document.head.append(style);
}

// --- one manager per notebook -------------------------------------------------------------------

interface NotebookWidgets {
  manager: BundledOnlyManager;
  norm: NormalizedState;
  /** Settles once set_state has run; holds its error, if any (some models may still be fine). */
  ready: Promise<string | null>;
}

const perNotebook = new WeakMap<object, NotebookWidgets>();

function widgetsFor(notebookMetadata: RichOutput['notebookMetadata']): NotebookWidgets {
  const known = perNotebook.get(notebookMetadata);
  if (known) return known;
  addCss('common');
  const norm = normalizeWidgetState(notebookMetadata);
  const manager = new BundledOnlyManager();
  // The declared type knows only base64 buffers; set_state decodes hex ones as well.
  const ready = manager.set_state(norm.state as unknown as IManagerState).then(
    () => null,
    (err: unknown) => (err instanceof Error ? err.message : String(err)),
  );
  const nw: NotebookWidgets = { manager, norm, ready };
  perNotebook.set(notebookMetadata, nw);
  return nw;
}

const draw: RichDraw = async (target, output) => {
  const nw = widgetsFor(output.notebookMetadata);
  const value: JsonValue = output.value;
  const problem = viewProblem(nw.norm, value);
  if (problem !== null) throw new Error(problem);
  const id = viewModelId(value) ?? '';
  const setStateError = await nw.ready;
  if (!nw.manager.has_model(id)) throw new Error(setStateError ?? NOT_SAVED);
  let model: WidgetModel;
  try {
    model = await nw.manager.get_model(id);
  } catch (err) {
    throw new Error(`its saved state could not be read (${errorText(err)})`, { cause: err });
  }
  const view = await nw.manager.create_view(model);
  await nw.manager.display_view(view, target);
};

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

type RichGlobal = Window & { __nbshieldRich?: Record<string, RichDraw> };
const g = window as RichGlobal;
g.__nbshieldRich = { ...(g.__nbshieldRich ?? {}), widgets: draw };
