// The viewer frame: an extension-origin page embedded by the content script. It gets the notebook
// and its verdict from the background (never from the page), shows the toolbar with the one-click
// Trust control, and hosts the sandboxed renderer. It relays only display state to the page.
import {
  parseFrameMessage,
  type FrameMessage,
  type ResponseMap,
  type ReadingCommand,
  type Settings,
  type VerdictInfo,
} from '../core/protocol';
import {
  TrustGate,
  openableLink,
  parentTargetOrigin,
  randomNonce,
  rawLinkFor,
  toolbarStep,
} from './logic';
import { readingKey } from '../core/reading';
import { deepLinkHash, linksOut } from './links';
import { hasMath } from '../core/render/math';
import { PIECE_CHARS, Pieces, cellSeparator, nextPiece } from '../core/pieces';

interface ExtApi {
  runtime: {
    id: string;
    dynamicId?: string;
    getURL(path: string): string;
    sendMessage(message: unknown): Promise<unknown>;
  };
  storage?: { onChanged?: { addListener(cb: (changes: object, area: string) => void): void } };
}

function ext(): ExtApi | null {
  const g = globalThis as { browser?: ExtApi; chrome?: ExtApi };
  return g.browser ?? g.chrome ?? null;
}

/**
 * The notebook's text as it arrives from the background: its parts as they came (view/get, then
 * view/text), never joined (issue 5). Pieces of them go to the renderer as they arrive.
 */
interface ViewText {
  parts: string[];
  /** Characters in `parts` so far. */
  received: number;
  /** The whole text's length. */
  total: number;
  /** Where pieces are best cut (between cells; core/pieces cellSeparator), or null. */
  sep: string | null;
  /** The fetch of the rest, while it runs (one at a time). */
  loading?: Promise<void>;
}

type ViewData = Omit<ResponseMap['view/get'], 'text' | 'textTotal'> & { text: ViewText };

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`viewer.html lacks #${id}`);
  return el as T;
};

const params = new URLSearchParams(location.search);
const viewId = params.get('view') ?? '';
const nativeKind = params.get('native') === 'plain' ? 'plain' : 'github';
// The page URL's fragment (content script): a deep link the renderer scrolls to once rendered.
let deepLink = deepLinkHash(params.get('hash'));
const targetOrigin = parentTargetOrigin(
  params.get('origin'),
  location.ancestorOrigins?.[0],
  document.referrer,
);

const ui = {
  toolbar: $<HTMLElement>('toolbar'),
  actions: $<HTMLElement>('actions'),
  name: $<HTMLElement>('name'),
  verdict: $<HTMLElement>('verdict'),
  trust: $<HTMLButtonElement>('trust'),
  untrust: $<HTMLButtonElement>('untrust'),
  native: $<HTMLButtonElement>('native'),
  raw: $<HTMLAnchorElement>('raw'),
  download: $<HTMLAnchorElement>('download'),
  colab: $<HTMLAnchorElement>('colab'),
  nbviewer: $<HTMLAnchorElement>('nbviewer'),
  binder: $<HTMLAnchorElement>('binder'),
  toc: $<HTMLButtonElement>('toc'),
  code: $<HTMLButtonElement>('code'),
  lines: $<HTMLButtonElement>('lines'),
  notice: $<HTMLElement>('notice'),
  host: $<HTMLElement>('frame-host'),
};

let view: ViewData | null = null;
let verdict: VerdictInfo | null = null;
let settings: Settings = { allowRemoteImages: true, theme: 'auto' };
let renderer: {
  frame: HTMLIFrameElement;
  nonce: string;
  ready: boolean;
  trusted: boolean;
  port: MessagePort | null;
  /** Chosen for the current view and verdict (a preloaded frame is not, until they arrive). */
  wanted: boolean;
  /** The render message went out: this frame is used up. */
  sent: boolean;
  /** Characters of the text sent to it so far (the render message, then render-text pieces). */
  sentChars: number;
  /** Its boot script said it runs (renderer.js still loading): it can take the KaTeX hint. */
  booted: boolean;
  hinted: boolean;
} | null = null;
let busy = false;

// ---- talking to the page (display state only) ----

function toParent(msg: FrameMessage): void {
  if (window.parent === window) return;
  window.parent.postMessage(msg, targetOrigin);
}

