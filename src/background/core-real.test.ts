// The background with the real core: the trust flow end to end, signatures, and a Jupyter
// notebook_secret imported byte-exact (checked against the real nbformat).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS_DIR } from '../../test/corpus';
import { jupyterDigest } from '../core/digest';
import { signNotebookText } from '../core/trust';
import { realCore } from './core-real';
import { Router, type SenderLike } from './router';
import { Service } from './service';
import { memoryKV } from './storage';
import { memoryStores } from './test-fakes';

const ME = { id: 'ext-id', baseUrl: 'chrome-extension://ext-id/' };
const popup: SenderLike = { id: ME.id, url: 'chrome-extension://ext-id/popup.html' };
const viewer: SenderLike = {
  ...popup,
  url: 'chrome-extension://ext-id/viewer.html',
  tab: { id: 1 },
};
const RAW = 'https://raw.githubusercontent.com/o/r/main/demo.ipynb';
const page: SenderLike = { id: ME.id, url: RAW, tab: { id: 1, url: RAW }, frameId: 0 };
const CORPUS = path.join(CORPUS_DIR, 'IRkernel__Demo.ipynb');

function setup(files: Record<string, string>) {
  const stores = memoryStores();
  const service = new Service({
    stores,
    core: realCore,
    fetch: async (u) =>
      files[u] === undefined ? new Response('', { status: 404 }) : new Response(files[u]),
    setTimer: () => 0,
  });
  const router = new Router(() => service, ME);
  const call = async <T>(m: unknown, s: SenderLike = popup): Promise<T> => {
    const r = await router.handle(m, s);
    if (!r.ok) throw new Error(r.error);
    return r.value as T;
  };
  const verdict = async () => {
    const { viewId } = await call<{ viewId: string }>({ type: 'nb/open', url: RAW }, page);
    const v = await call<{ verdict: { trusted: boolean; reason: string; message: string } }>(
      { type: 'view/get', viewId },
      viewer,
    );
    return { viewId, ...v.verdict };
  };
  return { stores, service, router, call, verdict };
}

