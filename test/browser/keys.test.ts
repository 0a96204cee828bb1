// Key secrecy in real Chromium: after nbshieldTest.setSecretHex(K), K (hex, base64, base64url)
// appears in no frame's DOM, no console message, no postMessage any frame received, and not in
// chrome.storage.local / chrome.storage.sync (both readable by content scripts). Each search has a
// positive control: the same search does find K once K is put there on purpose.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { FakeGitHub } from '../fakegithub/server.mjs';
import { fixturesDir } from '../fakegithub/server.mjs';
import {
  dumpFrames,
  findKey,
  inWorker,
  sleep,
  useChrome,
  viewerFrame,
  waitRendered,
  waitTrust,
  type ChromeSession,
} from './harness';

let server: FakeGitHub;
let s: ChromeSession;
const KEY_HEX = crypto.randomBytes(32).toString('hex');
const pages: Page[] = [];

useChrome((e) => ({ server, s } = e), { secretHex: KEY_HEX });

/** Both storage areas a content script can read, as JSON, read from the service worker. */
async function readableStorage(): Promise<string> {
  return inWorker(
    s,
    async () => {
      const c = (
        globalThis as unknown as {
          chrome: { storage: Record<string, { get(k: null): Promise<unknown> }> };
        }
      ).chrome;
      return JSON.stringify({
        local: await c.storage.local!.get(null),
        sync: await c.storage.sync!.get(null),
      });
    },
    null,
  );
}

async function everything(): Promise<string> {
  const parts: string[] = [];
  for (const p of s.context.pages()) parts.push(...(await dumpFrames(p)));
  parts.push(s.console.join('\n'));
  parts.push(await readableStorage());
  return parts.join('\n');
}

describe('key secrecy (Chromium)', () => {
  it('the key appears nowhere a page, content script or renderer can see', async () => {
    // Exercise every path that handles the key: render, verify a signed notebook, trust, options.
    const open = async (url: string) => {
      const p = await s.context.newPage();
      pages.push(p);
      await p.goto(url, { waitUntil: 'domcontentloaded' });
      return p;
    };
    const blob = await open(server.blobUrl('nbshield/samples', 'sample-basic.ipynb'));
    await waitRendered(blob);
    const v = await viewerFrame(blob, s.extensionId);
    await v.locator('[data-nbshield-action="trust"]').click();
    await waitTrust(blob, 'trusted');
    const gist = await open(server.gistUrl());
    await waitRendered(gist, 1);
    const raw = fs.readFileSync(path.join(fixturesDir, 'trusted-js.ipynb'), 'utf8');
    server.setFile('nbshield/keys', 'js.ipynb', raw);
    const js = await open(server.blobUrl('nbshield/keys', 'js.ipynb'));
    await waitRendered(js);
    await (await viewerFrame(js, s.extensionId)).locator('[data-nbshield-action="trust"]').click();
    await waitTrust(js, 'trusted');
    // The options page lists keys (fingerprints), but must not show the key unless exported.
    await open(`chrome-extension://${s.extensionId}/options.html`);
    await open(`chrome-extension://${s.extensionId}/popup.html`);
    await sleep(1500);

    const all = await everything();
    expect(all.length).toBeGreaterThan(10_000);
    expect(findKey(all, KEY_HEX)).toBeNull();
  });

  it('positive control: the same search finds the key in DOM, console, messages and storage', async () => {
    const page = pages[0] as Page;
    const b64 = Buffer.from(KEY_HEX, 'hex').toString('base64');
    // Storage.
    await inWorker(
      s,
      (hex: string) =>
        (
          globalThis as unknown as {
            chrome: { storage: { local: { set(v: unknown): Promise<void> } } };
          }
        ).chrome.storage.local.set({ __probe: hex }),
      KEY_HEX,
    );
    expect(findKey(await readableStorage(), KEY_HEX)).not.toBeNull();
    await inWorker(
      s,
      () =>
        (
          globalThis as unknown as {
            chrome: { storage: { local: { remove(k: string): Promise<void> } } };
          }
        ).chrome.storage.local.remove('__probe'),
      null,
    );
    expect(findKey(await readableStorage(), KEY_HEX)).toBeNull();
    // DOM, console and postMessage, each alone.
    const dom = await page.evaluate((k) => {
      const el = document.createElement('span');
      el.id = 'probe';
      el.textContent = k;
      document.body.append(el);
      return true;
    }, b64);
    expect(dom).toBe(true);
    expect(findKey((await dumpFrames(page)).join('\n'), KEY_HEX)).toBe(b64);
    await page.evaluate(() => document.getElementById('probe')?.remove());
    expect(findKey((await dumpFrames(page)).join('\n'), KEY_HEX)).toBeNull();
    await page.evaluate((k) => console.log(`probe ${k}`), KEY_HEX.toUpperCase());
    await sleep(300);
    expect(findKey(s.console.join('\n'), KEY_HEX)).toBe(KEY_HEX.toUpperCase());
    await page.evaluate((k) => window.postMessage({ probe: k }, '*'), KEY_HEX);
    await sleep(300);
    expect(findKey((await dumpFrames(page)).join('\n'), KEY_HEX)).toBe(KEY_HEX);
  });
});
