// Interactive outputs follow the reader's theme (issue 6) in real Chromium, trusted notebooks:
// a Vega-Lite chart drawn with nbshield's theme is drawn again when GitHub switches between light
// and dark (Vega bakes its colours into the drawing), while a chart with a theme of its own keeps
// it; ipywidgets take JupyterLab's dark colours on the dark theme instead of a light card.
// Each check is measured the same way in both themes, so the light measurement is the control
// that shows the dark one can fail.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Frame, Locator, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import type { FakeGitHub } from '../fakegithub/server.mjs';
import { corpusDir } from '../fakegithub/server.mjs';
import {
  rendererFrame,
  signedText,
  testKey,
  useChrome,
  viewerFrame,
  waitRendered,
  type ChromeSession,
} from './harness';

let server: FakeGitHub;
let s: ChromeSession;
const { hex: KEY_HEX, key: KEY } = testKey('themes', 'Themes key');
const REPO = 'nbshield/themes';

useChrome((e) => ({ server, s } = e), { secretHex: KEY_HEX });

async function serveSigned(name: string, text: string): Promise<string> {
  server.setFile(REPO, `signed/${name}`, await signedText(text, KEY));
  return `signed/${name}`;
}

async function open(p: string): Promise<{ page: Page; r: Frame }> {
  const page = await s.context.newPage();
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.goto(server.blobUrl(REPO, p), { waitUntil: 'domcontentloaded' });
  expect((await waitRendered(page, 0, 40_000)).trust).toBe('trusted');
  return { page, r: await rendererFrame(page, s.extensionId) };
}

/** GitHub's theme switch, as the page makes it; waits until both frames show it. */
async function setTheme(page: Page, r: Frame, theme: 'light' | 'dark'): Promise<void> {
  await page.evaluate((t) => document.documentElement.setAttribute('data-color-mode', t), theme);
  const v = await viewerFrame(page, s.extensionId);
  await v.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
  await r.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
}

/** Mean relative luminance (0 black … 1 white) of an element's screenshot. */
async function luminance(el: Locator): Promise<number> {
  const png = PNG.sync.read(await el.screenshot({ animations: 'disabled' }));
  let sum = 0;
  for (let i = 0; i < png.data.length; i += 4)
    sum += (0.2126 * png.data[i]! + 0.7152 * png.data[i + 1]! + 0.0722 * png.data[i + 2]!) / 255;
  return sum / (png.width * png.height);
}

const vegaLite = (theme?: string) => ({
  output_type: 'display_data',
  metadata: theme ? { 'application/vnd.vegalite.v5+json': { embed_options: { theme } } } : {},
  data: {
    'text/plain': ['<VegaLite 5 object>'],
    'application/vnd.vegalite.v5+json': {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 300,
      height: 150,
      data: {
        values: [
          { a: 'A', b: 28 },
          { a: 'B', b: 55 },
          { a: 'C', b: 43 },
        ],
      },
      mark: 'bar',
      encoding: {
        x: { field: 'a', type: 'nominal' },
        y: { field: 'b', type: 'quantitative' },
      },
    },
  },
});

const chartsNotebook = JSON.stringify({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    { cell_type: 'markdown', id: 'm', metadata: {}, source: ['# Charts'] },
    {
      cell_type: 'code',
      id: 'c1',
      metadata: {},
      execution_count: 1,
      source: ['chart'],
      outputs: [vegaLite()],
    },
    {
      cell_type: 'code',
      id: 'c2',
      metadata: {},
      execution_count: 2,
      source: ['chart_with_its_own_theme'],
      outputs: [vegaLite('dark')],
    },
  ],
});

