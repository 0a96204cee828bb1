import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- test-only: where the shared corpus is
import { CORPUS_DIR } from '../../test/corpus';
// eslint-disable-next-line no-restricted-imports -- test-only: the nbformat reference and generators
import { runPython } from '../../test/node/reference/nbdigest';
import { jupyterDigest } from './digest';
import {
  bytesToHex,
  exportKey,
  hexToBytes,
  importKey,
  keyFingerprint,
  keyFromJupyterSecretFile,
  MIN_PBKDF2_ITERATIONS,
  randomKey,
  unwrapKeyring,
  wrapKeyring,
} from './secret';

const IT = MIN_PBKDF2_ITERATIONS; // the floor keeps the suite quick; the default is 600k

describe('hex and random keys', () => {
  test('hex round trip, strict parsing', () => {
    const b = new Uint8Array([0, 1, 0xab, 0xff]);
    expect(bytesToHex(b)).toBe('0001abff');
    expect(hexToBytes('0001ABff')).toEqual(b);
    for (const bad of ['0', 'zz', '00 11', '0x00'])
      expect(() => hexToBytes(bad), bad).toThrow(/hex/);
  });
  test('random keys are 32 bytes and differ', () => {
    const a = randomKey();
    const b = randomKey();
    expect(a.length).toBe(32);
    expect(bytesToHex(a)).not.toBe(bytesToHex(b));
    expect(() => randomKey(16)).toThrow();
  });
});

describe('Jupyter notebook_secret', () => {
  test('a real file written by NotebookNotary, used as stored, gives Jupyter digests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nbshield-secret-'));
    const [made] = runPython([{ make_secret_dir: dir }]);
    const fileBytes = new Uint8Array(readFileSync(made!.path!));
    const k = keyFromJupyterSecretFile(fileBytes);
    if (!k.ok) throw new Error(k.error.message);
    expect(k.value).toEqual(fileBytes);
    expect(k.value).not.toBe(fileBytes); // a copy: later edits of the buffer do not change it
    const corpus = CORPUS_DIR;
    const f = readdirSync(corpus).filter((n) => n.endsWith('.ipynb'))[3]!;
    const text = readFileSync(join(corpus, f), 'utf8');
    const [py] = runPython([{ text, secret_file: made!.path! }]);
    expect(await jupyterDigest(text, k.value)).toEqual({ ok: true, value: py!.digest });
  });
  test('an empty file is refused', () => {
    const r = keyFromJupyterSecretFile(new Uint8Array(0));
    expect(r.ok ? '' : r.error.code).toBe('empty');
  });
});

describe('fingerprints', () => {
  test('short, stable, distinct, not the key', async () => {
    const k = randomKey();
    const f = await keyFingerprint(k);
    expect(f).toMatch(/^[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$/);
    expect(await keyFingerprint(k)).toBe(f);
    expect(await keyFingerprint(randomKey())).not.toBe(f);
    expect(bytesToHex(k)).not.toContain(f.replace(/-/g, '').slice(0, 8));
  });
});

describe('passphrase export / import', () => {
  test('round trip; wrong passphrase is a clear error', async () => {
    const k = randomKey(48);
    const s = await exportKey(k, 'correct horse battery', IT);
    expect(s).toMatch(/^nbshield-key-v1:pbkdf2-sha256:300000:[\w-]+:[\w-]+:[\w-]+$/);
    expect(s).not.toContain(bytesToHex(k));
    expect(await importKey(s, 'correct horse battery')).toEqual({ ok: true, value: k });
    const wrong = await importKey(s, 'correct horse batterY');
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) {
      expect(wrong.error.code).toBe('wrong-passphrase');
      expect(wrong.error.message).toMatch(/wrong passphrase/);
    }
    // two exports of one key differ (fresh salt and IV)
    expect(await exportKey(k, 'correct horse battery', IT)).not.toBe(s);
  });

  test('default iterations are at least 600,000', async () => {
    const s = await exportKey(randomKey(), 'a long passphrase');
    expect(Number(s.split(':')[2])).toBeGreaterThanOrEqual(600_000);
  });

  test('the same passphrase in NFC or NFD opens it', async () => {
    const k = randomKey();
    const s = await exportKey(k, 'caf\u00e9 au lait', IT);
    expect(await importKey(s, 'cafe\u0301 au lait')).toEqual({ ok: true, value: k });
  });

  test('tampering, downgrade, cross-type and malformed strings are refused', async () => {
    const k = randomKey();
    const s = await exportKey(k, 'passphrase!', IT);
    const parts = s.split(':');
    const flip = (i: number) => {
      const p = [...parts];
      const x = p[i]!;
      p[i] = (x[0] === 'A' ? 'B' : 'A') + x.slice(1);
      return p.join(':');
    };
    for (const i of [3, 4, 5])
      expect((await importKey(flip(i), 'passphrase!')).ok, `part ${i}`).toBe(false);
    const lowered = [...parts];
    lowered[2] = '1000';
    const low = await importKey(lowered.join(':'), 'passphrase!');
    expect(low.ok ? '' : low.error.code).toBe('unsupported');
    const higher = [...parts];
    higher[2] = '300001';
    expect((await importKey(higher.join(':'), 'passphrase!')).ok).toBe(false); // header is authenticated
    const asRing = await unwrapKeyring(s, 'passphrase!');
    expect(asRing.ok ? '' : asRing.error.code).toBe('unsupported');
    const renamed = await unwrapKeyring(
      s.replace('nbshield-key-v1', 'nbshield-keyring-v1'),
      'passphrase!',
    );
    expect(renamed.ok).toBe(false); // the prefix is in the authenticated data
    for (const bad of [
      '',
      'hello',
      'nbshield-key-v1:',
      'nbshield-key-v1:pbkdf2-sha256:300000:a:b:c',
      'nbshield-key-v1:scrypt:1:a:b:c',
    ]) {
      const r = await importKey(bad, 'passphrase!');
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(r.error.message.length).toBeGreaterThan(10);
    }
    await expect(exportKey(k, 'short', IT)).rejects.toThrow(/at least 8/);
    await expect(exportKey(k, 'long enough', 1000)).rejects.toThrow(/iterations/);
  });

  test('keyring wrap for sync', async () => {
    const json = new TextEncoder().encode(
      JSON.stringify({ keys: [{ id: 'a', hex: bytesToHex(randomKey()) }] }),
    );
    const s = await wrapKeyring(json, 'sync passphrase', IT);
    expect(s.startsWith('nbshield-keyring-v1:')).toBe(true);
    expect(await unwrapKeyring(s, 'sync passphrase')).toEqual({ ok: true, value: json });
    const w = await unwrapKeyring(s, 'other passphrase');
    expect(w.ok ? '' : w.error.code).toBe('wrong-passphrase');
    const asKey = await importKey(s, 'sync passphrase');
    expect(asKey.ok).toBe(false);
  });
});
