// Real-browser harness: Debian's Chromium through playwright-core with the built extension, on the
// fake GitHub (test/fakegithub/server.mjs); Firefox ESR through puppeteer-core (see firefox.ts).
// Recipe: ../shared/DESIGN.md "Test set-up that works on this kind of machine".
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  chromium,
  type BrowserContext,
  type ConsoleMessage,
  type Frame,
  type Locator,
  type Page,
  type Worker,
} from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { repoRoot, startFakeGitHub, type FakeGitHub } from '../fakegithub/server.mjs';
import { signNotebookText, type TrustKey } from '../../src/core/trust';

export { repoRoot };
export const CHROMIUM = process.env.NBSHIELD_CHROMIUM ?? '/usr/lib/chromium/chromium';
export const DIST_CHROME = path.join(repoRoot, 'dist/chrome');
export const DIST_FIREFOX = path.join(repoRoot, 'dist/firefox');
export const TMP_ROOT = path.join(repoRoot, '.tmp');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Build once if there is no build yet (others may be rebuilding: we copy it, see below). */
export function ensureBuilt(): void {
  const ok =
    fs.existsSync(path.join(DIST_CHROME, 'manifest.json')) &&
    fs.existsSync(path.join(DIST_CHROME, 'background.js'));
  if (ok && process.env.NBSHIELD_REBUILD !== '1') return;
  execFileSync('node', ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
}

/**
 * A private copy of dist/chrome for this test process, so a teammate's rebuild cannot swap files
 * under a running browser. Its path is stable within the process, hence so is the extension id.
 */
export function copyExtension(which: 'chrome' | 'firefox' = 'chrome'): string {
  ensureBuilt();
  const dest = path.join(TMP_ROOT, `ext-${process.pid}`, which);
  if (!fs.existsSync(path.join(dest, 'manifest.json'))) {
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.cpSync(which === 'chrome' ? DIST_CHROME : DIST_FIREFOX, dest, { recursive: true });
    // Chromium writes this beside an unpacked extension it loaded; it belongs to that copy.
    fs.rmSync(path.join(dest, '_metadata'), { recursive: true, force: true });
  }
  return dest;
}

/** Chromium's id for an unpacked extension without a manifest key: derived from its path. */
export function unpackedExtensionId(dir: string): string {
  const hex = crypto.createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
}

export function freshProfileDir(label: string): string {
  fs.mkdirSync(TMP_ROOT, { recursive: true });
  return fs.mkdtempSync(path.join(TMP_ROOT, `profile-${label}-`));
}

// Records every postMessage each frame receives, and every message it is sent at all, so the
// tests can search them for the key and for canaries. Runs in every frame Playwright reaches.
const RECORDER = `(() => {
  try {
    const log = [];
    Object.defineProperty(window, '__nbRecorded', { value: log, enumerable: false });
    window.addEventListener('message', (e) => {
      let data;
      try { data = JSON.stringify(e.data); } catch { data = String(e.data); }
      log.push({ origin: e.origin, data: data === undefined ? 'undefined' : data });
    }, true);
  } catch {}
})();`;

export interface ChromeSession {
  context: BrowserContext;
  extensionId: string;
  extensionDir: string;
  profileDir: string;
  /** Every console message of pages and the service worker, as text. */
  console: string[];
  worker(): Promise<Worker>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  server: FakeGitHub;
  profileDir?: string;
  extensionDir?: string;
  /** Without the extension: for positive controls. */
  noExtension?: boolean;
}

export async function launchChrome(opts: LaunchOptions): Promise<ChromeSession> {
  const extensionDir = opts.extensionDir ?? copyExtension('chrome');
  const profileDir = opts.profileDir ?? freshProfileDir('chrome');
  const extensionId = unpackedExtensionId(extensionDir);
  const args = [
    // NB_HEADFUL=1 (under xvfb-run) to compare with a headed browser.
    ...(process.env.NB_HEADFUL ? [] : ['--headless=new']),
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--host-resolver-rules=${opts.server.hostResolverRules}`,
    '--ignore-certificate-errors',
  ];
  if (!opts.noExtension)
    args.push(`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`);
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: false,
    args,
    ignoreHTTPSErrors: true,
    viewport: { width: 1200, height: 900 },
  });
  await context.addInitScript(RECORDER);
  const consoleLog: string[] = [];
  const onConsole = (where: string) => (m: ConsoleMessage) =>
    consoleLog.push(`[${where}] ${m.type()}: ${m.text()}`);
  context.on('console', onConsole('page'));
  const watchWorker = (w: Worker) => w.on('console', onConsole('worker'));
  context.serviceWorkers().forEach(watchWorker);
  context.on('serviceworker', watchWorker);

  const session: ChromeSession = {
    context,
    extensionId,
    extensionDir,
    profileDir,
    console: consoleLog,
    worker: () => serviceWorker(context, session.extensionId),
    close: () => context.close(),
  };
  if (!opts.noExtension) {
    // The id from the worker URL is the truth; the path-derived one serves presets (and a build
    // that has no worker yet).
    const w = await serviceWorker(context, undefined, 15_000).catch(() => null);
    if (w) session.extensionId = new URL(w.url()).host;
  }
  return session;
}

/** The extension's service worker (waits for it to start). */
export async function serviceWorker(
  context: BrowserContext,
  extensionId?: string,
  timeout = 30_000,
): Promise<Worker> {
  const mine = (w: Worker) =>
    w.url().startsWith('chrome-extension://') &&
    (extensionId === undefined || new URL(w.url()).host === extensionId);
  const found = context.serviceWorkers().find(mine);
  if (found) return found;
  return context.waitForEvent('serviceworker', { predicate: mine, timeout });
}

/** Evaluate in the service worker, retrying: the first message after a restart can fail. */
export async function inWorker<T, A>(
  s: ChromeSession,
  fn: (arg: A) => T | Promise<T>,
  arg: A,
  tries = 5,
): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i += 1) {
    try {
      const w = await s.worker();
      return (await w.evaluate(fn as never, arg as never)) as T;
    } catch (e) {
      last = e;
      await sleep(300 * (i + 1));
    }
  }
  throw last;
}

/** The browser's id for the tab showing `url` (what the real popup's tabs.query would find). */
export async function tabIdOf(s: ChromeSession, url: string): Promise<number> {
  const id = await inWorker(
    s,
    async (u: string) => {
      const c = (
        globalThis as unknown as {
          chrome: { tabs: { query(q: object): Promise<Array<{ id?: number; url?: string }>> } };
        }
      ).chrome;
      return (await c.tabs.query({})).find((t) => t.url === u)?.id ?? null;
    },
    url,
  );
  if (id === null) throw new Error(`no tab for ${url}`);
  return id;
}

export async function setSecretHex(s: ChromeSession, hex: string): Promise<unknown> {
  return inWorker(
    s,
    async (h: string) => {
      const g = globalThis as unknown as {
        nbshieldTest?: { setSecretHex(hex: string): unknown };
      };
      if (!g.nbshieldTest) throw new Error('nbshieldTest is not defined in the service worker');
      return JSON.parse(JSON.stringify((await g.nbshieldTest.setSecretHex(h)) ?? null)) as unknown;
    },
    hex,
  );
}

/** Stop the service worker (CDP Target.closeTarget) and wait until a new one answers. */
export async function restartServiceWorker(s: ChromeSession): Promise<void> {
  const page = s.context.pages()[0] ?? (await s.context.newPage());
  const cdp = await s.context.newCDPSession(page);
  try {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as {
      targetInfos: Array<{ targetId: string; type: string; url: string }>;
    };
    const targets = targetInfos.filter(
      (t) =>
        t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${s.extensionId}/`),
    );
    if (targets.length === 0) throw new Error('no service worker target to close');
    for (const t of targets) {
      for (let i = 0; i < 3; i += 1) {
        try {
          await cdp.send('Target.closeTarget', { targetId: t.targetId });
          break;
        } catch {
          await sleep(200);
        }
      }
    }
  } finally {
    await cdp.detach().catch(() => undefined);
  }
  // Wait for the old worker to go, then wake a new one by opening an extension page.
  for (let i = 0; i < 50 && s.context.serviceWorkers().length > 0; i += 1) await sleep(100);
  const wake = await s.context.newPage();
  await wake.goto(`chrome-extension://${s.extensionId}/viewer.html?wake=1`).catch(() => undefined);
  await serviceWorker(s.context, s.extensionId);
  await wake.close();
}

