// Reading comforts (issue 6) in real Chromium: the table of contents matches the headings and
// scrolls to them, `#cell-N` deep links scroll the cell into view, j/k move the focus between
// cells, copy buttons copy a cell's source, code can be hidden and shown, line numbers toggle,
// and the toolbar's links out point at Colab, nbviewer, Binder and the raw file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import type { FakeGitHub } from '../fakegithub/server.mjs';
import {
  clickInFrame,
  launchChrome,
  rendererFrame,
  sleep,
  startServer,
  viewerFrame,
  waitCells,
  waitRendered,
  type ChromeSession,
} from './harness';

let server: FakeGitHub;
let s: ChromeSession;

const REPO = 'nbshield/reading';
const md = (source: string) => ({ cell_type: 'markdown', metadata: {}, source });
const code = (source: string) => ({
  cell_type: 'code',
  metadata: {},
  source,
  execution_count: null,
  outputs: [],
});
const cells: object[] = [md('# Reading tour\n\nIntro.'), code('x = 1\ny = 2\nprint(x + y)')];
for (let i = 0; i < 30; i += 1)
  cells.push(md(`Filler paragraph ${i}.\n\n${'Some text. '.repeat(20)}`));
cells.push(md('## Far section\n\nSee [the top](#Reading-tour) and [cell 1](#cell-1).'));
cells.push(code('def far():\n    return "far"'));
cells.push(md('### Deeper part'));
const NB = JSON.stringify({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  cells: cells.map((c, i) => ({ ...c, id: `c${i}` })),
});
const FAR = 32;

// A code cell with a long stream (collapse toggle, copy) and a short result (copy, no toggle).
const LONG_STREAM = Array.from({ length: 60 }, (_, i) => `line ${i}`).join('\n') + '\n';
const OUTPUTS_NB = JSON.stringify({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    {
      id: 'o0',
      cell_type: 'code',
      metadata: {},
      source: 'for i in range(60): print(f"line {i}")',
      execution_count: 1,
      outputs: [{ output_type: 'stream', name: 'stdout', text: LONG_STREAM }],
    },
    {
      id: 'o1',
      cell_type: 'code',
      metadata: {},
      source: '6 * 7',
      execution_count: 2,
      outputs: [
        {
          output_type: 'execute_result',
          execution_count: 2,
          metadata: {},
          data: { 'text/plain': '42' },
        },
      ],
    },
  ],
});

beforeAll(async () => {
  server = await startServer();
  server.setFile(REPO, 'tour.ipynb', NB);
  server.setFile(REPO, 'outputs.ipynb', OUTPUTS_NB);
  s = await launchChrome({ server });
});
afterAll(async () => {
  await s?.close();
  await server?.close();
});

async function open(hash = ''): Promise<{ page: Page; r: Frame; v: Frame }> {
  const page = await s.context.newPage();
  await page.setViewportSize({ width: 1000, height: 700 });
  await page.goto(server.blobUrl(REPO, 'tour.ipynb') + hash, { waitUntil: 'domcontentloaded' });
  await waitRendered(page);
  const r = await rendererFrame(page, s.extensionId);
  expect(await waitCells(r, cells.length)).toBe(cells.length);
  // The TOC is built once every cell is in.
  await r.waitForSelector('#nb-toc', { state: 'attached', timeout: 10_000 });
  const v = await viewerFrame(page, s.extensionId);
  return { page, r, v };
}

/** Whether an element of the renderer frame is in the top-level viewport (IntersectionObserver). */
async function inView(r: Frame, selector: string): Promise<boolean> {
  return r.evaluate(
    (sel) =>
      new Promise<boolean>((resolve) => {
        const el = document.querySelector(sel);
        if (el === null) return resolve(false);
        const io = new IntersectionObserver((es) => {
          io.disconnect();
          resolve(es.some((e) => e.isIntersecting));
        });
        io.observe(el);
      }),
    selector,
  );
}

async function waitInView(r: Frame, selector: string, want: boolean): Promise<boolean> {
  let got = !want;
  for (let i = 0; i < 30 && got !== want; i += 1) {
    got = await inView(r, selector);
    if (got !== want) await sleep(100);
  }
  return got;
}

