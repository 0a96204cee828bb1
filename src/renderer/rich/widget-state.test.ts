import { describe, expect, it } from 'vitest';
import { readCorpus } from '../../../test/corpus';
import type { JsonObject, JsonValue } from '../../core/model';
import {
  NOT_SAVED,
  WIDGET_STATE_MIME,
  normalizeModuleVersion,
  normalizeWidgetState,
  referencedIds,
  unbundledReason,
  viewProblem,
  widgetsGeneration,
} from './widget-state';

const corpusMeta = (name: string): Record<string, JsonValue> =>
  (JSON.parse(readCorpus(name)) as { metadata: JsonObject }).metadata;

const layout = (): JsonObject => ({
  model_name: 'LayoutModel',
  model_module: '@jupyter-widgets/base',
  model_module_version: '1.2.0',
  state: {},
});
const slider = (extra: JsonObject = {}): JsonObject => ({
  model_name: 'IntSliderModel',
  model_module: '@jupyter-widgets/controls',
  model_module_version: '1.5.0',
  state: { value: 3, layout: 'IPY_MODEL_lay', ...extra },
});
const meta = (v: JsonValue) => ({ widgets: { [WIDGET_STATE_MIME]: v } });
const view = (id: string) => ({ model_id: id, version_major: 2, version_minor: 0 });

