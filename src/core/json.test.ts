import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- test-only: the nbformat reference and generators
import { isWellFormed } from '../../test/node/reference/gen';
import {
  decodeNotebookBytes,
  parseJson,
  parseJsonRaw,
  parseJsonRawExact,
  parseJsonSteps,
  rawToJson,
  RawNumber,
} from './json';
import type { JsonValue } from './model';

function err(text: string, limits?: { maxBytes?: number; maxDepth?: number }) {
  const r = parseJson(text, limits);
  if (r.ok) throw new Error(`expected an error for ${text.slice(0, 80)}`);
  return r.error;
}

describe('parseJson accepts what JSON.parse accepts, with the same values', () => {
  test('generated JSON documents', () => {
    fc.assert(
      fc.property(fc.json({ depthSize: 'medium' }), (s) => {
        const r = parseJson(s);
        expect(r).toEqual({ ok: true, value: JSON.parse(s) as JsonValue });
      }),
      { numRuns: 2000 },
    );
  });

  test('mutated documents: accepted exactly when JSON.parse accepts (duplicate keys aside)', () => {
    const base = JSON.stringify(
      { a: [1, 2.5e-3, -0, true, null, 'x\n\u00e9😀'], b: { c: 'd' } },
      null,
      1,
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: base.length }),
        fc.integer({ min: 0, max: 2 }),
        fc.constantFrom(...'{}[]:,"\\ -+.eE0123456789tfnulax\t\n\u0001'.split('')),
        (at, del, ch) => {
          const s = base.slice(0, at) + ch + base.slice(at + del);
          fc.pre(isWellFormed(s)); // a split emoji is a lone surrogate: refused by design
          let expected: JsonValue | undefined;
          try {
            expected = JSON.parse(s) as JsonValue;
          } catch {
            expected = undefined;
          }
          const r = parseJson(s);
          // a mutation can make two keys equal: refused by design, JSON.parse keeps the last
          if (!r.ok && r.error.code === 'duplicate-key') return;
          if (expected === undefined) expect(r.ok, s).toBe(false);
          else expect(r, s).toEqual({ ok: true, value: expected });
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('a "__proto__" key is an own property, the prototype untouched', () => {
    const r = parseJson('{"__proto__": {"polluted": 1}, "a": 2}');
    if (!r.ok) throw new Error(r.error.message);
    const v = r.value as Record<string, JsonValue>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('strings with many escapes (the engine-decoded path)', () => {
  test('same value as JSON.parse; errors after many escapes still exact', () => {
    const body = '<div class=\\"x\\">\\n\\u00e9\\ud83d\\ude00\\t\\/</div>'.repeat(500);
    const lit = `{"html": "${body}"}`;
    expect(parseJson(lit)).toEqual({ ok: true, value: JSON.parse(lit) as JsonValue });
    const pre = '\\"'.repeat(20);
    const e1 = err(`["${pre}\\x"]`);
    expect([e1.code, e1.column]).toEqual(['not-json', 2 + 40 + 1]);
    expect(e1.message).toMatch(/invalid escape/);
    expect(err(`["${pre}\\ud800"]`).code).toBe('lone-surrogate');
    expect(err(`["${pre}\u0001"]`).message).toMatch(/control character U\+0001/);
    expect(err(`["${pre}`).code).toBe('not-json');
  });
});

describe('raw mode keeps number tokens', () => {
  test('tokens verbatim', () => {
    const r = parseJsonRaw('[1, 1.0, 1e-7, -0, 1E+2, 123456789012345678901234567890]');
    if (!r.ok) throw new Error(r.error.message);
    const arr = r.value as RawNumber[];
    expect(arr.map((n) => n.raw)).toEqual([
      '1',
      '1.0',
      '1e-7',
      '-0',
      '1E+2',
      '123456789012345678901234567890',
    ]);
    expect(arr.map((n) => n.isInt)).toEqual([true, false, false, true, false, true]);
    expect(arr[0]).toBeInstanceOf(RawNumber);
  });
});

describe('errors say what and where', () => {
  test('syntax errors with line and column', () => {
    const e = err('{\n "a": [1,\n  2,}\n}');
    expect(e.code).toBe('not-json');
    expect(e.message).toBe("not JSON: unexpected '}' at line 3, column 5");
    expect([e.line, e.column]).toEqual([3, 5]);
    expect(err('').message).toMatch(/empty document/);
    expect(err('{"a": 1} x').message).toBe("not JSON: unexpected 'x' at line 1, column 10");
    expect(err('{"a": 1').message).toMatch(/unexpected end of input/);
    expect(err('"abc').message).toMatch(/unterminated string at line 1, column 1/);
    // A document that stops early says the file may be cut short; other errors do not.
    expect(err('{"a": 1').message).toMatch(/at line 1, column 8; .*may be cut short/);
    expect(err('{"cells": ["ab').message).toMatch(/unterminated string .*may be cut short/);
    expect(err('{"a": 1} x').message).not.toMatch(/cut short/);
    expect(err('{"a": [1,}').message).not.toMatch(/cut short/);
    expect(err('"a\nb"').message).toMatch(/unescaped control character U\+000A/);
    expect(err('"\\x"').message).toMatch(/invalid escape/);
    for (const bad of [
      '01',
      '1.',
      '.5',
      '+1',
      '-',
      '1e',
      '[1,]',
      '{"a":1,}',
      "{'a':1}",
      'tru',
      '[1 2]',
    ]) {
      expect(err(bad).code, bad).toBe('not-json');
    }
  });

  test('duplicate keys rejected with their path', () => {
    const e = err('{"cells": [{"x": 1}, {"metadata": {"a": 1, "b": 2, "a": 3}}]}');
    expect(e.code).toBe('duplicate-key');
    expect(e.path).toBe('cells[1].metadata.a');
    expect(e.message).toMatch(
      /duplicate key "a" at line 1, column \d+ \(cells\[1\]\.metadata\.a\)/,
    );
    expect(err('{"": 1, "": 2}').code).toBe('duplicate-key');
  });

  test('NaN and infinities rejected', () => {
    for (const s of ['NaN', '[Infinity]', '{"a": -Infinity}'])
      expect(err(s).code, s).toBe('non-finite-number');
    expect(err('{"a": [0, NaN]}').path).toBe('a[1]');
  });

  test('lone surrogates rejected, escaped or not; pairs accepted', () => {
    for (const s of [
      '"\\ud800"',
      '"\\udc00"',
      '"\\ud800\\u0041"',
      '"\\ud800x"',
      '"\ud800"',
      '"\udc00\ud800"',
      '"x\ud83d"',
    ]) {
      expect(err(s).code, s).toBe('lone-surrogate');
    }
    expect(parseJson('"\\ud83d\\ude00 😀"')).toEqual({ ok: true, value: '😀 😀' });
  });

  test('BOM and UTF-16 text rejected as encoding errors', () => {
    expect(err('\ufeff{}').code).toBe('encoding');
    expect(err('{\u0000"\u0000').code).toBe('encoding');
    expect(err('\ufffd\ufffd{\u0000}').code).toBe('encoding');
  });

  test('20,000-deep documents: a clear too-deep error, no stack overflow', () => {
    for (const s of [
      '['.repeat(20000) + ']'.repeat(20000),
      '{"a":'.repeat(20000) + '1' + '}'.repeat(20000),
    ]) {
      const e = err(s);
      expect(e.code).toBe('too-deep');
      expect(e.message).toMatch(/more than 1000 levels/);
    }
    expect(parseJson('['.repeat(1000) + ']'.repeat(1000)).ok).toBe(true);
    expect(err('[[[]]]', { maxDepth: 2 }).code).toBe('too-deep');
    // positive control: with the limit raised the same document parses (iteratively)
    const deep = '['.repeat(200000) + ']'.repeat(200000);
    expect(parseJson(deep, { maxDepth: 300000 }).ok).toBe(true);
  });

  test('size limit', () => {
    expect(err('[1, 2, 3]', { maxBytes: 5 }).code).toBe('too-large');
    expect(parseJson('[1, 2, 3]', { maxBytes: 9 }).ok).toBe(true);
  });
});

describe('decodeNotebookBytes', () => {
  const u8 = (...b: number[]) => new Uint8Array(b);
  const bad = (b: Uint8Array) => {
    const r = decodeNotebookBytes(b);
    if (r.ok) throw new Error('expected an error');
    return r.error;
  };
  test('UTF-8 decoded; BOM, UTF-16 and invalid UTF-8 refused clearly', () => {
    expect(decodeNotebookBytes(new TextEncoder().encode('{"a": "é😀"}'))).toEqual({
      ok: true,
      value: '{"a": "é😀"}',
    });
    expect(bad(u8(0xef, 0xbb, 0xbf, 0x7b, 0x7d)).message).toMatch(/byte-order mark/);
    expect(bad(u8(0xff, 0xfe, 0x7b, 0, 0x7d, 0)).message).toMatch(/UTF-16/);
    expect(bad(u8(0xfe, 0xff, 0, 0x7b, 0, 0x7d)).message).toMatch(/UTF-16/);
    expect(bad(u8(0x7b, 0, 0x7d, 0)).message).toMatch(/UTF-16 or UTF-32/);
    const e = bad(u8(0x7b, 0x22, 0x61, 0xc3, 0x28, 0x22, 0x7d));
    expect(e.code).toBe('encoding');
    expect(e.message).toMatch(/not valid UTF-8 \(bad byte at offset 3\)/);
    expect(bad(u8(0x22, 0xed, 0xa0, 0x80, 0x22)).message).toMatch(/offset 1/); // CESU surrogate
    expect(bad(new Uint8Array(10)).code).toBe('encoding');
    expect(decodeNotebookBytes(new Uint8Array(10).fill(0x20), { maxBytes: 5 }).ok).toBe(false);
  });
});

describe('speed', () => {
  test('a 30 MB notebook-like document parses in well under 2 s', () => {
    const b64 = 'iVBORw0KGgoAAAANSUhEUgAA'.repeat(40000); // ~1 MB per image
    const cells = Array.from({ length: 30 }, (_, i) => ({
      cell_type: 'code',
      execution_count: i,
      metadata: { scrolled: false },
      source: ['import numpy as np\n', `x = ${i} * 1.5e-3\n`],
      outputs: [
        {
          output_type: 'display_data',
          metadata: {},
          data: { 'image/png': b64, 'text/plain': ['<Figure>'] },
        },
      ],
    }));
    const text = JSON.stringify({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells }, null, 1);
    const t0 = performance.now();
    const r = parseJsonRaw(text);
    const ms = performance.now() - t0;
    expect(r.ok).toBe(true);
    expect(ms).toBeLessThan(2000);
  });
});

describe('parseJsonSteps: the same results, in many short steps', () => {
  /** Steps until done, pausing at every chance; returns the result and the number of pauses. */
  function stepped(text: string, limits?: { maxBytes?: number; maxDepth?: number }) {
    const p = parseJsonSteps(text, () => true, limits);
    let pauses = 0;
    for (;;) {
      const r = p.step();
      if (r !== null) return { r, pauses };
      pauses++;
    }
  }
  test('generated documents give what parseJson gives', () => {
    fc.assert(
      fc.property(fc.json({ depthSize: 'medium' }), (s) => {
        expect(stepped(s).r).toEqual(parseJson(s));
      }),
    );
  });
  test('a big document really is read in steps, and ends the same', () => {
    const doc = {
      cells: Array.from({ length: 3000 }, (_, i) => ({ k: i, s: ['a', 'b'], n: null })),
    };
    const text = JSON.stringify(doc);
    const { r, pauses } = stepped(text);
    expect(pauses).toBeGreaterThan(20); // the control: a parser that never pauses gives 0
    expect(r).toEqual({ ok: true, value: doc });
  });
  test.each([
    ['{"a": [1, 2', 'truncated'],
    ['{"a": 1, "b": [' + '{"x":1},'.repeat(600) + '{"x":1, "x":2}]}', 'a late duplicate key'],
    ['[' + '[1],'.repeat(700) + 'NaN]', 'a late NaN'],
    ['[1] [2]', 'trailing data'],
    ['', 'empty'],
    ['\ufeff{}', 'a BOM'],
  ])('%s (%s) fails with parseJson’s error', (text) => {
    const want = parseJson(text);
    expect(want.ok).toBe(false);
    expect(stepped(text).r).toEqual(want);
  });
  test('depth limit as parseJson', () => {
    const deep = '['.repeat(50) + ']'.repeat(50);
    expect(stepped(deep, { maxDepth: 20 }).r).toEqual(parseJson(deep, { maxDepth: 20 }));
  });
  test('a step that is not asked to pause reads everything at once', () => {
    const text = JSON.stringify(Array.from({ length: 5000 }, (_, i) => i));
    const p = parseJsonSteps(text, () => false);
    expect(p.step()).toEqual(parseJson(text));
  });
});

describe('odd characters far from the start (the bounded look-ahead)', () => {
  const pad = 'x'.repeat(300 * 1024);
  test('finds a control character or lone surrogate past the look-ahead window, in later strings too', () => {
    for (const [odd, code] of [
      ['\u0001', 'not-json'],
      ['\ud800', 'lone-surrogate'],
    ] as const) {
      // In one long string, past the first window.
      const one = parseJson(`["${pad}${pad}${odd}"]`);
      expect(!one.ok && one.error.code).toBe(code);
      // In a later string, after many short ones and one long one.
      const many = `[${Array.from({ length: 2000 }, (_, i) => `"s${i}"`).join(',')},"${pad}","a","b${odd}"]`;
      const r = parseJson(many);
      expect(!r.ok && r.error.code).toBe(code);
      // Control: without it, the same documents parse.
      expect(parseJson(`["${pad}${pad}"]`).ok).toBe(true);
      expect(parseJson(many.replace(odd, '')).ok).toBe(true);
    }
    // A surrogate pair far away is a character, not an error.
    const pair = parseJson(`["${pad}", "${pad}\ud83d\ude00"]`);
    expect(pair.ok).toBe(true);
  });
});

describe('strings with many escapes: the engine-decoded path agrees with the exact one', () => {
  // Pieces of a notebook's line strings: plain text, every JSON escape, \u escapes (pairs,
  // lone halves: errors), raw non-ASCII (an emoji as its raw pair), and a few breakages.
  const piece = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('a', 'def ', '<div class=', '0123456789', ' ') },
    {
      weight: 8,
      arbitrary: fc.constantFrom('\\n', '\\"', '\\\\', '\\/', '\\b', '\\f', '\\r', '\\t'),
    },
    {
      weight: 2,
      arbitrary: fc
        .integer({ min: 0, max: 0xffff })
        .map((u) => `\\u${u.toString(16).padStart(4, '0')}`),
    },
    { weight: 1, arbitrary: fc.constantFrom('\\ud83d\\ude00', '\\uD83D\\uDE00', '\\udbff\\udfff') },
    { weight: 2, arbitrary: fc.constantFrom('é', '日本', '😀', '\u00ff', '\u2014') },
    { weight: 1, arbitrary: fc.constantFrom('\\x', '\\u12g4', '\u0001', '\\', '"') },
  );
  const line = fc.array(piece, { maxLength: 60, size: 'max' }).map((p) => `"${p.join('')}"`);
  const lines = fc.array(line, { minLength: 1, maxLength: 6 }).map((l) => `[${l.join(', ')}]`);
  const doc = fc
    .tuple(lines, lines, fc.boolean())
    .map(
      ([src, html, asList]) =>
        `{"cells": [{"source": ${src}, "outputs": [{"data": {"text/html": ${
          asList ? html : html.slice(1, html.indexOf('"', 2) + 1) || '""'
        }}}]}], "nbformat": 4}`,
    );

  const same = (s: string): void => {
    const exact = parseJsonRawExact(s);
    expect(parseJsonRaw(s), s).toEqual(exact);
    const plain = parseJson(s);
    if (exact.ok) {
      expect(plain, s).toEqual({ ok: true, value: rawToJson(exact.value) });
      expect(plain, s).toEqual({ ok: true, value: JSON.parse(s) as JsonValue });
    } else expect(plain, s).toEqual(exact);
  };

  test('random documents with line arrays: the same value or the same error', () => {
    let engine = 0;
    fc.assert(
      fc.property(doc, (s) => {
        fc.pre(isWellFormed(s)); // a raw lone surrogate is not text a UTF-8 file can give
        if (/(?:\\.[^\\"]*){16}/.test(s)) engine++;
        same(s);
      }),
      { numRuns: 1500 },
    );
    // The generator really reaches the path under test.
    expect(engine, `${engine} documents with 16 escapes in a row`).toBeGreaterThan(300);
  });

  test('cut or broken at every position: the same error (code, message, line, column, path)', () => {
    fc.assert(
      fc.property(doc, fc.constantFrom('', '"', '\\', '\u0001', '\\ud800', ','), (s, ins) => {
        fc.pre(isWellFormed(s));
        for (let k = 0; k <= s.length; k += 1 + (k % 3)) {
          const t = s.slice(0, k) + ins + (ins === '' ? '' : s.slice(k));
          if (isWellFormed(t)) same(t);
        }
      }),
      { numRuns: 30 },
    );
  });

  test('parseJsonSteps gives the same', () => {
    fc.assert(
      fc.property(doc, (s) => {
        fc.pre(isWellFormed(s));
        const steps = parseJsonSteps(s, () => true);
        let r = steps.step();
        while (r === null) r = steps.step();
        expect(r, s).toEqual(parseJson(s));
      }),
      { numRuns: 300 },
    );
  });
});
