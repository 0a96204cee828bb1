// Lazy rendering (issue 5) in real Chromium: a long notebook paints its first screen and leaves
// later code cells as placeholders holding their source as text (find-in-page finds it); a cell
// renders when the top-level page scrolls near it (IntersectionObserver across the two
// cross-origin frames); the TOC has every heading; #cell-N deep links land on a rendered cell;
// `beforeprint` renders every cell; a trusted notebook with scripts renders the cells with
// scripts or markup a script may look for in order, runs its scripts in notebook order, and
// leaves the rest as placeholders; one with only plots draws each when its cell renders; a text
// with a dash and an emoji costs the frame one byte a character (the background escaped them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import type { FakeGitHub } from '../fakegithub/server.mjs';
import {
  clickInFrame,
  frameHeapAfterGc,
  orderScriptOutput,
  launchChrome,
  rendererFrame,
  scrollThroughCells,
  scriptOrder,
  setSecretHex,
  signedText,
  sleep,
  startServer,
  testKey,
  viewerFrame,
  waitCells,
  waitRendered,
  type ChromeSession,
} from './harness';

let server: FakeGitHub;
let s: ChromeSession;
const REPO = 'nbshield/lazy';
// The user's key: the trusted cases sign their notebooks with it.
const KEY = testKey('lazy', 'Lazy test key');
const N = 300;

const md = (source: string) => ({ cell_type: 'markdown', metadata: {}, source });
const code = (source: string, outputs: object[] = []) => ({
  cell_type: 'code',
  metadata: {},
  source,
  execution_count: 1,
  outputs,
});
const stream = (text: string) => ({ output_type: 'stream', name: 'stdout', text });

function longNotebook(): string {
  const cells: object[] = [];
  for (let i = 0; cells.length < N; i += 1) {
    if (i % 50 === 0) cells.push(md(`# Section ${i / 50}\n\nText.`));
    cells.push(
      code(`value_${i} = ${i}\nprint("FINDME-${i}")`, [stream(`OUT-${i}\n${'line\n'.repeat(8)}`)]),
    );
  }
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: cells.slice(0, N).map((c, i) => ({ ...c, id: `c${i}` })),
  });
}
const LONG = longNotebook();

/**
 * 400 Markdown cells each far taller than a group's estimate (GROUP_CELL_PX a cell), a heading
 * every 100: a jump far down lays out the groups around the target for real, and they grow.
 */
function tallNotebook(): string {
  const cells = Array.from({ length: 400 }, (_, i) =>
    md(
      (i % 100 === 99 ? `# Tall part ${(i + 1) / 100}\n\n` : '') +
        Array.from({ length: 24 }, (_, k) => `Paragraph ${k} of cell ${i}.`).join('\n\n'),
    ),
  );
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: cells.map((c, i) => ({ ...c, id: `t${i}` })),
  });
}
const LAST = N - 1;
/** The marker printed by the last cell's source (code cells are numbered apart from cells). */
function lastMarker(): string {
  const cells = (JSON.parse(LONG) as { cells: Array<{ source: string }> }).cells;
  return /FINDME-\d+/.exec(cells[LAST]?.source ?? '')?.[0] ?? 'none';
}

/**
 * Code cells with image outputs in Jupyter's 76-character lines (the parser builds those strings,
 * they are not slices of the text) and a one-line stream (a slice of the text): what the frame
 * would keep if it held on to the parsed notebook after rendering it.
 */
function heavyNotebook(cellCount: number, imageChars: number): string {
  const line = 'A'.repeat(76);
  const lines = Array.from({ length: Math.ceil(imageChars / 76) }, () => `${line}\n`);
  const cells: object[] = [md('# Heavy')];
  for (let i = 0; i < cellCount; i += 1) {
    cells.push(
      code(`plot_figure_number(${i}, size=large_size)`, [
        stream(`S${i}-${'x'.repeat(imageChars / 2)}`),
        { output_type: 'display_data', metadata: {}, data: { 'image/png': lines } },
      ]),
    );
  }
  return JSON.stringify({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells });
}
const HEAVY = heavyNotebook(40, 150_000);