describe('reading comforts (Chromium)', () => {
  it('TOC entries match the headings; the toolbar button and `t` toggle it; an entry scrolls', async () => {
    const { page, r, v } = await open();
    const entries = await r.$$eval('#nb-toc a', (as) =>
      as.map((a) => ({ text: a.textContent, href: a.getAttribute('href') })),
    );
    const headings = await r.$$eval('.nb-notebook h1, .nb-notebook h2, .nb-notebook h3', (hs) =>
      hs.map((h) => `#${h.id}`),
    );
    expect(entries.map((e) => e.text)).toEqual(['Reading tour', 'Far section', 'Deeper part']);
    expect(entries.map((e) => e.href)).toEqual(headings);
    expect(await r.$eval('#nb-toc', (n) => (n as HTMLElement).hidden)).toBe(true);
    const toc = v.locator('#toc');
    expect(await toc.getAttribute('aria-pressed')).toBe('false');
    await toc.click();
    await r.waitForSelector('#nb-toc', { state: 'visible' });
    await v.waitForSelector('#toc[aria-pressed="true"]');
    // An entry scrolls its heading into view (it starts out of view, far down).
    expect(await waitInView(r, `[id="${headings[1]!.slice(1)}"]`, false)).toBe(false);
    await clickInFrame(page, r.locator('#nb-toc a').nth(1));
    expect(await waitInView(r, `[id="${headings[1]!.slice(1)}"]`, true)).toBe(true);
    // In-notebook links go where they point: #cell-1 and a heading anchor by its plain slug.
    await clickInFrame(page, r.locator(`[data-cell-index="${FAR}"] a[href="#cell-1"]`));
    expect(await waitInView(r, '#cell-1', true)).toBe(true);
    // `t` in the renderer closes it again.
    await clickInFrame(page, r.locator('#cell-0 p'));
    await page.keyboard.press('t');
    await r.waitForSelector('#nb-toc', { state: 'hidden' });
    await v.waitForSelector('#toc[aria-pressed="false"]');
    await page.close();
  });

  it('`#cell-N` in the page URL scrolls that cell into view; without it the cell is out of view', async () => {
    const plain = await open();
    expect(await waitInView(plain.r, `#cell-${FAR + 1}`, false)).toBe(false);
    await plain.page.close();
    const deep = await open(`#cell-${FAR + 1}`);
    expect(await waitInView(deep.r, `#cell-${FAR + 1}`, true)).toBe(true);
    expect(await inView(deep.r, '#cell-0')).toBe(false);
    await deep.page.close();
  });

  it('j/k move the focus between cells', async () => {
    const { page, r } = await open();
    await clickInFrame(page, r.locator('#cell-0 p'));
    const focused = () =>
      r.evaluate(() => document.activeElement?.getAttribute('data-cell-index') ?? null);
    // The first cell is the notebook's tab stop, so a click in it focuses it.
    expect(await focused()).toBe('0');
    await page.keyboard.press('j');
    expect(await focused()).toBe('1');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    expect(await focused()).toBe('1');
    await page.keyboard.press('k');
    await page.keyboard.press('k');
    expect(await focused()).toBe('0');
    // Only the focused cell is in the tab order (a roving tabindex).
    expect(await r.$$eval('[data-cell-index][tabindex]', (els) => els.length)).toBe(1);
    await page.close();
  });

  it('copy copies the source; hide/show code and line numbers toggle', async () => {
    const { page, r, v } = await open();
    await s.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(server.blobUrl(REPO, 'tour.ipynb')).origin,
    });
    await page.evaluate(() => navigator.clipboard.writeText('before'));
    const btn = r.locator('#cell-1 button.nb-copy');
    expect(await btn.getAttribute('aria-label')).toBe('Copy the code');
    await clickInFrame(page, btn);
    await r.waitForSelector('#cell-1 button.nb-copy[data-state="copied"]', { timeout: 5000 });
    // The clipboard holds the source, as the page sees it.
    await page.bringToFront();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      'x = 1\ny = 2\nprint(x + y)',
    );

    const input = r.locator('#cell-1 .nb-input');
    expect(await input.isVisible()).toBe(true);
    await v.locator('#code').click();
    await v.waitForSelector('#code[aria-pressed="true"]');
    expect(await input.isVisible()).toBe(false);
    expect(await r.locator('#cell-0 h1').isVisible()).toBe(true);
    await v.locator('#code').click();
    await v.waitForSelector('#code[aria-pressed="false"]');
    expect(await input.isVisible()).toBe(true);

    const gutter = r.locator('#cell-1 .nb-lines');
    expect(await gutter.isVisible()).toBe(false);
    await v.locator('#lines').click();
    await v.waitForSelector('#lines[aria-pressed="true"]');
    expect(await gutter.isVisible()).toBe(true);
    expect(await gutter.textContent()).toBe('1\n2\n3');
    await page.close();
  });

  it('text outputs have a copy button; a long output block collapses and expands', async () => {
    const page = await s.context.newPage();
    await page.setViewportSize({ width: 1000, height: 700 });
    await page.goto(server.blobUrl(REPO, 'outputs.ipynb'), { waitUntil: 'domcontentloaded' });
    await waitRendered(page);
    const r = await rendererFrame(page, s.extensionId);
    expect(await waitCells(r, 2)).toBe(2);
    await s.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(server.blobUrl(REPO, 'outputs.ipynb')).origin,
    });
    await page.evaluate(() => navigator.clipboard.writeText('before'));
    const copyOut = r.locator('#cell-0 .nb-output-area button.nb-copy');
    expect(await copyOut.getAttribute('aria-label')).toBe('Copy the output');
    await clickInFrame(page, copyOut);
    await r.waitForSelector('#cell-0 .nb-output-area button.nb-copy[data-state="copied"]', {
      timeout: 5000,
    });
    await page.bringToFront();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(LONG_STREAM);
    // The short result has its own copy button too (the copy path is the one checked above).
    expect(
      await r.locator('#cell-1 .nb-output-area button.nb-copy').getAttribute('aria-label'),
    ).toBe('Copy the output');

    // Only the long block has a toggle; collapsing makes it short, expanding restores it.
    expect(await r.locator('#cell-1 .nb-collapse').count()).toBe(0);
    const toggle = r.locator('#cell-0 .nb-collapse');
    const out = r.locator('#cell-0 .nb-output').first();
    const tall = (await out.boundingBox())?.height ?? 0;
    expect(tall).toBeGreaterThan(500);
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await clickInFrame(page, toggle);
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await toggle.textContent()).toBe('Expand output');
    expect((await out.boundingBox())?.height ?? 0).toBeLessThanOrEqual(161);
    await clickInFrame(page, toggle);
    expect((await out.boundingBox())?.height ?? 0).toBeCloseTo(tall, 0);
    await page.close();
  });

  it('links out: Colab, nbviewer, Binder and download for the blob URL', async () => {
    const { page, v } = await open();
    const href = (id: string) => v.locator(`#${id}`).getAttribute('href');
    const tail = `${REPO}/blob/main/tour.ipynb`;
    expect(await href('colab')).toBe(`https://colab.research.google.com/github/${tail}`);
    expect(await href('nbviewer')).toBe(`https://nbviewer.org/github/${tail}`);
    expect(await href('binder')).toBe(`https://mybinder.org/v2/gh/${REPO}/main?labpath=tour.ipynb`);
    expect(await href('download')).toBe(`https://github.com/${REPO}/raw/main/tour.ipynb`);
    for (const id of ['toc', 'code', 'lines', 'colab', 'nbviewer', 'binder', 'download']) {
      const el = v.locator(`#${id}`);
      expect(await el.isVisible()).toBe(true);
      const name = (await el.getAttribute('aria-label')) ?? (await el.textContent()) ?? '';
      expect(name.trim()).not.toBe('');
    }
    await page.close();
  });

  it('keyboard only: Tab goes from the GitHub page through the toolbar into the notebook; t, Enter, j', async () => {
    const { page, r, v } = await open();
    /** Where the keyboard focus is: a renderer element, a viewer element, or the page. */
    const where = async (): Promise<string> => {
      const inR = await r.evaluate(() => {
        if (!document.hasFocus()) return null;
        const a = document.activeElement as HTMLElement | null;
        if (a?.dataset.cellIndex !== undefined) return `cell ${a.dataset.cellIndex}`;
        return `${a?.tagName.toLowerCase() ?? '?'}${a?.id ? `#${a.id}` : ''} ${a?.textContent?.trim().slice(0, 40) ?? ''}`;
      });
      if (inR !== null) return `renderer ${inR}`;
      const inV = await v.evaluate(() =>
        document.hasFocus() ? (document.activeElement?.id ?? '?') : null,
      );
      if (inV !== null) return `viewer ${inV}`;
      return 'page';
    };
    // From the top of the GitHub page, with the keyboard only.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const seen: string[] = [];
    for (let i = 0; i < 120; i += 1) {
      await page.keyboard.press('Tab');
      const w = await where();
      if (w.startsWith('viewer ') || w.startsWith('renderer ')) seen.push(w);
      if (w.startsWith('renderer ')) break;
    }
    // Every toolbar control, in order, then the notebook's tab stop: its first cell.
    expect(seen).toEqual([
      'viewer trust',
      'viewer toc',
      'viewer code',
      'viewer lines',
      'viewer native',
      'viewer raw',
      'viewer download',
      'viewer colab',
      'viewer nbviewer',
      'viewer binder',
      'renderer cell 0',
    ]);
    await page.keyboard.press('j');
    expect(await where()).toBe('renderer cell 1');
    // `t` opens the table of contents and goes to its first entry; Tab to the next; Enter goes
    // to that heading (scrolled into view and focused), and j goes on from there.
    await page.keyboard.press('t');
    await v.waitForSelector('#toc[aria-pressed="true"]');
    expect(await where()).toBe('renderer a Reading tour');
    await page.keyboard.press('Tab');
    expect(await where()).toBe('renderer a Far section');
    const far = await r.$eval(`[data-cell-index="${FAR}"] h2`, (h) => h.id);
    expect(await inView(r, `[id="${far}"]`)).toBe(false);
    await page.keyboard.press('Enter');
    expect(await waitInView(r, `[id="${far}"]`, true)).toBe(true);
    expect(await where()).toMatch(new RegExp(`^renderer h2#${far} Far section`));
    await page.keyboard.press('j');
    expect(await where()).toBe(`renderer cell ${FAR + 1}`);

    // Shortcuts pressed while the focus is in the toolbar: `t` toggles the table of contents
    // (and an opened one takes the focus), j moves the focus into the notebook's cells.
    // Back to the toolbar with Shift+Tab (a script cannot move the focus out of the sandbox).
    const backToToolbar = async (): Promise<string> => {
      for (let i = 0; i < 60; i += 1) {
        await page.keyboard.press('Shift+Tab');
        const w = await where();
        if (w.startsWith('viewer ')) return w;
      }
      return await where();
    };
    // A shortcut from the toolbar crosses two frames by message: the focus lands a moment later.
    const waitWhere = async (want: RegExp): Promise<string> => {
      let w = '';
      for (let i = 0; i < 60; i += 1) {
        w = await where();
        if (want.test(w)) return w;
        await sleep(50);
      }
      return w;
    };
    expect(await backToToolbar()).toBe('viewer binder');
    // A toolbar's arrow keys: along its visible controls, wrapping; Home and End.
    await page.keyboard.press('ArrowLeft');
    expect(await where()).toBe('viewer nbviewer');
    await page.keyboard.press('Home');
    expect(await where()).toBe('viewer trust');
    await page.keyboard.press('ArrowLeft');
    expect(await where()).toBe('viewer binder');
    await page.keyboard.press('t');
    await v.waitForSelector('#toc[aria-pressed="false"]');
    await r.waitForSelector('#nb-toc', { state: 'hidden' });
    expect(await where()).toBe('viewer binder');
    await page.keyboard.press('t');
    await r.waitForSelector('#nb-toc', { state: 'visible' });
    expect(await waitWhere(/^renderer a Reading tour$/)).toBe('renderer a Reading tour');
    expect(await backToToolbar()).toBe('viewer binder');
    await page.keyboard.press('j');
    const before = await waitWhere(/^renderer cell \d+$/);
    expect(before).toMatch(/^renderer cell \d+$/);
    await page.keyboard.press('j');
    const next = `renderer cell ${Number(before.split(' ')[2]) + 1}`;
    expect(await waitWhere(new RegExp(`^${next}$`))).toBe(next);
    await page.close();
  });

  it('a hash change on the open page is followed: a link to #cell-N clicked there, an edited address', async () => {
    const { page, r } = await open();
    const target = `#cell-${FAR + 1}`;
    expect(await waitInView(r, target, false)).toBe(false);
    await page.evaluate(() => {
      (window as unknown as { __samePage: boolean }).__samePage = true;
    });
    // A link on the GitHub page itself (a README or comment can have one), really clicked.
    await page.evaluate((href) => {
      const a = document.createElement('a');
      a.href = href;
      a.id = 'nbshield-test-link';
      a.textContent = 'to the far cell';
      a.style.cssText = 'position:fixed;top:0;left:0;z-index:2147483647;background:#fff';
      document.body.append(a);
    }, target);
    await page.locator('#nbshield-test-link').click();
    expect(new URL(page.url()).hash).toBe(target);
    expect(await waitInView(r, target, true)).toBe(true);
    expect(await inView(r, '#cell-0')).toBe(false);
    // The address edited to another fragment: a same-document navigation, no reload.
    await page.goto(`${page.url().split('#')[0]}#cell-0`);
    expect(await waitInView(r, '#cell-0', true)).toBe(true);
    expect(await inView(r, target)).toBe(false);
    // A heading's anchor works the same way.
    await page.evaluate(() => {
      location.hash = '#Deeper-part';
    });
    expect(await waitInView(r, `[data-cell-index="${FAR + 2}"] h3`, true)).toBe(true);
    expect(
      await page.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage),
    ).toBe(true);
    // The same renderer document all along (it scrolled; nothing re-rendered).
    expect(await rendererFrame(page, s.extensionId)).toBe(r);
    await page.close();
  });
});
