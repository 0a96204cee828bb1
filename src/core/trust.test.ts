import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- test-only: where the shared corpus is
import { CORPUS_DIR } from '../../test/corpus';
// eslint-disable-next-line no-restricted-imports -- test-only: the nbformat reference
import { runPython } from '../../test/node/reference/nbdigest';
import { SIGNATURE_PREFIX } from './canonical';
import { jupyterDigest } from './digest';
import { decide, recordDigest, signNotebookText, verifyEmbedded } from './trust';
import type { TrustKey } from './trust';

const enc = new TextEncoder();
const K1: TrustKey = {
  id: 'k1',
  name: 'laptop',
  bytes: enc.encode('key one, 32 bytes or so........'),
};
const K2: TrustKey = {
  id: 'k2',
  name: 'team',
  bytes: enc.encode('key two, another secret.........'),
};
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

const benign = JSON.stringify(
  {
    nbformat: 4,
    nbformat_minor: 4,
    metadata: { kernelspec: { name: 'python3' }, ab: 'c' },
    cells: [
      {
        cell_type: 'code',
        execution_count: 1,
        metadata: {},
        source: ['print(1)\n'],
        outputs: [
          { output_type: 'display_data', metadata: {}, data: { 'text/html': ['<b>hi</b>'] } },
        ],
      },
    ],
  },
  null,
  1,
);

const noRecords = () => false;
const records = (...ds: string[]) => {
  const s = new Set(ds);
  return (d: string) => s.has(d);
};
const setSignature = (text: string, sig: unknown) => {
  const v = JSON.parse(text) as { metadata: Record<string, unknown> };
  v.metadata.signature = sig;
  return JSON.stringify(v, null, 1);
};
const mustOk = <T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('nbshield signatures', () => {
  test('sign, then verify with the key; another key or no key does not verify', async () => {
    const signed = mustOk(await signNotebookText(benign, K1));
    const sig = (JSON.parse(signed) as { metadata: { signature: string } }).metadata.signature;
    expect(sig).toMatch(/^nbshield-v1:hmac-sha256:[0-9a-f]{64}$/);
    expect(await verifyEmbedded(signed, [K2, K1])).toMatchObject({
      valid: true,
      reason: 'signed',
      keyId: 'k1',
    });
    expect(await verifyEmbedded(signed, [K2])).toMatchObject({
      valid: false,
      reason: 'bad-signature',
    });
    expect(await verifyEmbedded(benign, [K1])).toMatchObject({
      valid: false,
      reason: 'no-signature',
    });
    expect(await verifyEmbedded(signed, [])).toMatchObject({ valid: false, reason: 'no-key' });
    const v = await decide({ text: signed, keys: [K1], isRecorded: noRecords });
    expect(v).toMatchObject({
      trusted: true,
      reason: 'signed',
      keyId: 'k1',
      message: 'Trusted: signed with your key',
    });
    const v2 = await decide({ text: signed, keys: [K2, K1], isRecorded: noRecords });
    expect(v2.message).toBe('Trusted: signed with key laptop');
  });

  test('one changed byte anywhere in the content -> not trusted', async () => {
    const signed = mustOk(await signNotebookText(benign, K1));
    const positions = [
      signed.indexOf('print(1)') + 6,
      signed.indexOf('<b>hi') + 1,
      signed.indexOf('python3'),
      signed.indexOf('"ab"') + 1,
    ];
    for (const p of positions) {
      const ch = signed[p]!;
      const changed = signed.slice(0, p) + (ch === 'x' ? 'y' : 'x') + signed.slice(p + 1);
      const v = await decide({ text: changed, keys: [K1], isRecorded: noRecords });
      expect(v, `byte ${p}`).toMatchObject({ trusted: false, reason: 'bad-signature' });
    }
    // number tokens count: 1 -> 1.0 is a change
    const t2 = signed.replace('"execution_count": 1', '"execution_count": 1.0');
    expect(t2).not.toBe(signed);
    expect((await decide({ text: t2, keys: [K1], isRecorded: noRecords })).trusted).toBe(false);
  });

  test('reformatting only (whitespace, key order) keeps the signature valid', async () => {
    const signed = mustOk(await signNotebookText(benign, K1));
    const compact = JSON.stringify(JSON.parse(signed));
    expect((await verifyEmbedded(compact, [K1])).valid).toBe(true);
  });

  test('sign keeps number tokens and, for nbformat-written files, changes one line only', async () => {
    const text =
      '{\n "cells": [],\n "metadata": {\n  "x": [1.0, 1e-07, 123456789012345678901234567890]\n },\n "nbformat": 4,\n "nbformat_minor": 4\n}\n';
    const signed = mustOk(await signNotebookText(text, K1));
    expect(signed).toContain('1.0');
    expect(signed).toContain('1e-07');
    expect(signed).toContain('123456789012345678901234567890');
    const dir = CORPUS_DIR;
    const f = readdirSync(dir)
      .filter((n) => n.endsWith('.ipynb'))
      .find((n) => {
        const t = readFileSync(join(dir, n), 'utf8');
        return t.includes('\n "metadata": {\n') && t.endsWith('}\n') && !t.includes('"signature"');
      });
    expect(f).toBeDefined();
    const orig = readFileSync(join(dir, f!), 'utf8');
    const out = mustOk(await signNotebookText(orig, K1));
    const a = orig.split('\n');
    const b = out.split('\n');
    const added = b.filter((l) => !a.includes(l));
    expect(added.length).toBeLessThanOrEqual(2); // the signature line (and maybe a comma moved)
    expect(added.some((l) => l.includes(SIGNATURE_PREFIX))).toBe(true);
    expect((await verifyEmbedded(out, [K1])).valid).toBe(true);
    // re-signing is idempotent
    expect(mustOk(await signNotebookText(out, K1))).toBe(out);
  });

  test('signature strings are never normalised', async () => {
    const signed = mustOk(await signNotebookText(benign, K1));
    const sig = (JSON.parse(signed) as { metadata: { signature: string } }).metadata.signature;
    const variants = [
      sig.toUpperCase(),
      sig.replace(/[0-9a-f]{64}$/, (h) => h.toUpperCase()),
      ` ${sig}`,
      `${sig} `,
      sig.replace('nbshield-v1', 'NBSHIELD-V1'),
      sig.replace('hmac-sha256', 'hmac-sha512'),
      sig.slice(0, -1),
      `md5:${sig.slice(-32)}`,
      sig.replace('nbshield-v1:hmac-sha256:', 'sha256:'),
      42,
      [sig],
    ];
    for (const s of variants) {
      const v = await decide({ text: setSignature(signed, s), keys: [K1], isRecorded: noRecords });
      expect(v.trusted, JSON.stringify(s)).toBe(false);
      expect(['unsupported-signature', 'bad-signature']).toContain(v.reason);
    }
    // positive control: the exact signature, set the same way, is trusted
    expect(
      (await decide({ text: setSignature(signed, sig), keys: [K1], isRecorded: noRecords }))
        .trusted,
    ).toBe(true);
  });
});

