// Firefox ESR (puppeteer-core, WebDriver BiDi): smoke, one attack notebook with its positive
// control, the trust flow with a real click, saved ipywidgets and plots drawn in trusted notebooks.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { PNG } from 'pngjs';
import type { FakeGitHub } from '../fakegithub/server.mjs';
import { corpusDir, fixturesDir } from '../fakegithub/server.mjs';
import { noisePng, notebookCellCount, piecesNotebook, sleep, startServer } from './harness';
import {
  ffCanarySigns,
  ffClick,
  ffInteract,
  ffRendererFrame,
  ffTrust,
  ffWaitSettled,
  launchFirefox,
  type FirefoxSession,
} from './firefox';

let server: FakeGitHub;
let ff: FirefoxSession;

beforeAll(async () => {
  server = await startServer();
  ff = await launchFirefox(server);
});
afterAll(async () => {
  await ff?.close();
  await server?.close();
});

const fixture = (name: string) => fs.readFileSync(path.join(fixturesDir, name), 'utf8');

async function open(url: string): Promise<Page> {
  const page = await ff.browser.newPage();
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  return page;
}

async function cells(page: Page, expected: number): Promise<number> {
  let n = -1;
  for (let i = 0; i < 100; i += 1) {
    const r = await ffRendererFrame(page);
    n = await r
      .evaluate(() => document.querySelectorAll('[data-cell-index]').length)
      .catch(() => -1);
    if (n === expected) return n;
    await sleep(100);
  }
  return n;
}