// ---------- frames ----------

export function isViewerFrame(f: Frame, extensionId: string): boolean {
  return f.url().startsWith(`chrome-extension://${extensionId}/viewer.html`);
}

export function isRendererFrame(f: Frame, extensionId: string): boolean {
  return (
    f.url().startsWith(`chrome-extension://${extensionId}/renderer`) ||
    (f.parentFrame() !== null && isViewerFrame(f.parentFrame() as Frame, extensionId))
  );
}

/** The viewer frames of a page, in document order of their `[data-nbshield]` roots. */
export async function viewerFrames(page: Page, extensionId: string): Promise<Frame[]> {
  const handles = await page.$$('[data-nbshield] iframe');
  const out: Frame[] = [];
  for (const h of handles) {
    const f = await h.contentFrame();
    if (f && isViewerFrame(f, extensionId)) out.push(f);
  }
  return out;
}

export async function viewerFrame(page: Page, extensionId: string, index = 0): Promise<Frame> {
  for (let i = 0; i < 100; i += 1) {
    const fs_ = await viewerFrames(page, extensionId);
    if (fs_[index]) return fs_[index];
    await sleep(100);
  }
  throw new Error(`no viewer frame #${index} on ${page.url()}`);
}

export async function rendererFrame(page: Page, extensionId: string, index = 0): Promise<Frame> {
  const viewer = await viewerFrame(page, extensionId, index);
  for (let i = 0; i < 100; i += 1) {
    const child = viewer.childFrames().find((f) => f.url() !== '' && f.url() !== 'about:blank');
    if (child) return child;
    await sleep(100);
  }
  throw new Error(`no renderer frame in viewer #${index} on ${page.url()}`);
}