describe('one-click trust records', () => {
  test('recorded -> trusted; one byte changed -> not; the hint says "changed"', async () => {
    const d = mustOk(await recordDigest(benign, K1));
    expect(d).toMatch(/^[0-9a-f]{64}$/);
    const v = await decide({ text: benign, keys: [K1], isRecorded: records(d) });
    expect(v).toMatchObject({
      trusted: true,
      reason: 'recorded',
      keyId: 'k1',
      canonicalDigest: d,
      message: 'Trusted: you trusted this notebook',
    });
    const changed = benign.replace('print(1)', 'print(2)');
    const v2 = await decide({ text: changed, keys: [K1], isRecorded: records(d) });
    expect(v2).toMatchObject({ trusted: false, reason: 'no-signature' });
    const v3 = await decide({
      text: changed,
      keys: [K1],
      isRecorded: records(d),
      previousRecordDigest: d,
    });
    expect(v3).toMatchObject({
      trusted: false,
      reason: 'changed',
      message: 'Not trusted: changed since you trusted it',
    });
    expect(v2.canonicalDigest).not.toBe(d);
    // a record is per key
    const v4 = await decide({ text: benign, keys: [K2], isRecorded: records(d) });
    expect(v4.trusted).toBe(false);
  });

  test('record digests and signatures are domain-separated', async () => {
    const d = mustOk(await recordDigest(benign, K1));
    const forged = setSignature(benign, SIGNATURE_PREFIX + d);
    expect((await verifyEmbedded(forged, [K1])).valid).toBe(false);
    const signed = mustOk(await signNotebookText(benign, K1));
    const sigHex = (
      JSON.parse(signed) as { metadata: { signature: string } }
    ).metadata.signature.slice(-64);
    expect(sigHex).not.toBe(d);
    expect((await decide({ text: benign, keys: [K1], isRecorded: records(sigHex) })).trusted).toBe(
      false,
    );
  });

  test('a boundary-shifted twin sharing the Jupyter digest stays untrusted', async () => {
    // benign has metadata {"ab": "c"}; the twin has {"a": "bc"}, and the HTML output moves
    // across a key/value boundary: Jupyter's separator-less stream cannot tell them apart.
    const twin = benign.replace('"ab": "c"', '"a": "bc"');
    expect(twin).not.toBe(benign);
    // positive control: nbformat (the real one) gives both the same digest, so a Jupyter-digest
    // record would trust the twin
    const py = runPython([
      { text: benign, secret_hex: hex(K1.bytes) },
      { text: twin, secret_hex: hex(K1.bytes) },
    ]);
    expect(py[0]!.digest).toBe(py[1]!.digest);
    expect(mustOk(await jupyterDigest(twin, K1.bytes))).toBe(py[0]!.digest);
    // nbshield's records and signatures tell them apart
    const d = mustOk(await recordDigest(benign, K1));
    expect((await decide({ text: benign, keys: [K1], isRecorded: records(d) })).trusted).toBe(true);
    expect((await decide({ text: twin, keys: [K1], isRecorded: records(d) })).trusted).toBe(false);
    const signed = mustOk(await signNotebookText(benign, K1));
    const sig = (JSON.parse(signed) as { metadata: { signature: string } }).metadata.signature;
    expect(
      (await decide({ text: setSignature(twin, sig), keys: [K1], isRecorded: noRecords })).reason,
    ).toBe('bad-signature');
    // a script-carrying twin: ["<b>", "hi</b>"] vs "<b>hi</b>" style shifts in outputs
    const evil = benign.replace(
      '"text/html": [\n       "<b>hi</b>"\n      ]',
      '"text/html": "<b>hi</b>"',
    );
    expect(evil).not.toBe(benign);
    expect(mustOk(await jupyterDigest(evil, K1.bytes))).toBe(py[0]!.digest);
    expect((await decide({ text: evil, keys: [K1], isRecorded: records(d) })).trusted).toBe(false);
  });
});

