// Differential tests: nbshield's jupyterDigest against the real nbformat (Debian's
// python3-nbformat), run in the same test run. Generated notebooks, fixed vectors, the corpus.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- test-only: where the shared corpus is
import { CORPUS_DIR } from '../../test/corpus';
// eslint-disable-next-line no-restricted-imports -- test-only: the nbformat reference and generators
import { runPython } from '../../test/node/reference/nbdigest';
// eslint-disable-next-line no-restricted-imports -- test-only: the nbformat reference and generators
import { notebookV3, notebookV4, serialize } from '../../test/node/reference/gen';
// eslint-disable-next-line no-restricted-imports -- test-only: the nbformat reference and generators
import type { GenValue } from '../../test/node/reference/gen';
import { hmacSha256Hex, jupyterDigest, jupyterDigestStream, SMALL_HMAC } from './digest';
import { parseJsonRaw } from './json';

const CORPUS = CORPUS_DIR;
const enc = new TextEncoder();
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

interface Case {
  name: string;
  text: string;
  secret: Uint8Array;
}

/** Compare ours with nbformat's on each case: same digest, or both refuse. */
async function compare(cases: Case[]): Promise<{ digested: number; refused: number }> {
  const py = runPython(cases.map((c) => ({ text: c.text, secret_hex: hex(c.secret) })));
  let digested = 0;
  let refused = 0;
  for (const [i, c] of cases.entries()) {
    const ours = await jupyterDigest(c.text, c.secret);
    const theirs = py[i]!;
    const label = `${c.name}: ${c.text.slice(0, 300)}`;
    if (theirs.ok) {
      expect(ours, label).toEqual({ ok: true, value: theirs.digest });
      digested++;
    } else {
      // nbformat raised (or Python could not encode a lone surrogate): we must not digest.
      expect(ours.ok, `${label}\nnbformat: ${theirs.error}`).toBe(false);
      refused++;
    }
  }
  return { digested, refused };
}

const KEY = enc.encode('nbshield test key');

function fixed(name: string, doc: string): Case {
  return { name, text: doc, secret: KEY };
}

const v4 = (meta: string, cells = '[]', minor = '4') =>
  `{"nbformat": 4, "nbformat_minor": ${minor}, "metadata": ${meta}, "cells": ${cells}}`;

