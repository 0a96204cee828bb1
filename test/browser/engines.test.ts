// Libraries loaded on demand by the renderer frame (issue 5), in real Chromium: KaTeX
// (renderer-katex.js and katex/katex.min.css) is fetched for a notebook with math and never for
// one without; math in the first cell, in a far (lazy) code cell's text/latex output and in a
// trusted notebook is drawn, with no notice; heading ids after the math keep notebook order; a
// highlight.js language registered on first use highlights its embedded languages too. The
// requests are the frame's own, seen by Playwright's network events; the math notebook is the
// positive control that the same observation does see the KaTeX bundle when it loads. The viewer
// hints the renderer's boot script to start KaTeX before the notebook arrives when it sees math;
// a notebook too large for it to look still gets KaTeX on demand.
import { describe, expect, it } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import type { FakeGitHub } from '../fakegithub/server.mjs';
import {
  rendererFrame,
  signedText,
  testKey,
  useChrome,
  waitRendered,
  waitTrust,
  type ChromeSession,
} from './harness';

let server: FakeGitHub;
let s: ChromeSession;
const { hex, key } = testKey('engines-key', 'engines test key');
useChrome(
  (e) => {
    ({ server, s } = e);
  },
  { secretHex: hex },
);
const REPO = 'nbshield/engines';

const md = (source: string) => ({ cell_type: 'markdown', metadata: {}, source });
const code = (source: string, outputs: object[] = []) => ({
  cell_type: 'code',
  metadata: {},
  source,
  execution_count: 1,
  outputs,
});
function notebook(cells: object[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: cells.map((c, i) => ({ ...c, id: `c${i}` })),
  });
}

// Math in the very first cell (the first pass waits at cell 0), more further on, and a text/latex
// output in a code cell far enough down to be left as a placeholder at first.
const FILLER = Array.from({ length: 120 }, (_, i) =>
  code(`x_${i} = ${i}\nprint(x_${i})`, [
    { output_type: 'stream', name: 'stdout', text: `${i}\n`.repeat(6) },
  ]),
);
const MATH = notebook([
  md('# Euler\n\n$e^{i\\pi} + 1 = 0$ and $$\\int_0^1 x\\,dx = \\tfrac12$$'),
  md('# Euler\n\nSame heading: its id must be numbered after the first.'),
  ...FILLER,
  code('Latex(r"\\frac{a}{b}")', [
    {
      output_type: 'display_data',
      data: { 'text/latex': '$\\frac{a}{b}$', 'text/plain': '<IPython.core.display.Latex>' },
      metadata: {},
    },
  ]),
]);
// Dollars and backslashes, but no math span anywhere; an HTML fence with <style> and <script>.
const PLAIN = notebook([
  md('# Prices\n\nIt costs $5 (C:\\\\temp holds the file).'),
  md('```html\n<style>p { color: red }</style>\n<script>let a = 1;</script>\n<p>hi</p>\n```'),
  code('!echo $HOME', [{ output_type: 'stream', name: 'stdout', text: '/home/me\n' }]),
]);

async function open(p: string): Promise<{ page: Page; r: Frame; requests: string[] }> {
  const page = await s.context.newPage();
  const requests: string[] = [];
  page.on('request', (req) => requests.push(req.url()));
  await page.goto(server.blobUrl(REPO, p), { waitUntil: 'domcontentloaded' });
  await waitRendered(page);
  const r = await rendererFrame(page, s.extensionId);
  return { page, r, requests };
}

const katexRequests = (requests: string[]) =>
  requests
    .filter((u) => u.startsWith(`chrome-extension://${s.extensionId}/`))
    .map((u) => new URL(u).pathname)
    .filter((p) => p.includes('katex'));

/** Whether the boot script took the viewer's KaTeX hint, and how often KaTeX was put in. */
async function loading(r: Frame) {
  return r.evaluate(() => ({
    preloaded: performance.getEntriesByName('nbshield:katex-preload').length > 0,
    katexScripts: document.querySelectorAll('script[src="renderer-katex.js"]').length,
    katexLinks: document.querySelectorAll('link[href="katex/katex.min.css"]').length,
  }));
}

/** Every cell rendered (as printing does), then what the math looks like. */
async function mathState(r: Frame) {
  return r.evaluate(() => {
    const lazyBefore = document.querySelector('.nb-latex-output') === null;
    window.dispatchEvent(new Event('beforeprint'));
    const latexOut = document.querySelector('.nb-latex-output');
    return {
      lazyBefore,
      math: document.querySelectorAll('.katex math').length,
      latexOutputMath: latexOut?.querySelectorAll('.katex math').length ?? -1,
      notices: [...document.querySelectorAll('.nb-notice')].map((n) => n.textContent),
      errors: document.querySelectorAll('.katex-error, .nb-math-error').length,
      headingIds: [...document.querySelectorAll('h1[id]')].map((h) => h.id),
      // katex.min.css sizes `.katex` at 1.21em of the text around it.
      katexFontRatio: (() => {
        const k = document.querySelector('.nb-markdown .katex');
        const p = k?.parentElement;
        if (!k || !p) return 0;
        return parseFloat(getComputedStyle(k).fontSize) / parseFloat(getComputedStyle(p).fontSize);
      })(),
    };
  });
}