/**
 * A notebook over 8 MiB of 30 raw cells (raw cells render in order as escaped text, never as
 * placeholders, so every cell's text can be compared), for the text-in-pieces tests. Cell 20 is
 * over 4 MiB, so a piece boundary falls inside it, through quotes, backslashes, é and astral
 * characters. `indent`: JSON.stringify's (nbformat's layout, where the viewer cuts pieces between
 * cells); without it the text is compact and pieces are cut by size. `expected`: each cell's text.
 */
export function piecesNotebook(
  metadata: Record<string, unknown>,
  indent?: number,
): {
  text: string;
  expected: string[];
} {
  const line = (i: number, k: number): string =>
    `cell ${i} line ${k}: "quoted" back\\slash \u00e9t\u00e9 \u{1F600} ${'x'.repeat(k % 7)}\n`;
  const raw = Array.from({ length: 30 }, (_, i) => ({
    cell_type: 'raw',
    id: `r${i}`,
    metadata: {},
    source: Array.from({ length: i === 20 ? 90_000 : 3200 }, (_, k) => line(i, k)),
  }));
  return {
    text: JSON.stringify({ cells: raw, metadata, nbformat: 4, nbformat_minor: 5 }, null, indent),
    expected: raw.map((c) => c.source.join('')),
  };
}

/**
 * Click an element inside the sandboxed renderer (an out-of-process frame) as a user would.
 * Headless Chromium sometimes never routes mouse input into that nested frame: the event goes to
 * the viewer document's `<iframe>` element and the renderer sees nothing (seen in CI, and here in
 * about 1 of 4 runs of reading.test.ts headless; 0 of 8 headful under Xvfb). So mouse moves are
 * polled until the element itself is `:hover` in its frame, then Playwright clicks; if input never
 * gets there, the press and release are sent to the frame's own target over CDP. Both are trusted
 * clicks with user activation, which the copy path needs.
 */
export async function clickInFrame(page: Page, target: Locator, timeout = 2_000): Promise<void> {
  await target.scrollIntoViewIfNeeded();
  const deadline = Date.now() + timeout;
  for (let i = 0; Date.now() < deadline; i += 1) {
    const box = await target.boundingBox();
    if (box !== null) {
      // Alternate by a pixel: a move to where the mouse already is sends no event.
      await page.mouse.move(box.x + box.width / 2 + (i % 2), box.y + box.height / 2);
      if (await target.evaluate((el) => el.matches(':hover'))) {
        await target.click();
        return;
      }
    }
    await sleep(50);
  }
  const frame = await (await target.elementHandle())?.ownerFrame();
  if (frame == null) throw new Error(`no frame for ${String(target)}`);
  const at = await target.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
  });
  const cdp = await page.context().newCDPSession(frame);
  try {
    for (const type of ['mouseMoved', 'mousePressed', 'mouseReleased'] as const)
      await cdp.send('Input.dispatchMouseEvent', { type, ...at, button: 'left', clickCount: 1 });
  } finally {
    await cdp.detach();
  }
}