/**
 * A few MB of code cells whose sources are plain ASCII strings (slices of the text: the far
 * cells, still placeholders, keep the whole text alive), and a heading with a dash and an emoji:
 * one character above U+00FF is enough for V8 to store a string two bytes per character.
 */
function dashedNotebook(codeCells: number, sourceChars: number): string {
  const cells: object[] = [md('# Résumé — the results 😀')];
  for (let i = 0; i < codeCells; i += 1) {
    cells.push(
      code(`value_${i} = '${'A'.repeat(sourceChars)}'  # cell ${i}`, [stream(`out ${i}\n`)]),
    );
  }
  return JSON.stringify({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells });
}
const DASHED = dashedNotebook(120, 25_000);
/** The same notebook as Python's json.dumps writes it by default (ensure_ascii): all ASCII. */
const ESCAPED = DASHED.replace(
  /[\u0100-\uffff]/g,
  (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
);

beforeAll(async () => {
  server = await startServer();
  server.setFile(REPO, 'long.ipynb', LONG);
  server.setFile(REPO, 'tall.ipynb', tallNotebook());
  server.setFile(REPO, 'heavy.ipynb', HEAVY);
  server.setFile(REPO, 'light.ipynb', heavyNotebook(1, 1_000));
  server.setFile(REPO, 'dashed.ipynb', DASHED);
  server.setFile(REPO, 'escaped.ipynb', ESCAPED);
  s = await launchChrome({ server });
  await setSecretHex(s, KEY.hex);
});
afterAll(async () => {
  await s?.close();
  await server?.close();
});

async function open(p: string, hash = ''): Promise<{ page: Page; r: Frame }> {
  const page = await s.context.newPage();
  await page.setViewportSize({ width: 1000, height: 700 });
  await page.goto(server.blobUrl(REPO, p) + hash, { waitUntil: 'domcontentloaded' });
  await waitRendered(page);
  const r = await rendererFrame(page, s.extensionId);
  return { page, r };
}

const pendingAt = (r: Frame, i: number) =>
  r.evaluate(
    (k) => document.querySelector(`[data-cell-index="${k}"]`)?.classList.contains('nb-pending'),
    i,
  );

async function waitRenderedCell(r: Frame, i: number, timeout = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if ((await pendingAt(r, i)) === false) return true;
    await sleep(100);
  }
  return false;
}

