import { describe, expect, it } from 'vitest';
import type { JsonValue } from './model';
import { NOTICE_MIME, normalizeNotebook, notebookLanguage } from './notebook';

function ok(v: JsonValue) {
  const r = normalizeNotebook(v);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
function err(v: JsonValue) {
  const r = normalizeNotebook(v);
  if (r.ok) throw new Error('expected an error');
  return r.error;
}
const v4 = (cells: JsonValue[], extra: Record<string, JsonValue> = {}): JsonValue => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells,
  ...extra,
});

describe('nbformat 4', () => {
  it('joins multi-line sources and output texts given as lists', () => {
    const nb = ok(
      v4([
        {
          cell_type: 'code',
          id: 'a1',
          source: ['x = 1\n', 'print(x)'],
          metadata: {},
          execution_count: 3,
          outputs: [
            { output_type: 'stream', name: 'stdout', text: ['1\n', '2\n'] },
            {
              output_type: 'execute_result',
              execution_count: 3,
              data: { 'text/plain': ['a\n', 'b'], 'application/json': { k: [1, 2] } },
              metadata: {},
            },
          ],
        },
        { cell_type: 'markdown', source: '# T', metadata: {} },
      ]),
    );
    const c = nb.cells[0];
    expect(c?.cell_type).toBe('code');
    if (c?.cell_type !== 'code') return;
    expect(c.source).toBe('x = 1\nprint(x)');
    expect(c.id).toBe('a1');
    expect(c.execution_count).toBe(3);
    expect(c.outputs[0]).toEqual({ output_type: 'stream', name: 'stdout', text: '1\n2\n' });
    const res = c.outputs[1];
    expect(res?.output_type === 'execute_result' && res.data['text/plain']).toBe('a\nb');
    // JSON MIME types keep their structure.
    expect(res?.output_type === 'execute_result' && res.data['application/json']).toEqual({
      k: [1, 2],
    });
    expect(nb.cells[1]?.index).toBe(1);
  });

  it('is lenient where real notebooks are sloppy', () => {
    const nb = ok({
      nbformat: 4,
      nbformat_minor: 0,
      cells: [
        { cell_type: 'code', source: 'x', outputs: [{ output_type: 'weird_thing', foo: 1 }] },
        { cell_type: 'markdown', source: 'y', metadata: { jupyter: 'nonsense', tags: [1, 'a'] } },
      ],
      metadata: {
        widgets: { 'application/vnd.jupyter.widget-state+json': 'broken' },
        kernelspec: 5,
      },
    });
    const c = nb.cells[0];
    if (c?.cell_type !== 'code') throw new Error('code cell expected');
    expect(c.execution_count).toBeNull();
    expect(c.metadata).toEqual({});
    const o = c.outputs[0];
    expect(o?.output_type).toBe('display_data');
    expect(o?.output_type === 'display_data' && String(o.data[NOTICE_MIME])).toMatch(/weird_thing/);
    expect(nb.cells[1]?.metadata).toEqual({ tags: ['a'] });
    expect(nb.metadata.kernelspec).toBeUndefined();
    expect(nb.metadata.widgets).toBeDefined();
  });

  it('keeps attachments and hidden flags', () => {
    const nb = ok(
      v4([
        {
          cell_type: 'markdown',
          source: '![x](attachment:a.png)',
          metadata: { jupyter: { source_hidden: true } },
          attachments: { 'a.png': { 'image/png': 'iVBORw0KGgo=' } },
        },
      ]),
    );
    const c = nb.cells[0];
    expect(c?.cell_type === 'markdown' && c.attachments?.['a.png']?.['image/png']).toBe(
      'iVBORw0KGgo=',
    );
    expect(c?.metadata.jupyter?.source_hidden).toBe(true);
  });
});