function postState(state: 'loading' | 'rendered' | 'error', message?: string): void {
  const msg: FrameMessage = { nbshield: 1, type: 'state', state };
  if (state === 'rendered' && verdict !== null)
    msg.trust = verdict.trusted ? 'trusted' : 'untrusted';
  if (message !== undefined) msg.message = message.slice(0, 4000);
  toParent(msg);
}

let lastHeight = -1;
function postHeight(): void {
  const px = Math.ceil(document.documentElement.scrollHeight);
  if (px === lastHeight) return;
  lastHeight = px;
  toParent({ nbshield: 1, type: 'viewer-height', px });
}
new ResizeObserver(postHeight).observe(document.body);

// ---- theme: the page's (passed by the content script), the user's setting, then the system ----

const systemDark = window.matchMedia('(prefers-color-scheme: dark)');
let pageTheme: string | null = params.get('theme');
function theme(): 'light' | 'dark' {
  if (settings.theme === 'light' || settings.theme === 'dark') return settings.theme;
  const p = pageTheme;
  if (p === 'light' || p === 'dark') return p;
  return systemDark.matches ? 'dark' : 'light';
}
function applyTheme(): void {
  const t = theme();
  document.documentElement.dataset.theme = t;
  if (renderer?.ready) {
    renderer.port?.postMessage({ nbshield: 1, type: 'theme', theme: t });
  }
}
systemDark.addEventListener('change', () => {
  if (pageTheme === null) applyTheme();
});

// ---- background requests ----

async function request<K extends keyof ResponseMap>(
  msg: { type: K } & Record<string, unknown>,
): Promise<ResponseMap[K]> {
  const api = ext();
  if (api === null) throw new Error('the extension API is not available');
  let res: unknown;
  try {
    res = await api.runtime.sendMessage(msg);
  } catch {
    // The service worker may have been asleep: the first message after waking can fail.
    await new Promise((r) => setTimeout(r, 300));
    res = await api.runtime.sendMessage(msg);
  }
  const r = res as { ok?: unknown; value?: unknown; error?: unknown } | undefined;
  if (r?.ok === true) return r.value as ResponseMap[K];
  throw new Error(typeof r?.error === 'string' ? r.error : 'no answer from the extension');
}

// ---- toolbar ----

function showNotice(text: string, kind: 'info' | 'error'): void {
  ui.notice.textContent = text;
  ui.notice.dataset.kind = kind;
  ui.notice.hidden = false;
}
function clearNotice(): void {
  ui.notice.hidden = true;
  ui.notice.textContent = '';
}

function showVerdict(): void {
  if (verdict === null) return;
  ui.verdict.textContent = verdict.message;
  ui.verdict.dataset.trust = verdict.trusted ? 'trusted' : 'untrusted';
  ui.trust.hidden = verdict.trusted;
  ui.untrust.hidden = !verdict.trusted;
  ui.trust.textContent = 'Trust';
  gate.reset();
}

/** `frameEmpty`: the renderer says its frame shows only this message (no cell to keep). */
function fail(message: string, frameEmpty = false): void {
  ui.verdict.textContent = 'Could not show this notebook';
  delete ui.verdict.dataset.trust;
  // Nothing was shown, so there is nothing to trust.
  ui.trust.hidden = true;
  ui.untrust.hidden = true;
  showNotice(message, 'error');
  postState('error', message);
  // A preloaded renderer that never got a notebook (or not all of it) would stay as a blank box,
  // and one showing only the message would say it a second time below the notice.
  if (
    renderer !== null &&
    (frameEmpty || !renderer.sent || renderer.sentChars < (view?.text.total ?? 0))
  ) {
    renderer.frame.remove();
    renderer.port?.close();
    renderer = null;
  }
}

ui.native.textContent = nativeKind === 'plain' ? 'Plain text' : 'GitHub view';
ui.native.title =
  nativeKind === 'plain' ? 'Show the file as plain text' : 'Show GitHub’s own rendering';
ui.native.addEventListener('click', (e) => {
  if (!e.isTrusted) return;
  toParent({ nbshield: 1, type: 'show-native' });
});

// ---- reading comforts: the renderer does them, the toolbar asks ----

