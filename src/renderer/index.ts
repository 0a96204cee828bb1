// The sandboxed renderer: an opaque-origin page with no extension API. It renders the notebook its
// parent (the viewer) sends, cell by cell so the first cells paint fast. Only the trusted variant
// page, for a render the viewer marked trusted, ever runs output script.
import { parseFrameMessage, type FrameMessage } from '../core/protocol';
import { parseNotebook } from '../core/parse';
import { createSanitizer, SANITIZED_CONTAINER_CSS } from '../core/sanitize';
import { createNotebookRenderer, NOTEBOOK_CSS, type ScriptEntry } from '../core/render/index';
import { linkAction, nextChunkEnd } from './logic';
import { READING_CSS, Reading } from './reading';
import { runRich, type RichOutput } from './rich';

const ID_PREFIX = 'nb-';
// The variant is fixed by which page was loaded; no message can turn the untrusted page trusted.
const TRUSTED_PAGE = document.documentElement.dataset.variant === 'trusted';
const nonce = location.hash.slice(1);
const main = document.getElementById('nb') as HTMLElement;
let rendered = false;
let reading: Reading | null = null;

// Our end of a channel whose other end goes to the parent with `renderer-ready`: the viewer sends
// the notebook over it, so the text reaches this document only, never one the page navigated
// this frame to.
const channel = new MessageChannel();

function toViewer(msg: FrameMessage): void {
  channel.port1.postMessage(msg);
}

function showMessage(text: string): void {
  const box = document.createElement('div');
  box.className = 'nb-renderer-error';
  box.setAttribute('role', 'alert');
  box.textContent = text;
  main.replaceChildren(box);
}

function setTheme(t: 'light' | 'dark'): void {
  document.documentElement.dataset.theme = t;
  document.documentElement.style.colorScheme = t;
}

// ---- height ----

let lastPx = -1;
function postHeight(): void {
  const px = Math.ceil(document.documentElement.getBoundingClientRect().height);
  if (px === lastPx) return;
  lastPx = px;
  toViewer({ nbshield: 1, type: 'height', px });
}

// ---- rendering ----

function render(msg: Extract<FrameMessage, { type: 'render' }>): void {
  setTheme(msg.theme);
  // Timings for the benchmark (issue 5), readable in the frame: parse, first chunk, all cells.
  const t0 = performance.now();
  const timing = document.body.dataset;
  const parsed = parseNotebook(msg.text);
  timing.parseMs = String(Math.round(performance.now() - t0));
  if (!parsed.ok) {
    const m = `This is not a notebook nbshield can show: ${parsed.error.message}`;
    showMessage(m);
    toViewer({ nbshield: 1, type: 'render-error', message: m.slice(0, 4000) });
    return;
  }
  const nb = parsed.value;
  const trusted = TRUSTED_PAGE && msg.trusted;
  const sanitizer = createSanitizer(window, {
    allowRemoteImages: msg.allowRemoteImages,
    idPrefix: ID_PREFIX,
    ...(msg.baseUrl !== undefined ? { baseUrl: msg.baseUrl } : {}),
  });
  const r = createNotebookRenderer(nb, {
    trusted,
    sanitizer,
    allowRemoteImages: msg.allowRemoteImages,
    idPrefix: ID_PREFIX,
  });
  const style = document.createElement('style');
  style.textContent = `${NOTEBOOK_CSS}\n${SANITIZED_CONTAINER_CSS}\n${READING_CSS}`;
  document.head.append(style);

  const tpl = document.createElement('template');
  tpl.innerHTML = `${r.rootOpen()}</div>`;
  const root = tpl.content.firstElementChild as HTMLElement | null;
  if (root === null) return;
  main.replaceChildren(root);
  document.body.dataset.trust = trusted ? 'trusted' : 'untrusted';
  const rd = new Reading({ root, toViewer });
  reading = rd;

  const cells = nb.cells;
  let next = 0;
  let budgetMs = 8;
  const step = (): void => {
    try {
      const end = nextChunkEnd(
        cells.length,
        next,
        budgetMs,
        performance.now.bind(performance),
        (i) => {
          const cell = cells[i] as (typeof cells)[number];
          root.insertAdjacentHTML('beforeend', r.renderCell(cell));
          rd.decorateCell(root.lastElementChild, cell.source, cell.cell_type === 'code');
        },
      );
      next = end;
    } catch (err) {
      const m = `nbshield could not render this notebook: ${err instanceof Error ? err.message : String(err)}`;
      toViewer({ nbshield: 1, type: 'render-error', message: m.slice(0, 4000) });
      return;
    }
    postHeight();
    timing.firstChunkMs ??= String(Math.round(performance.now() - t0));
    if (next < cells.length) {
      budgetMs = 30;
      setTimeout(step, 0);
      return;
    }
    if (trusted) runScripts(root, r.scripts, nb.metadata, msg.theme);
    rd.finish(r.headings);
    timing.renderMs = String(Math.round(performance.now() - t0));
    toViewer({ nbshield: 1, type: 'rendered', cellCount: cells.length });
    postHeight();
    if (msg.hash !== undefined) scrollToHash(msg.hash);
  };
  step();
}