describe('errors say what and where', () => {
  it('not a notebook', () => {
    expect(err([1, 2]).code).toBe('not-a-notebook');
    expect(err('x').code).toBe('not-a-notebook');
    expect(err({ a: 1 }).code).toBe('not-a-notebook');
    expect(err({ nbformat: 4, nbformat_minor: 2, metadata: {} })).toMatchObject({
      code: 'not-a-notebook',
      path: 'cells',
    });
  });

  it('unsupported versions', () => {
    for (const v of [1, 2, 5, 6]) {
      const e = err({ nbformat: v, nbformat_minor: 0, cells: [] });
      expect(e.code).toBe('unsupported-version');
      expect(e.message).toContain(`${v}.0`);
    }
    expect(err({ nbformat: '4', cells: [] }).code).toBe('wrong-type');
  });

  it('wrong types carry their path', () => {
    const bad = v4([
      { cell_type: 'markdown', source: '', metadata: {} },
      {
        cell_type: 'code',
        source: '',
        metadata: {},
        outputs: [{ output_type: 'stream', text: '' }, { output_type: 7 }],
      },
    ]);
    const e = err(bad);
    expect(e.code).toBe('wrong-type');
    expect(e.path).toBe('cells[1].outputs[1].output_type');
    expect(e.message).toMatch(
      /cells\[1\]\.outputs\[1\]\.output_type must be one of stream, display_data/,
    );
    expect(err(v4([{ cell_type: 'code', source: [1], outputs: [] }])).path).toBe(
      'cells[0].source[0]',
    );
    expect(err(v4([{ cell_type: 'bogus', source: '' }])).path).toBe('cells[0].cell_type');
    expect(err(v4([{ cell_type: 'code', source: '', outputs: {} }])).path).toBe('cells[0].outputs');
    expect(
      err(v4([{ cell_type: 'code', source: '', execution_count: 'x', outputs: [] }])).path,
    ).toBe('cells[0].execution_count');
    expect(
      err(
        v4([
          {
            cell_type: 'code',
            source: '',
            outputs: [{ output_type: 'display_data', data: { 'text/plain': 5 } }],
          },
        ]),
      ).path,
    ).toBe('cells[0].outputs[0].data["text/plain"]');
    expect(err(v4([], { cells: 'x' })).path).toBe('cells');
  });
});

