// Content script: finds notebooks on the page, asks the background to open them, and mounts one
// `[data-nbshield]` element per notebook holding the extension-origin viewer frame. It never sees
// a key or decides trust: the attributes it sets are display only (the page can write them too).
import { detectPage, gistRawNotebookUrl, type NotebookPage } from './detect';
import { uploadParts } from './upload';
import { parseFrameMessage, type FrameMessage } from '../core/protocol';

interface RuntimeLike {
  id: string;
  /** Chromium: the per-session id that `use_dynamic_url` resources must be loaded through. */
  dynamicId?: string;
  getURL(path: string): string;
  sendMessage(message: unknown): Promise<unknown>;
}

function runtime(): RuntimeLike | null {
  const g = globalThis as {
    browser?: { runtime?: RuntimeLike };
    chrome?: { runtime?: RuntimeLike };
  };
  return g.browser?.runtime ?? g.chrome?.runtime ?? null;
}

// GitHub's notebook preview, newest markup first (an iframe from notebooks.githubusercontent.com
// inside a render container), then older and test markup.
const BLOB_NATIVE = [
  '[data-testid="notebook-preview"]',
  '.js-notebook-preview',
  '.render-container',
  'iframe[src*="notebooks.githubusercontent.com"]',
  'iframe.render-viewer',
  '[data-type="ipynb"]',
];
const GIST_FILE_BOX = '.file, [data-testid="gist-file"], .js-gist-file-update-container';
const GIST_NATIVE = [
  '[data-testid="notebook-preview"]',
  '.js-notebook-preview',
  '.render-container',
  'iframe',
  '.blob-wrapper',
  '.file-box-content',
];
// How long a blob page may take to draw GitHub's preview before we mount without it.
const NATIVE_WAIT_MS = 2500;

type NativeKind = 'github' | 'plain';

interface MountSpec {
  key: string;
  url: string;
  text?: string;
  native: HTMLElement | null;
  /** Where the root goes when there is no native element: inserted as its first child. */
  host: HTMLElement;
  nativeKind: NativeKind;
  alsoHide?: HTMLElement[];
}

class Mount {
  readonly root: HTMLElement;
  private iframe: HTMLIFrameElement | null = null;
  private readonly status: HTMLElement;
  private readonly backBar: HTMLElement;
  private hidden: Array<{ el: HTMLElement; value: string; priority: string }> | null = null;
  private frameOrigins: string[] = [];
  private destroyed = false;
  /** Asks how far the worker's fetch got, while it runs (it runs on after nb/open's answer). */
  private poll: ReturnType<typeof setInterval> | null = null;
  private showsProgress = false;

  constructor(readonly spec: MountSpec) {
    const root = document.createElement('div');
    root.setAttribute('data-nbshield', '');
    root.setAttribute('data-state', 'loading');
    root.style.margin = '0 0 16px 0';
    this.root = root;

    const status = document.createElement('div');
    status.setAttribute('role', 'status');
    status.textContent = 'nbshield: loading the notebook…';
    styleNote(status);
    this.status = status;

    const back = document.createElement('div');
    back.hidden = true;
    styleNote(back);
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.textContent = 'nbshield view';
    btn.title = 'Show the notebook rendered safely by nbshield';
    btn.style.marginLeft = '8px';
    btn.addEventListener('click', () => this.showOurs());
    back.append(
      spec.nativeKind === 'github' ? 'GitHub’s own view is shown.' : 'The plain text is shown.',
      btn,
    );
    this.backBar = back;

    root.append(status, back);
    const { native, host } = spec;
    if (native?.parentNode) native.parentNode.insertBefore(root, native);
    else host.insertBefore(root, host.firstChild);
    this.hideNative();
    void this.open();
  }

  private async progress(rt: RuntimeLike): Promise<void> {
    let res: unknown;
    try {
      res = await rt.sendMessage({ type: 'nb/progress', url: this.spec.url });
    } catch {
      return;
    }
    const r = res as { ok?: unknown; value?: unknown } | undefined;
    const v = r?.value as { received?: unknown; total?: unknown } | null | undefined;
    if (this.destroyed || this.root.getAttribute('data-state') !== 'loading') {
      return this.stopPoll();
    }
    if (r?.ok === true && v === null && this.iframe !== null) {
      // The fetch is over: the viewer says the rest.
      this.stopPoll();
      if (this.showsProgress) this.status.hidden = true;
      return;
    }
    if (typeof v?.received !== 'number' || v.received <= 0) return;
    const text = progressText(v.received, typeof v.total === 'number' ? v.total : null);
    if (this.status.textContent !== text) this.status.textContent = text;
    this.showsProgress = true;
    this.status.hidden = false;
  }