function sendCommand(command: ReadingCommand, fromKey = false): void {
  if (renderer?.ready !== true) return;
  // A shortcut pressed in the toolbar moves the focus into the notebook (the cell j/k go to, the
  // table of contents `t` opens); the renderer can only focus its own elements once its frame is.
  const opensToc = command === 'toc' && ui.toc.getAttribute('aria-pressed') !== 'true';
  if (fromKey && (command === 'next' || command === 'prev' || opensToc)) renderer.frame.focus();
  renderer.port?.postMessage({
    nbshield: 1,
    type: 'command',
    command,
    ...(fromKey ? { focus: true } : {}),
  });
}
// Arrow keys move between the toolbar's visible controls, as screen readers expect of a toolbar.
ui.actions.addEventListener('keydown', (e) => {
  if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
  const items = Array.from(ui.actions.querySelectorAll<HTMLElement>('button, a[href]')).filter(
    (el) => !el.hidden,
  );
  const i = toolbarStep(items.indexOf(document.activeElement as HTMLElement), items.length, e.key);
  if (i === null) return;
  e.preventDefault();
  items[i]?.focus();
});
ui.toc.addEventListener('click', () => sendCommand('toc'));
ui.code.addEventListener('click', () => sendCommand('code'));
ui.lines.addEventListener('click', () => sendCommand('lines'));
document.addEventListener('keydown', (e) => {
  const t = e.target instanceof HTMLElement ? e.target : null;
  const k = readingKey({
    key: e.key,
    altKey: e.altKey,
    ctrlKey: e.ctrlKey,
    metaKey: e.metaKey,
    targetTag: t?.tagName ?? '',
    editable: t?.isContentEditable === true,
  });
  if (k === null) return;
  e.preventDefault();
  sendCommand(k, true);
});

function showReading(m: { toc: boolean; codeHidden: boolean; lines: boolean }): void {
  ui.toc.setAttribute('aria-pressed', String(m.toc));
  ui.code.setAttribute('aria-pressed', String(m.codeHidden));
  ui.code.textContent = m.codeHidden ? 'Show code' : 'Hide code';
  ui.code.title = m.codeHidden ? 'Show all code cells’ input' : 'Hide all code cells’ input';
  ui.lines.setAttribute('aria-pressed', String(m.lines));
}

/** The renderer's sandbox has no clipboard: copy a code cell's source for it (on a user click). */
async function copyFor(text: string): Promise<boolean> {
  const act = (navigator as { userActivation?: { isActive: boolean } }).userActivation;
  if (act !== undefined && !act.isActive) return false;
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission in this frame either: the old way, from a selected text area.
  }
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.style.cssText = 'position:fixed;top:0;left:0;opacity:0;pointer-events:none';
  document.body.append(ta);
  ta.select();
  let ok: boolean;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

// ---- clickjacking defence for Trust ----

interface VisibilityEntry extends IntersectionObserverEntry {
  isVisible?: boolean;
}
const v2 =
  typeof IntersectionObserverEntry !== 'undefined' &&
  'isVisible' in IntersectionObserverEntry.prototype;
const gate = new TrustGate(v2);
let visibleSince: number | null = null;
// Off-screen is not "covered": the click came as the toolbar scrolled into view.
let intersecting = false;
if (v2) {
  const io = new IntersectionObserver(
    (entries) => {
      for (const en of entries as VisibilityEntry[]) {
        intersecting = en.isIntersecting && en.intersectionRatio >= 0.99;
        if (en.isVisible !== true) visibleSince = null;
        else visibleSince ??= performance.now();
      }
    },
    { threshold: [1.0], trackVisibility: true, delay: 100 } as IntersectionObserverInit,
  );
  io.observe(ui.toolbar);
}

ui.trust.addEventListener('click', (e) => {
  const d = gate.decide({
    isTrusted: e.isTrusted,
    visibleSince,
    now: performance.now(),
  });
  if (d === 'ignore') return;
  if (d === 'covered' && intersecting) {
    showNotice(
      'The page is covering nbshield’s toolbar; use the nbshield toolbar button (popup) to trust.',
      'error',
    );
    return;
  }
  if (d === 'too-soon' || d === 'covered') {
    showNotice('nbshield’s toolbar just came into view: click Trust again to trust.', 'info');
    return;
  }
  if (d === 'confirm') {
    ui.trust.textContent = 'Confirm trust';
    showNotice(
      'Trusting lets this notebook’s output scripts run (still sandboxed). Click “Confirm trust” to go on.',
      'info',
    );
    return;
  }
  void changeTrust('view/trust');
});
ui.untrust.addEventListener('click', (e) => {
  if (!e.isTrusted) return;
  void changeTrust('view/untrust');
});

