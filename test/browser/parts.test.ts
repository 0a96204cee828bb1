// A notebook too large for one runtime message travels from the worker to the viewer in parts
// (view/get, then view/text). The limits are shrunk through the worker's test hook so a small
// notebook takes that path; a viewer that used only the first part would show a JSON error.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FakeGitHub } from '../fakegithub/server.mjs';
import { fixturesDir } from '../fakegithub/server.mjs';
import {
  inWorker,
  notebookCellCount,
  rendererFrame,
  rootStates,
  useChrome,
  waitCells,
  waitSettled,
  type ChromeSession,
} from './harness';

let server: FakeGitHub;
let s: ChromeSession;

useChrome((e) => ({ server, s } = e));

type Hook = { nbshieldTest: { setMessageLimits(c: number, b: number): void } };

describe('a notebook sent in parts', () => {
  it('renders with every cell when its text arrives in several view/text parts', async () => {
    const text = fs.readFileSync(path.join(fixturesDir, 'demo-tour.ipynb'), 'utf8');
    expect(text.length).toBeGreaterThan(4 * 1024);
    await inWorker(
      s,
      (lim: [number, number]) =>
        (globalThis as unknown as Hook).nbshieldTest.setMessageLimits(lim[0], lim[1]),
      [1024, 1024] as [number, number],
    );
    const page = await s.context.newPage();
    await page.goto(server.blobUrl('nbshield/samples', 'demo-tour.ipynb'), {
      waitUntil: 'domcontentloaded',
    });
    await waitSettled(page);
    const [root] = await rootStates(page);
    expect(root?.state, root?.text).toBe('rendered');
    const r = await rendererFrame(page, s.extensionId);
    const expected = notebookCellCount(text);
    expect(await waitCells(r, expected)).toBe(expected);
    await page.close();
  });
});