describe('jupyterDigest equals nbformat compute_signature', () => {
  test('a hand-computed vector (HMAC over the documented byte stream)', async () => {
    const text = v4('{}', '[]', '2');
    const expected = await hmacSha256Hex(KEY, enc.encode('cellsmetadatanbformat4nbformat_minor2'));
    expect(await jupyterDigest(text, KEY)).toEqual({ ok: true, value: expected });
    const py = runPython([{ text, secret_hex: hex(KEY) }]);
    expect(py[0]!.digest).toBe(expected);
  });

  test('fixed vectors: numbers, unicode, astral keys, v3, attachments, transient keys', async () => {
    const big4300 = '9'.repeat(4300);
    const cases: Case[] = [
      fixed(
        'floats',
        v4(
          '{"a": [1, 1.0, 1e-7, 1e16, 1E16, 100000.0, -0.0, -0, 0e0, 1.7976931348623157e308, 5e-324, 1e999, -1e999, 1e-999, 0.1, 123456789012345678901234567890, 1.5e300, 2.5E-05, 0.0001, 0.00001, 1e15]}',
        ),
      ),
      fixed('bools', v4('{"x": true, "y": false, "z": null, "w": "True"}')),
      fixed(
        'astral keys sort by code point',
        v4('{"\\uffff": 1, "\\ud83d\\ude00": 2, "\\ue000": 3, "a": 4, "😀b": 5, "𝔘": 6}'),
      ),
      fixed('unicode values', v4('{"s": "héllo wörld 😀 \\u2028 \\u0000 \\"q\\""}')),
      fixed('int at 4300 digits', v4(`{"n": ${big4300}}`)),
      fixed('negative int at 4300 digits', v4(`{"n": -${big4300}}`)),
      fixed('int over 4300 digits', v4(`{"n": ${big4300}9}`)),
      fixed(
        'transient keys',
        v4(
          '{"orig_nbformat": 3, "orig_nbformat_minor": 0, "signature": "sha256:ab", "trusted": true}',
          '[{"cell_type": "code", "source": ["a\\n", "b"], "metadata": {"trusted": true}, "trusted": true, "outputs": [], "execution_count": 1}]',
        ),
      ),
      fixed(
        'attachments and bundles',
        v4(
          '{}',
          '[{"cell_type": "markdown", "source": "x", "metadata": {}, "attachments": {"a.png": {"image/png": ["iVBO", "Rw0"], "application/json": ["a", "b"], "application/vnd.x+json": ["c"], "text/plain": ["1\\n", "2"]}}}, {"cell_type": "code", "source": [], "metadata": {}, "execution_count": null, "outputs": [{"output_type": "stream", "name": "stdout", "text": ["a\\n", "b"]}, {"output_type": "execute_result", "execution_count": 1, "metadata": {}, "data": {"text/plain": ["x", "y"], "application/json": ["j", "k"], "text/html": ["<b>", 1]}}, {"output_type": "error", "ename": "E", "evalue": "v", "traceback": ["t1", "t2"]}]}]',
        ),
      ),
      fixed(
        '4.5 with ids',
        v4(
          '{}',
          '[{"id": "a", "cell_type": "raw", "source": "", "metadata": {}}, {"id": "b", "cell_type": "raw", "source": "", "metadata": {}}]',
          '5',
        ),
      ),
      fixed(
        '4.5 missing id (random id in nbformat)',
        v4('{}', '[{"cell_type": "raw", "source": "", "metadata": {}}]', '5'),
      ),
      fixed(
        '4.5 duplicate id',
        v4(
          '{}',
          '[{"id": "a", "cell_type": "raw", "source": "", "metadata": {}}, {"id": "a", "cell_type": "raw", "source": "", "metadata": {}}]',
          '5',
        ),
      ),
      fixed('cell without metadata', v4('{}', '[{"cell_type": "raw", "source": ""}]')),
      fixed('no metadata', '{"nbformat": 4, "nbformat_minor": 4, "cells": []}'),
      fixed(
        'float nbformat',
        '{"nbformat": 4.0, "nbformat_minor": 4, "metadata": {}, "cells": []}',
      ),
      fixed('nbformat 5', '{"nbformat": 5, "nbformat_minor": 0, "metadata": {}, "cells": []}'),
      fixed('not an object', '[1, 2]'),
      fixed('cells empty object', v4('{}', '{}')),
      fixed('cells empty string', v4('{}', '""')),
      fixed('cells non-empty string', v4('{}', '"ab"')),
      fixed(
        'source list with a number',
        v4('{}', '[{"cell_type": "raw", "source": ["a", 1], "metadata": {}}]'),
      ),
      fixed(
        'v3 basic',
        '{"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": "n", "orig_nbformat": 2, "signature": "sha256:00"}, "worksheets": [{"cells": [{"cell_type": "code", "input": ["a", "b"], "language": "python", "outputs": [{"output_type": "pyout", "text": ["1", "2"], "html": ["<p>\\n", "x"], "png": ["ab", "c"]}], "trusted": true, "metadata": {"trusted": true}}, {"cell_type": "heading", "level": 1, "source": ["t\\r", "u"], "rendered": []}]}]}',
      ),
      fixed(
        'v3 code without outputs',
        '{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [{"cell_type": "code", "input": "x"}]}]}',
      ),
      fixed('v3 no metadata', '{"nbformat": 3, "nbformat_minor": 0, "worksheets": []}'),
      fixed(
        'v3 line list with non-string first',
        '{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [{"cell_type": "markdown", "source": [1, "a"]}]}]}',
      ),
      fixed(
        'nested 250 deep',
        v4(
          `{"x": ${'{"a": '.repeat(250)}1${'}'.repeat(250)}, "y": ${'['.repeat(250)}${']'.repeat(250)}}`,
        ),
      ),
      fixed('deliberate: NaN', v4('{"x": NaN}')),
      fixed('deliberate: Infinity', v4('{"x": [Infinity, -Infinity]}')),
      fixed('lone surrogate', v4('{"x": "\\ud800"}')),
      fixed(
        'output_type number',
        v4(
          '{}',
          '[{"cell_type": "code", "source": "", "metadata": {}, "outputs": [{"output_type": 1, "text": ["a", "b"]}, {"output_type": 0, "text": ["c", "d"]}]}]',
        ),
      ),
      { name: 'empty secret', text: v4('{"a": 1}'), secret: new Uint8Array(0) },
      { name: 'long secret', text: v4('{"a": 1}'), secret: new Uint8Array(1000).fill(7) },
      fixed('deliberate: duplicate key (Python keeps the last)', v4('{"a": 1, "a": 2}')),
    ];
    const py = runPython(cases.map((c) => ({ text: c.text, secret_hex: hex(c.secret) })));
    for (const [i, c] of cases.entries()) {
      const ours = await jupyterDigest(c.text, c.secret);
      if (c.name.startsWith('deliberate:')) {
        // nbformat digests these, but the issue asks nbshield to refuse them as input
        expect(py[i]!.ok, c.name).toBe(true);
        expect(ours.ok ? '' : ours.error.code, c.name).toMatch(
          /^(duplicate-key|non-finite-number)$/,
        );
        continue;
      }
      if (py[i]!.ok) expect(ours, c.name).toEqual({ ok: true, value: py[i]!.digest });
      else expect(ours.ok, `${c.name}: nbformat said ${py[i]!.error}`).toBe(false);
    }
    // the canaries of this suite: these must be digested, these refused
    const okNames = new Set(cases.filter((_, i) => py[i]!.ok).map((c) => c.name));
    expect(okNames.has('int at 4300 digits')).toBe(true);
    expect(okNames.has('int over 4300 digits')).toBe(false);
    expect(okNames.has('4.5 missing id (random id in nbformat)')).toBe(false); // random: see below
  });

  test('nbformat >= 4.5 without ids really is non-deterministic in nbformat (so we refuse)', async () => {
    const text = v4('{}', '[{"cell_type": "raw", "source": "", "metadata": {}}]', '5');
    const py = runPython([{ text, secret_hex: '00' }]);
    expect(py[0]!.error).toMatch(/NonDeterministic/);
    expect((await jupyterDigest(text, KEY)).ok).toBe(false);
  });

  test('generated nbformat 4 notebooks (property-based, against nbformat)', async () => {
    const docs = fc.sample(notebookV4, { numRuns: 400, seed: 4242 });
    const cases = docs.map((d, i) => ({
      name: `v4 #${i}`,
      text: serialize(d as GenValue, i + 1),
      secret: KEY,
    }));
    const r = await compare(cases);
    // the generator must exercise both outcomes, mostly digestible
    expect(r.digested).toBeGreaterThan(250);
    expect(r.refused).toBeGreaterThan(0);
  });

  test('generated nbformat 3 notebooks (property-based, against nbformat)', async () => {
    const docs = fc.sample(notebookV3, { numRuns: 300, seed: 33 });
    const cases = docs.map((d, i) => ({
      name: `v3 #${i}`,
      text: serialize(d as GenValue, i + 7),
      secret: KEY,
    }));
    const r = await compare(cases);
    expect(r.digested).toBeGreaterThan(200);
  });

  test('all corpus notebooks', async () => {
    const files = readdirSync(CORPUS).filter((f) => f.endsWith('.ipynb'));
    expect(files.length).toBe(49);
    const cases = files.map((f) => ({
      name: f,
      text: readFileSync(join(CORPUS, f), 'utf8'),
      secret: KEY,
    }));
    const r = await compare(cases);
    expect(r.digested + r.refused).toBe(49);
    console.log(`corpus: ${r.digested} digested, ${r.refused} refused by both`);
  });

  test("Jupyter's own notebook_secret file is the key, byte-exact", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nbshield-secret-'));
    const [made] = runPython([{ make_secret_dir: dir }]);
    const path = made!.path!;
    const secret = new Uint8Array(readFileSync(path));
    expect(secret[secret.length - 1]).toBe(0x0a); // base64 text with its newline
    const text = readFileSync(
      join(
        CORPUS,
        readdirSync(CORPUS).find((f) => f.endsWith('.ipynb'))!,
      ),
      'utf8',
    );
    const [py] = runPython([{ text, secret_file: path }]);
    expect(await jupyterDigest(text, secret)).toEqual({ ok: true, value: py!.digest });
    // positive control: the key without its newline gives another digest
    const trimmed = await jupyterDigest(text, secret.subarray(0, secret.length - 1));
    expect(trimmed.ok && trimmed.value).not.toBe(py!.digest);
  });

  test('a key array changed in place gives the new key (the imported-key cache checks bytes)', async () => {
    const text = v4('{"a": 1}');
    const key = enc.encode('first key');
    const d1 = await jupyterDigest(text, key);
    key[0] = 0x46; // 'F'
    const d2 = await jupyterDigest(text, key);
    const fresh = await jupyterDigest(text, enc.encode('First key'));
    expect(d2).toEqual(fresh);
    expect(d2).not.toEqual(d1);
    const empty = new Uint8Array(0);
    const [py] = runPython([{ text, secret_hex: '' }]);
    expect(await jupyterDigest(text, empty)).toEqual({ ok: true, value: py!.digest });
    expect(await jupyterDigest(text, empty)).toEqual({ ok: true, value: py!.digest });
  });

  test('the JS HMAC for small inputs equals WebCrypto and node:crypto', async () => {
    const { createHmac } = await import('node:crypto');
    const sizes = [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 65536, SMALL_HMAC, SMALL_HMAC + 1];
    const keys = [
      new Uint8Array(0),
      enc.encode('k'),
      new Uint8Array(64).fill(1),
      new Uint8Array(65).fill(2),
      new Uint8Array(1033).fill(3),
    ];
    for (const n of sizes) {
      const data = new Uint8Array(n);
      for (let i = 0; i < n; i++) data[i] = (i * 31 + 7) & 0xff;
      for (const k of keys) {
        const ours = await hmacSha256Hex(k, data);
        expect(ours, `${n} bytes, key ${k.length}`).toBe(
          createHmac('sha256', k).update(data).digest('hex'),
        );
      }
    }
  });

  test('the byte stream has no separators (why nbshield has its own canonical form)', () => {
    const a = parseJsonRaw(v4('{"x": true}'));
    const b = parseJsonRaw(v4('{"x": "True"}'));
    if (!a.ok || !b.ok) throw new Error('parse');
    const sa = jupyterDigestStream(a.value);
    const sb = jupyterDigestStream(b.value);
    expect(sa.ok && sb.ok && Buffer.from(sa.value).equals(Buffer.from(sb.value))).toBe(true);
  });
});
