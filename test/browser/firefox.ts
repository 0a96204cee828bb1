// Firefox ESR through puppeteer-core over WebDriver BiDi (Playwright cannot drive Debian's
// Firefox). Firefox cannot map a host name to a port, so it reaches the fake GitHub through the
// server's CONNECT proxy; the canary port on 127.0.0.1 is reached directly.
import puppeteer, { type Browser, type Frame, type Page } from 'puppeteer-core';
import type { FakeGitHub } from '../fakegithub/server.mjs';
import { copyExtension } from './harness';

export const FIREFOX = process.env.NBSHIELD_FIREFOX ?? '/usr/bin/firefox-esr';

export interface FirefoxSession {
  browser: Browser;
  extensionId: string;
  close(): Promise<void>;
}

export async function launchFirefox(server: FakeGitHub): Promise<FirefoxSession> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    acceptInsecureCerts: true,
    extraPrefsFirefox: {
      'network.proxy.type': 1,
      'network.proxy.ssl': '127.0.0.1',
      'network.proxy.ssl_port': server.proxyPort,
      'network.proxy.http': '127.0.0.1',
      'network.proxy.http_port': server.proxyPort,
      'network.proxy.allow_hijacking_localhost': false,
      'network.trr.mode': 5,
    },
  });
  const extensionId = await browser.installExtension(copyExtension('firefox'));
  return { browser, extensionId, close: () => closeFirefox(browser) };
}