describe('KaTeX on demand', () => {
  it('loads KaTeX for a notebook with math and draws every formula', async () => {
    server.setFile(REPO, 'math.ipynb', MATH);
    const { page, r, requests } = await open('math.ipynb');
    const st = await mathState(r);
    expect(st.notices).toEqual([]);
    expect(st.errors).toBe(0);
    expect(st.math).toBe(3);
    expect(st.latexOutputMath).toBe(1);
    // The text/latex output's cell was a placeholder until printing rendered it.
    expect(st.lazyBefore).toBe(true);
    expect(st.headingIds).toEqual(['nb-euler', 'nb-euler-1']);
    expect(st.katexFontRatio).toBeCloseTo(1.21, 2);
    // The positive control of the next test's observation: the bundle and its CSS were fetched.
    expect(katexRequests(requests)).toEqual(
      expect.arrayContaining(['/renderer-katex.js', '/katex/katex.min.css']),
    );
    // Started by the viewer's hint, before the notebook reached the renderer; loaded once.
    expect(await loading(r)).toEqual({ preloaded: true, katexScripts: 1, katexLinks: 1 });
    await page.close();
  });

  it('without the viewer’s hint (a notebook too large for it to look), KaTeX loads on demand', async () => {
    // Over the viewer's 8 MiB limit: one long stream output after the math.
    const big = notebook([
      md('Math: $a^2 + b^2 = c^2$'),
      code('print(y)', [
        { output_type: 'stream', name: 'stdout', text: `${'y'.repeat(1023)}\n`.repeat(8500) },
      ]),
    ]);
    expect(big.length).toBeGreaterThan(8 * 1024 * 1024);
    server.setFile(REPO, 'math-big.ipynb', big);
    const { page, r } = await open('math-big.ipynb');
    const st = await r.evaluate(() => ({
      math: document.querySelectorAll('.nb-markdown .katex math').length,
      notices: [...document.querySelectorAll('.nb-notice')].map((n) => n.textContent ?? ''),
    }));
    expect(st.math).toBe(1);
    expect(st.notices.filter((n) => /math/i.test(n))).toEqual([]);
    expect(await loading(r)).toEqual({ preloaded: false, katexScripts: 1, katexLinks: 1 });
    await page.close();
  });

  it('never loads KaTeX for a notebook without math', async () => {
    server.setFile(REPO, 'plain.ipynb', PLAIN);
    const { page, r, requests } = await open('plain.ipynb');
    const st = await mathState(r);
    expect(st.notices).toEqual([]);
    expect(st.math).toBe(0);
    expect(katexRequests(requests)).toEqual([]);
    const present = await r.evaluate(() => ({
      global: Object.hasOwn(window, '__nbshieldKatex'),
      scripts: [...document.scripts].map((e) => e.getAttribute('src')),
      links: [...document.querySelectorAll('link')].map((e) => e.getAttribute('href')),
    }));
    expect(present).toEqual({
      global: false,
      scripts: ['renderer-boot.js', 'renderer.js'],
      links: [],
    });
    expect((await loading(r)).preloaded).toBe(false);
    await page.close();
  });

  it('draws math in a trusted notebook too', async () => {
    server.setFile(REPO, 'math-trusted.ipynb', await signedText(MATH, key));
    const { page, r } = await open('math-trusted.ipynb');
    await waitTrust(page, 'trusted');
    const st = await mathState(r);
    expect(st.notices).toEqual([]);
    expect(st.math).toBe(3);
    expect(st.latexOutputMath).toBe(1);
    // The trusted variant replaced the preloaded frame; it got the hint too.
    expect(await loading(r)).toEqual({ preloaded: true, katexScripts: 1, katexLinks: 1 });
    await page.close();
  });
});

describe('highlight.js languages registered on first use', () => {
  it('highlights an HTML fence with its CSS and JavaScript', async () => {
    server.setFile(REPO, 'plain.ipynb', PLAIN);
    const { page, r } = await open('plain.ipynb');
    const hl = await r.evaluate(() => {
      const code = document.querySelector('.nb-markdown pre code');
      return {
        cls: code?.className ?? '',
        tag: code?.querySelectorAll('.hljs-tag').length ?? 0,
        // Inside <style> (css) and <script> (javascript): embedded languages, registered with xml.
        css: code?.querySelectorAll('.hljs-selector-tag, .hljs-attribute').length ?? 0,
        js: code?.querySelectorAll('.hljs-keyword').length ?? 0,
      };
    });
    expect(hl.cls).toContain('language-xml');
    expect(hl.tag).toBeGreaterThan(0);
    expect(hl.css).toBeGreaterThan(0);
    expect(hl.js).toBeGreaterThan(0);
    await page.close();
  });
});