describe('with the real core', () => {
  it('one-click trust of a corpus notebook; one byte changed is untrusted, "changed since"', async () => {
    const text = readFileSync(CORPUS, 'utf8');
    const files: Record<string, string> = { [RAW]: text };
    const { call, verdict } = setup(files);
    const v0 = await verdict();
    expect(v0).toMatchObject({
      trusted: false,
      reason: 'no-signature',
      message: 'Not trusted: no signature',
    });
    const t = await call<{ trusted: boolean; message: string }>(
      { type: 'view/trust', viewId: v0.viewId },
      viewer,
    );
    expect(t).toMatchObject({ trusted: true, message: 'Trusted: you trusted this notebook' });
    expect((await verdict()).trusted).toBe(true);

    // Change one character inside a cell's source.
    const i = text.indexOf('"source"');
    const j = text.indexOf('"', text.indexOf('[', i) + 1) + 1;
    files[RAW] = text.slice(0, j) + (text[j] === 'X' ? 'Y' : 'X') + text.slice(j + 1);
    expect(await verdict()).toMatchObject({
      trusted: false,
      reason: 'changed',
      message: 'Not trusted: changed since you trusted it',
    });
    files[RAW] = text;
    expect((await verdict()).trusted).toBe(true);
  });

  it('a notebook signed with the personal key: "Trusted: signed with your key"; a shared key is named', async () => {
    const base = readFileSync(CORPUS, 'utf8');
    const files: Record<string, string> = {};
    const { call, verdict, stores } = setup(files);
    await call({ type: 'keys/list' });
    await call({ type: 'keys/import', format: 'hex', data: '5a'.repeat(32), name: 'Team A' });
    const kr = (stores.secrets as ReturnType<typeof memoryKV>).data.get('keyring') as {
      keys: Array<{ id: string; name: string; bytes: Uint8Array }>;
    };
    const [personal, team] = kr.keys;
    if (!personal || !team) throw new Error('keys missing');
    const signed = await signNotebookText(base, personal);
    if (!signed.ok) throw new Error(signed.error.message);
    files[RAW] = signed.value;
    expect(await verdict()).toMatchObject({
      trusted: true,
      reason: 'signed',
      message: 'Trusted: signed with your key',
    });
    const signed2 = await signNotebookText(base, team);
    if (!signed2.ok) throw new Error(signed2.error.message);
    files[RAW] = signed2.value;
    expect(await verdict()).toMatchObject({
      trusted: true,
      message: 'Trusted: signed with the key "Team A"',
    });
    // Removing the key: the same file is no longer trusted.
    await call({ type: 'keys/remove', keyId: team.id });
    expect(await verdict()).toMatchObject({ trusted: false, reason: 'bad-signature' });
  });

  it('a notebook with characters above U+00FF: the views hold it one byte a character, and trust, signatures and "changed" are as for its text', async () => {
    const nb = (s: string) =>
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: { title: 'Fläche — 😀' },
        cells: [{ cell_type: 'markdown', metadata: {}, source: [`${s} — a dash, 😀 an emoji\n`] }],
      });
    const text = nb('Résumé');
    const FILE = 'file:///home/u/demo.ipynb';
    const local: SenderLike = { id: ME.id, url: FILE, tab: { id: 1, url: FILE }, frameId: 0 };
    const files: Record<string, string> = { [RAW]: text };
    const { call, verdict, stores } = setup(files);
    const v0 = await verdict();
    const got = await call<{ text: string }>({ type: 'view/get', viewId: v0.viewId }, viewer);
    expect(got.text).not.toBe(text);
    expect(/[\u0100-\uffff]/.test(got.text)).toBe(false);
    expect(JSON.parse(got.text)).toEqual(JSON.parse(text));
    await call({ type: 'view/trust', viewId: v0.viewId }, viewer);
    expect(await verdict()).toMatchObject({ trusted: true, reason: 'recorded' });

    // The same notebook as a local file, uploaded in parts cut inside the emoji's surrogate pair.
    const cut = text.indexOf('😀') + 1;
    await call({ type: 'nb/upload', url: FILE, offset: 0, text: text.slice(0, cut) }, local);
    const { viewId } = await call<{ viewId: string }>(
      { type: 'nb/open', url: FILE, text: text.slice(cut), uploaded: true },
      local,
    );
    const fromFile = await call<{ text: string; verdict: { trusted: boolean } }>(
      { type: 'view/get', viewId },
      viewer,
    );
    expect(fromFile.text).toBe(got.text);
    expect(fromFile.verdict.trusted).toBe(true);

    // A signature made over the original text verifies; one character changed is "changed".
    const kr = (stores.secrets as ReturnType<typeof memoryKV>).data.get('keyring') as {
      keys: Array<{ id: string; name: string; bytes: Uint8Array }>;
    };
    const signed = await signNotebookText(nb('Résumé, signed'), kr.keys[0]!);
    if (!signed.ok) throw new Error(signed.error.message);
    files[RAW] = signed.value;
    expect(await verdict()).toMatchObject({ trusted: true, reason: 'signed' });
    files[RAW] = nb('Resumé');
    expect(await verdict()).toMatchObject({ trusted: false, reason: 'changed' });
  });

  it("a Jupyter notebook_secret imports byte-exact: its digests equal nbformat's", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nbs-secret-'));
    const secretFile = path.join(dir, 'notebook_secret');
    // Jupyter writes base64.encodebytes(os.urandom(1024)): lines of 76 and a final newline.
    execFileSync('/usr/bin/python3', [
      '-c',
      'import base64,os,sys; open(sys.argv[1],"wb").write(base64.encodebytes(os.urandom(1024)))',
      secretFile,
    ]);
    const fileText = readFileSync(secretFile, 'latin1');
    const { call, stores } = setup({});
    await call({ type: 'keys/import', format: 'jupyter-secret', data: fileText, name: 'Jupyter' });
    const kr = (stores.secrets as ReturnType<typeof memoryKV>).data.get('keyring') as {
      keys: Array<{ name: string; bytes: Uint8Array }>;
    };
    const key = kr.keys.find((k) => k.name === 'Jupyter');
    expect(key?.bytes.length).toBe(readFileSync(secretFile).length);
    const nbPath = path.join(dir, 'n.ipynb');
    writeFileSync(nbPath, readFileSync(CORPUS));
    const py = execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        [
          'import sys, nbformat',
          'from nbformat.sign import NotebookNotary',
          'secret = open(sys.argv[1], "rb").read()',
          'nb = nbformat.read(sys.argv[2], nbformat.NO_CONVERT)',
          'print(NotebookNotary(secret=secret).compute_signature(nb))',
        ].join('\n'),
        secretFile,
        nbPath,
      ],
      { encoding: 'utf8' },
    ).trim();
    const ours = await jupyterDigest(readFileSync(CORPUS, 'utf8'), key?.bytes ?? new Uint8Array());
    if (!ours.ok) throw new Error(ours.error.message);
    expect(ours.value).toBe(py);
  });

  it('export string round-trips through the real passphrase wrap; a wrong passphrase is a clear error', async () => {
    const { call } = setup({});
    const k = await call<{ id: string }>({
      type: 'keys/import',
      format: 'hex',
      data: '77'.repeat(32),
      name: 'T',
    });
    const { exported } = await call<{ exported: string }>({
      type: 'keys/export',
      keyId: k.id,
      passphrase: 'pass phrase 1',
    });
    expect(exported.startsWith('nbshield-key-v1')).toBe(true);
    expect(exported).not.toContain('77'.repeat(32));
    await call({ type: 'keys/remove', keyId: k.id });
    const bad = await call({
      type: 'keys/import',
      format: 'export',
      data: exported,
      name: 'T',
      passphrase: 'pass phrase 2',
    }).catch((e: Error) => e.message);
    expect(bad).toMatch(/^Wrong passphrase/);
    const back = await call<{ id: string }>({
      type: 'keys/import',
      format: 'export',
      data: exported,
      name: 'T again',
      passphrase: 'pass phrase 1',
    });
    expect(back.id).toBe(k.id);
  }, 30_000);
});