  private stopPoll(): void {
    if (this.poll !== null) clearInterval(this.poll);
    this.poll = null;
  }

  private async open(): Promise<void> {
    const rt = runtime();
    if (rt === null) return this.fail('the extension API is not available');
    const req: { type: 'nb/open'; url: string; text?: string; uploaded?: boolean } = {
      type: 'nb/open',
      url: this.spec.url,
    };
    let res: unknown;
    // A large notebook takes a while to arrive: ask how far the worker's fetch got and say so.
    if (this.spec.text === undefined) this.poll = setInterval(() => void this.progress(rt), 500);
    try {
      if (this.spec.text !== undefined) {
        const text = this.spec.text;
        const parts = uploadParts(text.length);
        const last = parts.pop() ?? [0, 0];
        for (const [start, end] of parts) {
          const r = (await sendWithRetry(rt, {
            type: 'nb/upload',
            url: this.spec.url,
            offset: start,
            text: text.slice(start, end),
          })) as { ok?: unknown; error?: unknown } | undefined;
          if (this.destroyed) return;
          if (r?.ok !== true) {
            return this.fail(
              typeof r?.error === 'string' ? r.error : 'the extension gave no answer',
            );
          }
          this.status.textContent = progressText(end, text.length);
        }
        req.text = text.slice(last[0], last[1]);
        if (parts.length > 0) req.uploaded = true;
      }
      performance.mark('nbshield:open-sent');
      // The nb/open sent at document_start for this very URL, if any (issue 5).
      const early = req.text === undefined ? takeEarlyOpen(req.url) : null;
      res = early !== null ? await early : undefined;
      if ((res as { ok?: unknown } | undefined)?.ok !== true) res = await sendWithRetry(rt, req);
      performance.mark('nbshield:open-done');
    } catch (err) {
      return this.fail(`could not reach the extension (${errorText(err)})`);
    }
    if (this.destroyed) return;
    const r = res as { ok?: unknown; value?: { viewId?: unknown }; error?: unknown } | undefined;
    if (r?.ok !== true || typeof r.value?.viewId !== 'string') {
      return this.fail(typeof r?.error === 'string' ? r.error : 'the extension gave no answer');
    }
    const params = new URLSearchParams({
      view: r.value.viewId,
      theme: pageTheme(),
      origin: location.origin,
      native: this.spec.nativeKind,
    });
    // A deep link (#cell-12, a heading) for the renderer to scroll to once rendered.
    if (/^#[^\s#]{1,512}$/.test(location.hash)) params.set('hash', location.hash);
    const src = `${extensionUrl(rt, 'viewer.html')}?${params.toString()}`;
    // Chromium reports the static extension origin on messages even from a dynamic-id frame.
    this.frameOrigins = [originOf(src), originOf(rt.getURL(''))];
    const iframe = document.createElement('iframe');
    iframe.src = src;
    iframe.title = 'Notebook rendered by nbshield';
    iframe.setAttribute('allow', '');
    iframe.style.cssText = '';
    iframe.style.display = 'block';
    iframe.style.width = '100%';
    iframe.style.height = '160px';
    iframe.style.border = '0';
    iframe.style.colorScheme = 'normal';
    // A fragment change while the viewer was still loading reached no listener: once it has
    // loaded, pass on the fragment if it is not the one its URL already carries.
    const hashInSrc = params.get('hash');
    iframe.addEventListener(
      'load',
      () => {
        const h = location.hash;
        if (/^#[^\s#]{1,512}$/.test(h) && h !== hashInSrc) this.sendHash(h);
      },
      { once: true },
    );
    this.iframe = iframe;
    this.root.append(iframe);
  }

  /** A message is ours only if it comes from our own viewer frame, from the extension's origin. */
  accepts(event: MessageEvent): boolean {
    return (
      this.iframe !== null &&
      event.source !== null &&
      event.source === this.iframe.contentWindow &&
      this.frameOrigins.includes(event.origin)
    );
  }

  handle(msg: FrameMessage): void {
    if (this.destroyed) return;
    switch (msg.type) {
      case 'state':
        this.root.setAttribute('data-state', msg.state);
        if (msg.state === 'rendered' && msg.trust !== undefined) {
          this.root.setAttribute('data-trust', msg.trust);
        } else this.root.removeAttribute('data-trust');
        if (msg.state === 'error') {
          // The viewer shows the message; GitHub's own view stays reachable below it.
          this.stopPoll();
          this.status.hidden = true;
          this.restoreNative();
        } else if (msg.state === 'rendered') {
          this.stopPoll();
          this.status.hidden = true;
        } else if (!this.showsProgress) {
          // Loading: the viewer says so, unless the fetch's progress is what there is to say.
          this.status.hidden = true;
        }
        break;
      case 'viewer-height':
        if (this.iframe) this.iframe.style.height = `${Math.max(48, Math.ceil(msg.px))}px`;
        break;
      case 'show-native':
        this.showNative();
        break;
      default:
        break;
    }
  }

  private fail(message: string): void {
    if (this.destroyed) return;
    this.stopPoll();
    this.root.setAttribute('data-state', 'error');
    this.root.removeAttribute('data-trust');
    this.status.hidden = false;
    this.status.textContent = `nbshield could not show this notebook: ${message}`;
    this.restoreNative();
  }

  private showNative(): void {
    if (this.spec.native === null) return;
    if (this.iframe) this.iframe.hidden = true;
    this.iframe?.style.setProperty('display', 'none');
    this.backBar.hidden = false;
    this.restoreNative();
  }

  private showOurs(): void {
    if (this.iframe) {
      this.iframe.hidden = false;
      this.iframe.style.setProperty('display', 'block');
    }
    this.backBar.hidden = true;
    this.hideNative();
  }

  /** GitHub's view plus anything that belongs to it (Chromium's pretty-print bar on raw text). */
  private nativeElements(): HTMLElement[] {
    const n = this.spec.native;
    return n === null ? [] : [n, ...(this.spec.alsoHide ?? [])];
  }

  private hideNative(): void {
    if (this.hidden !== null) return;
    this.hidden = this.nativeElements().map((el) => {
      const saved = {
        el,
        value: el.style.getPropertyValue('display'),
        priority: el.style.getPropertyPriority('display'),
      };
      el.style.setProperty('display', 'none', 'important');
      return saved;
    });
  }

  private restoreNative(): void {
    if (this.hidden === null) return;
    for (const { el, value, priority } of this.hidden) {
      if (value === '') el.style.removeProperty('display');
      else el.style.setProperty('display', value, priority);
    }
    this.hidden = null;
  }

  /** GitHub drew its preview after we mounted without it: take its place now. */
  adoptNative(native: HTMLElement): void {
    if (this.spec.native !== null || this.destroyed || native.contains(this.root)) return;
    this.spec.native = native;
    native.parentNode?.insertBefore(this.root, native);
    if (this.root.getAttribute('data-state') !== 'error' && this.iframe?.hidden !== true) {
      this.hideNative();
    }
  }

  /** GitHub's theme changed: tell the viewer (a cosmetic hint it accepts from its parent). */
  sendTheme(t: 'light' | 'dark'): void {
    // The viewer document's origin is the static one, even when loaded through the dynamic id.
    const target = this.frameOrigins[1];
    if (this.iframe?.contentWindow && target !== undefined) {
      this.iframe.contentWindow.postMessage({ nbshield: 1, type: 'theme', theme: t }, target);
    }
  }

  /** The page's fragment changed (a followed `#cell-12` link, an edited address): scroll there. */
  sendHash(hash: string): void {
    const target = this.frameOrigins[1];
    if (this.iframe?.contentWindow && target !== undefined) {
      this.iframe.contentWindow.postMessage({ nbshield: 1, type: 'hash', hash }, target);
    }
  }

  get alive(): boolean {
    return this.root.isConnected;
  }

  destroy(): void {
    this.destroyed = true;
    this.stopPoll();
    this.restoreNative();
    this.root.remove();
    this.iframe = null;
  }
}

function styleNote(el: HTMLElement): void {
  el.style.font = '13px/1.5 system-ui, sans-serif';
  el.style.padding = '6px 10px';
  el.style.border = '1px solid rgba(128,128,128,0.4)';
  el.style.borderRadius = '6px';
  el.style.margin = '0 0 8px 0';
}

/**
 * scheme://host of an extension URL. Not `URL.origin`: by the URL standard that is "null" for
 * non-special schemes in some engines, and an opaque "null" must never be accepted as ours.
 */
function originOf(url: string): string {
  const u = new URL(url);
  if (u.host === '') throw new Error(`no host in ${url}`);
  return `${u.protocol}//${u.host}`;
}

/** The viewer's URL; through the dynamic id where there is one, so pages cannot fingerprint us. */
function extensionUrl(rt: RuntimeLike, file: string): string {
  const url = rt.getURL(file);
  const dyn = rt.dynamicId;
  if (typeof dyn !== 'string' || !/^[0-9a-f-]{8,64}$/i.test(dyn)) return url;
  return url.replace(`//${rt.id}/`, `//${dyn}/`);
}

/** "nbshield: loading… 3.2 MB of 41.0 MB" (or "… 3.2 MB" when the size is not known). */
function progressText(received: number, total: number | null): string {
  const mb = (n: number) => (n / 1048576).toFixed(1);
  return total !== null && total >= received
    ? `nbshield: loading… ${mb(received)} MB of ${mb(total)} MB`
    : `nbshield: loading… ${mb(received)} MB`;
}

async function sendWithRetry(rt: RuntimeLike, msg: unknown): Promise<unknown> {
  try {
    return await rt.sendMessage(msg);
  } catch {
    // A sleeping service worker can drop the first message after it wakes.
    await new Promise((r) => setTimeout(r, 250));
    return rt.sendMessage(msg);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function pageTheme(): 'light' | 'dark' {
  const mode = document.documentElement.getAttribute('data-color-mode');
  if (mode === 'dark' || mode === 'light') return mode;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

// ---- finding notebooks on the page ----

function findFirst(scope: ParentNode, selectors: string[]): HTMLElement | null {
  for (const sel of selectors) {
    const el = scope.querySelector<HTMLElement>(sel);
    if (el) return el;
  }
  return null;
}

/** Mount specs for the current page; `null` means "not ready yet, look again later". */
function specsFor(page: NotebookPage, waitedLongEnough: boolean): MountSpec[] | null {
  switch (page.kind) {
    case 'blob': {
      const native = findFirst(document, BLOB_NATIVE);
      if (native === null && !waitedLongEnough) return null;
      const host = document.querySelector<HTMLElement>('main') ?? document.body;
      const el = native?.tagName === 'IFRAME' ? (native.parentElement ?? native) : native;
      return [{ key: page.url, url: page.url, native: el, host, nativeKind: 'github' }];
    }
    case 'gist': {
      const specs: MountSpec[] = [];
      const seen = new Set<string>();
      for (const a of Array.from(
        document.querySelectorAll<HTMLAnchorElement>('a[href*="/raw/"]'),
      )) {
        const raw = gistRawNotebookUrl(a.getAttribute('href') ?? '', location.href);
        if (raw === null || seen.has(raw)) continue;
        const box = a.closest<HTMLElement>(GIST_FILE_BOX);
        if (box === null) continue;
        seen.add(raw);
        const native = findFirst(box, GIST_NATIVE);
        specs.push({ key: raw, url: raw, native, host: box, nativeKind: 'github' });
      }
      if (specs.length === 0 && !waitedLongEnough) return null;
      return specs;
    }
    case 'raw':
    case 'file': {
      if (document.body === null) return null;
      const pre = document.body.querySelector<HTMLElement>('pre');
      const spec: MountSpec = {
        key: page.url,
        url: page.url,
        native: pre,
        host: document.body,
        nativeKind: 'plain',
        alsoHide: Array.from(
          document.body.querySelectorAll<HTMLElement>(':scope > .json-formatter-container'),
        ),
      };
      // The service worker cannot fetch file://, so the page's own text travels with the request.
      if (page.kind === 'file') spec.text = (pre ?? document.body).textContent ?? '';
      return [spec];
    }
    case 'none':
      return [];
  }
}

// ---- the first nb/open, sent at document_start (issue 5) ----

/**
 * The page's own notebook, asked for before its DOM is parsed: the worker fetches it while the
 * page loads, and the mount for that URL takes the answer instead of asking again.
 */
let earlyOpen: { url: string; reply: Promise<unknown> } | null = null;

function sendEarlyOpen(rt: RuntimeLike, page: NotebookPage): void {
  // Gists name their notebooks in the DOM, and a local file's text is in it.
  if (page.kind !== 'blob' && page.kind !== 'raw') return;
  const reply = rt.sendMessage({ type: 'nb/open', url: page.url });
  reply.catch(() => undefined);
  earlyOpen = { url: page.url, reply };
}

/** The early answer for `url`, once; a failed one counts as none (the mount asks again). */
function takeEarlyOpen(url: string): Promise<unknown> | null {
  const e = earlyOpen;
  earlyOpen = null;
  return e !== null && e.url === url ? e.reply.catch(() => undefined) : null;
}

// ---- lifecycle: URL changes (Turbo, pushState, popstate), leaving, remounting ----

let currentHref = '';
let currentPage: NotebookPage = { kind: 'none' };
let pageSince = 0;
let mounts: Mount[] = [];
let retryTimer: ReturnType<typeof setTimeout> | undefined;

function teardown(): void {
  for (const m of mounts) m.destroy();
  mounts = [];
}

function sync(): void {
  const href = location.href;
  if (href !== currentHref) {
    const page = detectPage(href);
    currentHref = href;
    const sameNotebookPage =
      page.kind !== 'none' &&
      page.kind === currentPage.kind &&
      'url' in page &&
      'url' in currentPage
        ? page.url === currentPage.url
        : false;
    if (!sameNotebookPage) {
      teardown();
      currentPage = page;
      pageSince = Date.now();
      if (earlyOpen !== null && !('url' in page && page.url === earlyOpen.url)) earlyOpen = null;
    }
  }
  if (currentPage.kind === 'none') return;
  // The script runs at document_start: mount into a parsed DOM only. Raw and local text pages
  // wait for their load (the text is complete, Chromium's pretty-print bar is in).
  const ready =
    currentPage.kind === 'raw' || currentPage.kind === 'file'
      ? document.readyState === 'complete'
      : document.readyState !== 'loading';
  if (!ready) return;
  // GitHub may replace the part of the page we were mounted in: mount again.
  const stale = mounts.filter((m) => !m.alive);
  if (stale.length > 0) {
    for (const m of stale) m.destroy();
    mounts = mounts.filter((m) => m.alive);
  }
  const waited = Date.now() - pageSince >= NATIVE_WAIT_MS;
  const specs = specsFor(currentPage, waited);
  if (specs === null) {
    scheduleRetry();
    return;
  }
  for (const spec of specs) {
    const existing = mounts.find((m) => m.spec.key === spec.key);
    if (existing === undefined) mounts.push(new Mount(spec));
    else if (spec.native !== null) existing.adoptNative(spec.native);
  }
}

function scheduleRetry(): void {
  if (retryTimer !== undefined) return;
  retryTimer = setTimeout(() => {
    retryTimer = undefined;
    sync();
  }, 300);
}

let queued = false;
function queueSync(): void {
  // Coalesce bursts of DOM mutations into one cheap check per frame.
  if (queued) return;
  queued = true;
  setTimeout(() => {
    queued = false;
    sync();
  }, 50);
}

function onMessage(event: MessageEvent): void {
  const mount = mounts.find((m) => m.accepts(event));
  if (mount === undefined) return;
  const msg = parseFrameMessage(event.data);
  if (msg === null) return;
  mount.handle(msg);
}

function start(): void {
  // Stage marks for the benchmark's navigation -> bytes breakdown (issue 5); cost nothing.
  performance.mark('nbshield:content-start');
  const rt = runtime();
  if (rt === null) return;
  sendEarlyOpen(rt, detectPage(location.href));
  document.addEventListener('DOMContentLoaded', () => sync());
  window.addEventListener('load', () => sync());
  window.addEventListener('message', onMessage);
  window.addEventListener('popstate', queueSync);
  window.addEventListener('pageshow', queueSync);
  document.addEventListener('turbo:load', queueSync);
  document.addEventListener('turbo:render', queueSync);
  // Content scripts cannot see the page's history.pushState calls; a DOM change always follows one.
  const observer = new MutationObserver(() => {
    if (location.href !== currentHref || currentPage.kind !== 'none') queueSync();
  });
  observer.observe(document, { childList: true, subtree: true });
  let lastTheme = pageTheme();
  const onTheme = (): void => {
    const t = pageTheme();
    if (t === lastTheme) return;
    lastTheme = t;
    for (const m of mounts) m.sendTheme(t);
  };
  const watchTheme = (): void =>
    new MutationObserver(onTheme).observe(document.documentElement, {
      attributes: true,
      attributeFilter: ['data-color-mode'],
    });
  // At document_start the root element may not exist yet.
  if (document.documentElement !== null) watchTheme();
  else document.addEventListener('DOMContentLoaded', watchTheme, { once: true });
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', onTheme);
  window.addEventListener('hashchange', () => {
    if (/^#[^\s#]{1,512}$/.test(location.hash)) for (const m of mounts) m.sendHash(location.hash);
  });
  window.addEventListener('pagehide', (e) => {
    if (e.persisted) return;
    observer.disconnect();
    teardown();
  });
  sync();
}

start();