/** Trusted only: output scripts, in order, as Jupyter runs them (still in the opaque sandbox). */
function runScripts(
  root: HTMLElement,
  scripts: ScriptEntry[],
  notebookMetadata: RichOutput['notebookMetadata'],
  theme: RichOutput['theme'],
): void {
  if (!TRUSTED_PAGE) return;
  scripts.forEach((s, k) => {
    const box = root.querySelector<HTMLElement>(`[data-script-index="${k}"]`);
    if (box === null) return;
    try {
      if (s.kind === 'rich') {
        if (s.rich) void runRich(box, s.rich, { notebookMetadata, theme });
      } else if (s.kind === 'javascript') {
        const el = document.createElement('script');
        const g = window as unknown as { __nbshieldElement?: HTMLElement };
        g.__nbshieldElement = box;
        el.textContent = `(function (element) {\n${s.code}\n}).call(window, window.__nbshieldElement);`;
        box.append(el);
        delete g.__nbshieldElement;
      } else {
        // Scripts inserted through innerHTML never run: re-create each one in place, in order.
        for (const old of Array.from(box.querySelectorAll('script'))) {
          const el = document.createElement('script');
          for (const a of Array.from(old.attributes)) el.setAttribute(a.name, a.value);
          el.textContent = old.textContent;
          old.replaceWith(el);
        }
      }
    } catch (err) {
      console.warn('nbshield: an output script failed', err);
    }
  });
}

/**
 * A deep link (`#cell-12`, a heading's anchor) from the page URL. The frames around us grow to
 * our height a moment after the render, so the scroll is repeated a few times.
 */
function scrollToHash(hash: string): void {
  const go = (): void => {
    scrollToFragment(hash);
  };
  go();
  for (const ms of [150, 500, 1200]) setTimeout(go, ms);
}

function scrollToFragment(href: string): boolean {
  const action = linkAction(href, ID_PREFIX);
  if (action.kind !== 'fragment') return false;
  const el = action.ids.map((id) => document.getElementById(id)).find((x) => x !== null);
  el?.scrollIntoView({ block: 'start' });
  return el !== undefined;
}

// ---- links and forms: nothing navigates the sandbox ----

document.addEventListener(
  'click',
  (e) => {
    const target = e.target instanceof Element ? e.target : null;
    const a = target?.closest('a[href]');
    if (!a) return;
    const action = linkAction(a.getAttribute('href') ?? '', ID_PREFIX);
    e.preventDefault();
    if (action.kind === 'fragment') {
      scrollToFragment(a.getAttribute('href') ?? '');
    } else if (action.kind === 'external') {
      toViewer({ nbshield: 1, type: 'open-link', href: action.href });
    }
  },
  true,
);
document.addEventListener('submit', (e) => e.preventDefault(), true);

// ---- start ----

function start(): void {
  // Only ever inside the sandbox: an opaque origin (no extension API, no cookies) and framed.
  if (window.origin !== 'null' || window.parent === window) {
    showMessage('This page only works inside nbshield’s sandboxed viewer.');
    return;
  }
  const onMessage = (data: unknown): void => {
    const msg = parseFrameMessage(data);
    if (msg === null) return;
    if (msg.type === 'render' && !rendered) {
      rendered = true;
      render(msg);
    } else if (msg.type === 'theme') setTheme(msg.theme);
    else if (msg.type === 'command') reading?.command(msg.command);
    else if (msg.type === 'copied') reading?.copied(msg.ok);
  };
  channel.port1.onmessage = (event) => onMessage(event.data);
  // The parent (the viewer) may also post directly; nobody else is listened to.
  window.addEventListener('message', (event) => {
    if (event.source === null || event.source !== window.parent) return;
    onMessage(event.data);
  });
  new ResizeObserver(postHeight).observe(document.documentElement);
  const ready: FrameMessage = { nbshield: 1, type: 'renderer-ready', nonce };
  // An opaque document cannot name the extension origin; the port goes only to our parent.
  window.parent.postMessage(ready, '*', [channel.port2]);
}

start();