describe('nbformat 3', () => {
  const v3: JsonValue = {
    nbformat: 3,
    nbformat_minor: 0,
    metadata: { name: 'old' },
    worksheets: [
      {
        cells: [
          { cell_type: 'heading', level: 2, source: ['Title'], metadata: {} },
          {
            cell_type: 'code',
            language: 'python',
            input: ['a = 1\n', 'a'],
            prompt_number: 4,
            collapsed: true,
            metadata: {},
            outputs: [
              {
                output_type: 'pyout',
                prompt_number: 4,
                text: ['1'],
                png: 'iVBORw0KGgo=',
                html: ['<b>', '1</b>'],
                metadata: {},
              },
              { output_type: 'stream', stream: 'stderr', text: 'warn' },
              { output_type: 'pyerr', ename: 'E', evalue: 'v', traceback: ['tb'] },
              {
                output_type: 'display_data',
                svg: '<svg/>',
                latex: '$x$',
                javascript: 'x()',
                json: '{"a": 1}',
              },
            ],
          },
          { cell_type: 'raw', source: 'raw' },
        ],
      },
      { cells: [{ cell_type: 'markdown', source: 'second sheet' }] },
    ],
  };

  it('converts worksheets, headings, pyout/pyerr, short MIME keys, prompt_number', () => {
    const nb = ok(v3);
    expect(nb.nbformat).toBe(3);
    expect(nb.cells.map((c) => c.cell_type)).toEqual(['markdown', 'code', 'raw', 'markdown']);
    expect(nb.cells.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    expect(nb.cells[0]?.source).toBe('## Title');
    const c = nb.cells[1];
    if (c?.cell_type !== 'code') throw new Error('code expected');
    expect(c.source).toBe('a = 1\na');
    expect(c.execution_count).toBe(4);
    expect(c.metadata.collapsed).toBe(true);
    expect(c.outputs[0]).toEqual({
      output_type: 'execute_result',
      execution_count: 4,
      data: { 'text/plain': '1', 'image/png': 'iVBORw0KGgo=', 'text/html': '<b>1</b>' },
      metadata: {},
    });
    expect(c.outputs[1]).toEqual({ output_type: 'stream', name: 'stderr', text: 'warn' });
    expect(c.outputs[2]).toEqual({
      output_type: 'error',
      ename: 'E',
      evalue: 'v',
      traceback: ['tb'],
    });
    expect(c.outputs[3]).toMatchObject({
      output_type: 'display_data',
      data: {
        'image/svg+xml': '<svg/>',
        'text/latex': '$x$',
        'application/javascript': 'x()',
        'application/json': { a: 1 },
      },
    });
    expect(notebookLanguage(nb)).toBe('python');
  });

  it('reports v3 paths', () => {
    const bad = {
      nbformat: 3,
      nbformat_minor: 0,
      worksheets: [{ cells: [{ cell_type: 'code', input: '', outputs: [{ output_type: null }] }] }],
    };
    expect(err(bad).path).toBe('worksheets[0].cells[0].outputs[0].output_type');
  });
});

describe('language', () => {
  it('comes from language_info, then kernelspec', () => {
    expect(notebookLanguage(ok(v4([], { metadata: { language_info: { name: 'R' } } })))).toBe('r');
    expect(notebookLanguage(ok(v4([], { metadata: { kernelspec: { language: 'julia' } } })))).toBe(
      'julia',
    );
    expect(notebookLanguage(ok(v4([])))).toBe('python');
  });
});

describe('long multi-line outputs, joined when first read', () => {
  const lines = Array.from({ length: 2000 }, (_, i) => `<tr><td>row ${i}</td></tr>\n`);
  const joined = lines.join('');
  const nb = (): JsonValue => ({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      {
        cell_type: 'code',
        execution_count: 1,
        metadata: {},
        source: 'x',
        outputs: [
          { output_type: 'stream', name: 'stdout', text: lines },
          {
            output_type: 'display_data',
            metadata: {},
            data: { 'text/html': lines, 'text/plain': ['short\n', 'text'] },
          },
        ],
      },
    ],
  });
  const outputs = () => {
    const r = normalizeNotebook(nb());
    if (!r.ok) throw new Error(r.error.message);
    const cell = r.value.cells[0];
    if (cell?.cell_type !== 'code') throw new Error('no code cell');
    const [stream, display] = cell.outputs;
    if (stream?.output_type !== 'stream' || display?.output_type !== 'display_data')
      throw new Error('unexpected outputs');
    return { stream, data: display.data };
  };

  it('are not joined until read, then are plain strings', () => {
    const { stream, data } = outputs();
    // Not joined yet: an accessor (the laziness this is for), short ones joined at once.
    expect(typeof Object.getOwnPropertyDescriptor(data, 'text/html')?.get).toBe('function');
    expect(typeof Object.getOwnPropertyDescriptor(stream, 'text')?.get).toBe('function');
    expect(Object.getOwnPropertyDescriptor(data, 'text/plain')?.value).toBe('short\ntext');
    expect(data['text/html']).toBe(joined);
    expect(Object.getOwnPropertyDescriptor(data, 'text/html')).toEqual({
      value: joined,
      writable: true,
      enumerable: true,
      configurable: true,
    });
    expect(stream.text).toBe(joined);
  });

  it('behave as plain properties for every reader and writer', () => {
    const { stream, data } = outputs();
    expect(Object.keys(data)).toEqual(['text/html', 'text/plain']);
    expect(Object.keys(stream)).toEqual(['output_type', 'name', 'text']);
    expect(JSON.parse(JSON.stringify(data))).toEqual({
      'text/html': joined,
      'text/plain': 'short\ntext',
    });
    expect(structuredClone(stream)).toEqual({
      output_type: 'stream',
      name: 'stdout',
      text: joined,
    });
    expect({ ...outputs().data }['text/html']).toBe(joined);
    const d2 = outputs().data;
    d2['text/html'] = 'replaced';
    expect(d2['text/html']).toBe('replaced');
    const d3 = outputs().data;
    delete d3['text/html'];
    expect('text/html' in d3).toBe(false);
  });

  it('still report a non-string line where it is', () => {
    const bad = nb() as { cells: { outputs: { data?: Record<string, unknown> }[] }[] };
    const html = [...lines];
    (html as unknown[])[1500] = 7;
    bad.cells[0]!.outputs[1]!.data!['text/html'] = html;
    const r = normalizeNotebook(bad as unknown as JsonValue);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('[1500]');
  });
});
