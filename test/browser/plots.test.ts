// Plots in real Chromium (issue 6): corpus notebooks with Plotly, Vega, Vega-Lite and Altair
// outputs. Trusted (signed with the key set through setSecretHex), every plot box is drawn by the
// bundled library and a screenshot of it is checked (not blank, of the expected size); outputs
// whose HTML asks for a CDN copy get the bundled one and say so. Untrusted, the saved fallback and
// the "not trusted" note show, no plot library is loaded, and the attack canaries stay silent.
// Positive controls: a spec the library rejects and a figure that draws nothing both fail the
// same check.
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { ElementHandle, Frame, Page } from 'playwright-core';
import type { FakeGitHub } from '../fakegithub/server.mjs';
import { corpusDir, repoRoot } from '../fakegithub/server.mjs';
import {
  canaryReport,
  firedIds,
  pokeEverything,
  rendererFrame,
  scrollThroughCells,
  sleep,
  signedText,
  testKey,
  useChrome,
  waitRendered,
  type ChromeSession,
} from './harness';

let server: FakeGitHub;
let s: ChromeSession;
const { hex: KEY_HEX, key: KEY } = testKey('plots', 'Plots key');
const REPO = 'nbshield/plots';

async function putSigned(name: string, text: string): Promise<void> {
  server.setFile(REPO, `signed/${name}`, await signedText(text, KEY));
}

const corpus = (name: string) => fs.readFileSync(path.join(corpusDir, name), 'utf8');

useChrome((e) => ({ server, s } = e), { secretHex: KEY_HEX });

async function open(p: string): Promise<{ page: Page; r: Frame; trust: string | null }> {
  const page = await s.context.newPage();
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.goto(server.blobUrl(REPO, p), { waitUntil: 'domcontentloaded' });
  const st = await waitRendered(page, 0, 40_000);
  const r = await rendererFrame(page, s.extensionId);
  return { page, r, trust: st.trust };
}

interface BoxState {
  index: number;
  lib: string;
  state: string | null;
  text: string;
}

async function richBoxes(r: Frame): Promise<BoxState[]> {
  return r.$$eval('.nb-rich-output', (els) =>
    els.map((e, index) => ({
      index,
      lib: e.getAttribute('data-rich') ?? '',
      state: e.getAttribute('data-rich-state'),
      text: (e.textContent ?? '').slice(0, 300),
    })),
  );
}

/** Waits until no rich box is still loading. */
async function settledBoxes(r: Frame, timeout = 30_000): Promise<BoxState[]> {
  const deadline = Date.now() + timeout;
  let last: BoxState[] = [];
  while (Date.now() < deadline) {
    last = await richBoxes(r);
    if (last.every((b) => b.state !== 'loading' && b.state !== null)) return last;
    await sleep(200);
  }
  return last;
}

export interface Looks {
  width: number;
  height: number;
  colours: number;
  /** Share of the pixels that are not the most common colour (the background). */
  inked: number;
}

/** Decodes an element's screenshot and counts what is in it. */
/**
 * The element sits two frames down and scrollIntoView stops at the frame boundary: scroll the
 * GitHub page itself until the element is in the viewport (lazy images then load).
 */
async function reveal(page: Page, el: ElementHandle): Promise<void> {
  // A lazy image not loaded yet has no box: use its output's.
  const parent = (
    await el.evaluateHandle((e) => (e as Element).closest('.nb-rich-output, .nb-output-area') ?? e)
  ).asElement();
  const first = (await el.boundingBox()) ?? (await parent?.boundingBox());
  if (first) await page.evaluate((y) => window.scrollBy(0, y - 100), first.y);
  // Plotly shows its mode bar while the pointer is over the figure: keep the pointer away.
  await page.mouse.move(1, 1);
  await el.evaluate(
    (e) =>
      new Promise<void>((resolve) => {
        if (!(e instanceof HTMLImageElement) || e.complete) return resolve();
        e.addEventListener('load', () => resolve());
        e.addEventListener('error', () => resolve());
        setTimeout(resolve, 3000);
      }),
  );
  await sleep(100);
}