async function changeTrust(type: 'view/trust' | 'view/untrust'): Promise<void> {
  if (busy || view === null) return;
  busy = true;
  clearNotice();
  try {
    verdict = await request({ type, viewId });
    showVerdict();
    startRender();
  } catch (err) {
    showNotice(`Could not change trust: ${errText(err)}`, 'error');
  } finally {
    busy = false;
  }
}

// ---- the sandboxed renderer ----

function startRender(): void {
  if (view === null || verdict === null) return;
  const trusted = verdict.trusted;
  // The frame preloaded while the view was on its way fits: use it (issue 5).
  if (renderer !== null && !renderer.sent && !renderer.wanted && renderer.trusted === trusted) {
    renderer.wanted = true;
    postState('loading');
    sendRender(renderer);
    return;
  }
  createRenderer(trusted, true);
}

/**
 * The untrusted renderer frame, started before the view arrives: its start-up (a 0.5 MB bundle)
 * overlaps the worker's work. A trusted verdict replaces it with the trusted variant.
 */
function preloadRenderer(): void {
  if (renderer === null) createRenderer(false, false);
}

function createRenderer(trusted: boolean, wanted: boolean): void {
  // Keep the old height while the new frame renders, so the page does not jump.
  const previousHeight = renderer?.frame.style.height ?? '';
  renderer?.frame.remove();
  const nonce = randomNonce();
  const frame = document.createElement('iframe');
  // Opaque origin, scripts only: no same-origin, no popups, no forms, no top navigation.
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.setAttribute('title', 'Notebook content (sandboxed)');
  if (previousHeight !== '') frame.style.height = previousHeight;
  frame.src = `${rendererUrl(trusted ? 'renderer-trusted.html' : 'renderer.html')}#${nonce}`;
  renderer?.port?.close();
  renderer = {
    frame,
    nonce,
    ready: false,
    trusted,
    port: null,
    wanted,
    sent: false,
    sentChars: 0,
    booted: false,
    hinted: false,
  };
  postState('loading');
  ui.host.append(frame);
}

/**
 * Chromium loads web-accessible pages framed under a web page only through the dynamic id when
 * `use_dynamic_url` is set; elsewhere the page's own relative URL is right.
 */
function rendererUrl(file: string): string {
  const rt = ext()?.runtime;
  const dyn = rt?.dynamicId;
  if (rt === undefined || typeof dyn !== 'string' || !/^[0-9a-f-]{8,64}$/i.test(dyn)) return file;
  return rt.getURL(file).replace(`//${rt.id}/`, `//${dyn}/`);
}

// ---- KaTeX early (issue 5): the text is here before renderer.js has run ----

/** Above this the viewer does not look: parsing the text here would cost more than it saves. */
const MATH_HINT_MAX_CHARS = 8 * 1024 * 1024;
let mathHint: { text: ViewText; math: boolean } | null = null;

function sourceText(v: unknown): string {
  if (typeof v === 'string') return v;
  return Array.isArray(v) ? v.filter((x) => typeof x === 'string').join('') : '';
}

/**
 * Whether the renderer will want KaTeX: math in a Markdown cell (the renderer's own test) or a
 * LaTeX output. A miss only means KaTeX loads on demand, as without the hint.
 */
function notebookHasMath(text: string): boolean {
  if (text.length > MATH_HINT_MAX_CHARS) return false;
  if (!text.includes('$') && !text.includes('\\')) return false;
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch {
    return false;
  }
  const o = (v: unknown): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const root = o(nb);
  const cells = [...list(root.cells), ...list(root.worksheets).flatMap((w) => list(o(w).cells))];
  for (const c of cells) {
    const cell = o(c);
    if (cell.cell_type === 'markdown' && hasMath(sourceText(cell.source))) return true;
    for (const out of list(cell.outputs)) {
      const data = { ...o(out), ...o(o(out).data) };
      if ('text/latex' in data || 'latex' in data) return true;
      if (hasMath(sourceText(data['text/markdown']))) return true;
    }
  }
  return false;
}

