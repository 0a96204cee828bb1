// The options page: keys (list, import, export, rotate, remove, rename), trusted notebooks (search,
// revoke), opt-in sync and display settings. Plain DOM; every answer from the background is
// shown as text, and every failure as a message, never an uncaught exception.

import type { KeyInfo, RecordInfo, Settings, SyncStatus } from '../core/protocol';

export interface OptionsApi {
  send(message: unknown): Promise<unknown>;
}

async function call<T>(api: OptionsApi, message: unknown): Promise<T> {
  let r: unknown;
  try {
    r = await api.send(message);
  } catch (e) {
    throw new Error(
      `Could not reach the extension: ${e instanceof Error ? e.message : String(e)}`,
      {
        cause: e,
      },
    );
  }
  const o = r as { ok?: unknown; value?: unknown; error?: unknown } | undefined;
  if (o?.ok === true) return o.value as T;
  throw new Error(typeof o?.error === 'string' ? o.error : 'The extension gave no answer');
}

function bytesToBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

const fmtDate = (ms: number) => {
  const d = new Date(ms);
  return Number.isFinite(d.getTime()) ? d.toLocaleString() : '';
};

export async function mountOptions(doc: Document, api: OptionsApi): Promise<void> {
  const $ = <T extends HTMLElement = HTMLElement>(id: string) => doc.getElementById(id) as T;
  const el = <K extends keyof HTMLElementTagNameMap>(
    tag: K,
    props: Partial<Record<string, string>> = {},
    ...children: Array<Node | string>
  ): HTMLElementTagNameMap[K] => {
    const e = doc.createElement(tag);
    for (const [k, v] of Object.entries(props)) if (v !== undefined) e.setAttribute(k, v);
    e.append(...children);
    return e;
  };
  const say = (id: string, text: string, kind: 'ok' | 'error' = 'ok') => {
    const m = $(id);
    m.className = `msg ${kind}`;
    m.textContent = text;
  };
  /** Runs an action; its failure becomes a message in `msgId`. */
  const guard = async (msgId: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      say(msgId, e instanceof Error ? e.message : String(e), 'error');
    }
  };

  // ---- keys ----
  const panel = $('key-panel');
  const renderKeys = async () => {
    const keys = await call<KeyInfo[]>(api, { type: 'keys/list' });
    $('keys').replaceChildren(...keys.map((k) => keyRow(k)));
  };
  const openPanel = (...children: Array<Node | string>) => {
    panel.replaceChildren(el('div', { class: 'panel' }, ...children));
    const first = panel.querySelector<HTMLElement>('input, button');
    first?.focus();
  };
  const button = (
    label: string,
    onClick: () => void,
    attrs: Partial<Record<string, string>> = {},
  ) => {
    const b = el('button', { type: 'button', ...attrs }, label);
    b.addEventListener('click', onClick);
    return b;
  };

  const keyRow = (k: KeyInfo): HTMLElement => {
    const actions = el('td');
    actions.append(
      button('Rename', () => renamePanel(k), { 'aria-label': `Rename ${k.name}` }),
      button('Export', () => exportPanel(k), { 'aria-label': `Export ${k.name}` }),
      button('Rotate', () => rotatePanel(k), { 'aria-label': `Rotate ${k.name}`, class: 'danger' }),
    );
    if (k.kind !== 'personal') {
      actions.append(
        button('Remove', () => removePanel(k), {
          'aria-label': `Remove ${k.name}`,
          class: 'danger',
        }),
      );
    }
    return el(
      'tr',
      { 'data-key-id': k.id },
      el('td', {}, k.name),
      el('td', {}, k.kind === 'personal' ? 'personal' : 'shared'),
      el('td', { class: 'mono' }, k.fingerprint),
      el('td', {}, fmtDate(k.createdAt)),
      actions,
    );
  };

  const renamePanel = (k: KeyInfo) => {
    const input = el('input', {
      type: 'text',
      id: 'rename-input',
      maxlength: '200',
      'aria-label': 'New name',
    });
    input.value = k.name;
    openPanel(
      el('label', { for: 'rename-input' }, `Rename “${k.name}”: `),
      input,
      button('Save', () =>
        guard('keys-msg', async () => {
          await call(api, { type: 'keys/rename', keyId: k.id, name: input.value });
          panel.replaceChildren();
          say('keys-msg', 'Renamed.');
          await renderKeys();
        }),
      ),
      button('Cancel', () => panel.replaceChildren()),
    );
  };

  const exportPanel = (k: KeyInfo) => {
    const p1 = el('input', { type: 'password', id: 'export-pass', autocomplete: 'new-password' });
    const p2 = el('input', { type: 'password', id: 'export-pass2', autocomplete: 'new-password' });
    const out = el('div');
    openPanel(
      el(
        'p',
        {},
        `Export “${k.name}” protected by a passphrase (at least 8 characters). Anyone with the export string and the passphrase can sign notebooks you trust.`,
      ),
      el(
        'div',
        { class: 'row' },
        el('label', { for: 'export-pass' }, 'Passphrase'),
        p1,
        el('label', { for: 'export-pass2' }, 'Again'),
        p2,
      ),
      button('Export', () =>
        guard('keys-msg', async () => {
          if (p1.value !== p2.value) throw new Error('The two passphrases differ');
          const { exported } = await call<{ exported: string }>(api, {
            type: 'keys/export',
            keyId: k.id,
            passphrase: p1.value,
          });
          const ta = el('textarea', {
            id: 'export-out',
            readonly: '',
            class: 'mono',
            'aria-label': 'Export string',
          });
          ta.value = exported;
          const a = el(
            'a',
            { download: `nbshield-key-${k.name.replace(/[^\w.-]+/g, '_')}.txt` },
            'Download',
          );
          a.setAttribute(
            'href',
            URL.createObjectURL(new Blob([exported + '\n'], { type: 'text/plain' })),
          );
          out.replaceChildren(ta, a);
          say('keys-msg', 'Exported. Keep the passphrase separate from the string.');
        }),
      ),
      button('Close', () => panel.replaceChildren()),
      out,
    );
  };

  const rotatePanel = (k: KeyInfo) => {
    openPanel(
      el(
        'p',
        { class: 'warn' },
        `Rotating “${k.name}” replaces it with a new random key. Notebooks you trusted with one click, and notebooks signed with the old key, stop matching and show as not trusted.`,
      ),
      button(
        'Rotate key',
        () =>
          guard('keys-msg', async () => {
            await call(api, { type: 'keys/rotate', keyId: k.id });
            panel.replaceChildren();
            say('keys-msg', `Rotated “${k.name}”.`);
            await renderKeys();
          }),
        { class: 'danger' },
      ),
      button('Cancel', () => panel.replaceChildren()),
    );
  };

  const removePanel = (k: KeyInfo) => {
    openPanel(
      el(
        'p',
        { class: 'warn' },
        `Removing “${k.name}” means notebooks signed or trusted with it stop matching and show as not trusted. Export it first if you may need it again.`,
      ),
      button(
        'Remove key',
        () =>
          guard('keys-msg', async () => {
            await call(api, { type: 'keys/remove', keyId: k.id });
            panel.replaceChildren();
            say('keys-msg', `Removed “${k.name}”.`);
            await renderKeys();
          }),
        { class: 'danger' },
      ),
      button('Cancel', () => panel.replaceChildren()),
    );
  };

  // ---- import ----
  const fmt = $<HTMLSelectElement>('import-format');
  const passRow = $('import-pass-row');
  const syncPassRow = () => {
    passRow.hidden = fmt.value !== 'export';
  };
  fmt.addEventListener('change', syncPassRow);
  syncPassRow();
  const doImport = async (format: string, data: string, name: string) => {
    const msg: Record<string, unknown> = { type: 'keys/import', format, data, name };
    if (format === 'export') msg.passphrase = $<HTMLInputElement>('import-pass').value;
    const k = await call<KeyInfo>(api, msg);
    say('import-msg', `Key “${k.name}” is in your keyring (fingerprint ${k.fingerprint}).`);
    $<HTMLTextAreaElement>('import-data').value = '';
    $<HTMLInputElement>('import-pass').value = '';
    await renderKeys();
  };
  $('import-btn').addEventListener('click', () =>
    guard('import-msg', async () => {
      const data = $<HTMLTextAreaElement>('import-data').value;
      // A Jupyter secret is its bytes as stored: never trim it.
      const d = fmt.value === 'jupyter-secret' ? data : data.trim();
      if (!d) throw new Error('Paste a key first');
      await doImport(fmt.value, d, $<HTMLInputElement>('import-name').value);
    }),
  );
  const file = $<HTMLInputElement>('import-file');
  file.addEventListener('change', () =>
    guard('import-msg', async () => {
      const f = file.files?.[0];
      if (!f) return;
      if (f.size > 48 * 1024) throw new Error('That file is too large to be a notebook_secret');
      const bytes = new Uint8Array(await f.arrayBuffer());
      const name = $<HTMLInputElement>('import-name').value || 'Jupyter secret';
      let text: string | null;
      try {
        text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
      } catch {
        text = null;
      }
      // Byte-exact: UTF-8 text goes as stored; anything else as the base64 of its bytes.
      if (text !== null && new TextEncoder().encode(text).length === bytes.length) {
        await doImport('jupyter-secret', text, name);
      } else {
        await doImport('base64', bytesToBase64(bytes), name);
      }
      file.value = '';
    }),
  );

  // ---- records ----
  const q = $<HTMLInputElement>('records-q');
  const renderRecords = async () => {
    const query = q.value.trim();
    const recs = await call<RecordInfo[]>(
      api,
      query ? { type: 'records/list', query } : { type: 'records/list' },
    );
    const rows = recs.map((r) => {
      const link = /^https:\/\//.test(r.url)
        ? el('a', { href: r.url, target: '_blank', rel: 'noopener noreferrer' }, r.url)
        : r.url;
      return el(
        'tr',
        { 'data-record-id': r.id },
        el('td', {}, r.name),
        el('td', { class: 'mono' }, link),
        el('td', {}, fmtDate(r.trustedAt)),
        el(
          'td',
          {},
          button(
            'Revoke',
            () =>
              guard('records-msg', async () => {
                await call(api, { type: 'records/revoke', id: r.id });
                say('records-msg', `No longer trusted: ${r.name || r.url || 'notebook'}.`);
                await renderRecords();
              }),
            { 'aria-label': `Revoke ${r.name || r.url}`, class: 'danger' },
          ),
        ),
      );
    });
    $('records').replaceChildren(
      ...(rows.length
        ? rows
        : [
            el(
              'tr',
              {},
              el(
                'td',
                { colspan: '4', class: 'muted' },
                query ? 'No match.' : 'No notebook trusted yet.',
              ),
            ),
          ]),
    );
  };
  let qTimer: ReturnType<typeof setTimeout> | undefined;
  q.addEventListener('input', () => {
    clearTimeout(qTimer);
    qTimer = setTimeout(() => void guard('records-msg', renderRecords), 150);
  });

  // ---- sync ----
  let syncEnabled = false;
  const renderSync = (st: SyncStatus) => {
    syncEnabled = st.enabled;
    const parts: string[] = [];
    if (!st.enabled) parts.push('Sync is off on this machine.');
    else if (st.unlocked)
      parts.push('Sync is on: keys and trust records sync across your machines.');
    else parts.push('Sync is on for trust records; enter your sync passphrase to sync keys.');
    if (st.bytesUsed !== undefined)
      parts.push(`Using ${(st.bytesUsed / 1024).toFixed(1)} KB of 100 KB.`);
    const box = $('sync-status');
    box.replaceChildren(el('div', {}, parts.join(' ')));
    if (st.lastError) box.append(el('div', { class: 'msg error', id: 'sync-error' }, st.lastError));
    // Once on and unlocked there is nothing to enter: only "turn off" remains.
    const done = st.enabled && st.unlocked;
    $('sync-enable').textContent = st.enabled ? 'Unlock' : 'Turn on sync';
    $('sync-enable').hidden = done;
    $('sync-pass').hidden = done;
    const passLabel = doc.querySelector<HTMLElement>('label[for="sync-pass"]');
    if (passLabel) passLabel.hidden = done;
    ($('sync-disable') as HTMLButtonElement).disabled = !st.enabled;
  };
  const refreshSync = async () => renderSync(await call<SyncStatus>(api, { type: 'sync/status' }));
  $('sync-enable').addEventListener('click', () =>
    guard('sync-msg', async () => {
      const pass = $<HTMLInputElement>('sync-pass');
      if (pass.value.length < 8) throw new Error('Use a sync passphrase of at least 8 characters');
      say('sync-msg', 'Working… (deriving the key takes a moment)');
      const type = syncEnabled ? 'sync/unlock' : 'sync/enable';
      const st = await call<SyncStatus>(api, { type, passphrase: pass.value });
      pass.value = '';
      renderSync(st);
      say('sync-msg', st.lastError ? 'Sync is on, with a problem (see above).' : 'Sync is on.');
      await renderKeys();
      await renderRecords();
    }),
  );
  $('sync-disable').addEventListener('click', () =>
    guard('sync-msg', async () => {
      renderSync(await call<SyncStatus>(api, { type: 'sync/disable' }));
      say(
        'sync-msg',
        'Sync is off on this machine. What is already synced stays for your other machines.',
      );
    }),
  );

  // ---- settings ----
  const remote = $<HTMLInputElement>('remote-images');
  const theme = $<HTMLSelectElement>('theme');
  const showSettings = (s: Settings) => {
    remote.checked = s.allowRemoteImages;
    theme.value = s.theme;
  };
  const saveSettings = (patch: Partial<Settings>) =>
    guard('settings-msg', async () => {
      showSettings(await call<Settings>(api, { type: 'settings/set', settings: patch }));
      say('settings-msg', 'Saved.');
    });
  remote.addEventListener('change', () => void saveSettings({ allowRemoteImages: remote.checked }));
  theme.addEventListener('change', () => {
    const v = theme.value;
    if (v === 'auto' || v === 'light' || v === 'dark') void saveSettings({ theme: v });
  });

  await Promise.all([
    guard('keys-msg', renderKeys),
    guard('records-msg', renderRecords),
    guard('sync-msg', refreshSync),
    guard('settings-msg', async () =>
      showSettings(await call<Settings>(api, { type: 'settings/get' })),
    ),
  ]);
}