/** A page screenshot of the element's box (what the reader sees), decoded and counted. */
async function looks(page: Page, el: ElementHandle): Promise<Looks> {
  let bb = await el.boundingBox();
  const vh = page.viewportSize()?.height ?? 900;
  // The frames grow to a drawing a moment after it grows: scroll again until it is all in view.
  for (let i = 0; i < 10 && bb && (bb.y < 0 || bb.y + bb.height > vh); i += 1) {
    await page.evaluate((y) => window.scrollBy(0, y - 40), bb.y);
    await sleep(200);
    bb = await el.boundingBox();
  }
  if (!bb || bb.width < 1 || bb.height < 1) return { width: 0, height: 0, colours: 0, inked: 0 };
  const shot = await page.screenshot({ clip: bb, animations: 'disabled' });
  if (process.env.NBSHIELD_PLOTS_SHOTS)
    fs.writeFileSync(path.join(process.env.NBSHIELD_PLOTS_SHOTS, `${Date.now()}.png`), shot);
  const png = PNG.sync.read(shot);
  const counts = new Map<number, number>();
  for (let i = 0; i < png.data.length; i += 4) {
    // Quantised to 5 bits a channel: anti-aliasing noise does not count as a colour.
    const key =
      ((png.data[i]! >> 3) << 10) | ((png.data[i + 1]! >> 3) << 5) | (png.data[i + 2]! >> 3);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const total = png.width * png.height;
  const top = Math.max(0, ...counts.values());
  const colours = [...counts.values()].filter((n) => n >= 4).length;
  return { width: png.width, height: png.height, colours, inked: total ? 1 - top / total : 0 };
}

/**
 * The check every drawn plot must pass: a screenshot of its drawing (the SVG or canvas the
 * library made) is the size the drawing says it is, at least 20x20 px, with several colours and
 * some ink (axes, marks), not one flat colour.
 */
async function drawnElement(page: Page, el: ElementHandle): Promise<{ ok: boolean; why: string }> {
  const drawing = await el.$('svg.main-svg, canvas, svg.marks, svg, img');
  if (!drawing) return { ok: false, why: 'no svg, canvas or image' };
  // Plotly's mode bar is chrome over the figure, not the drawing: hidden while measuring.
  await el.evaluate((e) => {
    for (const m of Array.from((e as Element).querySelectorAll<HTMLElement>('.modebar-container')))
      m.style.visibility = 'hidden';
  });
  await reveal(page, drawing);
  const want = await drawing.evaluate((d) => {
    const r = d.getBoundingClientRect();
    return { width: Math.round(r.width), height: Math.round(r.height) };
  });
  const l = await looks(page, drawing);
  const why = JSON.stringify({ ...l, want });
  if (l.width < 20 || l.height < 20) return { ok: false, why: `too small ${why}` };
  if (Math.abs(l.width - want.width) > 2 || Math.abs(l.height - want.height) > 2)
    return { ok: false, why: `not the expected size ${why}` };
  if (l.colours < 3 || l.inked < 0.005) return { ok: false, why: `blank ${why}` };
  return { ok: true, why };
}

/** For a rich box: it says drawn, and its drawing passes drawnElement. */
async function drawnPlot(
  page: Page,
  r: Frame,
  boxIndex: number,
): Promise<{ ok: boolean; why: string }> {
  const box = (await r.$$('.nb-rich-output'))[boxIndex];
  if (!box) return { ok: false, why: 'no box' };
  const state = await box.getAttribute('data-rich-state');
  if (state !== 'drawn') return { ok: false, why: `state ${state}` };
  const target = await box.$(':scope > .nb-rich-target');
  if (!target) return { ok: false, why: 'no drawing' };
  return drawnElement(page, target);
}

type Bundle = Record<string, unknown>;
const joined = (v: unknown) => (Array.isArray(v) ? v.join('') : String(v ?? ''));

/** What a notebook's outputs hold: plot bundles by kind, Altair HTML charts, Bokeh outputs. */
function census(text: string) {
  const nb = JSON.parse(text) as { cells: Array<{ outputs?: Array<{ data?: Bundle }> }> };
  const out = { plotly: 0, vega: 0, altair: 0, altairRemote: 0, bokehJs: 0, plotPngs: 0 };
  for (const c of nb.cells)
    for (const o of c.outputs ?? []) {
      const d = o.data ?? {};
      const keys = Object.keys(d);
      const rich = keys.some((k) => /^application\/vnd\.(plotly|vega|vegalite)\./.test(k));
      if (keys.some((k) => k.startsWith('application/vnd.plotly.'))) out.plotly += 1;
      if (keys.some((k) => /^application\/vnd\.(vega|vegalite)\./.test(k))) out.vega += 1;
      if (rich && d['image/png']) out.plotPngs += 1;
      const html = joined(d['text/html']);
      if (!rich && html.includes('vegaEmbed(')) {
        out.altair += 1;
        if (/"data": \{"url": "https?:/.test(html)) out.altairRemote += 1;
      }
      if (joined(d['application/javascript']).includes('Bokeh')) out.bokehJs += 1;
    }
  return out;
}

/** Rich library bundles this renderer frame has loaded or asked for (scripts, resource timing). */
async function richLibraries(r: Frame): Promise<string[]> {
  return r.evaluate(() => {
    const names = new Set<string>();
    for (const s of Array.from(document.scripts)) if (/rich-/.test(s.src)) names.add(s.src);
    for (const e of performance.getEntriesByType('resource'))
      if (/rich-[a-z0-9]+\.js/.test(e.name)) names.add(e.name);
    if ((window as { __nbshieldRich?: unknown }).__nbshieldRich !== undefined)
      names.add('window.__nbshieldRich');
    return [...names].map((n) => n.replace(/^.*\//, ''));
  });
}

async function notes(r: Frame): Promise<string[]> {
  return r.$$eval('.nb-cdn-note', (els) => els.map((e) => e.textContent ?? ''));
}

const PLOTLY = [
  'jupytext__plotly_graphs.ipynb',
  'jupytext__notebook.ipynb',
  'quantecon__recursive_repeated_games.ipynb',
];
const VEGA = 'jupyterlab__vega-extension.ipynb';
const ALTAIR = [
  'vizcurriculum__altair_introduction.ipynb',
  'altair-tutorial__03-Binning-and-aggregation.ipynb',
];
const BOKEH = 'bokeh-notebooks__01_-_Basic_Plotting.ipynb';

interface BokehPlot {
  state: string | null;
  targets: string;
  dropped: string;
  text: string;
}

/** Bokeh plot outputs (the JavaScript boxes that called Bokeh.embed), once none is loading. */
async function settledBokeh(r: Frame, want: number, timeout = 40_000): Promise<BokehPlot[]> {
  const deadline = Date.now() + timeout;
  let last: BokehPlot[] = [];
  while (Date.now() < deadline) {
    last = await r.$$eval('.nb-js-output[data-bokeh-state]', (els) =>
      els.map((e) => ({
        state: e.getAttribute('data-bokeh-state'),
        targets: e.getAttribute('data-bokeh-targets') ?? '',
        dropped: e.getAttribute('data-bokeh-dropped') ?? '',
        text: e.querySelector('.nb-bokeh-error')?.textContent ?? '',
      })),
    );
    if (last.length >= want && last.every((b) => b.state !== 'loading')) return last;
    await sleep(250);
  }
  return last;
}

/** A Bokeh plot's drawing: the element it was embedded into passes drawnElement. */
async function drawnBokeh(
  page: Page,
  r: Frame,
  p: BokehPlot,
): Promise<{ ok: boolean; why: string }> {
  const id = p.targets.split(' ')[0] ?? '';
  // Marked by nbshield's window.Bokeh before embedding (BokehJS 3 removes the id).
  const el = await r.$(`[data-bokeh-root="${id}"]`);
  if (!el) return { ok: false, why: `no element ${id}` };
  return drawnElement(page, el);
}

describe('trusted: the bundled libraries draw', () => {
  it('Plotly figures draw (screenshots checked); Plotly setup HTML asking for the CDN says what it got', async () => {
    for (const name of PLOTLY) {
      const text = corpus(name);
      const want = census(text).plotly;
      await putSigned(name, text);
      const { page, r, trust } = await open(`signed/${name}`);
      expect(trust).toBe('trusted');
      // Plots alone let far code cells wait as placeholders: scroll to every one.
      await scrollThroughCells(page, r);
      const boxes = await settledBoxes(r);
      expect(
        boxes.map((b) => `${b.lib}:${b.state}`),
        name,
      ).toEqual(Array(want).fill('plotly:drawn'));
      for (const b of boxes) {
        const d = await drawnPlot(page, r, b.index);
        expect(d.ok, `${name} #${b.index} ${d.why}`).toBe(true);
      }
      expect(await richLibraries(r)).toContain('rich-plotly.js');
      if (name === 'jupytext__plotly_graphs.ipynb') {
        // init_notebook_mode(connected=True): requirejs paths to cdn.plot.ly's plotly-latest.
        expect(await notes(r)).toEqual([
          expect.stringMatching(
            /^This output asks for plotly-latest from cdn\.plot\.ly; nbshield does not load scripts from the web: using the bundled plotly\.js 4\.\d+\.\d+\.$/,
          ),
        ]);
      }
      await page.close();
    }
  }, 60_000);

  it('Vega and Vega-Lite specs draw; a spec that is only a URL keeps its saved image with a note', async () => {
    await putSigned(VEGA, corpus(VEGA));
    const { page, r } = await open(`signed/${VEGA}`);
    // Far plot cells wait as placeholders (the first, tall one fills two screens): scroll to them.
    await scrollThroughCells(page, r);
    const boxes = await settledBoxes(r);
    expect(boxes.map((b) => `${b.lib}:${b.state}`)).toEqual([
      'vega:drawn',
      'vega:error',
      'vega:drawn',
      'vega:error',
    ]);
    for (const i of [0, 2]) {
      const d = await drawnPlot(page, r, i);
      expect(d.ok, d.why).toBe(true);
    }
    for (const i of [1, 3]) {
      expect(boxes[i]?.text).toMatch(
        /could not be drawn: its specification is at https:\/\/raw\.githubusercontent\.com\/.*nbshield does not fetch anything from the web/,
      );
    }
    // The saved PNG stays visible under the note for the two that could not draw.
    const fallbacks = await r.$$('.nb-rich-output[data-rich-state="error"] .nb-rich-fallback');
    expect(fallbacks).toHaveLength(2);
    for (const f of fallbacks) {
      const img = await f.$('img');
      expect(img).not.toBeNull();
      await reveal(page, img!);
      const shown = await img!.evaluate((e) => {
        const i = e as HTMLImageElement;
        return { w: i.naturalWidth, h: Math.round(i.getBoundingClientRect().height) };
      });
      expect(shown.w).toBeGreaterThan(200);
      expect(shown.h).toBeGreaterThan(100);
    }

    // No actions menu (its "Open in Vega Editor" would send the spec to the web).
    expect(await r.$$('.vega-embed details, .vega-actions')).toHaveLength(0);
    await page.close();
  });

  it('Altair HTML asking for vega/vega-lite/vega-embed from jsDelivr draws with the bundled copies, with a note', async () => {
    for (const name of ALTAIR) {
      const text = corpus(name);
      const c = census(text);
      const want = c.altair - c.altairRemote;
      expect(want).toBeGreaterThan(5);
      await putSigned(name, text);
      const { page, r } = await open(`signed/${name}`);
      const deadline = Date.now() + 30_000;
      let drawn = 0;
      while (Date.now() < deadline) {
        drawn = await r.$$eval(
          '.nb-html-output .vega-embed',
          (els) => els.filter((e) => e.querySelector('svg, canvas')).length,
        );
        if (drawn >= want) break;
        await sleep(250);
      }
      expect(drawn, name).toBe(want);
      const charts = await r.$$('.nb-html-output .vega-embed:has(svg, canvas)');
      for (const [i, el] of charts.entries()) {
        const d = await drawnElement(page, el);
        expect(d.ok, `${name} chart ${i}: ${d.why}`).toBe(true);
      }
      const ns = await notes(r);
      expect(ns).toHaveLength(c.altair);
      // Charts whose data is on the web say so where the chart would be.
      expect(
        await r.$$eval('.nb-html-output .nb-chart-note', (els) => els.map((e) => e.textContent)),
      ).toEqual(
        Array(c.altairRemote).fill(
          expect.stringMatching(
            /^This chart could not be drawn: its data is at https:\/\/vega\.github\.io\/vega-datasets\/data\/\S+, and nbshield does not fetch data from the web\.$/,
          ),
        ),
      );
      const v6 = name.startsWith('vizcurriculum');
      for (const n of ns) {
        expect(n).toContain(
          v6
            ? 'asks for vega@6, vega-lite@6.1.0 and vega-embed@7 from cdn.jsdelivr.net'
            : 'asks for vega@5, vega-lite@4.0.2 and vega-embed@6 from cdn.jsdelivr.net',
        );
        expect(n).toMatch(
          /using the bundled vega 6\.\d+\.\d+, vega-lite 6\.\d+\.\d+ and vega-embed 7\.\d+\.\d+/,
        );
        expect(n.includes('a newer major version than asked for')).toBe(!v6);
      }
      // Altair's own error path (showError) never ran.
      expect(await r.$$('.nb-html-output .error')).toHaveLength(0);
      await page.close();
    }
  }, 90_000);

  it('Bokeh 1.4 from cdn.pydata.org: the bundled BokehJS 2.4 draws every plot (screenshots checked); the notes name both versions', async () => {
    const text = corpus(BOKEH);
    const want = census(text).bokehJs - 1; // the loader, then one output per plot
    expect(want).toBe(8);
    await putSigned(BOKEH, text);
    const { page, r } = await open(`signed/${BOKEH}`);
    const plots = await settledBokeh(r, want);
    const results: string[] = [];
    for (const [i, p] of plots.entries()) {
      const d = p.state === 'drawn' ? await drawnBokeh(page, r, p) : { ok: false, why: p.text };
      results.push(`plot ${i + 1} (${p.targets}): ${p.state} ${d.ok ? 'ok' : 'FAIL'} ${d.why}`);
    }
    if (process.env.NBSHIELD_PLOTS_LOG) console.log(results.join('\n'));
    expect(results.filter((x) => !/: drawn ok /.test(x))).toEqual([]);
    expect(plots).toHaveLength(want);
    // Bokeh 1.4's `callback` on sources and ranges was left out (BokehJS 2 removed it).
    expect(plots[0]?.dropped).toContain('ColumnDataSource.callback');
    const ns = await notes(r);
    expect(ns).toHaveLength(want + 1);
    expect(ns[0]).toMatch(
      /^This output asks for bokeh 1\.4\.0 from cdn\.pydata\.org; nbshield does not load scripts from the web: using the bundled BokehJS 2\.4\.3 \(a newer major version than asked for: most outputs draw the same\)\.$/,
    );
    for (const n of ns.slice(1))
      expect(n).toBe(
        'This Bokeh plot needs BokehJS 1.4.0, which the notebook loads from cdn.bokeh.org; nbshield does not load scripts from the web: using the bundled BokehJS 2.4.3 (a newer major version than asked for: most outputs draw the same).',
      );
    // The loader's own callbacks ran: its script elements got load events from the bundled copy.
    expect(await r.$eval('[id="1001"]', (e) => e.textContent)).toBe(
      'BokehJS 2.4.3 successfully loaded.',
    );
    expect(await richLibraries(r)).toContain('rich-bokeh.js');
    // Nothing was asked of the CDN: no script element for it, no resource entry.
    expect(
      await r.evaluate(() => [
        ...Array.from(document.scripts, (x) => x.src).filter((x) => /bokeh\.org|pydata/.test(x)),
        ...performance
          .getEntriesByType('resource')
          .map((e) => e.name)
          .filter((x) => /bokeh\.org|pydata/.test(x)),
      ]),
    ).toEqual([]);
    await page.close();
  }, 90_000);
});

const BOKEH3 = path.join(repoRoot, 'test/fixtures/notebooks/bokeh3.ipynb');

describe('Bokeh 3', () => {
  it('a Bokeh 3 notebook (made with BokehJS 3.10, scripts/make-bokeh3-fixture.mjs): the bundled BokehJS 3 draws both plots (screenshots checked); untrusted, nothing loads', async () => {
    const text = fs.readFileSync(BOKEH3, 'utf8');
    await putSigned('bokeh3.ipynb', text);
    const { page, r, trust } = await open('signed/bokeh3.ipynb');
    expect(trust).toBe('trusted');
    const plots = await settledBokeh(r, 2);
    expect(
      plots.map((p) => p.state),
      JSON.stringify(plots),
    ).toEqual(['drawn', 'drawn']);
    for (const p of plots) {
      const d = await drawnBokeh(page, r, p);
      expect(d.ok, d.why).toBe(true);
    }
    const v = JSON.parse(
      fs.readFileSync(path.join(repoRoot, 'node_modules/@bokeh/bokehjs3/package.json'), 'utf8'),
    ).version as string;
    const ns = await notes(r);
    expect(ns[0]).toBe(
      `This output asks for bokeh ${v} from cdn.bokeh.org; nbshield does not load scripts from the web: using the bundled BokehJS ${v}.`,
    );
    expect(ns.slice(1)).toEqual(
      Array(2).fill(
        `This Bokeh plot needs BokehJS ${v}, which the notebook loads from cdn.bokeh.org; nbshield does not load scripts from the web: using the bundled BokehJS ${v}.`,
      ),
    );
    const libs = await richLibraries(r);
    expect(libs).toContain('rich-bokeh3.js');
    expect(libs).not.toContain('rich-bokeh.js');
    await page.close();

    server.setFile(REPO, 'plain/bokeh3.ipynb', text);
    const u = await open('plain/bokeh3.ipynb');
    expect(u.trust).toBe('untrusted');
    expect(
      await u.r.$$eval(
        '.nb-placeholder',
        (els) =>
          els.filter((e) => /not run: notebook not trusted/.test(e.textContent ?? '')).length,
      ),
    ).toBeGreaterThanOrEqual(3);
    expect(await richLibraries(u.r)).toEqual([]);
    expect(await u.r.evaluate(() => 'Bokeh' in window)).toBe(false);
    await u.page.close();
  }, 60_000);

  it('a notebook mixing Bokeh 1.4 and Bokeh 3 outputs: each plot gets the copy it fits', async () => {
    type Nb = { cells: Array<{ outputs?: Array<{ data?: Bundle }> }> };
    const old = JSON.parse(corpus(BOKEH)) as Nb;
    const three = JSON.parse(fs.readFileSync(BOKEH3, 'utf8')) as Nb;
    // The 1.4 loader and first plot, then the Bokeh 3 loader and plots, then a 1.4 plot again.
    const firstPlot = old.cells.findIndex((c) =>
      (c.outputs ?? []).some((o) =>
        joined(o.data?.['application/javascript']).includes('docs_json'),
      ),
    );
    const loader = old.cells.findIndex((c) =>
      (c.outputs ?? []).some((o) => joined(o.data?.['application/javascript']).includes('js_urls')),
    );
    const lastPlot = old.cells.findLastIndex((c) =>
      (c.outputs ?? []).some((o) =>
        joined(o.data?.['application/javascript']).includes('docs_json'),
      ),
    );
    const mixed = {
      ...three,
      cells: [old.cells[loader], old.cells[firstPlot], ...three.cells, old.cells[lastPlot]].map(
        (c, i) => ({ ...c, id: `m${i}` }),
      ),
    };
    await putSigned('bokeh-mixed.ipynb', JSON.stringify(mixed));
    const { page, r } = await open('signed/bokeh-mixed.ipynb');
    const plots = await settledBokeh(r, 4);
    expect(
      plots.map((p) => p.state),
      JSON.stringify(plots),
    ).toEqual(['drawn', 'drawn', 'drawn', 'drawn']);
    for (const p of plots) {
      const d = await drawnBokeh(page, r, p);
      expect(d.ok, d.why).toBe(true);
    }
    expect(await richLibraries(r)).toEqual(
      expect.arrayContaining(['rich-bokeh.js', 'rich-bokeh3.js']),
    );
    await page.close();
  }, 60_000);
});

describe('controls: the check can fail', () => {
  it('GeoJSON draws as shapes with the bundled Vega-Lite when trusted; untrusted it says why', async () => {
    const geo = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { name: 'square' },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [0, 0],
                [20, 0],
                [20, 15],
                [0, 15],
                [0, 0],
              ],
            ],
          },
        },
      ],
    };
    const text = JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          id: 'g0',
          cell_type: 'code',
          metadata: {},
          source: 'GeoJSON(square)',
          execution_count: 1,
          outputs: [
            {
              output_type: 'display_data',
              metadata: {},
              data: { 'application/geo+json': geo, 'text/plain': '<IPython.display.GeoJSON>' },
            },
          ],
        },
      ],
    });
    await putSigned('geo.ipynb', text);
    const t = await open('signed/geo.ipynb');
    expect(t.trust).toBe('trusted');
    expect((await settledBoxes(t.r)).map((b) => `${b.lib}:${b.state}`)).toEqual(['vega:drawn']);
    const d = await drawnPlot(t.page, t.r, 0);
    expect(d.ok, d.why).toBe(true);
    await t.page.close();
    server.setFile(REPO, 'geo.ipynb', text);
    const u = await open('geo.ipynb');
    expect(u.trust).toBe('untrusted');
    expect(await u.r.$$('.nb-rich-output')).toHaveLength(0);
    expect(await u.r.$$eval('.nb-placeholder', (els) => els.map((e) => e.textContent))).toEqual([
      'not run: notebook not trusted (GeoJSON output)',
    ]);
    expect(await u.r.locator('.nb-text-output').textContent()).toBe('<IPython.display.GeoJSON>');
    await u.page.close();
  });

  it('a spec the library rejects and a figure that draws nothing both fail the plot check', async () => {
    const out = (data: Bundle) => ({ output_type: 'display_data', metadata: {}, data });
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          cell_type: 'code',
          id: 'c0',
          metadata: {},
          execution_count: 1,
          source: 'plots',
          outputs: [
            // 0: good, for contrast
            out({
              'application/vnd.vegalite.v5+json': {
                data: {
                  values: [
                    { a: 1, b: 2 },
                    { a: 2, b: 5 },
                    { a: 3, b: 3 },
                  ],
                },
                mark: 'bar',
                encoding: {
                  x: { field: 'a', type: 'ordinal' },
                  y: { field: 'b', type: 'quantitative' },
                },
              },
              'text/plain': 'chart',
            }),
            // 1: rejected by vega-lite
            out({
              'application/vnd.vegalite.v5+json': { data: { values: [] }, mark: 'no-such-mark' },
              'text/plain': 'bad chart',
            }),
            // 2: plotly draws it, but there is nothing to see
            out({
              'application/vnd.plotly.v1+json': {
                data: [],
                layout: {
                  xaxis: { visible: false },
                  yaxis: { visible: false },
                  width: 500,
                  height: 300,
                },
              },
              'text/plain': 'empty figure',
            }),
            // 3: remote data
            out({
              'application/vnd.vegalite.v5+json': {
                data: { url: 'https://cdn.jsdelivr.net/npm/vega-datasets@2/data/cars.json' },
                mark: 'point',
              },
              'text/plain': 'remote data chart',
            }),
          ],
        },
      ],
    };
    await putSigned('controls.ipynb', JSON.stringify(nb));
    const { page, r } = await open('signed/controls.ipynb');
    const boxes = await settledBoxes(r);
    expect(boxes.map((b) => `${b.lib}:${b.state}`)).toEqual([
      'vega:drawn',
      'vega:error',
      'plotly:drawn',
      'vega:error',
    ]);
    expect((await drawnPlot(page, r, 0)).ok).toBe(true);
    const rejected = await drawnPlot(page, r, 1);
    expect(rejected).toEqual({ ok: false, why: 'state error' });
    expect(boxes[1]?.text).toMatch(/^This Vega-Lite output could not be drawn: \S/);
    // The fallback text stays under the note: never a blank box.
    expect(boxes[1]?.text).toContain('bad chart');
    const empty = await drawnPlot(page, r, 2);
    expect(empty.ok, empty.why).toBe(false);
    expect(empty.why).toMatch(/^blank /);
    expect(boxes[3]?.text).toContain(
      'its data is at https://cdn.jsdelivr.net/npm/vega-datasets@2/data/cars.json, and nbshield does not fetch data from the web',
    );
    await page.close();
  });
});

