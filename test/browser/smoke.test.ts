// Smoke: the extension finds and renders notebooks on every kind of page it claims (blob, gist,
// raw, in-page navigation, private repository, file://), fails clearly on bad input while GitHub's
// own view stays reachable, and leaves pages without a notebook alone.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import type { FakeGitHub } from '../fakegithub/server.mjs';
import { SESSION_COOKIE, fixturesDir } from '../fakegithub/server.mjs';
import {
  notebookCellCount,
  rendererFrame,
  rootStates,
  sleep,
  tmpFile,
  useChrome,
  viewerFrame,
  waitCells,
  waitRendered,
  waitSettled,
  type ChromeSession,
} from './harness';

let server: FakeGitHub;
let s: ChromeSession;

useChrome((e) => ({ server, s } = e));

const fixture = (name: string) => fs.readFileSync(path.join(fixturesDir, name), 'utf8');

async function open(url: string): Promise<Page> {
  const page = await s.context.newPage();
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  return page;
}

async function expectAllCells(page: Page, text: string, index = 0): Promise<Frame> {
  const r = await rendererFrame(page, s.extensionId, index);
  const expected = notebookCellCount(text);
  expect(await waitCells(r, expected)).toBe(expected);
  return r;
}

/** The words a user sees for a failed view: the root's own text plus the viewer frame's. */
async function errorText(page: Page, index = 0): Promise<string> {
  const own = (await rootStates(page))[index]?.text ?? '';
  let inViewer = '';
  try {
    const v = await viewerFrame(page, s.extensionId, index);
    inViewer = await v.evaluate(() => document.body.innerText);
  } catch {
    /* no viewer frame: the message is in the root */
  }
  return `${own}\n${inViewer}`;
}

