// The trust flow in real Chromium: one real click on the viewer's Trust button trusts exactly the
// bytes shown; trusted output script runs only in the opaque sandbox (no page, cookies, extension
// API); one changed byte, a boundary-shifted twin, or Untrust make it untrusted again; Markdown is
// never trusted; a notebook signed with a key set through nbshieldTest.setSecretHex is trusted on
// load, and the same notebook with another key's signature is not.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { FakeGitHub } from '../fakegithub/server.mjs';
import { fixturesDir } from '../fakegithub/server.mjs';
import { signNotebookText } from '../../src/core/trust';
import {
  canaryReport,
  firedIds,
  launchChrome,
  rendererFrame,
  rootStates,
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
const REPO = 'nbshield/trust';

beforeAll(async () => {
  server = await startServer();
  s = await launchChrome({ server });
  await setSecretHex(s, KEY_HEX);
  await s.context.addCookies([
    {
      name: 'page_cookie',
      value: 'visible-to-page-js',
      domain: 'github.com',
      path: '/',
      secure: true,
    },
  ]);
});
afterAll(async () => {
  await s?.close();
  await server?.close();
});

const trustedJs = fs.readFileSync(path.join(fixturesDir, 'trusted-js.ipynb'), 'utf8');

async function open(p: string): Promise<Page> {
  const page = await s.context.newPage();
  await page.goto(server.blobUrl(REPO, p), { waitUntil: 'domcontentloaded' });
  return page;
}

async function click(page: Page, action: 'trust' | 'untrust'): Promise<void> {
  const v = await viewerFrame(page, s.extensionId);
  // A real (trusted-input) click, as the user gives it.
  await v.locator(`[data-nbshield-action="${action}"]`).click({ timeout: 10_000 });
}

async function jsReport(page: Page, timeout = 10_000): Promise<Record<string, unknown> | null> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const r = await rendererFrame(page, s.extensionId).catch(() => null);
    const txt = await r
      ?.evaluate(() => document.getElementById('trusted-js-report')?.textContent ?? null)
      .catch(() => null);
    if (txt) return JSON.parse(txt) as Record<string, unknown>;
    await sleep(150);
  }
  return null;
}

