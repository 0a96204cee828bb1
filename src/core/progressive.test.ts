import { describe, expect, it } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- test-only: where the shared corpus is
import { corpusFiles, readCorpus } from '../../test/corpus';
import type { JsonLimits } from './json';
import type { Notebook, Result } from './model';
import { parseNotebook } from './parse';
import { cellSeparator, cutPieces, Pieces } from './pieces';
import { findCellsSpan, parseNotebookProgressive, type NotebookStream } from './progressive';

const corpus = corpusFiles().map((f) => ({ name: f, text: readCorpus(f) }));

/** Runs a stream to its end, pausing every `every` calls, and records what a renderer sees. */
function drain(
  text: string | Pieces,
  limits?: JsonLimits,
  every = 3,
): { s: NotebookStream; result: Result<Notebook>; cellsBeforeEnd: number; steps: number } {
  let n = 0;
  const s = parseNotebookProgressive(text, () => ++n % every === 0, limits);
  let cellsBeforeEnd = 0;
  let steps = 0;
  for (;;) {
    steps++;
    const r = s.step();
    if (r !== null) return { s, result: r, cellsBeforeEnd, steps };
    cellsBeforeEnd = Math.max(cellsBeforeEnd, s.notebook?.cells.length ?? 0);
    if (steps > 1e7) throw new Error('no end');
  }
}

function same(text: string, limits?: JsonLimits): NotebookStream {
  const { s, result } = drain(text, limits);
  expect(result).toEqual(parseNotebook(text, limits));
  return s;
}

/** The same text in pieces of `size` gives the same result, by the same path. */
function samePieces(text: string, size: number, limits?: JsonLimits): NotebookStream {
  const whole = drain(text, limits);
  const { s, result } = drain(new Pieces(cutPieces(text, size)), limits);
  expect(result).toEqual(whole.result);
  expect(s.path).toBe(whole.s.path);
  expect(s.restarts).toBe(whole.s.restarts);
  return s;
}

