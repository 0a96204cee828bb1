import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusDir } from '../../../test/fakegithub/server.mjs';
import {
  adaptDocJson,
  adaptDocsJson,
  adaptRenderItems,
  docMajor,
  type DescribeProperty,
} from './bokeh-docs';

// A stand-in for BokehJS 2.4's model registry: what it has of the models used here.
const PLAIN_COLOR = { valid: (v: unknown) => typeof v === 'string' || v === null };
const MODELS: Record<string, Record<string, { valid?: (v: unknown) => boolean }>> = {
  Plot: { below: {}, plot_width: {}, background_fill_color: PLAIN_COLOR },
  LinearAxis: { ticker: {} },
  BasicTicker: {},
  ColumnDataSource: { data: { valid: (v) => typeof v === 'object' && v !== null } },
  BoxAnnotation: { line_color: PLAIN_COLOR, fill_color: PLAIN_COLOR, fill_alpha: {} },
  Scatter: { x: {}, y: {}, size: {}, fill_color: {} },
};
const describe24: DescribeProperty = (type, attr) => {
  const m = MODELS[type];
  return m === undefined ? undefined : (m[attr] ?? null);
};

const doc14 = () => ({
  version: '1.4.0',
  title: 'Bokeh Application',
  roots: {
    root_ids: ['1'],
    references: [
      {
        id: '1',
        type: 'Plot',
        subtype: 'Figure',
        attributes: {
          below: [{ id: '2', type: 'LinearAxis' }],
          plot_width: 400,
          background_fill_color: { value: '#440154' },
        },
      },
      { id: '2', type: 'LinearAxis', attributes: { ticker: { id: '3', type: 'BasicTicker' } } },
      { id: '3', type: 'BasicTicker', attributes: {} },
      {
        id: '4',
        type: 'ColumnDataSource',
        attributes: {
          callback: null,
          // A column named "value" is data, not a {value} wrapper; a dict with id and type
          // beside other keys is not a reference.
          data: {
            value: [1, 2],
            x: { __ndarray__: 'AAAAAAAA8D8=', dtype: 'float64', shape: [1] },
            meta: [{ id: 'a', type: 'b', extra: 1 }],
          },
        },
      },
      {
        id: '5',
        type: 'BoxAnnotation',
        attributes: { line_color: { value: 'black' }, fill_alpha: { value: 0.5 } },
      },
      { id: '6', type: 'Square', attributes: { x: { field: 'x' }, size: { value: 15 } } },
    ],
  },
});

describe('Bokeh 1.x documents for BokehJS 2.4', () => {
  it('references, removed properties, plain properties, markers and byte order are adapted', () => {
    const original = doc14();
    const before = JSON.stringify(original);
    const a = adaptDocJson(original, describe24);
    // The notebook's parsed JSON is shared: never changed in place.
    expect(JSON.stringify(original)).toBe(before);
    expect(a.dropped).toEqual(['ColumnDataSource.callback']);
    const refs = (a.docsJson as ReturnType<typeof doc14>).roots.references;
    expect(refs[0]).toEqual({
      id: '1',
      type: 'Plot',
      subtype: 'Figure',
      attributes: { below: [{ id: '2' }], plot_width: 400, background_fill_color: '#440154' },
    });
    expect(refs[1]?.attributes).toEqual({ ticker: { id: '3' } });
    expect(refs[3]?.attributes).toEqual({
      data: {
        value: [1, 2],
        x: { __ndarray__: 'AAAAAAAA8D8=', dtype: 'float64', shape: [1], order: 'little' },
        meta: [{ id: 'a', type: 'b', extra: 1 }],
      },
    });
    // line_color is plain in 2.4 (unwrapped); fill_alpha is a spec (it takes {value}).
    expect(refs[4]?.attributes).toEqual({ line_color: 'black', fill_alpha: { value: 0.5 } });
    expect(refs[5]).toEqual({
      id: '6',
      type: 'Scatter',
      attributes: { marker: 'square', x: { field: 'x' }, size: { value: 15 } },
    });
  });

  it('an unknown model type is left whole, for BokehJS to name', () => {
    const d = doc14();
    d.roots.references.push({
      id: '9',
      type: 'NoSuchModel',
      attributes: { a: { id: '1', type: 'Plot' } },
    } as never);
    const a = adaptDocJson(d, describe24);
    const refs = (a.docsJson as ReturnType<typeof doc14>).roots.references;
    expect(refs.at(-1)).toEqual({ id: '9', type: 'NoSuchModel', attributes: { a: { id: '1' } } });
  });

  it('Bokeh 2 documents (and anything not a document) pass through untouched', () => {
    const d2 = { ...doc14(), version: '2.4.3' };
    const docs = { x: d2 };
    expect(adaptDocsJson(docs, describe24)).toEqual({ docsJson: docs, dropped: [] });
    expect(adaptDocsJson(docs, describe24).docsJson).toBe(docs);
    expect(adaptDocsJson('text', describe24).docsJson).toBe('text');
    expect(docMajor(d2)).toBe(2);
    expect(docMajor({ version: 'x' })).toBeNull();
  });

  it('render items get root_ids in the document order, so 2.4 finds their elements', () => {
    const docs = { d: { version: '1.4.0', roots: { root_ids: ['b', 'a'], references: [] } } };
    expect(adaptRenderItems([{ docid: 'd', roots: { a: 'el-a', b: 'el-b' } }], docs)).toEqual([
      { docid: 'd', roots: { a: 'el-a', b: 'el-b' }, root_ids: ['b', 'a'] },
    ]);
    const two = [{ docid: 'd', roots: { a: 'x' }, root_ids: ['a'] }];
    expect(adaptRenderItems(two, docs)).toEqual(two);
  });

  it('every plot of the corpus Bokeh 1.4 notebook: no 1.x reference survives', () => {
    const nb = JSON.parse(
      readFileSync(path.join(corpusDir, 'bokeh-notebooks__01_-_Basic_Plotting.ipynb'), 'utf8'),
    ) as { cells: Array<{ outputs?: Array<{ data?: Record<string, unknown> }> }> };
    let plots = 0;
    for (const c of nb.cells)
      for (const o of c.outputs ?? []) {
        const js = o.data?.['application/javascript'];
        const code = Array.isArray(js) ? js.join('') : String(js ?? '');
        const m = /var docs_json = (.*?);\n/.exec(code);
        if (!m) continue;
        plots += 1;
        const docs = JSON.parse(m[1]!) as unknown;
        // Every type known, every property known: only the reference form changes.
        const a = adaptDocsJson(docs, () => ({}));
        const text = JSON.stringify(a.docsJson);
        expect(text).not.toMatch(/\{"id":"[^"]+","type":/);
        expect(text.match(/"id":/g)?.length).toBe(JSON.stringify(docs).match(/"id":/g)?.length);
      }
    expect(plots).toBe(8);
  });
});