/** Tells a booted renderer frame to start loading KaTeX, once, when the notebook has math. */
function hintKatex(): void {
  const r = renderer;
  if (r === null || !r.booted || r.hinted || view === null) return;
  const t = view.text;
  // Only a text under the limit is looked at, whole (joined here if it came in parts).
  if (t.received < t.total && t.total <= MATH_HINT_MAX_CHARS) return;
  if (mathHint?.text !== t) {
    mathHint = {
      text: t,
      math: t.total <= MATH_HINT_MAX_CHARS && notebookHasMath(t.parts.join('')),
    };
  }
  if (!mathHint.math) return;
  r.hinted = true;
  // The sandboxed frame's origin is opaque: '*' is the only target that reaches it.
  r.frame.contentWindow?.postMessage({ nbshield: 1, type: 'katex-preload' }, '*');
}

/** The renderer's first message, on the window: its nonce, and the port all else goes over. */
function onRendererReady(msg: FrameMessage, port: MessagePort | undefined): void {
  const r = renderer;
  if (r === null || port === undefined) return;
  if (msg.type !== 'renderer-ready' || msg.nonce !== r.nonce || r.ready) return;
  r.ready = true;
  r.port = port;
  port.onmessage = (event) => {
    // Only the live renderer's port counts (a re-render replaces it).
    if (renderer !== r) return;
    const m = parseFrameMessage(event.data);
    if (m !== null) onRendererMessage(m);
  };
  sendRender(r);
}

/**
 * The notebook goes to a ready renderer chosen for the current view, once: the whole text in
 * one `render`, or (over one piece) the first piece with `textTotal`, then one `render-text` per
 * piece as the background's parts arrive (issue 5: one huge string posted whole is deserialized
 * in one long task in the renderer). Called again as parts arrive.
 */
function sendRender(r: NonNullable<typeof renderer>): void {
  if (!r.ready || !r.wanted || r.port === null || view === null) return;
  const t = view.text;
  const text = new Pieces(t.parts);
  const complete = t.received === t.total;
  if (!r.sent) {
    const first = nextPiece(text, 0, complete, PIECE_CHARS, t.sep);
    if (first === null) return;
    r.sent = true;
    r.sentChars = first.length;
    const base = rawLinkFor(view.url);
    performance.mark('nbshield:render-sent');
    r.port.postMessage({
      nbshield: 1,
      type: 'render',
      text: first,
      ...(first.length < t.total ? { textTotal: t.total } : {}),
      trusted: r.trusted,
      allowRemoteImages: settings.allowRemoteImages,
      theme: theme(),
      ...(base !== null && /^https?:/i.test(base) ? { baseUrl: base } : {}),
      ...(deepLink !== null ? { hash: deepLink } : {}),
    });
  }
  for (;;) {
    const piece = nextPiece(text, r.sentChars, complete, PIECE_CHARS, t.sep);
    if (piece === null) break;
    r.port.postMessage({ nbshield: 1, type: 'render-text', offset: r.sentChars, text: piece });
    r.sentChars += piece.length;
  }
}

function onRendererMessage(msg: FrameMessage): void {
  const r = renderer;
  if (r === null || view === null || verdict === null) return;
  if (!r.ready) return;
  switch (msg.type) {
    case 'height':
      r.frame.style.height = `${Math.max(40, Math.ceil(msg.px))}px`;
      postHeight();
      break;
    case 'rendered':
      clearNotice();
      ui.toc.hidden = false;
      ui.code.hidden = false;
      ui.lines.hidden = false;
      showReading({ toc: false, codeHidden: false, lines: false });
      ui.verdict.title = `${msg.cellCount} cells`;
      postState('rendered');
      break;
    case 'render-error':
      fail(msg.message, msg.replaced === true);
      break;
    case 'open-link': {
      const href = openableLink(msg.href);
      // window.open needs the user's activation (the click in the renderer), so a script cannot
      // flood tabs.
      if (href !== null) window.open(href, '_blank', 'noopener,noreferrer');
      break;
    }
    case 'reading':
      showReading(msg);
      break;
    case 'copy': {
      const port = r.port;
      void copyFor(msg.text).then((ok) => {
        if (renderer === r) port?.postMessage({ nbshield: 1, type: 'copied', ok });
      });
      break;
    }
    default:
      break;
  }
}