describe('parseNotebookProgressive', () => {
  it('gives parseNotebook’s result on every corpus notebook, most of them progressively', () => {
    let progressive = 0;
    let early = 0;
    for (const { name, text } of corpus) {
      const { s, result, cellsBeforeEnd } = drain(text, undefined, 2);
      expect(result, name).toEqual(parseNotebook(text));
      expect(s.restarts, name).toBe(0);
      if (s.path === 'progressive') progressive++;
      else console.log(`whole parse: ${name}`);
      if (cellsBeforeEnd > 0) early++;
    }
    // nbformat 3 files and other layouts take the whole parse; the rest must not.
    console.log(`corpus: ${progressive}/${corpus.length} progressive, ${early} with early cells`);
    expect(corpus.length).toBe(49);
    expect(progressive).toBeGreaterThanOrEqual(45);
    // Pauses come every 256 values: small notebooks are read in one step.
    expect(early).toBeGreaterThanOrEqual(20);
  });

  it('hands out cells before the parse ends, in the array that becomes the result', () => {
    const cells = Array.from({ length: 500 }, (_, i) => ({
      cell_type: 'code',
      execution_count: i,
      id: `c${i}`,
      metadata: {},
      outputs: [{ output_type: 'stream', name: 'stdout', text: ['a\n', 'b "]}\\\n'] }],
      source: [`x = ${i}\n`, '"[{"'],
    }));
    const text = JSON.stringify(
      {
        cells,
        metadata: { kernelspec: { name: 'julia', language: 'julia' } },
        nbformat: 4,
        nbformat_minor: 5,
      },
      null,
      1,
    );
    let n = 0;
    const s = parseNotebookProgressive(text, () => ++n % 2 === 0);
    let first: Notebook | null = null;
    let seenPartial = false;
    while (s.step() === null) {
      if (s.notebook !== null) {
        first ??= s.notebook;
        expect(s.notebook).toBe(first);
        expect(s.notebook.metadata.kernelspec?.language).toBe('julia');
        if (s.notebook.cells.length > 0 && s.notebook.cells.length < 500) seenPartial = true;
      }
    }
    expect(seenPartial).toBe(true);
    expect(s.path).toBe('progressive');
    expect(s.result).toEqual(parseNotebook(text));
    expect(s.result?.ok && s.result.value).toBe(first);
  });

  it('finds the cells array first, last or in the middle, and refuses other layouts', () => {
    const t1 = '{"cells": [1, [2]], "metadata": {"a": "]\\""}, "nbformat": 4}';
    expect(findCellsSpan(t1)).toEqual({ start: 10, end: 18 });
    const t2 = '{"nbformat":4,"metadata":{"x":[1,"[\\\\"]},"cells":[{}]}';
    const s2 = findCellsSpan(t2);
    expect(s2 && t2.slice(s2.start, s2.end)).toBe('[{}]');
    const t3 = '{"metadata":{},"cells":[],"nbformat":4}';
    const s3 = findCellsSpan(t3);
    expect(s3 && t3.slice(s3.start, s3.end)).toBe('[]');
    expect(findCellsSpan('{"worksheets":[{"cells":[]}],"nbformat":3}')).toBeNull();
    expect(findCellsSpan('{"c\\u0065lls":[],"nbformat":4}')).toBeNull();
    expect(findCellsSpan('[1,2]')).toBeNull();
    expect(findCellsSpan('{"cells":{},"nbformat":4}')).toBeNull();
  });

  const base = JSON.stringify(
    {
      cells: [
        { cell_type: 'markdown', metadata: {}, source: ['# Title\n', 'text'] },
        { cell_type: 'code', execution_count: 1, metadata: {}, outputs: [], source: 'x = "]"' },
        { cell_type: 'raw', metadata: {}, source: '' },
      ],
      metadata: { language_info: { name: 'python' } },
      nbformat: 4,
      nbformat_minor: 5,
    },
    null,
    1,
  );

  it('falls back to the whole parse, with its exact error, for malformed and unusual documents', () => {
    const cases: Array<[string, string, 'progressive' | 'whole']> = [
      ['as is', base, 'progressive'],
      ['syntax error in the last cell', base.replace('"source": ""', '"source": "",'), 'whole'],
      ['wrong type in the last cell', base.replace('"source": ""', '"source": 3'), 'whole'],
      ['bad cell type late', base.replace('"raw"', '"rawx"'), 'whole'],
      [
        'duplicate key in a cell',
        base.replace('"source": ""', '"source": "", "source": ""'),
        'whole',
      ],
      ['duplicate cells key at the end', base.replace(/}\s*$/, ', "cells": []}'), 'whole'],
      ['an array member after cells', base.replace(/}\s*$/, ', "x": [1]}'), 'whole'],
      ['truncated', base.slice(0, base.length - 40), 'whole'],
      ['trailing garbage', `${base} x`, 'whole'],
      ['metadata first', base.replace('"cells"', '"a": 1, "cells"'), 'progressive'],
      ['nbformat 5', base.replace('"nbformat": 4', '"nbformat": 5'), 'whole'],
      ['no nbformat', base.replace('"nbformat": 4,', ''), 'whole'],
      ['NaN in metadata', base.replace('"python"', 'NaN'), 'whole'],
      ['lone surrogate in a cell', base.replace('# Title', '\\ud800'), 'whole'],
      ['BOM', `\ufeff${base}`, 'whole'],
      ['a cell that is not an object', base.replace(/\[\s*{/, '[ 7, {'), 'whole'],
      ['a colon between cells', base.replace(/},(\s*){/, '}:$1{'), 'whole'],
      ['no comma between cells', base.replace(/},(\s*){/, '}$1{'), 'whole'],
      ['two commas between cells', base.replace(/},(\s*){/, '},,$1{'), 'whole'],
      ['a comma after the last cell', base.replace(/}(\s*)],/, '},$1],'), 'whole'],
      ['a comma before the first cell', base.replace(/\[(\s*){/, '[,$1{'), 'whole'],
      [
        'nbformat 3',
        JSON.stringify({
          metadata: { name: 'x' },
          nbformat: 3,
          nbformat_minor: 0,
          worksheets: [
            { cells: [{ cell_type: 'code', input: 'x', language: 'python', outputs: [] }] },
          ],
        }),
        'whole',
      ],
    ];
    for (const [what, text, path] of cases) {
      const s = same(text);
      expect(s.path, what).toBe(path);
    }
    // Sanity: the malformed ones do fail (else the fallback would not be exercised).
    expect(parseNotebook(cases[1]?.[1] ?? '').ok).toBe(false);
    expect(parseNotebook(cases[6]?.[1] ?? '').ok).toBe(true);
  });

  it('keeps the depth limit exact inside cells and in the metadata', () => {
    const nest = (d: number): unknown => (d === 0 ? [] : [nest(d - 1)]);
    const doc = (inCell: number, inMeta: number): string =>
      JSON.stringify({
        cells: [{ cell_type: 'raw', metadata: { x: nest(inCell) }, source: '' }],
        metadata: { x: nest(inMeta) },
        nbformat: 4,
        nbformat_minor: 5,
      });
    let ok = 0;
    let tooDeep = 0;
    for (const d of [4, 5, 6, 7]) {
      for (const text of [doc(d, 0), doc(0, d + 2)]) {
        const s = same(text, { maxDepth: 10 });
        if (s.result?.ok === true) {
          ok++;
          expect(s.path).toBe('progressive');
        } else if (s.result?.ok === false && s.result.error.code === 'too-deep') tooDeep++;
      }
    }
    // Root, cells, the cell, its metadata: 4 levels; nest(d) is d + 1 arrays: d <= 5 fits in 10.
    expect(ok).toBe(4);
    expect(tooDeep).toBe(4);
  });

  it('matches parseNotebook on thousands of mutated notebooks', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const pieces = [
      '"',
      '\\',
      '[',
      ']',
      '{',
      '}',
      ',',
      ':',
      ' ',
      '0',
      'x',
      '\\"',
      '"cells": []',
      '1.0',
    ];
    const small = corpus.filter((c) => c.text.length < 60_000).slice(0, 12);
    const sources = [base, ...small.map((c) => c.text)];
    let progressive = 0;
    let failed = 0;
    let total = 0;
    for (const src of sources) {
      for (let k = 0; k < 150; k++) {
        // Mutations near the end or the start hit the skims; others the cells.
        const where =
          k % 3 === 0 ? src.length - 1 - rand(Math.min(400, src.length)) : rand(src.length);
        const text =
          k % 2 === 0
            ? src.slice(0, where) + (pieces[rand(pieces.length)] as string) + src.slice(where)
            : src.slice(0, where) + src.slice(where + 1 + rand(3));
        const s = same(text);
        // Every other one in pieces too, cut where the skims and the cell parses meet them.
        if (k % 2 === 1) samePieces(text, 1 + rand(Math.max(1, text.length >> 2)));
        total++;
        if (s.path === 'progressive') progressive++;
        if (s.result?.ok === false) failed++;
      }
    }
    console.log(`mutations: ${total}, ${progressive} progressive, ${failed} failing`);
    // Both paths and both outcomes must really be exercised.
    expect(progressive).toBeGreaterThan(total / 10);
    expect(failed).toBeGreaterThan(total / 4);
  });

  it('gives the same cells from pieces as from the whole text, every corpus notebook', () => {
    let progressive = 0;
    for (const { name, text } of corpus) {
      // A few pieces, and many small ones (boundaries inside strings, keys, numbers, escapes).
      // And as the viewer cuts them, between cells where it can.
      const sep = cellSeparator(text);
      for (const [size, cut] of [
        [Math.ceil(text.length / 5) + 7, null],
        [4096 + 3, null],
        [4096 + 3, sep],
      ] as const) {
        const whole = drain(text);
        const { s, result } = drain(new Pieces(cutPieces(text, size, cut)), undefined, 2);
        expect(result, `${name} in pieces of ${size}`).toEqual(whole.result);
        expect(s.path, name).toBe(whole.s.path);
        expect(s.restarts, name).toBe(0);
        if (size === 4099 && cut === null && s.path === 'progressive') progressive++;
      }
    }
    expect(progressive).toBeGreaterThanOrEqual(45);
  });

  it('reads across a piece boundary at every position of a notebook', () => {
    const text = base.replace('# Title', '# Title \\\\\\" \\u00e9 \\ud83d\\ude00 \ud83d\ude00');
    expect(parseNotebook(text).ok).toBe(true);
    for (let i = 1; i < text.length; i++) {
      const t = new Pieces([text.slice(0, i), text.slice(i)]);
      const { s, result } = drain(t, undefined, 2);
      expect(result, `cut at ${i}`).toEqual(parseNotebook(text));
      expect(s.path, `cut at ${i}`).toBe('progressive');
    }
    // One character a piece, and a malformed one in pieces: the whole parse's exact error.
    expect(samePieces(text, 1).path).toBe('progressive');
    const bad = text.replace('"source": ""', '"source": "",');
    expect(samePieces(bad, 5).result?.ok).toBe(false);
    expect(samePieces(bad, 5).path).toBe('whole');
  });
});
