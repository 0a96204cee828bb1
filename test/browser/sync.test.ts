// Sync and key changes in real Chromium:
// - importing or removing a key refreshes an open viewer's verdict with no reload (the background
//   bumps storage.local `keyringVersion`, which the viewer listens to);
// - sync turned on through the options page keeps the keyring in storage.sync only encrypted
//   (the known key, in hex or base64, is nowhere in `chrome.storage.sync.get(null)`);
// - a one-click record reaches storage.sync (positive control), and when storage.sync is full
//   (junk items fill the quota) the status and the options page say "Sync storage is full", the
//   record stays local and the notebook stays trusted.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { FakeGitHub } from '../fakegithub/server.mjs';
import { signNotebookText } from '../../src/core/trust';
import {
  findKey,
  inWorker,
  launchChrome,
  setSecretHex,
  sleep,
  startServer,
  viewerFrame,
  waitRendered,
  waitTrust,
  type ChromeSession,
} from './harness';

let server: FakeGitHub;
let s: ChromeSession;
const KEY_HEX = crypto.randomBytes(32).toString('hex');
const TEAM_HEX = crypto.randomBytes(32).toString('hex');
const REPO = 'nbshield/sync';
const PASS = 'correct horse battery staple';

interface SyncStatusLike {
  enabled: boolean;
  unlocked: boolean;
  lastError?: string;
}
type TestHooks = {
  syncStatus(): Promise<SyncStatusLike>;
  syncNow(): Promise<void>;
  records(): Promise<Array<{ id: string; name: string; url: string }>>;
  listKeys(): Promise<Array<{ id: string; name: string }>>;
};
type SyncArea = {
  get(k: null): Promise<Record<string, unknown>>;
  set(v: Record<string, unknown>): Promise<void>;
  remove(k: string[]): Promise<void>;
};

function notebook(label: string): string {
  return JSON.stringify({
    cells: [{ cell_type: 'markdown', metadata: {}, source: `# ${label}` }],
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  });
}

async function syncArea(): Promise<Record<string, unknown>> {
  return inWorker(
    s,
    () =>
      (
        globalThis as unknown as { chrome: { storage: { sync: SyncArea } } }
      ).chrome.storage.sync.get(null),
    null,
  );
}

/** Calls one nbshieldTest hook (no arguments) in the service worker; the answer as JSON. */
async function hook<K extends keyof TestHooks>(
  name: K,
): Promise<Awaited<ReturnType<TestHooks[K]>>> {
  return inWorker(
    s,
    async (n: string) => {
      const h = (globalThis as unknown as { nbshieldTest: Record<string, () => Promise<unknown>> })
        .nbshieldTest;
      const f = h[n];
      if (!f) throw new Error(`no nbshieldTest.${n}`);
      return JSON.parse(JSON.stringify((await f()) ?? null)) as unknown;
    },
    name,
  ) as Promise<Awaited<ReturnType<TestHooks[K]>>>;
}

/** Synced one-click records: `<id>+<t36>` entries of the `nbs:t<N>` items. */
function syncedTrusts(all: Record<string, unknown>): number {
  return Object.entries(all)
    .filter(([k]) => /^nbs:t\d+$/.test(k))
    .flatMap(([, v]) => String(v).split(','))
    .filter((e) => e.includes('+')).length;
}

async function openBlob(p: string): Promise<Page> {
  const page = await s.context.newPage();
  await page.goto(server.blobUrl(REPO, p));
  await waitRendered(page);
  return page;
}

async function clickTrust(page: Page): Promise<void> {
  await (await viewerFrame(page, s.extensionId)).locator('[data-nbshield-action="trust"]').click();
  await waitTrust(page, 'trusted');
}

beforeAll(async () => {
  server = await startServer();
  server.setFile(REPO, 'first.ipynb', notebook(`first ${KEY_HEX.slice(0, 8)}`));
  server.setFile(REPO, 'second.ipynb', notebook(`second ${KEY_HEX.slice(0, 8)}`));
  s = await launchChrome({ server });
});
afterAll(async () => {
  await s?.close();
  await server?.close();
});

