import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- test-only: where the shared corpus is
import { CORPUS_DIR } from '../../test/corpus';
// eslint-disable-next-line no-restricted-imports -- test-only: the nbformat reference and generators
import { runPython } from '../../test/node/reference/nbdigest';
// eslint-disable-next-line no-restricted-imports -- test-only: the nbformat reference and generators
import { jsonValue, notebookV4, serialize } from '../../test/node/reference/gen';
// eslint-disable-next-line no-restricted-imports -- test-only: the nbformat reference and generators
import type { GenValue } from '../../test/node/reference/gen';
import { canonicalBytes, serializeNbformat } from './canonical';
import { jupyterDigestStream } from './digest';
import { parseJson, parseJsonRaw } from './json';
import type { RawValue } from './json';

const dec = new TextDecoder();

function raw(text: string): RawValue {
  const r = parseJsonRaw(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
const canon = (text: string) => dec.decode(canonicalBytes(raw(text)));
const sameJupyterStream = (a: string, b: string) => {
  const x = jupyterDigestStream(raw(a));
  const y = jupyterDigestStream(raw(b));
  if (!x.ok || !y.ok) throw new Error('not digestible');
  return Buffer.from(x.value).equals(Buffer.from(y.value));
};
const nb = (meta: string) =>
  `{"nbformat": 4, "nbformat_minor": 4, "metadata": ${meta}, "cells": []}`;

describe('canonical form', () => {
  test('separates what the Jupyter stream confuses (positive control: the stream is equal)', () => {
    const pairs: [string, string][] = [
      [nb('{"x": true}'), nb('{"x": "True"}')],
      [nb('{"ab": "c"}'), nb('{"a": "bc"}')],
      [nb('{"a": ["b", "c"]}'), nb('{"a": "bc"}')],
      [nb('{"a": 1}'), nb('{"a": "1"}')],
      [nb('{"a": null}'), nb('{"a": "None"}')],
    ];
    for (const [a, b] of pairs) {
      expect(sameJupyterStream(a, b), `${a} / ${b}`).toBe(true);
      expect(canon(a)).not.toBe(canon(b));
    }
  });

  test('number tokens are kept: 1 and 1.0 differ, big integers differ', () => {
    expect(canon('[1]')).not.toBe(canon('[1.0]'));
    expect(canon('[9007199254740993]')).not.toBe(canon('[9007199254740992]'));
    expect(canon('[1e-7, 1E5, -0]')).toBe('[1e-7,1E5,-0]');
  });

  test('only the top-level metadata.signature is left out', () => {
    expect(canon('{"metadata": {"signature": "x", "a": 1}, "b": {"signature": 2}}')).toBe(
      '{"b":{"signature":2},"metadata":{"a":1}}',
    );
    expect(canon(nb('{"signature": "a"}'))).toBe(canon(nb('{}')));
  });

  test('keys sorted by code point, strings escaped as JSON', () => {
    expect(canon('{"\\uffff": 1, "😀": 2, "\\ue000": 3, "b": 4, "a": 5}')).toBe(
      '{"a":5,"b":4,"\ue000":3,"\uffff":1,"😀":2}',
    );
    expect(canon('["a\\nb\\u0001\\"\\\\/"]')).toBe('["a\\nb\\u0001\\"\\\\/"]');
  });

  test('is JSON for the same value, independent of whitespace, key order and escapes', () => {
    fc.assert(
      fc.property(jsonValue, fc.nat(), fc.nat(), (v, s1, s2) => {
        const a = serialize(v as GenValue, s1 + 1);
        const b = serialize(v as GenValue, s2 + 1);
        const ca = canon(a);
        expect(canon(b)).toBe(ca);
        expect(parseJson(ca)).toEqual(parseJson(a));
      }),
      { numRuns: 1500 },
    );
  });

  test('different values never share canonical bytes', () => {
    fc.assert(
      fc.property(jsonValue, jsonValue, (v, w) => {
        const a = serialize(v as GenValue);
        const b = serialize(w as GenValue);
        const sameValue = canon(a) === canon(b);
        // canonical equality implies the documents parse to deep-equal values with equal tokens
        if (sameValue) expect(raw(a)).toEqual(raw(b));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('serializeNbformat writes what nbformat writes', () => {
  test('generated notebooks with integer tokens: equal to Python json.dumps(indent=1, sort_keys)', () => {
    const docs = fc.sample(notebookV4, { numRuns: 200, seed: 99 });
    const texts = docs.map((d, i) =>
      serialize(d as GenValue, i + 3).replace(
        /(?<=[\s,:[])-?\d+(\.\d+)?([eE][-+]?\d+)?(?=[\s,\]}])/g,
        (m) =>
          // tokens Python rewrites (floats by repr, -0 as 0) are normalised here
          /[.eE]/.test(m) ? '7' : m === '-0' ? '0' : m,
      ),
    );
    const ok = texts.filter((t) => parseJsonRaw(t).ok);
    const py = runPython(ok.map((t) => ({ dumps: t })));
    let compared = 0;
    for (const [i, t] of ok.entries()) {
      if (!py[i]!.ok) continue;
      const mine = serializeNbformat(raw(t));
      expect(mine, t.slice(0, 200)).toBe(py[i]!.str);
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });

  test('corpus files written by nbformat re-serialise byte for byte', () => {
    const dir = CORPUS_DIR;
    let same = 0;
    const files = readdirSync(dir).filter((f) => f.endsWith('.ipynb'));
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      if (serializeNbformat(raw(text)) === text) same++;
    }
    console.log(`corpus: ${same}/${files.length} re-serialise identically`);
    expect(same).toBeGreaterThan(files.length / 3);
  });
});