/** Every frame of a page, extension ones included. */
export function allFrames(page: Page): Frame[] {
  return page.frames();
}

export interface RootState {
  state: string | null;
  trust: string | null;
  text: string;
}

export async function rootStates(page: Page): Promise<RootState[]> {
  return page.$$eval('[data-nbshield]', (els) =>
    els.map((e) => ({
      state: e.getAttribute('data-state'),
      trust: e.getAttribute('data-trust'),
      text: (e.textContent ?? '').trim(),
    })),
  );
}

/** Wait until the `index`th `[data-nbshield]` leaves `loading`; returns its final state. */
export async function waitSettled(page: Page, index = 0, timeout = 30_000): Promise<RootState> {
  const deadline = Date.now() + timeout;
  let last: RootState | undefined;
  while (Date.now() < deadline) {
    const states = await rootStates(page).catch(() => [] as RootState[]);
    last = states[index];
    if (last && last.state !== 'loading' && last.state !== null) return last;
    await sleep(100);
  }
  throw new Error(
    `[data-nbshield] #${index} not settled on ${page.url()} within ${timeout} ms: ${JSON.stringify(last ?? null)}`,
  );
}

export async function waitRendered(page: Page, index = 0, timeout = 30_000): Promise<RootState> {
  const st = await waitSettled(page, index, timeout);
  if (st.state !== 'rendered')
    throw new Error(`expected rendered, got ${JSON.stringify(st)} on ${page.url()}`);
  return st;
}

/** Wait until data-trust of root `index` equals `trust`. */
export async function waitTrust(page: Page, trust: string, index = 0, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  let last: RootState | undefined;
  while (Date.now() < deadline) {
    last = (await rootStates(page))[index];
    if (last?.state === 'rendered' && last.trust === trust) return last;
    await sleep(100);
  }
  throw new Error(`data-trust never became ${trust}: ${JSON.stringify(last ?? null)}`);
}

export async function cellCount(frame: Frame): Promise<number> {
  return frame.evaluate(() => document.querySelectorAll('[data-cell-index]').length);
}

/** Wait until the renderer frame shows `expected` cells (it may render after the state flips). */
export async function waitCells(frame: Frame, expected: number, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  let n = -1;
  while (Date.now() < deadline) {
    n = await cellCount(frame).catch(() => -1);
    if (n === expected) return n;
    await sleep(100);
  }
  return n;
}

/**
 * Scrolls the top-level page to each cell still a placeholder (lazy rendering), first to last,
 * until none is left: what a reader scrolling through the whole notebook makes render.
 */
export async function scrollThroughCells(page: Page, r: Frame, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const pending = await r.$('.nb-pending');
    if (pending === null) return;
    if (Date.now() > deadline) throw new Error('cells still placeholders after scrolling to them');
    const box = await pending.boundingBox();
    if (box) await page.evaluate((y) => window.scrollBy(0, y - 100), box.y);
    // The placeholder is replaced by its rendered cell.
    while (
      Date.now() < deadline &&
      (await pending.evaluate((e) => e.isConnected).catch(() => false))
    )
      await sleep(50);
  }
}

/** The number of cells nbformat would show (v4 cells, v3 worksheets' cells). */
export function notebookCellCount(text: string): number {
  const nb = JSON.parse(text) as {
    cells?: unknown[];
    worksheets?: Array<{ cells?: unknown[] }>;
  };
  if (Array.isArray(nb.cells)) return nb.cells.length;
  return (nb.worksheets ?? []).reduce((n, w) => n + (w.cells?.length ?? 0), 0);
}

// ---------- canaries ----------

export interface CanaryReport {
  hits: string[];
  pwned: string[];
  titles: string[];
  messages: string[];
}