describe('trust flow (Chromium)', () => {
  it('untrusted -> click Trust -> trusted; the script runs only inside the opaque sandbox', async () => {
    server.setFile(REPO, 'js.ipynb', trustedJs);
    const page = await open('js.ipynb');
    expect((await waitRendered(page)).trust).toBe('untrusted');
    // Untrusted: the script did not run, a placeholder says why.
    expect(await jsReport(page, 1500)).toBeNull();
    const r0 = await rendererFrame(page, s.extensionId);
    expect(await r0.evaluate(() => document.body.innerText)).toMatch(/not (run|trusted)/i);

    await click(page, 'trust');
    await waitTrust(page, 'trusted');
    const report = await jsReport(page);
    expect(report).not.toBeNull();
    console.info(`[sandbox probe] ${JSON.stringify(report)}`);
    expect(report?.ran).toBe(true);
    expect(report?.origin).toBe('null');
    // No extension API: nothing to message the background or read storage with.
    expect(report, JSON.stringify(report)).toMatchObject({ chromeApi: false, browserApi: false });
    expect(String(report?.cookie)).not.toContain('visible-to-page-js');
    expect(String(report?.topDom)).toMatch(/^blocked/);
    expect(String(report?.parentDom)).toMatch(/^blocked/);
    // The page itself really has that cookie: the check above could fail.
    expect(await page.evaluate(() => document.cookie)).toContain('visible-to-page-js');
    // The viewer now offers Untrust.
    const v = await viewerFrame(page, s.extensionId);
    expect(await v.locator('[data-nbshield-action="untrust"]').isVisible()).toBe(true);
    await page.close();

    // Trusted stays trusted on a new visit.
    const again = await open('js.ipynb');
    expect((await waitRendered(again)).trust).toBe('trusted');
    expect((await jsReport(again))?.ran).toBe(true);
    await again.close();
  });

  it('one changed byte makes it untrusted again; the original stays trusted', async () => {
    const changed = trustedJs.replace('reports what it can reach', 'reports what it can reacH');
    expect(changed).not.toBe(trustedJs);
    expect(changed.length).toBe(trustedJs.length);
    server.setFile(REPO, 'js.ipynb', changed);
    const page = await open('js.ipynb');
    expect((await waitRendered(page)).trust).toBe('untrusted');
    expect(await jsReport(page, 1500)).toBeNull();
    await page.close();
    server.setFile(REPO, 'js.ipynb', trustedJs);
    const back = await open('js.ipynb');
    expect((await waitRendered(back)).trust).toBe('trusted');
    await back.close();
  });

  it('the same bytes at another URL are trusted too (trust is for the content)', async () => {
    server.setFile(REPO, 'copy-of-js.ipynb', trustedJs);
    const page = await open('copy-of-js.ipynb');
    expect((await waitRendered(page)).trust).toBe('trusted');
    await page.close();
  });

  it('Untrust revokes it, and it stays revoked', async () => {
    const page = await open('js.ipynb');
    expect((await waitRendered(page)).trust).toBe('trusted');
    await click(page, 'untrust');
    await waitTrust(page, 'untrusted');
    expect(await jsReport(page, 1500)).toBeNull();
    await page.close();
    const again = await open('js.ipynb');
    expect((await waitRendered(again)).trust).toBe('untrusted');
    await again.close();
  });

  it('Markdown is never trusted, even in a trusted notebook', async () => {
    const nb = JSON.parse(trustedJs) as { cells: unknown[] };
    nb.cells.push({
      cell_type: 'markdown',
      metadata: {},
      source: `md <img src=x onerror="${server.canaryJs('md-in-trusted')}"> <a id="mdlink" href="javascript:${server.canaryJs('md-link-in-trusted')}">link</a>`,
    });
    server.setFile(REPO, 'md-in-trusted.ipynb', JSON.stringify(nb));
    server.clearHits();
    const page = await open('md-in-trusted.ipynb');
    await waitRendered(page);
    await click(page, 'trust');
    await waitTrust(page, 'trusted');
    expect((await jsReport(page))?.ran).toBe(true);
    const r = await rendererFrame(page, s.extensionId);
    const link = r.locator('#mdlink, a:has-text("link")');
    if ((await link.count()) > 0) await link.first().click({ force: true, timeout: 2000 });
    await sleep(800);
    const fired = firedIds(await canaryReport(page, server));
    expect([...fired].filter((id) => id.startsWith('md-'))).toEqual([]);
    await page.close();
  });

  it('a boundary-shifted twin of a trusted notebook (same Jupyter digest) is not trusted', async () => {
    const base = JSON.parse(trustedJs) as { cells: Array<{ metadata: Record<string, unknown> }> };
    const benign = structuredClone(base);
    (benign.cells[2] as { metadata: Record<string, unknown> }).metadata = { flag: true };
    const twin = structuredClone(base);
    (twin.cells[2] as { metadata: Record<string, unknown> }).metadata = { flag: 'True' };
    const benignText = JSON.stringify(benign, null, 1);
    const twinText = JSON.stringify(twin, null, 1);
    // nbformat really gives both the same digest.
    const dig = (t: string) =>
      execFileSync(
        '/usr/bin/python3',
        [
          '-c',
          `import sys, nbformat
from nbformat.sign import NotebookNotary
print(NotebookNotary(secret=bytes.fromhex('${KEY_HEX}')).compute_signature(nbformat.reads(sys.stdin.read(), nbformat.NO_CONVERT)))`,
        ],
        { input: t, encoding: 'utf8' },
      ).trim();
    expect(dig(benignText)).toBe(dig(twinText));
    server.setFile(REPO, 'benign.ipynb', benignText);
    const page = await open('benign.ipynb');
    await waitRendered(page);
    await click(page, 'trust');
    await waitTrust(page, 'trusted');
    await page.close();
    server.setFile(REPO, 'benign.ipynb', twinText);
    const p2 = await open('benign.ipynb');
    expect((await waitRendered(p2)).trust).toBe('untrusted');
    await p2.close();
  });

  it('a notebook signed with the key set via setSecretHex is trusted on load; another key is not', async () => {
    const key = {
      id: 'test',
      name: 'Test key',
      bytes: Uint8Array.from(Buffer.from(KEY_HEX, 'hex')),
    };
    const signed = await signNotebookText(trustedJs, key);
    if (!signed.ok) throw new Error(signed.error.message);
    expect(signed.value).toContain('"signature"');
    server.setFile(REPO, 'signed.ipynb', signed.value);
    const page = await open('signed.ipynb');
    expect((await waitRendered(page)).trust).toBe('trusted');
    expect((await jsReport(page))?.ran).toBe(true);
    await page.close();

    // A signed notebook with one byte changed after signing is not trusted.
    server.setFile(REPO, 'signed-tampered.ipynb', signed.value.replace('"after', '"afteR'));
    const pt = await open('signed-tampered.ipynb');
    expect((await waitRendered(pt)).trust).toBe('untrusted');
    await pt.close();

    const other = { ...key, bytes: Uint8Array.from(crypto.randomBytes(32)) };
    const wrong = await signNotebookText(trustedJs.replace('after', 'later'), other);
    if (!wrong.ok) throw new Error(wrong.error.message);
    server.setFile(REPO, 'signed-other-key.ipynb', wrong.value);
    const p2 = await open('signed-other-key.ipynb');
    expect((await waitRendered(p2)).trust).toBe('untrusted');
    expect(await jsReport(p2, 1500)).toBeNull();
    // The toolbar says why in words.
    const v = await viewerFrame(p2, s.extensionId);
    expect(await v.evaluate(() => document.body.innerText)).toMatch(/not trusted/i);
    await p2.close();
  });

  it('the data-trust attribute the page sees follows the background, not the page', async () => {
    const page = await open('js.ipynb');
    await waitRendered(page);
    const before = (await rootStates(page))[0]?.trust;
    expect(before).toBe('untrusted');
    // The page can write the attribute (it is only display), but the viewer's verdict is unchanged.
    await page.evaluate(() =>
      document.querySelector('[data-nbshield]')?.setAttribute('data-trust', 'trusted'),
    );
    const v = await viewerFrame(page, s.extensionId);
    expect(await v.locator('[data-nbshield-action="trust"]').isVisible()).toBe(true);
    expect(await jsReport(page, 1000)).toBeNull();
    await page.close();
  });
});
