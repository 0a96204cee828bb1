// The byte path (digest-bytes.ts) against the string path (parseJsonRaw + jupyterDigestStream),
// which digest.test.ts checks against nbformat itself: the same stream byte for byte wherever the
// byte path digests, the same Result (digest or error, message included) from every entry point,
// and never a digest where the string path refuses. Each group also counts how often the byte
// path really ran, so a byte path that always handed over would fail here, not pass vacuously.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- test-only: where the shared corpus is
import { CORPUS_DIR } from '../../test/corpus';
// eslint-disable-next-line no-restricted-imports -- test-only: the nbformat reference and generators
import { notebookV3, notebookV4, serialize } from '../../test/node/reference/gen';
// eslint-disable-next-line no-restricted-imports -- test-only: the nbformat reference and generators
import type { GenValue } from '../../test/node/reference/gen';
// eslint-disable-next-line no-restricted-imports -- test-only: the nbformat reference
import { runPython } from '../../test/node/reference/nbdigest';
import { jupyterStreamFromBytes } from './digest-bytes';
import {
  jupyterDigest,
  jupyterDigestBytes,
  jupyterDigestScratchBytes,
  jupyterDigestOfText,
  jupyterDigestStream,
  toHex,
} from './digest';
import { decodeNotebookBytes, DEFAULT_MAX_DEPTH, parseJsonRaw } from './json';
import type { JsonLimits } from './json';
import type { Result } from './model';

const CORPUS = CORPUS_DIR;
const KEY = new TextEncoder().encode('nbshield test key');
const enc = new TextEncoder();

function byteStream(bytes: Uint8Array, maxDepth = DEFAULT_MAX_DEPTH): Uint8Array | null {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return jupyterStreamFromBytes(copy, maxDepth);
}

function stringStream(bytes: Uint8Array, limits?: JsonLimits): Result<Uint8Array> {
  const text = decodeNotebookBytes(bytes, limits);
  if (!text.ok) return text;
  const doc = parseJsonRaw(text.value, limits);
  if (!doc.ok) return doc;
  return jupyterDigestStream(doc.value);
}

/** What the entry points gave before the byte path: decode, then the string path. */
async function before(bytes: Uint8Array, limits?: JsonLimits): Promise<Result<string>> {
  const text = decodeNotebookBytes(bytes, limits);
  if (!text.ok) return text;
  return jupyterDigestOfText(text.value, KEY, limits);
}

/** Checks one input every way; true when the byte path digested it itself. */
async function check(bytes: Uint8Array, label: string, limits?: JsonLimits): Promise<boolean> {
  const ours = byteStream(bytes, limits?.maxDepth);
  const theirs = stringStream(bytes, limits);
  if (ours !== null && limits === undefined) {
    // Never a digest where the string path refuses, and the very same bytes where both digest.
    expect(
      theirs.ok,
      `${label}: the string path refuses (${theirs.ok ? '' : theirs.error.message})`,
    ).toBe(true);
    if (theirs.ok) expect(toHex(ours), label).toBe(toHex(theirs.value));
  }
  const expected = await before(bytes, limits);
  const kept = bytes.slice();
  expect(await jupyterDigestBytes(bytes, KEY, limits), label).toEqual(expected);
  // jupyterDigestBytes only reads the caller's bytes; the scratch entry point writes over its
  // own copy and answers (the same) or gives up exactly when the byte path gives up.
  expect(Buffer.compare(bytes, kept), `${label}: the caller's bytes are untouched`).toBe(0);
  const scratch = await jupyterDigestScratchBytes(bytes.slice(), KEY, limits);
  if (scratch !== null) expect(scratch, `${label} (scratch)`).toEqual(expected);
  if (limits === undefined)
    expect(scratch === null, `${label}: scratch gave up`).toBe(ours === null);
  const text = decodeNotebookBytes(bytes);
  if (text.ok) expect(await jupyterDigest(text.value, KEY, limits), label).toEqual(expected);
  return ours !== null;
}