/** browser.close() can hang on a loaded machine; after 15 s the process is killed instead. */
async function closeFirefox(browser: Browser): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 15_000)));
  const result = await Promise.race([browser.close().then(() => 'closed' as const), timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') browser.process()?.kill('SIGKILL');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function ffRoot(page: Page, index = 0) {
  return page.evaluate((i) => {
    const e = document.querySelectorAll('[data-nbshield]')[i];
    return e ? { state: e.getAttribute('data-state'), trust: e.getAttribute('data-trust') } : null;
  }, index);
}

export async function ffWaitSettled(page: Page, index = 0, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  let last: Awaited<ReturnType<typeof ffRoot>> = null;
  while (Date.now() < deadline) {
    last = await ffRoot(page, index).catch(() => null);
    if (last && last.state !== 'loading') return last;
    await sleep(150);
  }
  throw new Error(`Firefox: [data-nbshield] not settled: ${JSON.stringify(last)}`);
}

export async function ffWaitTrust(page: Page, trust: string, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  let last: Awaited<ReturnType<typeof ffRoot>> = null;
  while (Date.now() < deadline) {
    last = await ffRoot(page).catch(() => null);
    if (last?.state === 'rendered' && last.trust === trust) return last;
    await sleep(150);
  }
  throw new Error(`Firefox: data-trust never became ${trust}: ${JSON.stringify(last)}`);
}

/**
 * Clicks Trust in the viewer and waits for the trusted render. The viewer may ask for a second,
 * confirming click where it cannot tell that its frame is fully visible (a clickjacking defence):
 * it is given, on the same control, once the label asks for it (polled, so a slow machine
 * cannot miss it).
 */
export async function ffTrust(page: Page, timeout = 20_000): Promise<void> {
  const v = await ffViewerFrame(page);
  await ffClick(page, v, '[data-nbshield-action="trust"]');
  const clickedAt = Date.now();
  const deadline = clickedAt + timeout;
  let confirmed = false;
  while (Date.now() < deadline) {
    const root = await ffRoot(page).catch(() => null);
    if (root?.state === 'rendered' && root.trust === 'trusted') return;
    if (!confirmed) {
      const label = await v
        .$eval('[data-nbshield-action="trust"]', (b) => b.textContent ?? '')
        .catch(() => '');
      if (/confirm/i.test(label)) {
        // A confirming click sooner than 400 ms after the first is ignored (src/viewer/logic.ts).
        await sleep(Math.max(0, clickedAt + 600 - Date.now()));
        await ffClick(page, v, '[data-nbshield-action="trust"]');
        confirmed = true;
      }
    }
    await sleep(150);
  }
  throw new Error(
    `Firefox: Trust click did not give a trusted render: ${JSON.stringify(await ffRoot(page).catch(() => null))}`,
  );
}

async function originOf(f: Frame): Promise<string> {
  return f.evaluate(() => String(self.origin)).catch(() => '');
}

export async function ffViewerFrame(page: Page): Promise<Frame> {
  for (let i = 0; i < 100; i += 1) {
    for (const f of page.frames()) {
      if (!(await originOf(f)).startsWith('moz-extension://')) continue;
      const has = await f
        .evaluate(() => document.querySelector('[data-nbshield-action]') !== null)
        .catch(() => false);
      if (has) return f;
    }
    await sleep(100);
  }
  throw new Error('Firefox: no viewer frame');
}

const RENDERER_URL = /^moz-extension:\/\/[^/]+\/renderer(-trusted)?\.html/;

/**
 * The renderer frame. Under load (6-14) Firefox ESR's BiDi was seen to leave it out of the frame
 * tree for good while the page said rendered (3 of about 8 runs, always one of the first pages
 * of a fresh Firefox): after 5 s without it, the page is loaded once more (what it shows is kept
 * by the background: a trusted notebook is trusted again on load).
 */
export async function ffRendererFrame(page: Page): Promise<Frame> {
  for (let i = 0; i < 150; i += 1) {
    const f = page.frames().find((x) => RENDERER_URL.test(x.url()));
    if (f) return f;
    if (i === 50) {
      console.warn(
        'Firefox: no renderer frame in the frame tree after 5 s; loading the page again',
      );
      await page.reload({ waitUntil: 'domcontentloaded' });
      // The frame is looked for once the page says it rendered again, as the caller had.
      await ffWaitSettled(page);
    }
    await sleep(100);
  }
  throw new Error(
    `Firefox: no renderer frame among ${JSON.stringify(page.frames().map((x) => x.url()))}`,
  );
}

/** Canary signs in every frame of the page: globals and titles (HTTP hits are on the server). */
export async function ffCanarySigns(page: Page): Promise<string[]> {
  const out: string[] = [];
  for (const f of page.frames()) {
    const r = await f
      .evaluate(() => ({
        pwned: (window as unknown as { __pwned?: unknown }).__pwned,
        title: document.title,
      }))
      .catch(() => null);
    if (r?.pwned !== undefined && r?.pwned !== null) out.push(`__pwned=${String(r.pwned)}`);
    if (r?.title.includes('PWNED')) out.push(`title ${r.title}`);
  }
  return out;
}

/** Click, focus and submit everything in a frame (puppeteer's real input events). */
export async function ffInteract(f: Frame): Promise<void> {
  const handles = await f.$$('a, button, input, summary, [onclick], [onmouseover]');
  for (const h of handles) {
    try {
      await h.hover();
      await h.click();
    } catch {
      /* hidden or detached */
    }
  }
  await f
    .evaluate(() => {
      for (const form of Array.from(document.forms)) {
        try {
          form.requestSubmit();
        } catch {
          /* ignore */
        }
      }
    })
    .catch(() => undefined);
}

/**
 * A real mouse click on `selector` inside `f`, at page coordinates summed over the frames'
 * iframes. Puppeteer's own frame click asks Firefox for the frame's element with a BiDi
 * `locateNodes` locator of type "context", which Firefox ESR 140 rejects.
 */
export async function ffClick(page: Page, f: Frame, selector: string): Promise<void> {
  const box = await f.$eval(selector, (el) => {
    el.scrollIntoView({ block: 'center' });
    const r = el.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  });
  let x = box.x;
  let y = box.y;
  for (let child = f, parent = f.parentFrame(); parent !== null;) {
    const base = child.url().split('#')[0] ?? '';
    const off = await parent.evaluate((want: string) => {
      const frames = Array.from(document.querySelectorAll('iframe'));
      // Firefox may report a frame's URL as about:blank: then the one nbshield frame that shows.
      const ours = frames.filter(
        (i) => i.src.startsWith('moz-extension:') && i.getBoundingClientRect().width > 0,
      );
      const el =
        frames.length === 1
          ? frames[0]
          : (frames.find((i) => want !== 'about:blank' && i.src.startsWith(want)) ??
            (ours.length === 1 ? ours[0] : undefined));
      if (el === undefined) return null;
      const r = el.getBoundingClientRect();
      return { x: r.left + el.clientLeft, y: r.top + el.clientTop };
    }, base);
    if (off === null) throw new Error(`Firefox: no iframe for ${base} in ${parent.url()}`);
    x += off.x;
    y += off.y;
    child = parent;
    parent = parent.parentFrame();
  }
  await page.mouse.click(x, y);
}
