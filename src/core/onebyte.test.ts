import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- test-only: where the shared corpus is
import { CORPUS_DIR, corpusFiles } from '../../test/corpus';
// eslint-disable-next-line no-restricted-imports -- test-only: the nbformat reference and generators
import { jsonValue, notebookV3, notebookV4, serialize } from '../../test/node/reference/gen';
import { canonicalBytes } from './canonical';
import { jupyterDigest } from './digest';
import { parseJsonRaw } from './json';
import { escapeAboveLatin1, oneByteText, oneByteTextFromBytes } from './onebyte';
import { parseNotebook } from './parse';
import { parseNotebookProgressive } from './progressive';
import { decide, type TrustKey } from './trust';

const enc = new TextEncoder();
const plain = (b: Uint8Array) =>
  new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b);
/** Every character above U+00FF escaped (no size rule): the conversion itself. */
const conv = (s: string) => escapeAboveLatin1(enc.encode(s));
/** What the background uses: the conversion where it pays. */
const policy = (s: string) => oneByteTextFromBytes(enc.encode(s));
const ABOVE_LATIN1 = /[\u0100-\uffff]/;
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const key: TrustKey = { id: 'k', name: 'k', bytes: enc.encode('a test key') };

/** The conversion written the obvious way, one UTF-16 unit at a time: the reference. */
function reference(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) inString = !inString;
    else if (inString && c === 0x5c && i + 1 < text.length) {
      // The escaped character (both halves of a pair) stays as written.
      const d = text.charCodeAt(i + 1);
      const len = d >= 0xd800 && d <= 0xdbff ? 2 : 1;
      out += text.slice(i, i + 1 + len);
      i += len;
      continue;
    } else if (inString && c > 0xff) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
      continue;
    }
    out += text[i] as string;
  }
  return out;
}

function progressive(text: string) {
  const s = parseNotebookProgressive(text, () => false);
  for (let r = s.step(); ; r = s.step()) if (r !== null) return r;
}

/** Everything a consumer of the text gets from it: what the renderer, the digest and trust see. */
async function meaning(text: string) {
  const raw = parseJsonRaw(text);
  return {
    raw,
    notebook: parseNotebook(text),
    progressive: progressive(text),
    canonical: raw.ok ? Buffer.from(canonicalBytes(raw.value)).toString('hex') : null,
    digest: await jupyterDigest(text, key.bytes),
    verdict: await decide({ text, keys: [key], isRecorded: () => false }),
  };
}

describe('escapeAboveLatin1', () => {
  test('escapes characters above U+00FF inside strings, astral ones as a surrogate pair', () => {
    const t = '{"a — b": "x — y 😀 é ÿ Ā", "n": 1}';
    const out = conv(t);
    expect(out).toBe('{"a \\u2014 b": "x \\u2014 y \\ud83d\\ude00 é ÿ \\u0100", "n": 1}');
    expect(ABOVE_LATIN1.test(out as string)).toBe(false);
    expect(JSON.parse(out as string)).toEqual(JSON.parse(t));
  });

  test('escapes already in the text are kept as written, and what they escape too', () => {
    // \" does not end the string (the dash after it is still inside); \\ does; a backslash
    // before a raw character stays an (invalid) escape of that character.
    expect(conv('["\\"—", "\\\\", "—"]')).toBe('["\\"\\u2014", "\\\\", "\\u2014"]');
    expect(conv('["\\—"]')).toBe('["\\—"]');
    expect(conv('["\\u2014—"]')).toBe('["\\u2014\\u2014"]');
  });

  test('outside strings nothing changes: a BOM, a stray character, a malformed file', () => {
    for (const t of ['\ufeff{"a": "—"}', '{"a": 1} —', '{— "a": "b"}', '["—', '"—']) {
      const out = conv(t) as string;
      const expected = t.startsWith('\ufeff') ? '\ufeff{"a": "\\u2014"}' : out;
      expect(out).toBe(expected);
      expect(parseJsonRaw(out).ok).toBe(parseJsonRaw(t).ok);
    }
    expect(conv('{"a": 1} —')).toBe('{"a": 1} —');
    expect(conv('{— "a": "b"}')).toBe('{— "a": "b"}');
    const bom = parseJsonRaw(conv('\ufeff{"a": "—"}') as string);
    expect(bom.ok ? '' : bom.error.message).toMatch(/byte-order mark/);
  });

  test('invalid UTF-8 is refused (null), also where a character would have been escaped', () => {
    const cases = [
      [0x22, 0xe2, 0x80, 0x22], // a 3-byte sequence cut short inside a string
      [0x22, 0xed, 0xa0, 0x80, 0x22], // a surrogate
      [0x22, 0xf0, 0x82, 0x82, 0xac, 0x22], // overlong
      [0x22, 0xf5, 0x80, 0x80, 0x80, 0x22], // beyond U+10FFFF
      [0x22, 0xc4, 0x22], // a lead byte with no continuation
      [0x22, 0x80, 0x22], // a lone continuation byte
      [0x22, 0xe2, 0x80, 0x94, 0xff, 0x22], // valid then invalid
    ];
    for (const c of cases) {
      expect(escapeAboveLatin1(new Uint8Array(c)), `${c}`).toBeNull();
      expect(oneByteTextFromBytes(new Uint8Array(c)), `${c}`).toBeNull();
    }
  });

  test('no byte >= 0xC4 (ASCII and Latin-1): the plain decode', () => {
    const t = '{"a": "é ÿ \\u2014"}';
    expect(conv(t)).toBe(t);
    expect(policy(t)).toBe(t);
  });

  test('text mostly above U+00FF (CJK, Cyrillic) is left as it is: escapes would make it larger', () => {
    const cjk = `{"a": "${'数据分析'.repeat(50)}"}`;
    expect(policy(cjk)).toBe(cjk);
    const ru = `{"a": "${'Привет мир '.repeat(50)}"}`;
    expect(policy(ru)).toBe(ru);
    // Positive control: the same characters, a few in mostly ASCII text, are escaped.
    const few = `{"a": "${'数据 plus a lot more ASCII text around it, '.repeat(50)}"}`;
    expect(policy(few)).toBe(conv(few));
    expect(ABOVE_LATIN1.test(policy(few) as string)).toBe(false);
  });

  test('the string path gives the same text, and leaves lone surrogates alone', () => {
    const t = `{"a": "x — 😀 ${'ASCII '.repeat(20)}"}`;
    expect(oneByteText(t)).toBe(policy(t));
    expect(oneByteText(t)).toBe(conv(t));
    expect(oneByteText('{"a": "é"}')).toBe('{"a": "é"}');
    for (const t of ['["\ud800—"]', '["\udc00—"]', '["—\ud83d"]']) expect(oneByteText(t)).toBe(t);
  });

  test('an nbformat 3 sha256: signature still verifies on the converted text', async () => {
    const nb3 = (sig: string) =>
      `{"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": "—"${sig}}, "worksheets": [{"cells": [{"cell_type": "markdown", "source": "Fläche — 😀"}]}]}`;
    const d = await jupyterDigest(nb3(''), key.bytes);
    expect(d.ok).toBe(true);
    const signed = nb3(`, "signature": "sha256:${d.ok ? d.value : ''}"`);
    const converted = conv(signed) as string;
    expect(converted).not.toBe(signed);
    const v = await decide({ text: converted, keys: [key], isRecorded: () => false });
    expect(v.reason).toBe('legacy-signature');
    expect(v.trusted).toBe(true);
  });
});