describe('interactive outputs follow the theme', () => {
  it('a Vega-Lite chart is drawn again on a theme switch; one with its own theme keeps it', async () => {
    const { page, r } = await open(await serveSigned('charts.ipynb', chartsNotebook));
    await r.waitForFunction(
      () =>
        Array.from(document.querySelectorAll<HTMLElement>('[data-rich="vega"]')).filter(
          (b) => b.dataset.richState === 'drawn',
        ).length === 2,
      undefined,
      { timeout: 20_000 },
    );
    const ours = r.locator('[data-rich="vega"] > .nb-rich-target').nth(0);
    const own = r.locator('[data-rich="vega"] > .nb-rich-target').nth(1);
    const themes = async () => [
      await ours.getAttribute('data-vega-theme'),
      await own.getAttribute('data-vega-theme'),
    ];
    const chart = ours.locator('canvas, svg').first();
    expect(await themes()).toEqual(['light', 'dark']);
    const light = await luminance(chart);
    expect(light, 'light chart').toBeGreaterThan(0.6);

    await setTheme(page, r, 'dark');
    await expect.poll(themes, { timeout: 10_000 }).toEqual(['dark', 'dark']);
    const dark = await luminance(chart);
    console.info(`[themes] chart luminance light ${light.toFixed(2)}, dark ${dark.toFixed(2)}`);
    expect(dark, `dark chart (light was ${light.toFixed(2)})`).toBeLessThan(0.45);

    await setTheme(page, r, 'light');
    await expect.poll(themes, { timeout: 10_000 }).toEqual(['light', 'dark']);
    expect(await luminance(chart)).toBeGreaterThan(0.6);
    // Still one drawing per chart: the old view was replaced, not stacked.
    expect(await ours.locator('canvas, svg.marks').count()).toBe(1);
    await page.close();
  });

  it('ipywidgets take dark colours on the dark theme, light ones on the light theme', async () => {
    const name = 'nbconvert__Widget_List.ipynb';
    const text = fs.readFileSync(path.join(corpusDir, name), 'utf8');
    const { page, r } = await open(await serveSigned(name, text));
    await r.waitForFunction(
      () => {
        const boxes = Array.from(document.querySelectorAll<HTMLElement>('[data-rich="widgets"]'));
        return boxes.length > 0 && boxes.every((b) => b.dataset.richState === 'drawn');
      },
      undefined,
      { timeout: 30_000 },
    );
    // The first view is IntSlider(value=7, description='Test:'); a Text widget follows later.
    const box = r.locator('[data-rich="widgets"]').first();
    const colours = () =>
      r.evaluate(() => {
        const lum = (css: string) => {
          const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?/.exec(css);
          if (!m) return -1;
          if (m[4] !== undefined && Number(m[4]) === 0) return -1; // transparent
          return (0.2126 * Number(m[1]) + 0.7152 * Number(m[2]) + 0.0722 * Number(m[3])) / 255;
        };
        const label = document.querySelector('[data-rich="widgets"] .widget-label');
        const input = document.querySelector('[data-rich="widgets"] .widget-text input');
        const target = document.querySelector('[data-rich="widgets"] > .nb-rich-target');
        return {
          label: label ? lum(getComputedStyle(label).color) : -2,
          inputText: input ? lum(getComputedStyle(input).color) : -2,
          inputBg: input ? lum(getComputedStyle(input).backgroundColor) : -2,
          card: target ? lum(getComputedStyle(target).backgroundColor) : -2,
        };
      });
    await setTheme(page, r, 'light');
    const light = await colours();
    const lightShot = await luminance(box);
    await setTheme(page, r, 'dark');
    const dark = await colours();
    const darkShot = await luminance(box);
    const why = JSON.stringify({ light, dark, lightShot, darkShot });
    // Light: dark text, a light input. The same checks, reversed, must hold in dark.
    expect(light.label, why).toBeLessThan(0.3);
    expect(light.inputBg, why).toBeGreaterThan(0.8);
    expect(dark.label, why).toBeGreaterThan(0.6);
    expect(dark.inputText, why).toBeGreaterThan(0.6);
    expect(dark.inputBg, why).toBeGreaterThanOrEqual(0);
    expect(dark.inputBg, why).toBeLessThan(0.3);
    // No light card behind the widgets any more (transparent, or dark).
    expect(dark.card < 0.3, why).toBe(true);
    expect(lightShot, why).toBeGreaterThan(0.7);
    expect(darkShot, why).toBeLessThan(0.4);
    await page.close();
  });
});
