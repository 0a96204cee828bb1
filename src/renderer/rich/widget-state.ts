// Saved ipywidgets state, made ready for @jupyter-widgets/html-manager's `set_state`. Pure and
// DOM-free (unit-tested in Node): the widget entry (widgets.entry.ts) does the drawing.
//
// What it deals with, all seen in real notebooks:
// - the standard layout `{state: {id: model}, version_major: 2, version_minor: 0}` and Colab's
//   flat one (model ids directly under the MIME key), which breaks nbconvert and GitHub;
// - models that are not there at all (outputs saved after the kernel died), malformed ones, ones
//   that refer to (IPY_MODEL_…) a model that is missing, and ones from a widget module that is not
//   bundled: each is left out of the state and its views get a reason a reader can understand,
//   instead of one bad model failing the whole `set_state` (or waiting 2 s per missing reference).

import type { JsonObject, JsonValue } from '../../core/model';

export const WIDGET_STATE_MIME = 'application/vnd.jupyter.widget-state+json';

/** The note for a view whose model the notebook does not carry. */
export const NOT_SAVED = 'widget state not saved in the notebook';

export interface SavedBuffer {
  path: Array<string | number>;
  encoding: 'base64' | 'hex';
  data: string;
}

export interface SavedModel {
  model_name: string;
  model_module: string;
  model_module_version: string;
  state: JsonObject;
  buffers?: SavedBuffer[];
}

/** The shape `ManagerBase.set_state` takes. */
export interface WidgetState {
  version_major: number;
  version_minor: number;
  state: Record<string, SavedModel>;
}

export interface NormalizedState {
  state: WidgetState;
  layout: 'standard' | 'flat' | 'none';
  /** Model id -> why it was left out (shown on each view of it). */
  dropped: Map<string, string>;
}

/**
 * Widget modules the bundle carries, by module name: the major versions of model_module_version
 * it can draw. html-manager maps base/controls 1.x to its ipywidgets 7 copies (base 4, controls 3)
 * and 2.x to the ipywidgets 8 ones (base 6, controls 5); output is 1.x in both.
 */
const BUNDLED: Record<string, readonly number[]> = {
  '@jupyter-widgets/base': [1, 2],
  '@jupyter-widgets/controls': [1, 2],
  '@jupyter-widgets/output': [1],
};

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * "~1.1.0", "^1.5.0", "=2.0.0", "v1.0.0" (older ipywidgets wrote ranges) -> "1.1.0" etc.;
 * html-manager turns the version into a caret range itself, and "^~1.1.0" matches nothing.
 */
export function normalizeModuleVersion(v: string): string {
  return v.trim().replace(/^[~^=v]+/, '');
}

/** Null when the module/version is bundled, else the reason for the views. */
export function unbundledReason(module: string, version: string): string | null {
  const majors = BUNDLED[module];
  const major = Number(/^(\d+)/.exec(version)?.[1] ?? NaN);
  if (majors && majors.includes(major)) return null;
  return `widget module ${module}@${version} is not bundled`;
}

function parseBuffers(v: JsonValue | undefined): SavedBuffer[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: SavedBuffer[] = [];
  for (const b of v) {
    if (!isObject(b)) continue;
    const { path, encoding, data } = b;
    if (
      Array.isArray(path) &&
      path.every((p) => typeof p === 'string' || typeof p === 'number') &&
      (encoding === 'base64' || encoding === 'hex') &&
      typeof data === 'string'
    )
      out.push({ path: path as Array<string | number>, encoding, data });
  }
  return out;
}

/** A saved model, or the reason it cannot be used. */
function parseModel(v: JsonValue | undefined): SavedModel | string {
  if (!isObject(v)) return NOT_SAVED;
  const { model_name: name, model_module: module, model_module_version: version, state } = v;
  if (typeof name !== 'string' || typeof module !== 'string' || !isObject(state))
    return `${NOT_SAVED} (its saved model is incomplete)`;
  const ver = normalizeModuleVersion(typeof version === 'string' ? version : '');
  const why = unbundledReason(module, ver);
  if (why) return why;
  const m: SavedModel = {
    model_name: name,
    model_module: module,
    model_module_version: ver,
    state,
  };
  const buffers = parseBuffers(v.buffers);
  if (buffers && buffers.length > 0) m.buffers = buffers;
  return m;
}