describe('the converted text means the same', () => {
  const files = corpusFiles();

  test('the corpus is there', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  test('every corpus notebook: parsed notebook, cells, canonical form, digest and verdict', async () => {
    let converted = 0;
    for (const f of files) {
      const bytes = new Uint8Array(readFileSync(join(CORPUS_DIR, f)));
      const original = plain(bytes);
      const out = oneByteTextFromBytes(bytes);
      expect(out, f).not.toBeNull();
      if (out !== original) {
        converted++;
        expect(ABOVE_LATIN1.test(out as string), f).toBe(false);
      }
      const [a, b] = await Promise.all([meaning(original), meaning(out as string)]);
      expect(b, f).toEqual(a);
      expect(a.raw.ok && a.notebook.ok && a.digest.ok, f).toBe(true);
    }
    // The corpus has notebooks with dashes and emoji: the test exercises the conversion.
    expect(converted).toBeGreaterThanOrEqual(10);
  }, 60_000);

  test('random JSON documents with any characters (surrogate pairs, escapes, non-ASCII)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(jsonValue, notebookV4, notebookV3),
        fc.integer(),
        async (v, seed) => {
          const text = serialize(v, seed);
          const out = conv(text);
          expect(out).not.toBeNull();
          expect(ABOVE_LATIN1.test(out as string)).toBe(false);
          const m = await meaning(text);
          expect(await meaning(out as string)).toEqual(m);
          const p = policy(text) as string;
          if (p !== out) expect(p).toBe(text);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('random broken texts: the same answer, and the same error (line exact; column too where nothing was escaped before it on that line)', () => {
    const piece = fc.constantFrom(
      ...['{', '}', '[', ']', ':', ',', '"', '\\', '\\"', '\\\\', '\\u2014', '\\ud83d', 'a'],
      ...[' ', '\n', '1', 'true', 'é', '—', '😀', '中', '\u0001', '\ufeff', '"a": ', '"—": "—"'],
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        const out = conv(text) as string;
        const a = parseJsonRaw(text);
        const b = parseJsonRaw(out);
        expect(b.ok).toBe(a.ok);
        if (a.ok || b.ok) {
          expect(b).toEqual(a);
          return;
        }
        expect(b.error.code).toBe(a.error.code);
        expect(b.error.line).toBe(a.error.line);
        // Refused before the parse (a BOM, UTF-16): no position, the same message.
        if (a.error.line === undefined) return void expect(b.error).toEqual(a.error);
        const line = (a.error.line as number) - 1;
        const lineA = text.split('\n')[line] as string;
        const lineB = out.split('\n')[line] as string;
        const col = (a.error.column as number) - 1;
        // Nothing escaped before the error on its line: the message is the same word for word.
        if (lineA.slice(0, col) === lineB.slice(0, col)) expect(b.error).toEqual(a.error);
      }),
      { numRuns: 3000 },
    );
  });

  test('random texts: the same as the reference, one UTF-16 unit at a time', () => {
    const piece = fc.oneof(
      fc.constantFrom('"', '\\', '\\"', 'a', ' ', 'é', 'ÿ', 'Ā', '—', '😀', '\ufeff', '\n'),
      fc.string({ unit: 'binary', maxLength: 4 }).filter((x) => !LONE.test(x)),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        fc.pre(!LONE.test(text));
        expect(conv(text)).toBe(reference(text));
      }),
      { numRuns: 3000 },
    );
  });

  test('random bytes: refused exactly when the plain decode refuses them', () => {
    const byte = fc.oneof(
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom(0x22, 0x5c, 0xc4, 0xe2, 0x80, 0x94, 0xf0, 0x9f),
    );
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 40 }), (arr) => {
        const b = new Uint8Array(arr);
        let ok = true;
        try {
          plain(b);
        } catch {
          ok = false;
        }
        expect(escapeAboveLatin1(b) !== null).toBe(ok);
        expect(oneByteTextFromBytes(b) !== null).toBe(ok);
      }),
      { numRuns: 3000 },
    );
  });
});