window.addEventListener('message', (event) => {
  // The page may only tell us its theme (GitHub's theme switched): a cosmetic hint, nothing more.
  if (event.source !== null && event.source === window.parent && window.parent !== window) {
    const msg = parseFrameMessage(event.data);
    if (msg?.type === 'theme' && msg.theme !== pageTheme) {
      pageTheme = msg.theme;
      applyTheme();
    } else if (msg?.type === 'hash') {
      // The page's fragment changed: only where to scroll, which the page could do anyway.
      const h = deepLinkHash(msg.hash);
      if (h === null) return;
      deepLink = h;
      if (renderer?.ready === true)
        renderer.port?.postMessage({ nbshield: 1, type: 'hash', hash: h });
    }
    return;
  }
  // Otherwise only our own renderer frame's `renderer-ready`; the rest comes over its port.
  if (renderer === null || event.source === null || event.source !== renderer.frame.contentWindow)
    return;
  const msg = parseFrameMessage(event.data);
  if (msg?.type === 'renderer-boot') {
    if (msg.nonce === renderer.nonce) {
      renderer.booted = true;
      hintKatex();
    }
    return;
  }
  if (msg !== null) onRendererReady(msg, event.ports[0]);
});

// ---- start ----

/**
 * A notebook too large for one runtime message arrives in parts: view/get, then view/text. Each
 * part is added to `t` as it comes, and its pieces go on to the renderer at once, unjoined.
 */
async function loadRest(t: ViewText): Promise<void> {
  while (t.received < t.total) {
    const part = await request({ type: 'view/text', viewId, offset: t.received });
    if (part.offset !== t.received || part.text.length === 0 || part.total !== t.total) {
      throw new Error('The notebook changed or ended early while it was being loaded.');
    }
    t.parts.push(part.text);
    t.received += part.text.length;
    if (renderer !== null && view?.text === t) sendRender(renderer);
  }
}

async function refresh(initial: boolean): Promise<void> {
  const { text: firstPart, textTotal, ...first } = await request({ type: 'view/get', viewId });
  const total = textTotal ?? firstPart.length;
  const old = view?.text;
  // Verdict refreshes re-ask view/get; the view's text never changes, so keep what we have.
  // The background's parts have fixed sizes, so the same text comes back with the same first part.
  const sameText = old !== undefined && old.total === total && old.parts[0] === firstPart;
  const text: ViewText =
    sameText && old !== undefined
      ? old
      : { parts: [firstPart], received: firstPart.length, total, sep: cellSeparator(firstPart) };
  const data: ViewData = { ...first, text };
  performance.mark('nbshield:view-received');
  const changed = !initial && (data.verdict.trusted !== verdict?.trusted || !sameText);
  view = data;
  verdict = data.verdict;
  settings = data.settings;
  applyTheme();
  ui.name.textContent = data.name;
  const raw = rawLinkFor(data.url);
  if (raw !== null && !raw.startsWith('file:')) {
    ui.raw.href = raw;
    ui.raw.hidden = false;
  }
  const out = linksOut(data.url, raw);
  for (const k of ['download', 'colab', 'nbviewer', 'binder'] as const) {
    const href = out[k];
    if (href !== undefined) {
      ui[k].href = href;
      ui[k].hidden = false;
    }
  }
  showVerdict();
  if (initial || changed) startRender();
  hintKatex();
  if (text.received < text.total) {
    text.loading ??= loadRest(text).finally(() => {
      delete text.loading;
    });
    await text.loading;
    performance.mark('nbshield:view-text-received');
    hintKatex();
  }
}

async function main(): Promise<void> {
  // Stage marks for the benchmark's navigation -> bytes breakdown (issue 5).
  performance.mark('nbshield:viewer-start');
  applyTheme();
  postState('loading');
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(viewId)) return fail('This view has no notebook.');
  preloadRenderer();
  try {
    await refresh(true);
  } catch (err) {
    return fail(errText(err));
  }
  // Trust changed elsewhere (popup, options page): records live in extension storage.
  let pending: ReturnType<typeof setTimeout> | undefined;
  ext()?.storage?.onChanged?.addListener((changes, area) => {
    // Trust records, keys and settings live in the local area (sync merges into it); view
    // bookkeeping and sync state change often and never alter a verdict.
    if (area !== 'local') return;
    if (!Object.keys(changes).some((k) => !/^(view[:s]|sync)/.test(k))) return;
    clearTimeout(pending);
    pending = setTimeout(() => {
      if (!busy) refresh(false).catch(() => undefined);
    }, 200);
  });
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

void main();