describe('smoke (Chromium)', () => {
  it('renders a blob page with every cell, untrusted, in an opaque-origin renderer', async () => {
    const page = await open(server.blobUrl('nbshield/samples', 'sample-basic.ipynb'));
    const st = await waitRendered(page);
    expect(st.trust).toBe('untrusted');
    expect(await page.locator('[data-nbshield]').count()).toBe(1);
    const r = await expectAllCells(page, fixture('sample-basic.ipynb'));
    expect(await r.evaluate(() => String(self.origin))).toBe('null');
    // The Trust control is offered in the viewer frame.
    const v = await viewerFrame(page, s.extensionId);
    expect(await v.locator('[data-nbshield-action="trust"]').count()).toBe(1);
    await page.close();
  });

  it("one click shows GitHub's own view, and one click brings nbshield's back", async () => {
    const page = await open(server.blobUrl('nbshield/samples', 'sample-basic.ipynb'));
    await waitRendered(page);
    const native = page.locator('[data-testid="notebook-preview"]');
    const ours = page.locator('[data-nbshield] iframe');
    expect(await native.isVisible()).toBe(false);
    const v = await viewerFrame(page, s.extensionId);
    await v.locator('button', { hasText: /github view/i }).click();
    await expect.poll(() => native.isVisible(), { timeout: 5000 }).toBe(true);
    expect(await ours.isVisible()).toBe(false);
    await page.locator('[data-nbshield] button', { hasText: /nbshield/i }).click();
    await expect.poll(() => ours.isVisible(), { timeout: 5000 }).toBe(true);
    expect(await native.isVisible()).toBe(false);
    // Nothing else on the page changed: the header and the Raw button are GitHub's own.
    expect(await page.locator('[data-testid="raw-button"]').isVisible()).toBe(true);
    await page.close();
  });

  it("the fake site enforces GitHub's strict CSP (so the extension is tested under it)", async () => {
    const page = await open(server.blobUrl('nbshield/samples', 'sample-basic.ipynb'));
    await waitRendered(page);
    const ran = await page.evaluate(() => {
      const el = document.createElement('script');
      el.textContent = 'window.__inlineRan = true';
      document.head.append(el);
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
    });
    expect(ran).toBe(false);
    // Control: the page's own script from 'self' did run (it installed the fake Turbo).
    expect(
      await page.evaluate(
        () => typeof (window as unknown as { __fakeTurbo?: unknown }).__fakeTurbo,
      ),
    ).toBe('object');
    await page.close();
  });

  it('renders an nbformat 3 notebook', async () => {
    const page = await open(server.blobUrl('nbshield/samples', 'sample-v3.ipynb'));
    expect((await waitRendered(page)).trust).toBe('untrusted');
    await expectAllCells(page, fixture('sample-v3.ipynb'));
    await page.close();
  });

  it('renders both notebooks of a gist in place', async () => {
    const page = await open(server.gistUrl());
    await waitRendered(page, 0);
    await waitRendered(page, 1);
    expect(await page.locator('[data-nbshield]').count()).toBe(2);
    // Each one sits in its own file box.
    const boxes = await page.$$eval('.file', (els) =>
      els.map((e) => e.querySelectorAll('[data-nbshield]').length),
    );
    expect(boxes).toEqual([1, 1]);
    await expectAllCells(page, fixture('gist-first.ipynb'), 0);
    await expectAllCells(page, fixture('gist-second.ipynb'), 1);
    await page.close();
  });

  it('renders raw URLs on raw.githubusercontent.com and gist.githubusercontent.com', async () => {
    for (const [url, name] of [
      [server.rawUrl('nbshield/samples', 'sample-basic.ipynb'), 'sample-basic.ipynb'],
      [server.gistRawUrl('second-notebook.ipynb'), 'gist-second.ipynb'],
    ] as const) {
      const page = await open(url);
      const st = await waitRendered(page);
      expect(st.trust).toBe('untrusted');
      await expectAllCells(page, fixture(name));
      await page.close();
    }
  });

  it('follows GitHub in-page navigation to a notebook and away again', async () => {
    const page = await open(server.treeUrl('nbshield/samples'));
    await sleep(800);
    expect(await page.locator('[data-nbshield]').count()).toBe(0);
    const navs = page.url();
    // A real click on a Turbo link: no page load, only pushState and a content swap.
    await page.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });
    await page.locator('a[href$="/sample-basic.ipynb"]').click();
    await page.waitForURL(/sample-basic\.ipynb$/);
    await waitRendered(page);
    await expectAllCells(page, fixture('sample-basic.ipynb'));
    // Away to a non-notebook file, still in the same document: the view is removed.
    await page.locator('a.js-repo-root').click();
    await page.waitForURL(navs);
    await page.locator('a[href$="/helper.py"]').click();
    await page.waitForURL(/helper\.py$/);
    await sleep(600);
    expect(await page.locator('[data-nbshield]').count()).toBe(0);
    // Back (popstate) to the notebook, then forward again.
    await page.goBack();
    await page.goBack();
    await page.waitForURL(/sample-basic\.ipynb$/);
    await waitRendered(page);
    expect(await page.locator('[data-nbshield]').count()).toBe(1);
    await page.goForward();
    await page.waitForURL(navs);
    await sleep(600);
    expect(await page.locator('[data-nbshield]').count()).toBe(0);
    // It really was one document all along.
    expect(
      await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
    ).toBe(true);
    await page.close();
  });

  it('needs the session for a private repository: error without it, rendered with it', async () => {
    const url = server.blobUrl('nbshield/secret-lab', 'analysis.ipynb');
    await s.context.clearCookies();
    const page = await open(url);
    expect(await page.locator('[data-testid="not-found"]').count()).toBe(1);
    const st = await waitSettled(page, 0, 20_000);
    expect(st.state).toBe('error');
    expect(await errorText(page)).toMatch(/404|not found|sign in|access|private|could not/i);
    await page.close();

    await s.context.addCookies([
      {
        name: SESSION_COOKIE.name,
        value: SESSION_COOKIE.value,
        domain: 'github.com',
        path: '/',
        secure: true,
        httpOnly: true,
        sameSite: 'Lax',
      },
    ]);
    const page2 = await open(url);
    const st2 = await waitRendered(page2);
    expect(st2.trust).toBe('untrusted');
    await expectAllCells(page2, fixture('private-analysis.ipynb'));
    await page2.close();
    await s.context.clearCookies();
  });

  for (const [name, pattern] of [
    ['bad-json.ipynb', /json|line|column/i],
    ['not-a-notebook.ipynb', /notebook/i],
    ['nbformat2.ipynb', /nbformat|version|2/i],
  ] as const) {
    it(`fails clearly on ${name} and keeps GitHub's own view reachable`, async () => {
      const page = await open(server.blobUrl('nbshield/samples', name));
      const st = await waitSettled(page);
      expect(st.state).toBe('error');
      expect(st.trust).toBeNull();
      expect(await errorText(page)).toMatch(pattern);
      // Said once, in the toolbar's notice: not again by a renderer frame left below it.
      const v = await viewerFrame(page, s.extensionId);
      const notice = await v.evaluate(() => document.getElementById('notice')?.textContent ?? '');
      expect(notice.length).toBeGreaterThan(20);
      const saying = await Promise.all(
        page
          .frames()
          .map((f) =>
            f
              .evaluate((m) => document.body?.innerText.includes(m) ?? false, notice.slice(-40))
              .catch(() => false),
          ),
      );
      expect(saying.filter(Boolean).length).toBe(1);
      // GitHub's own preview is shown again (or one click away).
      const native = page.locator('[data-testid="notebook-preview"]');
      if (!(await native.isVisible())) {
        const back = page.locator('[data-nbshield] button', { hasText: /github|original/i });
        await back.first().click({ timeout: 3000 });
      }
      await expect.poll(() => native.isVisible(), { timeout: 5000 }).toBe(true);
      expect(await page.locator('iframe.render-viewer').isVisible()).toBe(true);
      await page.close();
    });
  }

  it('adds nothing to pages without a notebook', async () => {
    for (const url of [
      'https://github.com/',
      server.treeUrl('nbshield/samples'),
      server.blobUrl('nbshield/samples', 'helper.py'),
      'https://github.com/nbshield/samples/blob/main/sample-basic.ipynb?plain=1',
      server.blankUrl(),
    ]) {
      const page = await open(url);
      await sleep(700);
      expect(await page.locator('[data-nbshield]').count(), url).toBe(0);
      expect(page.frames().filter((f) => f.url().startsWith('chrome-extension://'))).toEqual([]);
      await page.close();
    }
  });
});

describe('file:// (Chromium)', () => {
  it('renders a local notebook (an unpacked extension loaded by flag has file access)', async () => {
    const file = tmpFile('local-sample.ipynb', fixture('sample-basic.ipynb'));
    const page = await s.context.newPage();
    await page.goto(`file://${file}`);
    const st = await waitRendered(page);
    expect(st.trust).toBe('untrusted');
    await expectAllCells(page, fixture('sample-basic.ipynb'));
    await page.close();
  });
});