/**
 * The corpus Bokeh notebook's loader and first plot, then that plot three more times, each with
 * its own element: as written; claiming to be Bokeh 2.4.3 (so it is not adapted); with a glyph
 * type BokehJS does not have; and claiming Bokeh 0.12 (no bundled copy reads it).
 */
function bokehControls(): string {
  const nb = JSON.parse(corpus(BOKEH)) as {
    cells: Array<{ outputs?: Array<{ data?: Bundle }> }>;
  };
  const outs = nb.cells.flatMap((c) => c.outputs ?? []);
  const loader = outs.filter((o) => joined(o.data?.['application/javascript']).includes('js_urls'));
  const htmlAt =
    outs.findIndex((o) => joined(o.data?.['application/javascript']).includes('docs_json')) - 1;
  const [html, plot] = [outs[htmlAt]!, outs[htmlAt + 1]!];
  const el = /id="([0-9a-f-]{36})"/.exec(joined(html.data?.['text/html']))![1]!;
  const variant = (k: number, edit: (js: string) => string) => {
    const id = `${el.slice(0, -2)}0${k}`;
    const sub = (v: unknown) => joined(v).split(el).join(id);
    return [
      { ...html, data: { 'text/html': sub(html.data?.['text/html']) } },
      {
        ...plot,
        data: {
          ...plot.data,
          'application/javascript': edit(sub(plot.data?.['application/javascript'])),
        },
      },
    ];
  };
  const outputs = [
    ...outs.slice(outs.indexOf(loader[0]!) - 1, outs.indexOf(loader[0]!) + 1),
    ...variant(1, (js) => js),
    ...variant(2, (js) => js.replace('"version":"1.4.0"', '"version":"2.4.3"')),
    ...variant(3, (js) => js.split('"type":"Circle"').join('"type":"NoSuchGlyph"')),
    ...variant(4, (js) => js.replace('"version":"1.4.0"', '"version":"0.12.16"')),
  ];
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: 'code', id: 'b0', metadata: {}, execution_count: 1, source: 'show(p)', outputs },
    ],
  });
}

