// Start-up order (issue 5), in real Chromium: the content script runs at document_start and asks
// for the page's notebook at once, so the worker's fetch starts while the page is still loading;
// nb/open answers before that fetch ends, so the viewer frame (and the renderer frame it
// preloads) start while the bytes are still on their way. The fake GitHub holds a response half
// sent to catch each step in the middle; the notebook must still render, with its verdict.
import { describe, expect, it } from 'vitest';
import type { FakeGitHub } from '../fakegithub/server.mjs';
import {
  cellCount,
  rendererFrame,
  useChrome,
  viewerFrame,
  viewerFrames,
  waitCells,
  waitRendered,
  type ChromeSession,
} from './harness';

let server: FakeGitHub;
let s: ChromeSession;
useChrome((e) => {
  ({ server, s } = e);
});
const REPO = 'nbshield/startup';

function notebook(label: string): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: 'markdown', id: 'a', metadata: {}, source: `# ${label}` },
      {
        cell_type: 'code',
        id: 'b',
        metadata: {},
        source: 'print(1)',
        execution_count: 1,
        outputs: [{ output_type: 'stream', name: 'stdout', text: '1\n' }],
      },
    ],
  });
}

const fetched = (p: string) =>
  server
    .requests()
    .some(
      (r) =>
        (r.host === 'raw.githubusercontent.com' || r.path.includes('/raw/')) &&
        r.path.endsWith(`/${p}`),
    );

describe('start-up order (Chromium)', () => {
  it('the worker fetches the notebook while the page itself is still loading', async () => {
    server.setFile(REPO, 'early.ipynb', notebook('early'));
    const url = server.blobUrl(REPO, 'early.ipynb');
    const held = server.hold(url);
    const page = await s.context.newPage();
    try {
      void page.goto(url, { waitUntil: 'commit' }).catch(() => undefined);
      await held.sent;
      // Only the page's head has arrived: no DOM to mount in yet, but the fetch has started.
      await expect.poll(() => fetched('early.ipynb'), { timeout: 10_000 }).toBe(true);
      expect(await page.evaluate(() => document.readyState)).toBe('loading');
      expect(await page.locator('[data-nbshield]').count()).toBe(0);
      held.release();
      const st = await waitRendered(page);
      expect(st.trust).toBe('untrusted');
      expect(await waitCells(await rendererFrame(page, s.extensionId), 2)).toBe(2);
    } finally {
      held.release();
      await page.close();
    }
  });

  it('the viewer and its renderer frame start while the notebook is still arriving', async () => {
    server.setFile(REPO, 'slow.ipynb', notebook('slow'));
    const held = server.hold(server.rawUrl(REPO, 'slow.ipynb'));
    const page = await s.context.newPage();
    try {
      await page.goto(server.blobUrl(REPO, 'slow.ipynb'), { waitUntil: 'domcontentloaded' });
      await held.sent;
      // Half the notebook is in the worker, the rest held: the frames are up meanwhile.
      await expect
        .poll(
          async () => {
            const v = (await viewerFrames(page, s.extensionId))[0];
            return v?.childFrames().some((f) => /\/renderer\.html/.test(f.url())) === true;
          },
          { timeout: 10_000 },
        )
        .toBe(true);
      expect(await page.locator('[data-nbshield]').getAttribute('data-state')).toBe('loading');
      held.release();
      const st = await waitRendered(page);
      expect(st.trust).toBe('untrusted');
      const v = await viewerFrame(page, s.extensionId);
      expect(await v.locator('#verdict').textContent()).toMatch(/not trusted/i);
      expect(await cellCount(await rendererFrame(page, s.extensionId))).toBe(2);
    } finally {
      held.release();
      await page.close();
    }
  });
});