describe('IPython 2 sha256: signatures', () => {
  const v3 = JSON.stringify({
    nbformat: 3,
    nbformat_minor: 0,
    metadata: { name: 'old' },
    worksheets: [
      { cells: [{ cell_type: 'code', input: ['x = 1'], language: 'python', outputs: [] }] },
    ],
  });

  test('valid in an nbformat 3 file; the same form in nbformat 4 is not honoured', async () => {
    const jd = mustOk(await jupyterDigest(v3, K1.bytes));
    const [py] = runPython([{ text: v3, secret_hex: hex(K1.bytes) }]);
    expect(jd).toBe(py!.digest);
    const legacy = setSignature(v3, `sha256:${jd}`);
    const v = await decide({ text: legacy, keys: [K2, K1], isRecorded: noRecords });
    expect(v).toMatchObject({ trusted: true, reason: 'legacy-signature', keyId: 'k1' });
    expect(await verifyEmbedded(legacy, [K1])).toMatchObject({
      valid: true,
      reason: 'legacy-signature',
    });
    expect(
      (
        await decide({
          text: setSignature(v3, `sha256:${'0'.repeat(64)}`),
          keys: [K1],
          isRecorded: noRecords,
        })
      ).reason,
    ).toBe('bad-signature');
    expect(
      (await decide({ text: setSignature(v3, `SHA256:${jd}`), keys: [K1], isRecorded: noRecords }))
        .trusted,
    ).toBe(false);
    expect(
      (
        await decide({
          text: setSignature(v3, `sha256:${jd.toUpperCase()}`),
          keys: [K1],
          isRecorded: noRecords,
        })
      ).trusted,
    ).toBe(false);
    // v4 with its own correct Jupyter digest in sha256: form -> untrusted
    const jd4 = mustOk(await jupyterDigest(benign, K1.bytes));
    const v4 = await decide({
      text: setSignature(benign, `sha256:${jd4}`),
      keys: [K1],
      isRecorded: noRecords,
    });
    expect(v4).toMatchObject({ trusted: false, reason: 'unsupported-signature' });
    expect(v4.message).toMatch(/nbformat 3/);
  });
});

describe('never trusted from the file itself', () => {
  test('metadata.trusted and cell trusted flags are ignored', async () => {
    const v = JSON.parse(benign) as {
      metadata: Record<string, unknown>;
      cells: Record<string, unknown>[];
    };
    v.metadata.trusted = true;
    v.cells[0]!.trusted = true;
    (v.cells[0]!.metadata as Record<string, unknown>).trusted = true;
    const text = JSON.stringify(v);
    expect(await decide({ text, keys: [K1], isRecorded: noRecords })).toMatchObject({
      trusted: false,
      reason: 'no-signature',
    });
  });
  test('no key, bad input', async () => {
    expect(await decide({ text: benign, keys: [], isRecorded: () => true })).toMatchObject({
      trusted: false,
      reason: 'no-key',
    });
    const bad = await decide({ text: '{"a": 1,}', keys: [K1], isRecorded: () => true });
    expect(bad).toMatchObject({ trusted: false, reason: 'invalid' });
    expect(bad.message).toMatch(/line 1, column 9/);
    expect((await signNotebookText('{"nbformat": 5, "metadata": {}}', K1)).ok).toBe(false);
    expect((await signNotebookText('[]', K1)).ok).toBe(false);
  });
});