describe('controls: Bokeh', () => {
  it('a plot not adapted, a glyph BokehJS lacks, a Bokeh 0.12 document: each says so and fails the drawing check; the unchanged one passes', async () => {
    await putSigned('bokeh-controls.ipynb', bokehControls());
    const { page, r, trust } = await open('signed/bokeh-controls.ipynb');
    expect(trust).toBe('trusted');
    const plots = await settledBokeh(r, 4);
    expect(plots.map((p) => p.state)).toEqual(['drawn', 'error', 'error', 'error']);
    const checks = [];
    for (const p of plots) checks.push(await drawnBokeh(page, r, p));
    expect(checks[0]?.ok, checks[0]?.why).toBe(true);
    // The ones in error drew nothing the check accepts: their elements are empty.
    for (const c of checks.slice(1))
      expect(c).toEqual({ ok: false, why: 'no svg, canvas or image' });
    expect(plots[1]?.text).toMatch(
      /^This Bokeh plot could not be drawn with BokehJS 2\.4\.3: \w+\(\d+\)\.\w+ given invalid value: \{"/,
    );
    expect(plots[2]?.text).toBe(
      "This Bokeh plot could not be drawn with BokehJS 2.4.3: Model 'NoSuchGlyph' does not exist. This could be due to a widget or a custom model not being registered before first usage.",
    );
    expect(plots[3]?.text).toBe(
      'This Bokeh plot could not be drawn with BokehJS 2.4.3: this plot was written by Bokeh 0.12.16, whose documents BokehJS 2.4.3 does not read',
    );
    // Its own note says as much before it runs.
    expect((await notes(r)).at(-1)).toMatch(
      /^This Bokeh plot needs BokehJS 0\.12\.16, .*no bundled copy fits \(the bundled BokehJS are versions 2 and 3, which do not read version 0\)/,
    );
    await page.close();
  }, 60_000);
});

describe('controls: Bokeh 3', () => {
  it('a Bokeh 3 plot with a glyph BokehJS 3 lacks gets an error note and fails the drawing check', async () => {
    const nb = JSON.parse(fs.readFileSync(BOKEH3, 'utf8')) as {
      cells: Array<{ outputs: Array<{ data: Bundle }> }>;
    };
    const plot = nb.cells[1]!.outputs[1]!.data;
    const js = joined(plot['application/javascript']);
    expect(js).toContain('"name":"Scatter"');
    plot['application/javascript'] = js.split('"name":"Scatter"').join('"name":"NoSuchGlyph"');
    await putSigned('bokeh3-control.ipynb', JSON.stringify(nb));
    const { page, r } = await open('signed/bokeh3-control.ipynb');
    const plots = await settledBokeh(r, 2);
    expect(plots.map((p) => p.state)).toEqual(['error', 'drawn']);
    expect(plots[0]?.text).toMatch(
      /^This Bokeh plot could not be drawn with BokehJS 3\.\d+\.\d+: could not resolve type 'NoSuchGlyph'/,
    );
    const bad = await drawnBokeh(page, r, plots[0]!);
    expect(bad.ok, bad.why).toBe(false);
    const good = await drawnBokeh(page, r, plots[1]!);
    expect(good.ok, good.why).toBe(true);
    await page.close();
  }, 60_000);
});

/** Plot outputs carrying payloads in every part an untrusted render shows or could run. */
function attackNotebook(js: (id: string) => string, url: (id: string) => string): string {
  const out = (data: Bundle) => ({ output_type: 'display_data', metadata: {}, data });
  const outputs = [
    out({
      'application/vnd.plotly.v1+json': {
        data: [
          { type: 'bar', y: [1, 2], name: `<img src=x onerror="${js('plots.plotly-name')}">` },
        ],
        layout: { title: { text: `<img src=x onerror="${js('plots.plotly-title')}">` } },
      },
      'text/html': `<div id="p"></div><script>${js('plots.plotly-html')}</script><img src="x" onerror="${js('plots.plotly-img')}">`,
    }),
    out({
      'application/vnd.vegalite.v5+json': {
        data: { values: [{ a: 1 }] },
        mark: 'point',
        encoding: { tooltip: { value: `<img src=x onerror="${js('plots.vega-tooltip')}">` } },
      },
      'image/svg+xml': `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><script>${js('plots.vega-svg')}</script><a href="javascript:${js('plots.vega-svg-link')}"><text y="20">x</text></a></svg>`,
    }),
    out({
      'text/html': `<div id="altair-viz-1"></div><script src="${url('plots.altair-src')}"></script><script>${js('plots.altair-inline')}</script>`,
      'text/plain': 'alt.Chart(...)',
    }),
    out({
      'application/javascript': `${js('plots.bokeh-js')}`,
      'application/vnd.bokehjs_exec.v0+json': '',
    }),
  ];
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      {
        cell_type: 'code',
        id: 'a0',
        metadata: {},
        execution_count: 1,
        source: 'attack',
        outputs,
      },
    ],
  });
}