describe('Firefox ESR', () => {
  it('renders a blob page with every cell, untrusted, in an opaque-origin renderer', async () => {
    const page = await open(server.blobUrl('nbshield/samples', 'sample-basic.ipynb'));
    const st = await ffWaitSettled(page);
    expect(st).toEqual({ state: 'rendered', trust: 'untrusted' });
    const expected = notebookCellCount(fixture('sample-basic.ipynb'));
    expect(await cells(page, expected)).toBe(expected);
    const r = await ffRendererFrame(page);
    expect(await r.evaluate(() => String(self.origin))).toBe('null');
    await page.close();
  });

  it('a notebook over 4 MiB arrives in pieces and every cell comes out exactly', async () => {
    // progressive.test.ts's notebook, compact here (pieces cut by size, not between cells).
    // Firefox clones each piece across the MessagePort as Chromium does.
    const { text, expected } = piecesNotebook({});
    const PIECE = 4 * 1024 * 1024;
    expect(text.length).toBeGreaterThan(2 * PIECE);
    server.setFile('nbshield/ff-pieces', 'pieces.ipynb', text);
    const page = await open(server.blobUrl('nbshield/ff-pieces', 'pieces.ipynb'));
    expect(await ffWaitSettled(page, 0, 90_000)).toEqual({ state: 'rendered', trust: 'untrusted' });
    expect(await cells(page, expected.length)).toBe(expected.length);
    const r = await ffRendererFrame(page);
    const got = await r.evaluate(() => ({
      pieces: document.body.dataset.textPieces ?? '',
      texts: Array.from(
        document.querySelectorAll('[data-cell-index] pre.nb-raw'),
        (e) => e.textContent,
      ),
    }));
    expect(Number(got.pieces)).toBeGreaterThanOrEqual(Math.ceil(text.length / PIECE));
    expect(got.texts.length).toBe(expected.length);
    for (let i = 0; i < expected.length; i++)
      expect(got.texts[i] === expected[i], `cell ${i}`).toBe(true);
    await page.close();
  });

  it('a large image (over 512 KiB of base64), set by the renderer, shows; so does a small one with Jupyter line breaks', async () => {
    const png = noisePng(480, 360);
    const b64 = PNG.sync.write(png).toString('base64');
    expect(b64.length).toBeGreaterThan(512 * 1024);
    const output = { output_type: 'display_data', metadata: {}, data: { 'image/png': b64 } };
    // A line break every 76 characters and one at the end, kept in its data: URI.
    const small = PNG.sync.write(noisePng(90, 60)).toString('base64');
    const broken = `${(small.match(/.{1,76}/g) ?? []).join('\n')}\n`;
    const second = { output_type: 'display_data', metadata: {}, data: { 'image/png': broken } };
    const cell = { cell_type: 'code', execution_count: 1, metadata: {}, outputs: [output, second] };
    const nb = {
      nbformat: 4,
      nbformat_minor: 4,
      metadata: {},
      cells: [{ ...cell, source: 'plot()' }],
    };
    server.setFile('nbshield/samples', 'big-image.ipynb', JSON.stringify(nb));
    const page = await open(server.blobUrl('nbshield/samples', 'big-image.ipynb'));
    expect((await ffWaitSettled(page)).state).toBe('rendered');
    let img = { scheme: '', w: 0 };
    for (let i = 0; i < 100 && img.w === 0; i += 1) {
      const r = await ffRendererFrame(page);
      img = await r
        .evaluate(async () => {
          const el = document.querySelector<HTMLImageElement>('img.nb-image');
          if (!el?.getAttribute('src')) return { scheme: '', w: 0 };
          el.loading = 'eager';
          await el.decode().catch(() => undefined);
          const src = el.getAttribute('src') ?? '';
          return { scheme: src.slice(0, src.indexOf(':')), w: el.naturalWidth };
        })
        .catch(() => ({ scheme: '', w: 0 }));
      if (img.w === 0) await sleep(100);
    }
    // Firefox ESR 153 loads no blob: image in the opaque-origin frame, so the renderer falls
    // back to the data: URI (Chromium keeps the blob: one; large-outputs.test.ts checks that).
    console.log(`[firefox] large image shown from a ${img.scheme}: URL`);
    expect(img.w).toBe(480);
    expect(['blob', 'data']).toContain(img.scheme);
    const r = await ffRendererFrame(page);
    const two = await r.evaluate(async () => {
      const el = document.querySelectorAll<HTMLImageElement>('img.nb-image')[1];
      if (!el) return { breaks: -1, w: 0 };
      el.loading = 'eager';
      await el.decode().catch(() => undefined);
      return { breaks: (el.getAttribute('src') ?? '').split('\n').length - 1, w: el.naturalWidth };
    });
    expect(two.breaks).toBeGreaterThan(10);
    expect(two.w).toBe(90);
    await page.close();
  });

  it('math: KaTeX, loaded on demand by the untrusted renderer, draws every formula', async () => {
    const name = 'handson-ml2__math_differential_calculus.ipynb';
    const text = fs.readFileSync(path.join(corpusDir, name), 'utf8');
    server.setFile('nbshield/math', name, text);
    const page = await open(server.blobUrl('nbshield/math', name));
    expect(await ffWaitSettled(page)).toEqual({ state: 'rendered', trust: 'untrusted' });
    const r = await ffRendererFrame(page);
    const st = await r.evaluate(() => {
      window.dispatchEvent(new Event('beforeprint'));
      return {
        math: document.querySelectorAll('.katex math').length,
        notices: document.querySelectorAll('.nb-notice').length,
        bundle: [...document.scripts].some((e) => e.getAttribute('src') === 'renderer-katex.js'),
      };
    });
    expect(st.notices).toBe(0);
    expect(st.bundle).toBe(true);
    // Well over a hundred formulas in this notebook (the Node render counts the same spans).
    expect(st.math).toBeGreaterThan(100);
    await page.close();
  });

  it('renders both notebooks of a gist', async () => {
    const page = await open(server.gistUrl());
    expect((await ffWaitSettled(page, 0)).state).toBe('rendered');
    expect((await ffWaitSettled(page, 1)).state).toBe('rendered');
    await page.close();
  });

  it('an attack notebook stays untrusted and silent', async () => {
    server.clearHits();
    const page = await open(server.blobUrl('nbshield/samples', 'attacks/html-script.ipynb'));
    expect(await ffWaitSettled(page)).toEqual({ state: 'rendered', trust: 'untrusted' });
    await ffInteract(await ffRendererFrame(page));
    await sleep(1000);
    expect(await ffCanarySigns(page)).toEqual([]);
    expect(server.hits().map((h) => h.id)).toEqual([]);
    await page.close();
  });

  it('positive control: the same payloads fire in Firefox without the defence', async () => {
    server.clearHits();
    const page = await open(server.controlUrl('nbshield/samples', 'attacks/html-script.ipynb'));
    await sleep(500);
    for (const f of page.frames()) await ffInteract(f);
    await sleep(1000);
    const signs = await ffCanarySigns(page);
    expect(signs.length + server.hits().length).toBeGreaterThan(0);
    expect(server.hits().map((h) => h.id)).toContain('html-script');
    await page.close();
  });

  it('trust flow: click Trust -> trusted, the script runs only in the opaque sandbox', async () => {
    server.setFile('nbshield/trust', 'js.ipynb', fixture('trusted-js.ipynb'));
    const page = await open(server.blobUrl('nbshield/trust', 'js.ipynb'));
    expect(await ffWaitSettled(page)).toEqual({ state: 'rendered', trust: 'untrusted' });
    await ffTrust(page);
    let report: Record<string, unknown> | null = null;
    for (let i = 0; i < 60 && report === null; i += 1) {
      const r = await ffRendererFrame(page);
      const t = await r
        .evaluate(() => document.getElementById('trusted-js-report')?.textContent ?? null)
        .catch(() => null);
      if (t) report = JSON.parse(t) as Record<string, unknown>;
      else await sleep(150);
    }
    expect(report).not.toBeNull();
    expect(report).toMatchObject({
      ran: true,
      origin: 'null',
      chromeApi: false,
      browserApi: false,
    });
    expect(String(report?.topDom)).toMatch(/^blocked/);
    await page.close();
    // One changed byte: untrusted again.
    server.setFile(
      'nbshield/trust',
      'js.ipynb',
      fixture('trusted-js.ipynb').replace('reports what it can reach', 'reports what it can reacH'),
    );
    const p2 = await open(server.blobUrl('nbshield/trust', 'js.ipynb'));
    expect(await ffWaitSettled(p2)).toEqual({ state: 'rendered', trust: 'untrusted' });
    await p2.close();
  });

  it('widgets: a trusted Widget_List draws its 41 views from saved state', async () => {
    const name = 'nbconvert__Widget_List.ipynb';
    server.setFile('nbshield/widgets', name, fs.readFileSync(path.join(corpusDir, name), 'utf8'));
    const page = await open(server.blobUrl('nbshield/widgets', name));
    expect(await ffWaitSettled(page)).toEqual({ state: 'rendered', trust: 'untrusted' });
    await ffTrust(page);
    let states: string[] = [];
    for (let i = 0; i < 150; i += 1) {
      const r = await ffRendererFrame(page);
      states = await r
        .evaluate(() =>
          Array.from(document.querySelectorAll<HTMLElement>('[data-rich="widgets"]')).map(
            (e) => e.dataset.richState ?? 'none',
          ),
        )
        .catch(() => []);
      if (states.length === 41 && !states.some((x) => x === 'loading' || x === 'none')) break;
      await sleep(200);
    }
    const notes = await (
      await ffRendererFrame(page)
    ).evaluate(() =>
      Array.from(document.querySelectorAll('[data-rich="widgets"] .nb-placeholder')).map(
        (e) => e.textContent ?? '',
      ),
    );
    // A box that did not draw says why; show the first such note if any.
    expect(states.filter((x) => x === 'drawn').length, notes[0] ?? '').toBe(41);
    const sliders = await (
      await ffRendererFrame(page)
    ).evaluate(() => document.querySelectorAll('.nb-rich-target .widget-slider').length);
    expect(sliders).toBeGreaterThanOrEqual(10);
    await page.close();
  });
  it('plots: trusted Plotly, Vega-Lite and Altair (CDN asked, bundled used) draw', async () => {
    const drawings = async (page: Page) =>
      (await ffRendererFrame(page)).evaluate(() => {
        // Each drawing: its size and how many marks (SVG shapes) or inked canvas pixels it has.
        const one = (d: Element) => {
          const r = d.getBoundingClientRect();
          let marks = d.querySelectorAll('path, rect, circle, line, text').length;
          if (d instanceof HTMLCanvasElement) {
            const px = d.getContext('2d')?.getImageData(0, 0, d.width, d.height).data;
            marks = 0;
            if (px) for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) marks += 1;
          }
          return { w: Math.round(r.width), h: Math.round(r.height), marks };
        };
        return {
          rich: Array.from(document.querySelectorAll<HTMLElement>('.nb-rich-output'))
            .map((b) => ({
              state: b.dataset.richState ?? 'none',
              drawing: b.querySelector(
                '.nb-rich-target svg.main-svg, .nb-rich-target svg, .nb-rich-target canvas',
              ),
            }))
            .map((x) => ({ state: x.state, d: x.drawing ? one(x.drawing) : null })),
          altair: Array.from(
            document.querySelectorAll(
              '.nb-html-output .vega-embed svg, .nb-html-output .vega-embed canvas',
            ),
          ).map(one),
          notes: document.querySelectorAll('.nb-cdn-note').length,
        };
      });
    const cases: Array<[string, (d: Awaited<ReturnType<typeof drawings>>) => boolean]> = [
      ['jupytext__notebook.ipynb', (d) => d.rich.length === 1 && d.rich[0]?.state === 'drawn'],
      [
        'jupyterlab__vega-extension.ipynb',
        (d) => d.rich.filter((x) => x.state === 'drawn').length === 2,
      ],
      ['vizcurriculum__altair_introduction.ipynb', (d) => d.altair.length === 15 && d.notes === 15],
    ];
    for (const [name, done] of cases) {
      server.setFile('nbshield/plots', name, fs.readFileSync(path.join(corpusDir, name), 'utf8'));
      const page = await open(server.blobUrl('nbshield/plots', name));
      expect(await ffWaitSettled(page)).toEqual({ state: 'rendered', trust: 'untrusted' });
      await ffTrust(page);
      // Far plot cells wait as placeholders until they come near: render every cell, as printing
      // does (lazy.test.ts and plots.test.ts cover the scrolling in Chromium).
      await (
        await ffRendererFrame(page)
      ).evaluate(() => {
        window.dispatchEvent(new Event('beforeprint'));
      });
      let d = await drawings(page);
      for (let i = 0; i < 100 && !done(d); i += 1) {
        await sleep(200);
        d = await drawings(page).catch(() => d);
      }
      expect(done(d), `${name}: ${JSON.stringify(d)}`).toBe(true);
      for (const x of [...d.rich.filter((r) => r.state === 'drawn').map((r) => r.d), ...d.altair]) {
        expect(x, name).not.toBeNull();
        expect(x!.w, name).toBeGreaterThanOrEqual(20);
        expect(x!.h, name).toBeGreaterThanOrEqual(20);
        expect(x!.marks, name).toBeGreaterThan(0);
      }
      await page.close();
    }
  }, 120_000);

  it('Bokeh: the corpus 1.4 plots (bundled BokehJS 2.4) and the Bokeh 3 fixture (BokehJS 3) draw after a Trust click', async () => {
    const bokeh = async (page: Page) =>
      (await ffRendererFrame(page)).evaluate(() => {
        // The first canvas under an element, through the shadow roots BokehJS 3 draws in.
        const canvasIn = (root: Element | ShadowRoot): HTMLCanvasElement | null => {
          const c = root.querySelector('canvas');
          if (c) return c;
          for (const e of Array.from(root.querySelectorAll('*'))) {
            const found = e.shadowRoot ? canvasIn(e.shadowRoot) : null;
            if (found) return found;
          }
          return null;
        };
        return Array.from(document.querySelectorAll<HTMLElement>('[data-bokeh-state]')).map((b) => {
          const id = (b.dataset.bokehTargets ?? '').split(' ')[0] ?? '';
          const el = document.querySelector(`[data-bokeh-root="${id}"]`);
          const c = el ? canvasIn(el) : null;
          let inked = 0;
          const px = c?.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
          if (px) for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) inked += 1;
          const r = c?.getBoundingClientRect();
          return { state: b.dataset.bokehState, w: r?.width ?? 0, h: r?.height ?? 0, inked };
        });
      });
    const cases: Array<[string, string, number]> = [
      [
        'bokeh-notebooks__01_-_Basic_Plotting.ipynb',
        path.join(corpusDir, 'bokeh-notebooks__01_-_Basic_Plotting.ipynb'),
        8,
      ],
      ['bokeh3.ipynb', path.join(fixturesDir, 'bokeh3.ipynb'), 2],
    ];
    for (const [name, file, want] of cases) {
      server.setFile('nbshield/plots', name, fs.readFileSync(file, 'utf8'));
      const page = await open(server.blobUrl('nbshield/plots', name));
      expect(await ffWaitSettled(page)).toEqual({ state: 'rendered', trust: 'untrusted' });
      await ffTrust(page);
      let d = await bokeh(page);
      const done = () => d.length === want && d.every((x) => x.state !== 'loading');
      for (let i = 0; i < 100 && !done(); i += 1) {
        await sleep(200);
        d = await bokeh(page).catch(() => d);
      }
      expect(done(), `${name}: ${JSON.stringify(d)}`).toBe(true);
      for (const x of d) {
        expect(x.state, `${name}: ${JSON.stringify(d)}`).toBe('drawn');
        expect(x.w, name).toBeGreaterThanOrEqual(100);
        expect(x.h, name).toBeGreaterThanOrEqual(100);
        expect(x.inked, name).toBeGreaterThan(100);
      }
      await page.close();
    }
  }, 120_000);

  it('copy button: the source reaches the clipboard, directly and by the viewer’s fallback (read back by a real paste)', async () => {
    const source = 'alpha = 1\nbeta = "two"\nprint(alpha, beta)';
    server.setFile(
      'nbshield/ffcopy',
      'copy.ipynb',
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
        cells: [
          { id: 'c0', cell_type: 'code', metadata: {}, source, execution_count: 1, outputs: [] },
        ],
      }),
    );
    const page = await open(server.blobUrl('nbshield/ffcopy', 'copy.ipynb'));
    expect((await ffWaitSettled(page)).state).toBe('rendered');
    expect(await cells(page, 1)).toBe(1);
    // A text area on the page, to paste into: what a user would do to see the clipboard.
    await page.evaluate(() => {
      const ta = document.createElement('textarea');
      ta.id = 'nbshield-paste';
      ta.value = 'before';
      document.body.prepend(ta);
    });
    const paste = async (): Promise<string> => {
      await page.click('#nbshield-paste');
      await page.evaluate(() => {
        (document.getElementById('nbshield-paste') as HTMLTextAreaElement).value = '';
      });
      await page.keyboard.down('Control');
      await page.keyboard.press('v');
      await page.keyboard.up('Control');
      await sleep(300);
      return page.evaluate(
        () => (document.getElementById('nbshield-paste') as HTMLTextAreaElement).value,
      );
    };
    // Control: the paste reads the clipboard (text copied there with Ctrl+C first).
    const copyBefore = async (): Promise<void> => {
      await page.click('#nbshield-paste');
      await page.evaluate(() => {
        const ta = document.getElementById('nbshield-paste') as HTMLTextAreaElement;
        ta.value = 'before';
        ta.select();
      });
      await page.keyboard.down('Control');
      await page.keyboard.press('c');
      await page.keyboard.up('Control');
    };
    await copyBefore();
    expect(await paste()).toBe('before');
    const r = await ffRendererFrame(page);
    // Which way the copy went, for the output: the sandbox's own clipboard, or the viewer's
    // fallback (passed through unchanged).
    await r.evaluate(() => {
      const w = window as unknown as { __copyPath?: string };
      const cb = navigator.clipboard as Clipboard | undefined;
      if (cb === undefined) {
        w.__copyPath = 'no navigator.clipboard in the sandbox';
        return;
      }
      const orig = cb.writeText.bind(cb);
      cb.writeText = async (t: string) => {
        try {
          await orig(t);
          w.__copyPath = 'sandbox clipboard';
        } catch (e) {
          w.__copyPath = `viewer fallback (sandbox: ${String(e)})`;
          throw e;
        }
      };
    });
    await ffClick(page, r, '#cell-0 button.nb-copy');
    let state: string | null = null;
    for (let i = 0; i < 50 && state !== 'copied'; i += 1) {
      state = await r.$eval('#cell-0 button.nb-copy', (b) => b.getAttribute('data-state'));
      if (state !== 'copied') await sleep(100);
    }
    expect(state).toBe('copied');
    console.info(
      `[firefox copy] ${await r.evaluate(() => (window as unknown as { __copyPath?: string }).__copyPath ?? 'unknown')}`,
    );
    expect(await paste()).toBe(source);

    // The viewer's fallback (the path Chromium's sandbox takes): the sandbox clipboard refuses.
    await copyBefore();
    expect(await paste()).toBe('before');
    await r.evaluate(() => {
      const cb = navigator.clipboard as Clipboard;
      cb.writeText = () => Promise.reject(new DOMException('refused (test)', 'NotAllowedError'));
    });
    await r.$eval('#cell-0 button.nb-copy', (b) => b.removeAttribute('data-state'));
    await ffClick(page, r, '#cell-0 button.nb-copy');
    state = null;
    for (let i = 0; i < 50 && state !== 'copied'; i += 1) {
      state = await r.$eval('#cell-0 button.nb-copy', (b) => b.getAttribute('data-state'));
      if (state !== 'copied') await sleep(100);
    }
    expect(state).toBe('copied');
    expect(await paste()).toBe(source);
    await page.close();
  });
});
