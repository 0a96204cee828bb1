// Every notebook of ../shared/corpus renders in real Chromium with all its cells, one page each, in
// sequence, in one browser. The slowest ones are reported.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGitHub } from '../fakegithub/server.mjs';
import { corpusDir } from '../fakegithub/server.mjs';
import {
  launchChrome,
  notebookCellCount,
  rendererFrame,
  startServer,
  waitCells,
  waitRendered,
  type ChromeSession,
} from './harness';

let server: FakeGitHub;
let s: ChromeSession;
const timings: Array<{ name: string; ms: number; bytes: number }> = [];
const CORPUS = fs
  .readdirSync(corpusDir)
  .filter((f) => f.endsWith('.ipynb'))
  .sort();

beforeAll(async () => {
  server = await startServer();
  s = await launchChrome({ server });
});
afterAll(async () => {
  const top = [...timings].sort((a, b) => b.ms - a.ms).slice(0, 5);
  const total = timings.reduce((n, t) => n + t.ms, 0);
  console.info(
    `[corpus] ${timings.length} notebooks in ${(total / 1000).toFixed(1)} s; slowest: ` +
      top.map((t) => `${t.name} ${t.ms} ms (${Math.round(t.bytes / 1024)} KiB)`).join(', '),
  );
  await s?.close();
  await server?.close();
});

// Several pages at once: the renderers run in their own processes, so this overlaps waiting.
describe.concurrent('corpus (Chromium)', () => {
  it('has the 49 notebooks', () => {
    expect(CORPUS.length).toBe(49);
  });
  for (const name of CORPUS) {
    it(`${name} renders with every cell`, async () => {
      const text = fs.readFileSync(path.join(corpusDir, name), 'utf8');
      const expected = notebookCellCount(text);
      const t0 = Date.now();
      const page = await s.context.newPage();
      try {
        await page.goto(server.blobUrl('nbshield/corpus', name), { waitUntil: 'domcontentloaded' });
        const st = await waitRendered(page, 0, 60_000);
        expect(st.trust).toBe('untrusted');
        const r = await rendererFrame(page, s.extensionId);
        expect(await waitCells(r, expected, 30_000)).toBe(expected);
        timings.push({ name, ms: Date.now() - t0, bytes: text.length });
      } finally {
        await page.close();
      }
    });
  }
});