describe('key changes and sync (Chromium)', () => {
  it('importing, then removing a key refreshes an open viewer with no reload', async () => {
    const signed = await signNotebookText(notebook('team notebook'), {
      id: 'team',
      name: 'Team',
      bytes: new Uint8Array(Buffer.from(TEAM_HEX, 'hex')),
    });
    if (!signed.ok) throw new Error(signed.error.message);
    server.setFile(REPO, 'team.ipynb', signed.value);
    const page = await openBlob('team.ipynb');
    // Control: without the key the signed notebook is not trusted.
    await waitTrust(page, 'untrusted');
    await setSecretHex(s, TEAM_HEX);
    await waitTrust(page, 'trusted');
    const id = (await hook('listKeys')).find((k) => k.name === 'Test key')?.id;
    expect(id).toBeTruthy();
    const options = await s.context.newPage();
    await options.goto(`chrome-extension://${s.extensionId}/options.html`);
    const removed = await options.evaluate(
      (keyId) =>
        (
          globalThis as unknown as {
            chrome: { runtime: { sendMessage(m: unknown): Promise<unknown> } };
          }
        ).chrome.runtime.sendMessage({ type: 'keys/remove', keyId }),
      id as string,
    );
    expect(JSON.stringify(removed)).toContain('"removed":true');
    await waitTrust(page, 'untrusted');
    await options.close();
    await page.close();
  });

  it('sync on via the options page: the keyring in storage.sync is never in clear', async () => {
    await setSecretHex(s, KEY_HEX);
    const options = await s.context.newPage();
    await options.goto(`chrome-extension://${s.extensionId}/options.html`);
    await options.locator('#sync-pass').fill(PASS);
    await options.locator('#sync-enable').click();
    await options.locator('#sync-msg', { hasText: 'Sync is on.' }).waitFor({ timeout: 60_000 });
    await options.close();
    const st = await hook('syncStatus');
    expect(st).toMatchObject({ enabled: true, unlocked: true });
    const all = await syncArea();
    // The keyring is there (encrypted chunks)...
    expect(Object.keys(all).filter((k) => /^nbs:kr\d+$/.test(k)).length).toBeGreaterThan(0);
    const text = JSON.stringify(all);
    expect(text.length).toBeGreaterThan(200);
    // ...and the key is in no form in it, nor the passphrase.
    expect(findKey(text, KEY_HEX)).toBeNull();
    expect(text).not.toContain(PASS);
    // Positive control: the same search finds the key once it is in storage.sync on purpose.
    const b64 = Buffer.from(KEY_HEX, 'hex').toString('base64');
    await inWorker(
      s,
      (v: string) =>
        (
          globalThis as unknown as { chrome: { storage: { sync: SyncArea } } }
        ).chrome.storage.sync.set({ probe: v }),
      b64,
    );
    expect(findKey(JSON.stringify(await syncArea()), KEY_HEX)).toBe(b64);
    await inWorker(
      s,
      () =>
        (
          globalThis as unknown as { chrome: { storage: { sync: SyncArea } } }
        ).chrome.storage.sync.remove(['probe']),
      null,
    );
  });

  it('control: with room in storage.sync, a one-click record reaches it', async () => {
    expect(syncedTrusts(await syncArea())).toBe(0);
    const page = await openBlob('first.ipynb');
    await clickTrust(page);
    await page.close();
    await hook('syncNow');
    expect(syncedTrusts(await syncArea())).toBe(1);
    expect((await hook('syncStatus')).lastError).toBeUndefined();
  });

  it('sync storage full: a clear message, the record stays local and trusted', async () => {
    // Fill storage.sync with junk until the browser refuses more.
    const filled = await inWorker(
      s,
      async () => {
        const sync = (globalThis as unknown as { chrome: { storage: { sync: SyncArea } } }).chrome
          .storage.sync;
        let n = 0;
        for (const size of [7900, 1000, 100, 10]) {
          for (;;) {
            try {
              await sync.set({ [`junk${n}`]: 'x'.repeat(size) });
              n++;
            } catch {
              break;
            }
          }
        }
        return n;
      },
      null,
    );
    expect(filled).toBeGreaterThan(10);
    const page = await openBlob('second.ipynb');
    await clickTrust(page);
    await hook('syncNow');
    const st = await hook('syncStatus');
    expect(st.lastError).toMatch(/^Sync storage is full: \d+ records kept on this machine only$/);
    // The options page says so too.
    const options = await s.context.newPage();
    await options.goto(`chrome-extension://${s.extensionId}/options.html`);
    await options
      .locator('#sync-error', { hasText: 'Sync storage is full' })
      .waitFor({ timeout: 15_000 });
    await options.close();
    // Local records keep both notebooks, and both stay trusted (the open view and a new one).
    const urls = (await hook('records')).map((r) => r.url).join('\n');
    expect(urls).toContain('first.ipynb');
    expect(urls).toContain('second.ipynb');
    await sleep(500);
    await waitTrust(page, 'trusted');
    await page.close();
    for (const p of ['first.ipynb', 'second.ipynb']) {
      const again = await openBlob(p);
      await waitTrust(again, 'trusted');
      await again.close();
    }
  });
});