describe('normalizeWidgetState', () => {
  it('reads the standard layout', () => {
    const n = normalizeWidgetState(
      meta({ state: { lay: layout(), s: slider() }, version_major: 2, version_minor: 0 }),
    );
    expect(n.layout).toBe('standard');
    expect(Object.keys(n.state.state).sort()).toEqual(['lay', 's']);
    expect(n.state.version_major).toBe(2);
    expect(viewProblem(n, view('s'))).toBeNull();
  });

  it("reads Colab's flat layout (ids directly under the MIME key)", () => {
    const n = normalizeWidgetState(meta({ lay: layout(), s: slider() }));
    expect(n.layout).toBe('flat');
    expect(n.state).toEqual({
      version_major: 2,
      version_minor: 0,
      state: { lay: expect.any(Object), s: expect.any(Object) },
    });
    expect(viewProblem(n, view('s'))).toBeNull();
  });

  it('a view whose model is not saved gets the note, and so does a missing state', () => {
    const n = normalizeWidgetState(meta({ state: { lay: layout() } }));
    expect(viewProblem(n, view('gone'))).toBe(NOT_SAVED);
    const none = normalizeWidgetState({});
    expect(none.layout).toBe('none');
    expect(viewProblem(none, view('s'))).toBe(NOT_SAVED);
    expect(viewProblem(none, 'not an object')).toContain(NOT_SAVED);
    expect(viewProblem(none, { model_id: 7 })).toContain('names no model');
  });

  it('leaves out a model that refers to a missing one, and what refers to it, transitively', () => {
    const box: JsonObject = {
      model_name: 'VBoxModel',
      model_module: '@jupyter-widgets/controls',
      model_module_version: '1.5.0',
      state: { children: ['IPY_MODEL_s'], layout: 'IPY_MODEL_lay2' },
    };
    // `s` refers to layout `lay`, which is not saved; the box holds `s`.
    const n = normalizeWidgetState(meta({ state: { s: slider(), box, lay2: layout() } }));
    expect(Object.keys(n.state.state)).toEqual(['lay2']);
    expect(viewProblem(n, view('s'))).toBe(`${NOT_SAVED} (part of it, model lay, is missing)`);
    expect(viewProblem(n, view('box'))).toBe(`${NOT_SAVED} (part of it, model s, is missing)`);
  });

  it('refuses modules that are not bundled, with the module named', () => {
    const third: JsonObject = {
      model_name: 'FigureModel',
      model_module: 'bqplot',
      model_module_version: '^0.5.0',
      state: {},
    };
    const box: JsonObject = {
      model_name: 'HBoxModel',
      model_module: '@jupyter-widgets/controls',
      model_module_version: '2.0.0',
      state: { children: ['IPY_MODEL_fig'] },
    };
    const n = normalizeWidgetState(meta({ state: { fig: third, box } }));
    expect(viewProblem(n, view('fig'))).toBe('widget module bqplot@0.5.0 is not bundled');
    // A box of an unbundled widget says why, not just "missing".
    expect(viewProblem(n, view('box'))).toBe('widget module bqplot@0.5.0 is not bundled');
    expect(unbundledReason('@jupyter-widgets/controls', '3.0.0')).toContain('not bundled');
    expect(unbundledReason('@jupyter-widgets/controls', '2.0.0')).toBeNull();
    expect(unbundledReason('@jupyter-widgets/output', '1.0.0')).toBeNull();
  });

  it('malformed models are dropped, never thrown on (the hostile corpus notebook)', () => {
    const n = normalizeWidgetState(corpusMeta('nbconvert__notebook_inject.ipynb'));
    expect(n.layout).toBe('standard');
    expect(n.state.state).toEqual({});
    expect(viewProblem(n, view('wid1'))).toContain(NOT_SAVED);
    for (const bad of [null, 3, 'x', [], { state: [] }, { state: { a: null, b: { state: 1 } } }]) {
      const m = normalizeWidgetState(meta(bad as JsonValue));
      expect(Object.keys(m.state.state)).toEqual([]);
    }
    expect(normalizeWidgetState({ widgets: 'nope' }).layout).toBe('none');
    // version_major outside what set_state accepts is read as 2.
    expect(normalizeWidgetState(meta({ state: {}, version_major: 9 })).state.version_major).toBe(2);
  });

  it('normalizes range-like module versions and keeps valid buffers only', () => {
    expect(normalizeModuleVersion('~1.1.0')).toBe('1.1.0');
    expect(normalizeModuleVersion('^2.0.0')).toBe('2.0.0');
    const img: JsonObject = {
      model_name: 'ImageModel',
      model_module: '@jupyter-widgets/controls',
      model_module_version: '~1.5.0',
      state: {},
      buffers: [
        { path: ['value'], encoding: 'base64', data: 'AAEC' },
        { path: ['x'], encoding: 'rot13', data: 'AAEC' },
        { path: 'value', encoding: 'hex', data: '00' },
      ],
    };
    const n = normalizeWidgetState(meta({ state: { img } }));
    const m = n.state.state.img;
    expect(m?.model_module_version).toBe('1.5.0');
    expect(m?.buffers).toEqual([{ path: ['value'], encoding: 'base64', data: 'AAEC' }]);
    expect(m && widgetsGeneration(m)).toBe(7);
  });

  it('finds references however deep', () => {
    expect([
      ...referencedIds({ a: ['IPY_MODEL_x', { b: 'IPY_MODEL_y' }], c: 'IPY_MODELz' }),
    ]).toEqual(['x', 'y']);
  });

  it('corpus: every view of the three widget notebooks has its model', () => {
    for (const [name, lay, views] of [
      ['nbconvert__Widget_List.ipynb', 'standard', 41],
      ['hf-notebooks__Fine_tune_BLIP2_on_an_image_captioning_dataset_PEFT.ipynb', 'flat', 45],
      ['hf-notebooks__nucleotide_transformer_dna_sequence_modelling_with_peft.ipynb', 'flat', 17],
    ] as const) {
      const text = readCorpus(name);
      const nb = JSON.parse(text) as {
        metadata: JsonObject;
        cells: Array<{ outputs?: Array<{ data?: Record<string, JsonValue> }> }>;
      };
      const n = normalizeWidgetState(nb.metadata);
      expect(n.layout).toBe(lay);
      expect(n.dropped.size).toBe(0);
      const ids = nb.cells.flatMap((c) =>
        (c.outputs ?? []).flatMap((o) => {
          const v = o.data?.['application/vnd.jupyter.widget-view+json'];
          return v === undefined ? [] : [v];
        }),
      );
      expect(ids).toHaveLength(views);
      expect(ids.map((v) => viewProblem(n, v)).filter((p) => p !== null)).toEqual([]);
    }
    // quantecon__samuelson: a view, no saved state at all.
    const q = normalizeWidgetState(corpusMeta('quantecon__samuelson.ipynb'));
    expect(q.layout).toBe('none');
    expect(viewProblem(q, view('0b24e927953b4e2eb9420e3e5ca69d12'))).toBe(NOT_SAVED);
  });
});