/** Everything a payload's canary could have left: HTTP hits, globals, titles, postMessages. */
export async function canaryReport(page: Page, server: FakeGitHub): Promise<CanaryReport> {
  const report: CanaryReport = {
    hits: server.hits().map((h) => `${h.id} (${h.via})`),
    pwned: [],
    titles: [],
    messages: [],
  };
  for (const f of page.frames()) {
    const r = await f
      .evaluate(() => {
        const w = window as unknown as {
          __pwned?: unknown;
          __nbRecorded?: Array<{ origin: string; data: string }>;
        };
        return {
          pwned: w.__pwned === undefined ? null : String(w.__pwned),
          title: document.title,
          msgs: (w.__nbRecorded ?? []).map((m) => m.data),
        };
      })
      .catch(() => null);
    if (!r) continue;
    if (r.pwned !== null) report.pwned.push(`${r.pwned} in ${f.url().slice(0, 80)}`);
    if (r.title.includes('PWNED')) report.titles.push(`${r.title} in ${f.url().slice(0, 80)}`);
    // Only a canary's own message, not a render message that carries a payload's text.
    for (const m of r.msgs) if (m.startsWith('{"nbshieldCanary":')) report.messages.push(m);
  }
  return report;
}

export function firedIds(report: CanaryReport): Set<string> {
  const ids = new Set<string>();
  for (const h of report.hits) ids.add(h.split(' ')[0] ?? '');
  for (const p of report.pwned) ids.add(p.split(' ')[0] ?? '');
  for (const t of report.titles) ids.add((t.split(' ')[0] ?? '').replace(/^PWNED:/, ''));
  for (const m of report.messages) {
    const id = /"nbshieldCanary":"([^"]+)"/.exec(m)?.[1];
    if (id) ids.add(id);
  }
  ids.delete('');
  return ids;
}

/**
 * The positive control's quick version: the same pokes as in-page events (synthetic clicks still
 * follow javascript: links and submit forms), for pages with hundreds of payloads.
 */
export async function pokeEverything(frame: Frame): Promise<number> {
  return frame
    .evaluate(() => {
      const els = Array.from(
        document.querySelectorAll<HTMLElement>(
          'a, area, button, input, summary, [onclick], [onmouseover], [onfocus], [tabindex], svg a, math a',
        ),
      );
      for (const el of els) {
        try {
          el.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
          el.focus();
          // SVG and MathML elements have no click(): a dispatched click still activates links.
          if (typeof el.click === 'function') el.click();
          else el.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
        } catch {
          /* keep going */
        }
      }
      for (const f of Array.from(document.forms)) {
        const submitters = Array.from(
          f.querySelectorAll<HTMLButtonElement>(
            'button[type=submit], button:not([type]), input[type=submit]',
          ),
        );
        for (const b of [null, ...submitters]) {
          try {
            f.requestSubmit(b);
          } catch {
            /* ignore */
          }
        }
      }
      return els.length;
    })
    .catch(() => 0);
}

/** Every way a user could poke the content of a frame: click links and buttons, focus, hover, submit. */
export async function interactWithEverything(frame: Frame): Promise<number> {
  const selector = 'a, button, input, summary, [onclick], [onmouseover], [tabindex], svg a, math a';
  // The renderer leaves far code cells as placeholders until they scroll near (issue 5); a click
  // scrolls, which would render cells under the list being clicked. Render every cell first, the
  // way printing does, so every output is reached.
  const pending = await frame.evaluate(() => {
    window.dispatchEvent(new Event('beforeprint'));
    return document.querySelectorAll('.nb-pending').length;
  });
  if (pending !== 0) throw new Error(`${pending} cells still not rendered after beforeprint`);
  // Plain http(s) links cannot run script when clicked and each opens a tab: click a few of them
  // (to exercise the open-link path), and every other element.
  const picks = await frame.evaluate((sel) => {
    const out: number[] = [];
    let web = 0;
    document.querySelectorAll(sel).forEach((e, i) => {
      const href = e.getAttribute('href') ?? '';
      const plainWeb = e.tagName === 'A' && /^https?:\/\//i.test(href.trim());
      if (!plainWeb || (web += 1) <= 5) out.push(i);
    });
    return out;
  }, selector);
  for (const i of picks) {
    const el = frame.locator(selector).nth(i);
    try {
      // A real (trusted) click, as a user gives it: the mouse moves there first (hover) and the
      // click focuses what can take focus.
      await el.click({ timeout: 500, force: true, noWaitAfter: true });
    } catch {
      /* not clickable (hidden, detached): the others still get clicked */
    }
  }
  // Submit every form, in case a sanitizer kept one without a button.
  await frame
    .evaluate(() => {
      for (const f of Array.from(document.forms)) {
        const submitters = Array.from(
          f.querySelectorAll<HTMLButtonElement>(
            'button[type=submit], button:not([type]), input[type=submit]',
          ),
        );
        for (const b of [null, ...submitters]) {
          try {
            f.requestSubmit(b);
          } catch {
            /* ignore */
          }
        }
      }
    })
    .catch(() => undefined);
  return picks.length;
}