const v4 = (meta: string, cells = '[]', minor = '4') =>
  `{"cells": ${cells}, "metadata": ${meta}, "nbformat": 4, "nbformat_minor": ${minor}}`;
const code = (extra: string) =>
  `{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": "x"${extra}}`;

describe('digest from bytes equals the string path', () => {
  test('every corpus notebook, through the byte path itself', async () => {
    const files = readdirSync(CORPUS).filter((f) => f.endsWith('.ipynb'));
    expect(files.length).toBeGreaterThan(40);
    let taken = 0;
    for (const f of files) {
      if (await check(new Uint8Array(readFileSync(`${CORPUS}/${f}`)), f)) taken++;
    }
    expect(taken).toBe(files.length);
  });

  // [name, document, byte path digests it itself]
  const fixed: [string, string, boolean][] = [
    ['plain', v4('{"a": "b"}'), true],
    [
      'every escape',
      v4(
        '{"s": "q\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9\\u00E9 \\u2028 \\u0000 \\u001f \\uffff end"}',
      ),
      true,
    ],
    ['raw non-ASCII, 2 to 4 bytes', v4('{"s": "é ü € 中文 😀 𝔘 \u007f"}'), true],
    ['escaped surrogate pair', v4('{"s": "\\ud83d\\ude00 and \\uD834\\uDD1E"}'), true],
    ['escaped lone high surrogate', v4('{"s": "\\ud800"}'), false],
    ['escaped lone low surrogate', v4('{"s": "\\udc00x"}'), false],
    ['high surrogate then a non-low escape', v4('{"s": "\\ud800\\u0041"}'), false],
    ['high surrogate then two low ones', v4('{"s": "\\ud800\\udc00\\udc00"}'), false],
    ['high surrogate escape at the end of a string', v4('{"s": "a\\ud83d"}'), false],
    [
      'keys needing escapes, sorted as decoded',
      v4('{"a\\"b": 1, "a\\\\": 2, "\\u0041": 3, "@": 4}'),
      true,
    ],
    ['escaped and raw spelling of one key', v4('{"\\u00e9": 1, "é": 2}'), false],
    [
      'astral keys by code point',
      v4('{"\\uffff": 1, "\\ud83d\\ude00": 2, "\\ue000": 3, "😀b": 5}'),
      true,
    ],
    ['key prefixes', v4('{"ab": 1, "a": 2, "": 3, "abc": 4}'), true],
    [
      'numbers as Python prints them',
      v4(
        '{"a": [0, -0, 1, -1, 12345678901234567890, 1.0, -0.0, 0.0, 0.5, 0.0001, 0.00001, 0.10, 1.50, 100.0, 123456789012345.6, 1234567890123456.7, 1e5, 1E5, 1e-7, 1e16, 2.5e-05, 1e999, -1e999, 1e-999, 5e-324, 0e0, 1.7976931348623157e308]}',
      ),
      true,
    ],
    ['an int of 4300 digits', v4(`{"n": -${'9'.repeat(4300)}}`), true],
    ['an int of 4301 digits', v4(`{"n": ${'9'.repeat(4301)}}`), false],
    [
      'numbers longer as Python prints them than in the file, minified',
      '{"cells":[],"metadata":{"x":[1e15,1e15,1e15,1e15]},"nbformat":4,"nbformat_minor":4}',
      false,
    ],
    ['true false null', v4('{"t": true, "f": false, "n": null, "s": "True"}'), true],
    ['nested 999 deep', v4(`{"x": ${'['.repeat(997)}${']'.repeat(997)}}`), true],
    ['nested 1001 deep', v4(`{"x": ${'['.repeat(999)}${']'.repeat(999)}}`), false],
    [
      'unsorted everywhere',
      `{"nbformat_minor": 4, "metadata": {"z": 1, "signature": "x", "a": {"y": [{"b": 1, "a": 2}], "x": 0}}, "nbformat": 4, "cells": [{"source": ["a\\n", "b"], "outputs": [{"text": ["1", "2"], "output_type": "stream", "name": "stdout"}], "metadata": {"trusted": true, "z": {"b": 1, "a": 2}, "collapsed": false}, "execution_count": 3, "cell_type": "code"}]}`,
      true,
    ],
    [
      'transient keys dropped, unsorted around them',
      v4(
        '{"orig_nbformat": 3, "z": 1, "orig_nbformat_minor": 0, "signature": "sha256:ab", "trusted": true}',
        `[${code(', "trusted": true')}, {"metadata": {"trusted": false, "tags": []}, "cell_type": "markdown", "source": ""}]`,
      ),
      true,
    ],
    [
      'deep unsorted nesting past the reorder budget',
      v4(`${'{"b": 1, "a": '.repeat(20)}"${'x'.repeat(100000)}"${'}'.repeat(20)}`),
      false,
    ],
    [
      'unsorted nesting within the reorder budget',
      v4(`${'{"b": 1, "a": '.repeat(3)}"${'x'.repeat(100000)}"${'}'.repeat(3)}`),
      true,
    ],
    ['duplicate key, sorted object', v4('{"a": 1, "a": 2}'), false],
    ['duplicate key, unsorted object', v4('{"b": 1, "a": 2, "b": 3}'), false],
    ['4.5 with ids', v4('{}', `[${code(', "id": "a"')}, ${code(', "id": "b"')}]`, '5'), true],
    ['4.5 repeated id', v4('{}', `[${code(', "id": "a"')}, ${code(', "id": "a"')}]`, '5'), false],
    ['4.5 missing id', v4('{}', `[${code('')}]`, '5'), false],
    [
      'source with a number',
      v4('{}', '[{"cell_type": "raw", "metadata": {}, "source": ["a", 1]}]'),
      false,
    ],
    [
      'stream text with a number',
      v4(
        '{}',
        `[{"cell_type": "code", "metadata": {}, "outputs": [{"output_type": "stream", "text": ["a", 2]}], "source": ""}]`,
      ),
      false,
    ],
    [
      'bundle with a number (kept as a list)',
      v4(
        '{}',
        `[{"cell_type": "code", "metadata": {}, "outputs": [{"output_type": "display_data", "data": {"text/html": ["<b>", 1]}, "metadata": {}}], "source": ""}]`,
      ),
      true,
    ],
    ['cells {} and ""', v4('{}', '{}'), true],
    ['cells "ab"', v4('{}', '"ab"'), false],
    ['no metadata', '{"cells": [], "nbformat": 4, "nbformat_minor": 4}', false],
    [
      'float nbformat',
      '{"cells": [], "metadata": {}, "nbformat": 4.0, "nbformat_minor": 4}',
      false,
    ],
    ['nbformat 5', '{"cells": [], "metadata": {}, "nbformat": 5, "nbformat_minor": 0}', false],
    ['an array', '[1, 2]', false],
    [
      'v3 joins with "\\n" and with ""',
      '{"metadata": {"name": "n", "signature": "sha256:00"}, "nbformat": 3, "nbformat_minor": 0, "worksheets": [{"cells": [{"cell_type": "code", "input": ["a", "b"], "outputs": [{"output_type": "pyout", "text": ["1", "2"], "html": ["<p>\\n", "x"], "png": ["ab", "c"]}], "metadata": {"trusted": true}}, {"source": ["t\\r", "u"], "rendered": [], "level": 1, "cell_type": "heading"}, {"cell_type": "markdown", "source": ["", "x", "y"]}]}]}',
      true,
    ],
    [
      'v3 line list with a number',
      '{"metadata": {}, "nbformat": 3, "nbformat_minor": 0, "worksheets": [{"cells": [{"cell_type": "markdown", "source": ["a", 1]}]}]}',
      false,
    ],
    // Not JSON, or not UTF-8: the string path gives the message.
    ['trailing comma', '{"a": 1,}', false],
    ['unterminated string', '{"a": "b', false],
    ['raw tab in a string', '{"a": "b\tc"}', false],
    ['raw newline in a string', '{"a": "b\nc"}', false],
    ['invalid escape', '{"a": "\\x"}', false],
    ['invalid \\u escape', '{"a": "\\u12G4"}', false],
    ['short \\u escape at the end', '{"a": "\\u12', false],
    ['NaN', v4('{"x": NaN}'), false],
    ['leading zero', v4('{"x": 01}'), false],
    ['bare minus', v4('{"x": -}'), false],
    ['1.', v4('{"x": 1.}'), false],
    ['1e', v4('{"x": 1e}'), false],
    ['trailing garbage', `${v4('{}')} x`, false],
    ['empty', '', false],
    ['only whitespace', ' \n\t', false],
    ['truncated literal', v4('{"x": tru}'), false],
    ['byte-order mark', `\ufeff${v4('{}')}`, false],
  ];
  test.each(fixed)('%s', async (name, doc, taken) => {
    expect(await check(enc.encode(doc), name)).toBe(taken);
  });

  test('invalid UTF-8 gives the same "encoding" error', async () => {
    const good = enc.encode(v4('{"s": "xé"}'));
    const at = good.indexOf(0xc3);
    const bad: [string, number[]][] = [
      ['overlong', [0xc0, 0x80]],
      ['encoded surrogate', [0xed, 0xa0, 0x80]],
      ['truncated 3-byte', [0xe2, 0x82]],
      ['above U+10FFFF', [0xf5, 0x80, 0x80, 0x80]],
      ['lone continuation', [0x80]],
      ['0xff', [0xff]],
    ];
    for (const [name, seq] of bad) {
      const b = new Uint8Array([...good.subarray(0, at), ...seq, ...good.subarray(at + 2)]);
      expect(await check(b, name), name).toBe(false);
      const r = await jupyterDigestBytes(b, KEY);
      expect(r.ok ? '' : r.error.code, name).toBe('encoding');
    }
    // UTF-16 with its byte-order mark
    const u16 = new Uint8Array([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]);
    expect(await check(u16, 'utf-16')).toBe(false);
  });

  test('a lone surrogate in the text itself (not escaped) is refused as before', async () => {
    // TextEncoder writes U+FFFD for it, so the text entry must not digest those bytes.
    for (const text of [v4('{"s": "a\ud800b"}'), v4('{"\udfff": 1}'), v4('{"s": "\ud83d"}')]) {
      const r = await jupyterDigest(text, KEY);
      expect(r).toEqual(await jupyterDigestOfText(text, KEY));
      expect(r.ok ? '' : r.error.code).toBe('lone-surrogate');
    }
    // A real U+FFFD is a character like any other: digested, from text and from bytes alike.
    const real = v4('{"s": "a\ufffdb", "\ufffd": 2}');
    expect(await check(enc.encode(real), 'raw U+FFFD')).toBe(true);
    const r = await jupyterDigest(real, KEY);
    expect(r.ok).toBe(true);
    expect(r).toEqual(await jupyterDigestOfText(real, KEY));
  });

  test('limits: depth and size as before', async () => {
    const deep = enc.encode(v4(`{"x": ${'['.repeat(20)}${']'.repeat(20)}}`));
    expect(await check(deep, 'depth 22 of 30', { maxDepth: 30 })).toBe(true);
    expect(await check(deep, 'depth 22 of 10', { maxDepth: 10 })).toBe(false);
    const r = await jupyterDigestBytes(deep, KEY, { maxBytes: 10 });
    expect(r.ok ? '' : r.error.code).toBe('too-large');
    expect(r).toEqual(await before(deep, { maxBytes: 10 }));
  });

  test('reordering really happens (the stream is not the file order)', () => {
    // The control for the groups above: an unsorted object digests differently from the
    // same bytes taken in file order, so equal streams mean the byte path sorted them.
    const unsorted = enc.encode(v4('{"b": "1", "a": "2"}'));
    const sorted = enc.encode(v4('{"a": "2", "b": "1"}'));
    const s = byteStream(unsorted);
    expect(s).not.toBeNull();
    expect(toHex(s as Uint8Array)).toBe(toHex(byteStream(sorted) as Uint8Array));
    const fileOrder = 'cellsmetadatab1a2nbformat4nbformat_minor4';
    expect(new TextDecoder().decode(s as Uint8Array)).not.toBe(fileOrder);
    expect(new TextDecoder().decode(s as Uint8Array)).toBe(
      'cellsmetadataa2b1nbformat4nbformat_minor4',
    );
  });

  test('generated notebooks (random key order, escapes, whitespace), v4 and v3', async () => {
    const docs = [
      ...fc.sample(notebookV4, { numRuns: 300, seed: 77 }),
      ...fc.sample(notebookV3, { numRuns: 150, seed: 78 }),
    ];
    let taken = 0;
    for (const [i, d] of docs.entries()) {
      if (await check(enc.encode(serialize(d as GenValue, i + 7)), `generated #${i}`)) taken++;
    }
    // Most generated notebooks are digestible; the byte path must have done them itself.
    expect(taken).toBeGreaterThan(docs.length / 2);
  });

  test('mutated notebooks (bytes flipped, inserted, removed): same outcome', async () => {
    const base = [
      ...fc.sample(notebookV4, { numRuns: 40, seed: 91 }),
      ...fc.sample(notebookV3, { numRuns: 20, seed: 92 }),
    ].map((d, i) => enc.encode(serialize(d as GenValue, i + 3)));
    base.push(new Uint8Array(readFileSync(`${CORPUS}/nbformat__test4.5.ipynb`)));
    const pieces = [
      0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x0a, 0x09, 0x01, 0x75, 0x30, 0x2e, 0x65,
      0x80, 0xc3, 0xe2, 0xed, 0xf0, 0xff,
    ];
    let n = 0;
    let taken = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(base.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.nat(2), fc.constantFrom(...pieces)), {
          minLength: 1,
          maxLength: 3,
        }),
        async (which, edits) => {
          const b = Array.from(base[which] as Uint8Array);
          for (const [p, op, byte] of edits) {
            const at = p % (b.length + 1);
            if (op === 0) b[Math.min(at, b.length - 1)] = byte;
            else if (op === 1) b.splice(at, 0, byte);
            else b.splice(at, 1);
          }
          const bytes = new Uint8Array(b);
          n++;
          if (await check(bytes, `mutant ${n}`)) taken++;
          else if (!(await before(bytes)).ok) refused++;
        },
      ),
      { numRuns: 600, seed: 5 },
    );
    // Both kinds occur: some mutants stay digestible (via bytes), many are refused.
    expect(taken).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(100);
  });

  test('a hand-checked case against nbformat too (unsorted, escapes, transient keys)', async () => {
    const doc = `{"nbformat_minor": 4, "metadata": {"signature": "sha256:00", "z\\u00e9": 1, "a": {"y": 1.50, "x": 1e5}}, "nbformat": 4, "cells": [{"source": ["a\\n", "\\ud83d\\ude00"], "outputs": [], "metadata": {"trusted": true, "b": null}, "execution_count": null, "cell_type": "code"}]}`;
    const py = runPython([{ text: doc, secret_hex: toHex(KEY) }]);
    expect(py[0]!.ok).toBe(true);
    expect(byteStream(enc.encode(doc))).not.toBeNull();
    expect(await jupyterDigestBytes(enc.encode(doc), KEY)).toEqual({
      ok: true,
      value: py[0]!.digest,
    });
  });
});