const REF = /^IPY_MODEL_(.+)$/;

/** Model ids a state refers to (children, layout, style, links), however deep. */
export function referencedIds(v: JsonValue, into: Set<string> = new Set()): Set<string> {
  if (typeof v === 'string') {
    const m = REF.exec(v);
    if (m?.[1]) into.add(m[1]);
  } else if (Array.isArray(v)) {
    for (const x of v) referencedIds(x, into);
  } else if (isObject(v)) {
    for (const x of Object.values(v)) referencedIds(x, into);
  }
  return into;
}

/**
 * The notebook's saved widget state, in the standard layout, with every model that cannot be
 * drawn left out (and why). Never throws: a notebook without state gives an empty one.
 */
export function normalizeWidgetState(
  notebookMetadata: Record<string, JsonValue | undefined>,
): NormalizedState {
  const dropped = new Map<string, string>();
  const widgets = notebookMetadata.widgets;
  const raw = isObject(widgets) ? widgets[WIDGET_STATE_MIME] : undefined;
  const empty = (layout: NormalizedState['layout']): NormalizedState => ({
    state: { version_major: 2, version_minor: 0, state: {} },
    layout,
    dropped,
  });
  if (!isObject(raw)) return empty('none');

  let layout: NormalizedState['layout'];
  let entries: Array<[string, JsonValue]>;
  if (isObject(raw.state)) {
    layout = 'standard';
    entries = Object.entries(raw.state);
  } else {
    // Colab: ids directly under the MIME key, next to (sometimes) the version numbers.
    layout = 'flat';
    entries = Object.entries(raw).filter(
      ([k, v]) => k !== 'version_major' && k !== 'version_minor' && isObject(v),
    );
  }
  const major = typeof raw.version_major === 'number' ? raw.version_major : 2;
  const minor = typeof raw.version_minor === 'number' ? raw.version_minor : 0;

  const models = new Map<string, SavedModel>();
  for (const [id, v] of entries) {
    const m = parseModel(v);
    if (typeof m === 'string') dropped.set(id, m);
    else models.set(id, m);
  }

  // A model that refers to a missing one cannot be built (html-manager would wait 2 s and fail
  // the whole set_state); leave it out, and whatever refers to it, until nothing changes.
  const refs = new Map<string, Set<string>>();
  for (const [id, m] of models) refs.set(id, referencedIds(m.state));
  let changed = true;
  while (changed) {
    changed = false;
    for (const [id, r] of refs) {
      const gone = [...r].find((x) => !models.has(x));
      if (gone === undefined) continue;
      const inner = dropped.get(gone);
      dropped.set(
        id,
        inner && inner !== NOT_SAVED && !inner.startsWith(NOT_SAVED)
          ? inner
          : `${NOT_SAVED} (part of it, model ${gone}, is missing)`,
      );
      models.delete(id);
      refs.delete(id);
      changed = true;
    }
  }

  return {
    state: {
      // ManagerBase.set_state accepts only 1 and 2; state from either is read the same way.
      version_major: major >= 1 && major <= 2 ? major : 2,
      version_minor: minor,
      state: Object.fromEntries(models),
    },
    layout,
    dropped,
  };
}

/** The model id a widget-view output names, or null. */
export function viewModelId(value: JsonValue): string | null {
  if (!isObject(value)) return null;
  const id = value.model_id;
  return typeof id === 'string' && id !== '' ? id : null;
}

/** Null when the view can be drawn from `norm`, else the note to show instead. */
export function viewProblem(norm: NormalizedState, value: JsonValue): string | null {
  const id = viewModelId(value);
  if (id === null) return `${NOT_SAVED} (the output names no model)`;
  if (Object.prototype.hasOwnProperty.call(norm.state.state, id)) return null;
  return norm.dropped.get(id) ?? NOT_SAVED;
}

/** Which ipywidgets generation the bundle uses for a model: 7 (controls 1.x) or 8 (2.x). */
export function widgetsGeneration(m: SavedModel): 7 | 8 {
  return m.model_module_version.startsWith('1.') && m.model_module !== '@jupyter-widgets/output'
    ? 7
    : 8;
}