describe('lazy rendering (Chromium)', () => {
  it('paints the first screen, leaves the rest as findable placeholders', async () => {
    const { page, r } = await open('long.ipynb');
    expect(await waitCells(r, N)).toBe(N);
    const st = await r.evaluate(() => ({
      pending: document.querySelectorAll('.nb-pending').length,
      firstOut: document.querySelector('[data-cell-index="1"] .nb-outputs') !== null,
      firstHl: document.querySelector('[data-cell-index="1"] .hljs') !== null,
    }));
    // The control for everything below: most cells really are not rendered yet.
    expect(st.pending).toBeGreaterThan(N / 2);
    expect(st.firstOut && st.firstHl).toBe(true);
    expect(await pendingAt(r, LAST)).toBe(true);
    // Checked before any find: a find scrolls its match into view, which renders that cell. The
    // placeholder holds the text its outputs will show, the rendered outputs are not there.
    expect(
      await r.evaluate(
        ([k, t]) => {
          const el = document.querySelector(`[data-cell-index="${k}"]`);
          return [el?.querySelector('.nb-outputs') !== null, el?.textContent?.includes(t) ?? false];
        },
        [LAST, lastMarker().replace('FINDME-', 'OUT-')] as const,
      ),
    ).toEqual([false, true]);
    // The placeholder's text is in the document: the browser's own find finds it...
    const found = await r.evaluate((t) => {
      const w = window as unknown as { find(s: string): boolean };
      return [w.find(t), w.find('NOT-IN-THIS-NOTEBOOK')];
    }, lastMarker());
    expect(found).toEqual([true, false]);
    // ... and so is the text its outputs will show as text (a stream), from the placeholder
    // (the rendered output was not there, above).
    const outMarker = lastMarker().replace('FINDME-', 'OUT-');
    expect(
      await r.evaluate((t) => {
        const w = window as unknown as { find(s: string): boolean };
        return w.find(t);
      }, outMarker),
    ).toBe(true);
    // Every heading is in the TOC, the far ones too.
    const toc = await r.evaluate(() =>
      Array.from(document.querySelectorAll('#nb-toc a')).map((a) => a.textContent),
    );
    expect(toc.filter((t) => t?.startsWith('Section')).length).toBe(6);
    await page.close();
  });

  it('a cell renders when the page scrolls near it (observer across the frames)', async () => {
    const { page, r } = await open('long.ipynb');
    await waitCells(r, N);
    expect(await pendingAt(r, LAST)).toBe(true);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    expect(await waitRenderedCell(r, LAST)).toBe(true);
    expect(
      await r.evaluate(
        (k) => document.querySelector(`[data-cell-index="${k}"] .nb-outputs`)?.textContent ?? '',
        LAST,
      ),
    ).toContain(`OUT-`);
    // Only what came near the viewport was rendered: the middle is still pending.
    expect(await pendingAt(r, Math.floor(N / 2))).toBe(true);
    await page.close();
  });

  it('a cell that grows between two height messages brings up no scrollbar inside the frame', async () => {
    // Seen on a 100 MB notebook: cells rendering near the viewport made the frame's document
    // taller than the frame for up to 300 ms (the height is sent at most that often), and a
    // second, inner scrollbar came and went, narrowing and re-wrapping the whole document.
    const { page, r } = await open('long.ipynb');
    await waitCells(r, N);
    const before = await r.evaluate(() => ({
      gutter: window.innerWidth - document.documentElement.clientWidth,
      width: document.querySelector('main')?.getBoundingClientRect().width ?? 0,
    }));
    expect(before.gutter).toBe(0);
    // What a rendering cell does: the document grows; checked before any height message.
    const grown = await r.evaluate(() => {
      const div = document.createElement('div');
      div.id = 'grow-test';
      div.style.height = '2000px';
      document.querySelector('main')?.append(div);
      return {
        overflow: document.documentElement.scrollHeight - window.innerHeight,
        gutter: window.innerWidth - document.documentElement.clientWidth,
        width: document.querySelector('main')?.getBoundingClientRect().width ?? 0,
      };
    });
    // The control: the document really is taller than the frame at that moment.
    expect(grown.overflow).toBeGreaterThan(1000);
    expect(grown.gutter).toBe(0);
    expect(grown.width).toBe(before.width);
    // Then the frame grows to fit: nothing is cut off for good.
    const deadline = Date.now() + 5_000;
    let fits = false;
    while (!fits && Date.now() < deadline) {
      fits = await r.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight);
      if (!fits) await sleep(100);
    }
    expect(fits).toBe(true);
    // Sideways, the frame still scrolls: something wider than it gets a scrollbar.
    const wide = await r.evaluate(() => {
      const div = document.getElementById('grow-test');
      if (div) div.style.cssText = 'height:10px;width:5000px';
      return window.innerHeight - document.documentElement.clientHeight;
    });
    expect(wide).toBeGreaterThan(0);
    await page.close();
  });

  it('a far group of cells is laid out before it scrolls into view, so its first cell renders in time', async () => {
    const { page, r } = await open('long.ipynb');
    await waitCells(r, N);
    // The first code cell of a group in the middle: the worst case, the group's own top.
    const k = await r.evaluate(() => {
      const groups = document.querySelectorAll('.nb-group-body');
      const g = groups[Math.floor(groups.length / 2)];
      const first = g?.querySelector<HTMLElement>(':scope > .nb-pending');
      return Number(first?.dataset.cellIndex ?? -1);
    });
    expect(k).toBeGreaterThan(0);
    expect(await pendingAt(r, k)).toBe(true);
    const vh = await page.evaluate(() => window.innerHeight);
    // Its top 600 px below the bottom of the viewport: measured again after each scroll, as the
    // heights above it settle (skipped groups count an estimate until laid out).
    const below = async (): Promise<number> =>
      ((await (await r.$(`[data-cell-index="${k}"]`))!.boundingBox())?.y ?? 0) - vh;
    // Two of the frame's animation frames: the groups a scroll brought near are laid out.
    const settle = () =>
      r.evaluate(
        () =>
          new Promise<void>((resolve) =>
            requestAnimationFrame(() => requestAnimationFrame(() => resolve())),
          ),
      );
    for (let i = 0, steady = 0; i < 30 && steady < 2; i += 1) {
      const off = (await below()) - 600;
      if (Math.abs(off) < 100) steady += 1;
      else {
        steady = 0;
        await page.evaluate((y) => window.scrollBy(0, y), off);
      }
      await settle();
    }
    expect(await below()).toBeGreaterThan(300);
    expect(await below()).toBeLessThan(900);
    expect(await waitRenderedCell(r, k)).toBe(true);
    const top = await r.$(`[data-cell-index="${k}"]`);
    expect(((await top!.boundingBox())?.y ?? 0) - vh).toBeGreaterThan(300);
    await page.close();
  });

  it('a Contents entry far down lands on its heading and stays there while the cells around it are laid out', async () => {
    const { page, r } = await open('tall.ipynb');
    await waitCells(r, 400);
    const v = await viewerFrame(page, s.extensionId);
    await v.locator('#toc').click();
    await r.waitForSelector('#nb-toc', { state: 'visible' });
    const href = await r.$eval('#nb-toc li:last-child > a', (a) => a.getAttribute('href') ?? '');
    expect(href).toMatch(/tall-part-4/);
    /** The heading's top in the top-level viewport (px), through both frames. */
    const headingTop = async (): Promise<number> => {
      const outer = await page.evaluate(
        () => document.querySelector('iframe')?.getBoundingClientRect().top ?? NaN,
      );
      const inner = await v.evaluate(
        () => document.querySelector('iframe')?.getBoundingClientRect().top ?? NaN,
      );
      const own = await r.evaluate(
        (id) => document.getElementById(id)?.getBoundingClientRect().top ?? NaN,
        decodeURIComponent(href.slice(1)),
      );
      return outer + inner + own;
    };
    expect(await headingTop()).toBeGreaterThan(100_000);
    await clickInFrame(page, r.locator('#nb-toc li:last-child > a'));
    // Given time for the groups around it to be laid out (each far taller than its estimate).
    await sleep(2_500);
    const tops = [await headingTop()];
    await sleep(500);
    tops.push(await headingTop());
    for (const t of tops) {
      expect(t).toBeGreaterThanOrEqual(-2);
      expect(t).toBeLessThan(100);
    }
    await page.close();
  });

  it('#cell-N deep link lands on that cell, rendered', async () => {
    const target = 250;
    const { page, r } = await open('long.ipynb', `#cell-${target}`);
    expect(await waitRenderedCell(r, target)).toBe(true);
    await sleep(1500); // the deep link scroll repeats while the frames grow
    const inView = await r.evaluate(
      (k) =>
        new Promise<boolean>((resolve) => {
          const el = document.querySelector(`[data-cell-index="${k}"]`);
          if (el === null) return resolve(false);
          const io = new IntersectionObserver((es) => {
            io.disconnect();
            resolve(es.some((e) => e.isIntersecting));
          });
          io.observe(el);
        }),
      target,
    );
    expect(inView).toBe(true);
    await page.close();
  });

  it('beforeprint renders every cell', async () => {
    const { page, r } = await open('long.ipynb');
    await waitCells(r, N);
    expect(await r.evaluate(() => document.querySelectorAll('.nb-pending').length)).toBeGreaterThan(
      0,
    );
    // A far Markdown cell's group skips its layout and paint (issue 5: the frame is as tall as
    // the notebook), and printing shows it: innerText leaves skipped contents out.
    const far = () =>
      r.evaluate(() => {
        const cells = document.querySelectorAll<HTMLElement>('.nb-markdown-cell');
        const el = cells[cells.length - 1];
        const group = el?.closest('.nb-group-body');
        return el && group
          ? [getComputedStyle(group).contentVisibility, el.innerText.includes('Text.')]
          : [];
      });
    expect(await far()).toEqual(['auto', false]);
    const after = await r.evaluate(() => {
      window.dispatchEvent(new Event('beforeprint'));
      return {
        pending: document.querySelectorAll('.nb-pending').length,
        outputs: document.querySelectorAll('.nb-outputs').length,
        copy: document.querySelectorAll('.nb-input-area > .nb-copy').length,
      };
    });
    const codeCells = (JSON.parse(LONG) as { cells: Array<{ cell_type: string }> }).cells.filter(
      (c) => c.cell_type === 'code',
    ).length;
    expect(after).toEqual({ pending: 0, outputs: codeCells, copy: codeCells });
    expect(await r.evaluate(() => document.body.innerText.includes('OUT-280'))).toBe(true);
    expect(await far()).toEqual(['visible', true]);
    await page.close();
  });

  it('lets the parsed notebook go once every cell is rendered (issue 5: heap)', async () => {
    // The frame's JS heap after a forced GC, through CDP on the renderer frame's own target.
    const retained = async (p: string, expectedCells: number): Promise<number> => {
      const { page, r } = await open(p);
      await waitCells(r, expectedCells);
      await r.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
      expect(await r.evaluate(() => document.querySelectorAll('.nb-pending').length)).toBe(0);
      const usedSize = await frameHeapAfterGc(s, r);
      await page.close();
      return usedSize;
    };
    const light = await retained('light.ipynb', 2);
    const heavy = await retained('heavy.ipynb', 41);
    // Held on to, the notebook costs more than its text (the image strings alone are ~6 MB).
    expect(HEAVY.length).toBeGreaterThan(8_000_000);
    expect(heavy - light, `retained ${heavy} against ${light} bytes`).toBeLessThan(
      HEAVY.length / 4,
    );
  });

  it('a text with characters above U+00FF costs the renderer one byte a character (issue 5: heap)', async () => {
    // The frame's JS heap after a forced GC with far cells still placeholders: their sources
    // are slices of the text, so the text is all there. The all-ASCII twin is one-byte in any
    // case; the raw one is one-byte only if the background escaped its dash and emoji.
    const kept = async (p: string, cells: number): Promise<number> => {
      const { page, r } = await open(p);
      await waitCells(r, cells);
      if (cells > 100) {
        const pending = await r.evaluate(() => document.querySelectorAll('.nb-pending').length);
        expect(pending).toBeGreaterThan(100);
      }
      const usedSize = await frameHeapAfterGc(s, r);
      await page.close();
      return usedSize;
    };
    const light = await kept('light.ipynb', 2);
    const ascii = await kept('escaped.ipynb', 121);
    const raw = await kept('dashed.ipynb', 121);
    expect(DASHED.length).toBeGreaterThan(3_000_000);
    const perChar = (raw - light) / ESCAPED.length;
    const got = `raw ${raw}, ASCII twin ${ascii}, small ${light} bytes; ${perChar.toFixed(2)} bytes a character`;
    // Two bytes a character would put the raw one about 3 MB (its length) over its twin.
    expect(Math.abs(raw - ascii), got).toBeLessThan(DASHED.length / 4);
    expect(perChar, got).toBeLessThan(1.4);
  });

  it('j/k focus stays on a cell that renders under it', async () => {
    const { page, r } = await open('long.ipynb');
    await waitCells(r, N);
    // Focus a pending cell the way j/k does, then bring it into view so it renders.
    await r.evaluate((k) => {
      const el = document.querySelector<HTMLElement>(`[data-cell-index="${k}"]`);
      el?.setAttribute('tabindex', '-1');
      el?.focus({ preventScroll: true });
    }, LAST);
    expect(await pendingAt(r, LAST)).toBe(true);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    expect(await waitRenderedCell(r, LAST)).toBe(true);
    expect(
      await r.evaluate(() => document.activeElement?.getAttribute('data-cell-index') ?? null),
    ).toBe(String(LAST));
    await page.close();
  });

  it('a trusted notebook whose only live outputs are plots: far cells wait, each plot draws when its cell comes near', async () => {
    const chart = (n: number) => ({
      output_type: 'display_data',
      metadata: {},
      data: {
        'application/vnd.vegalite.v4+json': {
          data: {
            values: [
              { a: 'x', b: n },
              { a: 'y', b: n + 2 },
            ],
          },
          mark: 'bar',
          encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } },
        },
        'text/plain': `<VegaLite ${n}>`,
      },
    });
    const nb = JSON.parse(LONG) as { cells: Array<{ outputs?: object[] }> };
    nb.cells[1]?.outputs?.push(chart(1));
    nb.cells[LAST]?.outputs?.push(chart(2));
    server.setFile(REPO, 'trusted-plots.ipynb', await signedText(JSON.stringify(nb), KEY.key));
    const { page, r } = await open('trusted-plots.ipynb');
    expect(await r.evaluate(() => document.body.dataset.trust)).toBe('trusted');
    expect(await waitCells(r, N)).toBe(N);
    const state = (i: number) =>
      r.evaluate(
        (k) =>
          document
            .querySelector(`[data-cell-index="${k}"] .nb-rich-output`)
            ?.getAttribute('data-rich-state') ?? 'none',
        i,
      );
    await expect.poll(() => state(1), { timeout: 15_000 }).toBe('drawn');
    // The control for the rest: the far plot's cell is a placeholder, its plot not begun.
    expect(await r.evaluate(() => document.querySelectorAll('.nb-pending').length)).toBeGreaterThan(
      N / 2,
    );
    expect(await pendingAt(r, LAST)).toBe(true);
    expect(await state(LAST)).toBe('none');
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    expect(await waitRenderedCell(r, LAST)).toBe(true);
    await expect.poll(() => state(LAST), { timeout: 15_000 }).toBe('drawn');
    expect(
      await r.evaluate((k) => {
        const svg = document.querySelector(
          `[data-cell-index="${k}"] .nb-rich-target svg, [data-cell-index="${k}"] .nb-rich-target canvas`,
        );
        return svg !== null;
      }, LAST),
    ).toBe(true);
    // Scrolling through renders the rest; each plot drew once (two charts, two drawings).
    await scrollThroughCells(page, r);
    expect(
      await r.evaluate(() =>
        Array.from(document.querySelectorAll('.nb-rich-output')).map((e) =>
          e.getAttribute('data-rich-state'),
        ),
      ),
    ).toEqual(['drawn', 'drawn']);
    await page.close();
  });

  it('a trusted notebook with scripts: the cells scripts may need render first, in order; the rest wait', async () => {
    const nb = JSON.parse(LONG) as { cells: Array<{ outputs?: object[] }> };
    nb.cells[1]?.outputs?.push(orderScriptOutput('first'));
    nb.cells[LAST]?.outputs?.push(orderScriptOutput('last'));
    nb.cells[LAST - 100]?.outputs?.push(orderScriptOutput('middle'));
    // Static HTML far down, and a later script that draws into it (Jupyter's
    // display(HTML('<div id=...>')) then display(Javascript(...)) pattern).
    const target = LAST - 50;
    nb.cells[target]?.outputs?.push({
      output_type: 'display_data',
      metadata: {},
      data: { 'text/html': '<div id="drawn-later">empty</div>', 'text/plain': 'HTML' },
    });
    nb.cells[LAST - 10]?.outputs?.push({
      output_type: 'display_data',
      metadata: {},
      data: {
        'application/javascript':
          "(window.__order = window.__order || []).push('target'); document.getElementById('drawn-later').textContent = 'drawn by a later script';",
        'text/plain': 'js',
      },
    });
    server.setFile(REPO, 'trusted-js.ipynb', await signedText(JSON.stringify(nb), KEY.key));
    const { page, r } = await open('trusted-js.ipynb');
    expect(await r.evaluate(() => document.body.dataset.trust)).toBe('trusted');
    expect(await waitCells(r, N)).toBe(N);
    expect(await scriptOrder(r, 4, 10_000, 300)).toEqual(['first', 'middle', 'target', 'last']);
    expect(
      await r.evaluate(() => document.getElementById('drawn-later')?.textContent ?? 'missing'),
    ).toBe('drawn by a later script');
    // Cells with only streams wait as placeholders (the control that laziness is on), the
    // script cells and the HTML cell do not.
    expect(await r.evaluate(() => document.querySelectorAll('.nb-pending').length)).toBeGreaterThan(
      N / 2,
    );
    for (const i of [1, LAST - 100, target, LAST - 10, LAST])
      expect(await pendingAt(r, i)).toBe(false);
    expect(await pendingAt(r, LAST - 1)).toBe(true);
    await page.close();
  });
});