// ---------- key search ----------

export function keyForms(hex: string): string[] {
  const bytes = Buffer.from(hex, 'hex');
  const b64 = bytes.toString('base64');
  const b64url = bytes.toString('base64url');
  return [hex.toLowerCase(), hex.toUpperCase(), b64, b64.replace(/=+$/, ''), b64url];
}

export function findKey(haystack: string, hex: string): string | null {
  for (const form of keyForms(hex)) if (haystack.includes(form)) return form;
  return null;
}

/** The DOM (outerHTML plus form field values) and recorded messages of every frame of a page. */
export async function dumpFrames(page: Page): Promise<string[]> {
  const out: string[] = [];
  for (const f of page.frames()) {
    const d = await f
      .evaluate(() => {
        const w = window as unknown as { __nbRecorded?: Array<{ data: string }> };
        const values = Array.from(document.querySelectorAll('input, textarea'))
          .map((e) => (e as HTMLInputElement).value)
          .join('\n');
        return [
          document.documentElement.outerHTML,
          values,
          (w.__nbRecorded ?? []).map((m) => m.data).join('\n'),
          JSON.stringify(Object.assign({}, localStorage)),
        ].join('\n');
      })
      .catch(() => '');
    out.push(`${f.url()}\n${d}`);
  }
  return out;
}

// ---------- fake GitHub for a suite ----------

export async function startServer(): Promise<FakeGitHub> {
  return startFakeGitHub();
}

/** A random key for a test file: its hex (for useChrome's secretHex) and the key to sign with. */
export function testKey(id: string, name: string): { hex: string; key: TrustKey } {
  const hex = crypto.randomBytes(32).toString('hex');
  return { hex, key: { id, name, bytes: Uint8Array.from(Buffer.from(hex, 'hex')) } };
}

/** `text` signed with `key` (trusted on load once the key is set), or a thrown error. */
export async function signedText(text: string, key: TrustKey): Promise<string> {
  const signed = await signNotebookText(text, key);
  if (!signed.ok) throw new Error(signed.error.message);
  return signed.value;
}

/**
 * One fake GitHub and one Chromium with the extension for a test file: started before its tests
 * (with `secretHex` set as the user's key when given), closed after. `set` hands both to the
 * file's own variables.
 */
export function useChrome(
  set: (e: { server: FakeGitHub; s: ChromeSession }) => void,
  opts: { secretHex?: string } = {},
): void {
  let server: FakeGitHub | undefined;
  let s: ChromeSession | undefined;
  beforeAll(async () => {
    server = await startServer();
    s = await launchChrome({ server });
    if (opts.secretHex !== undefined) await setSecretHex(s, opts.secretHex);
    set({ server, s });
  });
  afterAll(async () => {
    await s?.close();
    await server?.close();
  });
}

export function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nbshield-'));
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

/** The renderer frame's JS heap after a forced GC (CDP on the frame's own target), in bytes. */
export async function frameHeapAfterGc(s: ChromeSession, frame: Frame): Promise<number> {
  const cdp = await s.context.newCDPSession(frame);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}

/**
 * A display_data output whose `application/javascript` pushes `tag` onto `window.__order` (the
 * order trusted output scripts ran in) and writes "ran TAG" into its output element.
 */
export function orderScriptOutput(tag: string): Record<string, unknown> {
  return {
    output_type: 'display_data',
    metadata: {},
    data: {
      'application/javascript': `(window.__order = window.__order || []).push('${tag}'); element.textContent = 'ran ${tag}';`,
      'text/plain': 'js',
    },
  };
}

/**
 * `window.__order` (orderScriptOutput's scripts) once `count` of them have run, read again
 * `settleMs` later: a script run twice would show up by then.
 */
export async function scriptOrder(
  r: Frame,
  count: number,
  timeout: number,
  settleMs: number,
): Promise<string[]> {
  const order = () =>
    r.evaluate(() => (window as unknown as { __order?: string[] }).__order?.slice() ?? []);
  await expect.poll(async () => (await order()).length, { interval: 100, timeout }).toBe(count);
  await sleep(settleMs);
  return order();
}

export { sleep };

export { noisePng } from '../noise-png.mjs';