describe('untrusted: fallbacks and notes, no plot library, no script', () => {
  it('corpus plots: every plot output shows its note (and saved image where there is one); no library loads', async () => {
    const shown: Record<string, unknown> = {};
    for (const name of [...PLOTLY, VEGA, ALTAIR[0]!, BOKEH]) {
      const text = corpus(name);
      const c = census(text);
      server.setFile(REPO, `plain/${name}`, text);
      const { page, r, trust } = await open(`plain/${name}`);
      expect(trust).toBe('untrusted');
      // Far code cells are placeholders until they scroll near (lazy rendering): render them all,
      // as printing does, so every plot output is counted.
      expect(
        await r.evaluate(() => {
          window.dispatchEvent(new Event('beforeprint'));
          return document.querySelectorAll('.nb-pending').length;
        }),
      ).toBe(0);
      const placeholders = await r.$$eval('.nb-placeholder', (els) =>
        els.map((e) => e.textContent ?? ''),
      );
      const count = (re: RegExp) => placeholders.filter((t) => re.test(t)).length;
      // Each kind says it did not run: never a blank gap where the plot would be.
      expect(count(/not run: notebook not trusted \(.*Plotly/), name).toBe(c.plotly);
      expect(count(/not run: notebook not trusted \(.*Vega/), name).toBe(c.vega);
      if (c.altair)
        expect(count(/not run: notebook not trusted \(this HTML output has scripts\)/)).toBe(
          c.altair,
        );
      if (c.bokehJs)
        expect(count(/not run: notebook not trusted/)).toBeGreaterThanOrEqual(c.bokehJs);
      // Saved images of plot bundles are shown.
      const imgs = await r.$$eval('.nb-output-area img.nb-image', (els) => els.length);
      expect(imgs).toBeGreaterThanOrEqual(c.plotPngs);
      expect(
        await r.$$('.nb-rich-output, .nb-cdn-note, .vega-embed, .plotly-graph-div svg'),
      ).toHaveLength(0);
      shown[name] = await richLibraries(r);
      expect(await r.evaluate(() => 'Bokeh' in window), name).toBe(false);
      await page.close();
    }
    for (const v of Object.values(shown)) expect(v).toEqual([]);
  }, 60_000);

  it('plot outputs carrying payloads: canaries silent untrusted; trusted, inline script runs in the sandbox only and a web script is not loaded', async () => {
    server.clearHits();
    server.setFile(
      REPO,
      'plain/attack.ipynb',
      attackNotebook(
        (id) => `__CANARY_JS:${id}__`,
        (id) => `__CANARY_URL:${id}__`,
      ),
    );
    const u = await open('plain/attack.ipynb');
    expect(u.trust).toBe('untrusted');
    await pokeEverything(u.r);
    await sleep(1500);
    const quiet = await canaryReport(u.page, server);
    expect([...firedIds(quiet)]).toEqual([]);
    expect(await richLibraries(u.r)).toEqual([]);
    await u.page.close();

    // Positive control: the same payloads, trusted, do fire where trusted script may run.
    server.clearHits();
    await putSigned('attack.ipynb', attackNotebook(server.canaryJs, server.canaryUrl));
    const t = await open('signed/attack.ipynb');
    expect(t.trust).toBe('trusted');
    await settledBoxes(t.r);
    await sleep(1500);
    const fired = firedIds(await canaryReport(t.page, server));
    expect(fired.has('plots.altair-inline')).toBe(true);
    // Only inside the opaque sandbox: the renderer frame, not the GitHub page or the viewer.
    expect(await t.page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    // The <script src> to a web host was never requested; the output says so.
    expect(fired.has('plots.altair-src')).toBe(false);
    expect(server.hits().some((h) => h.id === 'plots.altair-src')).toBe(false);
    expect(await notes(t.r)).toContainEqual(
      expect.stringMatching(
        /^This output asks for hit from 127\.0\.0\.1:\d+; nbshield does not load scripts from the web: hit not available \(nbshield has no bundled copy of it\), so this output cannot be drawn here\.$/,
      ),
    );
    // And the library checks see the trusted page's bundles (the untrusted check can fail).
    expect(await richLibraries(t.r)).toEqual(
      expect.arrayContaining(['rich-plotly.js', 'rich-vega.js', 'window.__nbshieldRich']),
    );
    await t.page.close();
  }, 60_000);
});
