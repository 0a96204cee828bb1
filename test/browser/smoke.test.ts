// Smoke: the extension finds and renders notebooks on every kind of page it claims, and leaves
// everything else alone.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { FakeGitHub } from '../fakegithub/server.mjs';
import { SESSION_COOKIE, fixturesDir } from '../fakegithub/server.mjs';
import {
  launchChrome,
  notebookCellCount,
  rendererFrame,
  rootStates,
  sleep,
  startServer,
  waitCells,
  waitRendered,
  waitSettled,
  type ChromeSession,
} from './harness';

let server: FakeGitHub;
let s: ChromeSession;

beforeAll(async () => {
  server = await startServer();
  s = await launchChrome({ server });
});
afterAll(async () => {
  await s?.close();
  await server?.close();
});

const fixture = (name: string) => fs.readFileSync(path.join(fixturesDir, name), 'utf8');

async function open(url: string): Promise<Page> {
  const page = await s.context.newPage();
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  return page;
}

describe('smoke (Chromium)', () => {
  it('renders a blob page with every cell, untrusted', async () => {
    const page = await open(server.blobUrl('nbshield/samples', 'sample-basic.ipynb'));
    const st = await waitRendered(page);
    expect(st.trust).toBe('untrusted');
    expect(await page.locator('[data-nbshield]').count()).toBe(1);
    const r = await rendererFrame(page, s.extensionId);
    const expected = notebookCellCount(fixture('sample-basic.ipynb'));
    expect(await waitCells(r, expected)).toBe(expected);
    // The renderer frame has an opaque origin.
    expect(await r.evaluate(() => String(self.origin))).toBe('null');
    await page.close();
  });
});
