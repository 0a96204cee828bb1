// The toolbar popup (src/popup) driven in real Chromium. Playwright cannot open the action popup
// itself, so the popup's page is opened as an extension page for the notebook's tab: the product
// reads `popup.html?tab=N` for that (popup.html is not web-accessible, so only the extension's own
// pages can open it). The tab id comes from the service worker's chrome.tabs, as the real popup's
// tabs.query would give it. Checked: the verdict in words, a real click on Trust trusts (and the
// open viewer follows), Untrust undoes it; a tab without a notebook says so (the control).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { FakeGitHub } from '../fakegithub/server.mjs';
import {
  tabIdOf,
  launchChrome,
  rendererFrame,
  startServer,
  viewerFrame,
  waitRendered,
  waitTrust,
  type ChromeSession,
} from './harness';

let server: FakeGitHub;
let s: ChromeSession;
const REPO = 'nbshield/popup';
const NB = JSON.stringify({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    { id: 'a', cell_type: 'markdown', metadata: {}, source: '# Popup check' },
    {
      id: 'b',
      cell_type: 'code',
      metadata: {},
      source: 'print(1)',
      execution_count: 1,
      outputs: [{ output_type: 'stream', name: 'stdout', text: '1\n' }],
    },
  ],
});

beforeAll(async () => {
  server = await startServer();
  server.setFile(REPO, 'popup-check.ipynb', NB);
  s = await launchChrome({ server });
});
afterAll(async () => {
  await s?.close();
  await server?.close();
});

async function openPopup(tabId: number | null): Promise<Page> {
  const p = await s.context.newPage();
  await p.setViewportSize({ width: 420, height: 400 });
  const q = tabId === null ? '' : `?tab=${tabId}`;
  await p.goto(`chrome-extension://${s.extensionId}/popup.html${q}`);
  await p.waitForFunction(() => !document.querySelector('#views .muted'));
  return p;
}

describe('popup (Chromium)', () => {
  it('shows the tab’s verdict in words; its Trust button trusts, Untrust undoes it', async () => {
    const page = await s.context.newPage();
    await page.goto(server.blobUrl(REPO, 'popup-check.ipynb'), { waitUntil: 'domcontentloaded' });
    expect((await waitRendered(page)).trust).toBe('untrusted');
    const viewerVerdict = await (
      await viewerFrame(page, s.extensionId)
    )
      .locator('#verdict')
      .textContent();

    const popup = await openPopup(await tabIdOf(s, page.url()));
    const view = popup.locator('.view');
    expect(await view.count()).toBe(1);
    expect(await view.locator('.name').textContent()).toBe('popup-check.ipynb');
    const verdict = view.locator('.verdict');
    expect(await verdict.textContent()).toBe('Not trusted: no signature');
    expect(await verdict.textContent()).toBe(viewerVerdict);
    const btn = view.locator('button');
    expect(await btn.textContent()).toBe('Trust');
    expect(await btn.getAttribute('aria-label')).toBe('Trust popup-check.ipynb');

    // A real click in the popup trusts: the popup says so, and the open viewer follows.
    await btn.click();
    await popup.waitForFunction(
      () => document.querySelector('.view .verdict')?.getAttribute('data-trust') === 'trusted',
    );
    expect(await verdict.textContent()).toBe('Trusted: you trusted this notebook');
    expect(await btn.textContent()).toBe('Untrust');
    await waitTrust(page, 'trusted', 0, 20_000);
    expect((await rendererFrame(page, s.extensionId)).url()).toContain('/renderer-trusted.html');
    // A popup opened afresh reads the same verdict from the background.
    const again = await openPopup(await tabIdOf(s, page.url()));
    expect(await again.locator('.view .verdict').textContent()).toBe(
      'Trusted: you trusted this notebook',
    );
    await again.close();

    await btn.click();
    await popup.waitForFunction(
      () => document.querySelector('.view .verdict')?.getAttribute('data-trust') === 'untrusted',
    );
    expect(await btn.textContent()).toBe('Trust');
    await waitTrust(page, 'untrusted', 0, 20_000);
    await popup.close();
    await page.close();
  });

  it('control: a tab without a notebook, and the popup page itself, show no notebook', async () => {
    const other = await s.context.newPage();
    await other.goto(`https://github.com/${REPO}`, { waitUntil: 'domcontentloaded' });
    const popup = await openPopup(await tabIdOf(s, other.url()));
    expect(await popup.locator('.view').count()).toBe(0);
    expect(await popup.locator('#views').textContent()).toContain(
      'No notebook shown by nbshield in this tab.',
    );
    await popup.close();
    // Without ?tab the popup asks for the active tab: here that is the popup's own page.
    const self = await openPopup(null);
    expect(await self.locator('.view').count()).toBe(0);
    expect(await self.locator('#views').textContent()).toMatch(/No notebook/);
    await self.close();
    await other.close();
  });
});
