// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { KeyInfo, RecordInfo, SyncStatus } from '../core/protocol';
import { mountOptions } from './app';

const html = readFileSync(path.join(__dirname, 'options.html'), 'utf8');
const body = html.slice(html.indexOf('<body>') + 6, html.indexOf('</body>'));
const tick = () => new Promise((r) => setTimeout(r, 0));

/** A small stand-in for the background: enough state to see the page act on answers. */
function fakeBackground() {
  const keys: KeyInfo[] = [
    {
      id: 'k1',
      name: 'Personal key',
      kind: 'personal',
      fingerprint: 'aaaa-bbbb-cccc-dddd',
      createdAt: 0,
    },
  ];
  let records: RecordInfo[] = [
    {
      id: 'r1',
      name: 'alpha.ipynb',
      url: 'https://github.com/o/r/blob/main/alpha.ipynb',
      trustedAt: 1,
    },
    {
      id: 'r2',
      name: 'beta.ipynb',
      url: 'https://github.com/o/r/blob/main/beta.ipynb',
      trustedAt: 2,
    },
  ];
  const sync: SyncStatus = { enabled: false, unlocked: false };
  const sent: Array<Record<string, unknown>> = [];
  const ok = (value: unknown) => ({ ok: true, value });
  const send = async (m: unknown) => {
    const r = m as Record<string, unknown> & { type: string };
    sent.push(r);
    switch (r.type) {
      case 'keys/list':
        return ok(keys);
      case 'keys/import':
        if (r.format === 'hex' && !/^[0-9a-f]+$/.test(String(r.data)))
          return { ok: false, error: 'Not a hex key' };
        keys.push({
          id: 'k' + (keys.length + 1),
          name: String(r.name),
          kind: 'shared',
          fingerprint: 'ffff-0000-1111-2222',
          createdAt: 5,
        });
        return ok(keys[keys.length - 1]);
      case 'keys/export':
        return ok({ exported: 'nbshield-key-v1:pbkdf2-sha256:600000:s:i:c' });
      case 'keys/remove': {
        const i = keys.findIndex((k) => k.id === r.keyId);
        keys.splice(i, 1);
        return ok({ removed: true });
      }
      case 'keys/rotate':
        return ok(keys[0]);
      case 'keys/rename': {
        const k = keys.find((x) => x.id === r.keyId) as KeyInfo;
        k.name = String(r.name);
        return ok(k);
      }
      case 'records/list': {
        const q = String(r.query ?? '').toLowerCase();
        return ok(records.filter((x) => x.name.includes(q)));
      }
      case 'records/revoke':
        records = records.filter((x) => x.id !== r.id);
        return ok({ revoked: true });
      case 'sync/status':
        return ok(sync);
      case 'sync/enable':
        if (r.passphrase !== 'correct horse battery')
          return {
            ok: false,
            error: 'Wrong passphrase: it does not open the keyring already in sync.',
          };
        sync.enabled = sync.unlocked = true;
        sync.lastError = 'Sync storage is full: 3 records kept on this machine only';
        return ok(sync);
      case 'sync/disable':
        sync.enabled = sync.unlocked = false;
        return ok(sync);
      case 'settings/get':
        return ok({ allowRemoteImages: true, theme: 'auto' });
      case 'settings/set':
        return ok({ allowRemoteImages: true, theme: 'auto', ...(r.settings as object) });
    }
    return { ok: false, error: 'unknown' };
  };
  return { send, sent, keys };
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const click = (sel: string | HTMLElement) => {
  (typeof sel === 'string' ? (document.querySelector(sel) as HTMLElement) : sel).click();
  return tick().then(tick);
};
const buttonByText = (t: string) =>
  [...document.querySelectorAll('#key-panel button')].find(
    (b) => b.textContent === t,
  ) as HTMLButtonElement;

describe('options page', () => {
  let bg: ReturnType<typeof fakeBackground>;
  beforeEach(async () => {
    document.body.innerHTML = body;
    bg = fakeBackground();
    await mountOptions(document, bg);
  });

  it('lists keys without any key material, and records; every control has a label', () => {
    expect($('keys').textContent).toContain('Personal key');
    expect($('keys').textContent).toContain('aaaa-bbbb-cccc-dddd');
    // The personal key cannot be removed (rotate only).
    expect(document.querySelector('[aria-label="Remove Personal key"]')).toBeNull();
    expect($('records').querySelectorAll('tr')).toHaveLength(2);
    for (const input of document.querySelectorAll('input, select, textarea')) {
      const id = input.getAttribute('id');
      const labelled =
        input.getAttribute('aria-label') || (id && document.querySelector(`label[for="${id}"]`));
      expect(labelled, id ?? input.outerHTML).toBeTruthy();
    }
  });

  it('imports a pasted key and shows bad input as a message', async () => {
    $<HTMLInputElement>('import-name').value = 'Team';
    $<HTMLTextAreaElement>('import-data').value = ' 00ff \n';
    await click('#import-btn');
    expect(bg.sent.at(-2)).toEqual({
      type: 'keys/import',
      format: 'hex',
      data: '00ff',
      name: 'Team',
    });
    expect($('import-msg').textContent).toContain('Key “Team” is in your keyring');
    expect($('keys').textContent).toContain('Team');
    $<HTMLTextAreaElement>('import-data').value = 'xyz';
    await click('#import-btn');
    expect($('import-msg').className).toContain('error');
    expect($('import-msg').textContent).toBe('Not a hex key');
  });

  it('a Jupyter secret pasted as text is sent exactly, newline included', async () => {
    $<HTMLSelectElement>('import-format').value = 'jupyter-secret';
    $<HTMLTextAreaElement>('import-data').value = 'c2VjcmV0\n';
    await click('#import-btn');
    expect(bg.sent.find((m) => m.type === 'keys/import')).toMatchObject({
      format: 'jupyter-secret',
      data: 'c2VjcmV0\n',
    });
  });

  it('export string format asks for its passphrase', async () => {
    const sel = $<HTMLSelectElement>('import-format');
    expect($('import-pass-row').hidden).toBe(true);
    sel.value = 'export';
    sel.dispatchEvent(new Event('change'));
    expect($('import-pass-row').hidden).toBe(false);
    $<HTMLTextAreaElement>('import-data').value = 'nbshield-key-v1:x';
    $<HTMLInputElement>('import-pass').value = 'pass phrase';
    await click('#import-btn');
    expect(bg.sent.find((m) => m.type === 'keys/import')).toMatchObject({
      format: 'export',
      passphrase: 'pass phrase',
    });
  });

  it('export needs the passphrase twice and shows the string', async () => {
    await click('[aria-label="Export Personal key"]');
    $<HTMLInputElement>('export-pass').value = 'long passphrase';
    $<HTMLInputElement>('export-pass2').value = 'other passphrase';
    await click(buttonByText('Export'));
    expect($('keys-msg').textContent).toBe('The two passphrases differ');
    expect(bg.sent.some((m) => m.type === 'keys/export')).toBe(false);
    $<HTMLInputElement>('export-pass2').value = 'long passphrase';
    globalThis.URL.createObjectURL = () => 'blob:x';
    await click(buttonByText('Export'));
    expect($<HTMLTextAreaElement>('export-out').value).toMatch(/^nbshield-key-v1:/);
  });

  it('rotate and remove warn first and act only on the second click', async () => {
    await click('[aria-label="Rotate Personal key"]');
    expect($('key-panel').textContent).toContain('stop matching');
    expect(bg.sent.some((m) => m.type === 'keys/rotate')).toBe(false);
    await click(buttonByText('Rotate key'));
    expect(bg.sent.some((m) => m.type === 'keys/rotate')).toBe(true);

    $<HTMLTextAreaElement>('import-data').value = 'abcd';
    await click('#import-btn');
    await click('[aria-label="Remove "]');
    expect($('key-panel').textContent).toContain('stop matching');
    await click(buttonByText('Remove key'));
    expect(bg.sent.some((m) => m.type === 'keys/remove')).toBe(true);
    expect(bg.keys).toHaveLength(1);
  });

  it('rename', async () => {
    await click('[aria-label="Rename Personal key"]');
    $<HTMLInputElement>('rename-input').value = 'Mine';
    await click(buttonByText('Save'));
    expect($('keys').textContent).toContain('Mine');
  });

  it('search and revoke trusted notebooks', async () => {
    const q = $<HTMLInputElement>('records-q');
    q.value = 'beta';
    q.dispatchEvent(new Event('input'));
    await new Promise((r) => setTimeout(r, 200));
    expect($('records').textContent).toContain('beta.ipynb');
    expect($('records').textContent).not.toContain('alpha.ipynb');
    await click('[aria-label="Revoke beta.ipynb"]');
    expect(bg.sent.find((m) => m.type === 'records/revoke')).toEqual({
      type: 'records/revoke',
      id: 'r2',
    });
    expect($('records').textContent).toContain('No match.');
  });

  it('sync: wrong passphrase and a full sync store are clear messages', async () => {
    expect($('sync-status').textContent).toContain('Sync is off');
    $<HTMLInputElement>('sync-pass').value = 'short';
    await click('#sync-enable');
    expect($('sync-msg').textContent).toContain('at least 8');
    $<HTMLInputElement>('sync-pass').value = 'wrong horse battery';
    await click('#sync-enable');
    expect($('sync-msg').textContent).toMatch(/^Wrong passphrase/);
    $<HTMLInputElement>('sync-pass').value = 'correct horse battery';
    await click('#sync-enable');
    expect($('sync-status').textContent).toContain('Sync is on');
    expect($('sync-error').textContent).toBe(
      'Sync storage is full: 3 records kept on this machine only',
    );
    await click('#sync-disable');
    expect($('sync-status').textContent).toContain('Sync is off');
    expect($('sync-enable').hidden).toBe(false);
    expect($('sync-enable').textContent).toBe('Turn on sync');
  });

  it('settings: remote images toggle is saved', async () => {
    const cb = $<HTMLInputElement>('remote-images');
    expect(cb.checked).toBe(true);
    cb.checked = false;
    cb.dispatchEvent(new Event('change'));
    await tick();
    expect(bg.sent.at(-1)).toEqual({
      type: 'settings/set',
      settings: { allowRemoteImages: false },
    });
  });

  it('a record name is text, never markup', async () => {
    document.body.innerHTML = body;
    const evil = fakeBackground();
    const send = evil.send;
    await mountOptions(document, {
      send: async (m) => {
        if ((m as { type: string }).type === 'records/list') {
          return {
            ok: true,
            value: [
              {
                id: 'x',
                name: '<img src=x onerror=alert(1)>',
                url: 'javascript:alert(1)',
                trustedAt: 0,
              },
            ],
          };
        }
        return send(m);
      },
    });
    expect(document.querySelector('#records img')).toBeNull();
    expect(document.querySelector('#records a')).toBeNull();
  });
});
