// The sandboxed renderer: an opaque-origin page with no extension API. It renders the notebook its
// parent (the viewer) sends, cell by cell so the first cells paint fast. Only the trusted variant
// page, for a render the viewer marked trusted, ever runs output script.
import { parseFrameMessage, type FrameMessage } from '../core/protocol';
import { parseNotebookProgressive } from '../core/progressive';
import { PieceAssembler, type Pieces } from '../core/pieces';
import { createSanitizer, SANITIZED_CONTAINER_CSS } from '../core/sanitize';
// './base', not './index': KaTeX is loaded on demand (./engines), not bundled here (issue 5).
import { createNotebookRenderer, NOTEBOOK_CSS, type ScriptEntry } from '../core/render/base';
import type { Cell, CodeCell, Notebook } from '../core/model';
import {
  hasActiveOutputs,
  linkAction,
  mayWaitBesideScripts,
  nextChunkEnd,
  placeholderHtml,
} from './logic';
import { READING_CSS, Reading } from './reading';
import { installAmd, runOutputScript } from './cdn-loader';
import { runRich, type RichOutput } from './rich';
import { MathGate } from './engines';
import { setLargeImage } from './big-image';

performance.mark('nbshield:renderer-start');
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

/** The message in place of everything, and the viewer told so (it then removes this frame). */
function replaceWithMessage(text: string): void {
  showMessage(text);
  toViewer({ nbshield: 1, type: 'render-error', message: text.slice(0, 4000), replaced: true });
}

function setTheme(t: 'light' | 'dark'): void {
  document.documentElement.dataset.theme = t;
  document.documentElement.style.colorScheme = t;
}

// ---- height ----

let lastPx = -1;
let lastPostAt = -Infinity;
let heightTimer: ReturnType<typeof setTimeout> | undefined;
/**
 * Tells the viewer our height. Every change resizes both frames and lays this document out
 * again, so while cells stream in it is sent at most every 300 ms (and once more at the end).
 */
function postHeight(now = false): void {
  const since = performance.now() - lastPostAt;
  if (!now && since < HEIGHT_EVERY_MS) {
    heightTimer ??= setTimeout(() => {
      heightTimer = undefined;
      postHeight(true);
    }, HEIGHT_EVERY_MS - since);
    return;
  }
  const px = Math.ceil(document.documentElement.getBoundingClientRect().height);
  if (px === lastPx) return;
  lastPx = px;
  lastPostAt = performance.now();
  toViewer({ nbshield: 1, type: 'height', px });
}
const HEIGHT_EVERY_MS = 300;

// ---- rendering ----

// Cells go in groups (CellGroups). Far off screen, a group's cells skip layout and paint: the
// frame is as tall as the notebook, so without this every frame painted and layerized the whole
// document (issue 5: 100-500 ms tasks on 20-100 MB notebooks, growing with the DOM). One skipped
// box per group, not per cell: Chromium checks every content-visibility:auto box in every frame
// (with one per cell, 60-150 ms frames near the end of a 100 MB render). A group's probe reaches
// 1500 px beyond it and shows its cells before they scroll into view (`nb-group-near`), so the
// probes of its placeholders (LazyCells) are laid out in time; the root clips the probes so the
// document does not grow past its content. Printing (and `beforeprint`, which renders every
// cell) shows everything.
const GROUP_CSS = `
.nb-notebook{overflow-y:clip}
.nb-cell-group{position:relative}
.nb-group-body{content-visibility:auto}
.nb-group-body.nb-group-near,.nb-notebook.nb-printing .nb-group-body{content-visibility:visible!important}
@media print{.nb-group-body{content-visibility:visible!important}}
.nb-group-probe{position:absolute;left:0;width:1px;top:-1500px;bottom:-1500px;visibility:hidden;pointer-events:none}`;
// The viewer sizes this frame to the document on each height message, sent at most every 300
// ms; a document grown in between (cells rendering near the viewport) must not bring up a
// scrollbar inside the frame, which also narrows and re-wraps the whole document. The page
// scrolls, not the frame; a wide output still scrolls sideways (overflow-x stays auto).
const FRAME_CSS = `html{overflow-y:hidden}`;
const LAZY_CSS = `
.nb-pending{position:relative}
.nb-pending-outputs{overflow:hidden}
.nb-pending-text{margin:0 0 0 88px;padding:4px 10px;white-space:pre-wrap;font:13px/17px ui-monospace,SFMono-Regular,Menlo,monospace;color:var(--nb-muted,#59636e)}
.nb-lazy-probe{position:absolute;left:0;width:1px;top:-1500px;bottom:-1500px;visibility:hidden;pointer-events:none}
`;

type RenderMsg = Extract<FrameMessage, { type: 'render' }>;

// A task boundary without setTimeout's 4 ms clamp: the parse of a large notebook is many slices.
const yieldChannel = new MessageChannel();
const yieldQueue: Array<() => void> = [];
yieldChannel.port1.onmessage = () => yieldQueue.shift()?.();
function nextTask(fn: () => void): void {
  yieldQueue.push(fn);
  yieldChannel.port2.postMessage(0);
}

/** Parse slices this long at most, then let the frame paint and handle input (issue 5). */
const PARSE_SLICE_MS = 30;
/**
 * While cells are handed over as they are parsed: this much parse, then this much rendering of
 * the cells read, per task, until the first screen is full; then the parse goes on alone in full
 * slices and the rest renders after it, as before. The first slice is short so the first screen
 * paints early. (Rendering on while parsing made every later parse slice pay for a frame over a
 * growing DOM: every cell in the DOM took up to 1.5x as long on 20-100 MB.)
 */
const STREAM_PARSE_MS = 18;
const STREAM_FIRST_PARSE_MS = 6;
const STREAM_RENDER_MS = 15;

function parseError(message: string): void {
  const m = `This is not a notebook nbshield can show: ${message}`;
  replaceWithMessage(m);
}

/**
 * The view being rendered, and whether a piece that came wrong stopped it (piecesError). Kept
 * here, not in a closure of render(), whose scope holds the parser and so the text.
 */
let liveView: NotebookView | null = null;
let renderStopped = false;

/**
 * `t0`: when the text (its first piece) arrived (the benchmark's "after the bytes"). `text`: the
 * whole text, or its pieces (core/pieces), which the progressive parse reads in place.
 */
function render(msg: RenderMsg, text: string | Pieces, t0: number): void {
  setTheme(msg.theme);
  // Timings for the benchmark (issue 5), readable in the frame: parse, first chunk, all cells.
  const timing = document.body.dataset;
  const { text: _first, ...opts } = msg; // the text stays with the parser only
  let sliceStart = performance.now();
  let sliceMs = PARSE_SLICE_MS;
  const shouldPause = (): boolean => performance.now() - sliceStart >= sliceMs;
  // The first screen before the whole parse: cells render as they are read (core/progressive),
  // trusted or not; a trusted notebook's scripts wait for the whole parse (renderNotebook).
  const stream = parseNotebookProgressive(text, shouldPause);
  let view: NotebookView | null = null;
  let restarted = false;
  sliceMs = STREAM_FIRST_PARSE_MS;
  const go = (): void => {
    if (renderStopped) return;
    sliceStart = performance.now();
    const result = stream.step();
    timing.firstStepMs ??= String(Math.round(performance.now() - sliceStart));
    if (view !== null && stream.restarts > 0) {
      // The progressive path gave up after showing cells (a layout it misread): start over with
      // the whole parse's notebook, or its error.
      view.dispose();
      view = null;
      liveView = null;
      restarted = true;
    }
    timing.parsePath = stream.path;
    if (result !== null) {
      timing.parseMs = String(Math.round(performance.now() - t0));
      timing.cellsParsed = String(result.ok ? result.value.cells.length : 0);
      if (!result.ok) {
        // Cells already shown give way to the message: the document as a whole is not valid.
        view?.dispose();
        parseError(result.error.message);
        return;
      }
      if (restarted) timing.parseRestarted = 'true';
      view ??= renderNotebook(result.value, opts, t0);
      liveView = view;
      view.parsed();
      return;
    }
    if (view === null && stream.notebook !== null && !restarted) {
      view = renderNotebook(stream.notebook, opts, t0);
      liveView = view;
    }
    if (view !== null && !view.firstScreenFull()) {
      if (view.renderSome(STREAM_RENDER_MS)) sliceMs = STREAM_PARSE_MS;
    } else if (view !== null) sliceMs = PARSE_SLICE_MS;
    nextTask(go);
  };
  go();
}

/**
 * Sizes above which one output waits for a click (issue 5: no multi-second task in the frame).
 * Measured here: a 20 MB table held the frame for about 20 s before this, a 4.5 MB one takes
 * 3-4 s after its click. The corpus' largest HTML output (2.4 MB) stays under the limit.
 */
const LARGE_HTML_CHARS = 4 * 1024 * 1024;
const LARGE_STREAM_REST_CHARS = 2 * 1024 * 1024;
/** Image data: URIs above this are set as a property, not parsed as HTML (core largeImageChars). */
const LARGE_IMAGE_CHARS = 512 * 1024;

/** A notebook being put in the DOM (see renderNotebook). */
interface NotebookView {
  /**
   * Renders cells read so far, for about `budgetMs` (while the parse goes on). True once the
   * first cells are in the DOM.
   */
  renderSome(budgetMs: number): boolean;
  /** Whether the first screens are rendered (further code cells would be placeholders). */
  firstScreenFull(): boolean;
  /** Every cell is read: render the rest in chunks of its own, then finish (TOC, lazy cells). */
  parsed(): void;
  /** Stop and take the view away (a later error or a restarted parse replaces it). */
  dispose(): void;
}

/**
 * Starts the view of `nb`. Its `cells` may still be growing (cells handed over as parsed):
 * chunks render what is there, and the end (TOC, lazy cells, `rendered`) waits for `parsed()`.
 */
function renderNotebook(nb: Notebook, msg: Omit<RenderMsg, 'text'>, t0: number): NotebookView {
  const timing = document.body.dataset;
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
    maxHtmlOutputChars: LARGE_HTML_CHARS,
    maxStreamRestChars: LARGE_STREAM_REST_CHARS,
    largeImageChars: LARGE_IMAGE_CHARS,
  });
  const style = document.createElement('style');
  style.textContent = `${NOTEBOOK_CSS}\n${SANITIZED_CONTAINER_CSS}\n${READING_CSS}\n${GROUP_CSS}\n${LAZY_CSS}\n${FRAME_CSS}`;
  document.head.append(style);

  const tpl = document.createElement('template');
  tpl.innerHTML = `${r.rootOpen()}</div>`;
  const root = tpl.content.firstElementChild as HTMLElement;
  main.replaceChildren(root);
  let disposed = false;
  let allParsed = false;
  document.body.dataset.trust = trusted ? 'trusted' : 'untrusted';
  const rd = new Reading({ root, toViewer });
  window.addEventListener('beforeprint', () => root.classList.add('nb-printing'));
  window.addEventListener('afterprint', () => root.classList.remove('nb-printing'));
  reading = rd;

  // The parsed notebook is let go once every cell is in the DOM (`cells` emptied): what stays is
  // what later renders need, the placeholders' cells (LazyCells) and the cells with an output
  // left for its "Render it" button. Every closure made here shares one scope, so a listener
  // that referred to `nb` would keep the whole notebook, and the text it was sliced from, alive.
  let cells: readonly Cell[] = nb.cells;
  const notebookMetadata = trusted ? nb.metadata : {};
  const largeCells = new Map<number, Cell>();
  // Cells with math wait for KaTeX, which starts loading once a cell read so far has math.
  const math = new MathGate();
  // An output left unrendered for its size: its "Render it" button renders the cell in full.
  root.addEventListener('click', (e) => {
    const button = e.target instanceof Element ? e.target.closest('.nb-large-show') : null;
    if (!(button instanceof HTMLButtonElement) || button.disabled) return;
    const cellEl = button.closest<HTMLElement>('.nb-cell[data-cell-index]');
    const cell = largeCells.get(Number(cellEl?.dataset.cellIndex));
    if (!cellEl || !cell) return;
    button.disabled = true;
    button.textContent = 'Rendering…';
    // After KaTeX if the cell needs it; then two frames: the "Rendering…" state paints before
    // the long task starts.
    const ready = math.wait(cell) ?? Promise.resolve();
    void ready.then(() =>
      requestAnimationFrame(() =>
        setTimeout(() => {
          const el = replaceCellElement(cellEl, r.renderCellInFull(cell));
          if (el === null) return;
          cellDone(el, cell);
          if (trusted) runScripts(root, r.scripts, notebookMetadata, msg.theme, lazyScriptsRun());
          postHeight(true);
        }, 0),
      ),
    );
  });
  // Lazy (issue 5): the first screen is rendered at once; further code cells get a placeholder
  // (their source as plain text, for find-in-page) and are rendered when they come near the
  // viewport. Markdown and raw cells are always rendered in order: the TOC needs every heading,
  // heading slugs and KaTeX macros are numbered in notebook order. In a trusted notebook whose
  // outputs may run script, the cells with a script or with markup a script may look for are
  // rendered in order too, so every script runs in notebook order over the DOM it expects.
  // A trusted notebook is undecided (null) until parsed(), every cell read: its first screen
  // is rendered in full meanwhile, and no cell becomes a placeholder before the decision.
  let mayWait: ((cell: CodeCell) => boolean) | null = trusted ? null : () => true;
  const firstScreenPx = 2 * Math.max(900, screen.availHeight || 0);
  let firstScreen = true;
  const cellDone = (el: Element | null, cell: Cell): void => {
    // The sanitizer never lets an output set data-nbshield-*: these are core's own <img>s.
    for (const img of Array.from(el?.querySelectorAll('img[data-nbshield-image]') ?? [])) {
      const k = Number(img.getAttribute('data-nbshield-image'));
      const image = r.images[k];
      img.removeAttribute('data-nbshield-image');
      // Each index is used once (a cell rendered again gets new ones): let the string go.
      delete r.images[k];
      if (image && img instanceof HTMLImageElement) setLargeImage(img, image, nextTask);
    }
    if (el?.querySelector('.nb-large-show') != null) largeCells.set(cell.index, cell);
    else largeCells.delete(cell.index);
    rd.decorateCell(el, cell.source, cell.cell_type === 'code');
  };
  const groups = new CellGroups(root);
  const lazyCells = new LazyCells(
    (html) => groups.append(html),
    (cell) => r.renderCell(cell),
    (cell) => math.wait(cell) === null,
    cellDone,
    () =>
      trusted
        ? runScripts(root, r.scripts, notebookMetadata, msg.theme, lazyScriptsRun())
        : undefined,
  );
  let scriptsRun = 0;
  const lazyScriptsRun = (): number => {
    const from = scriptsRun;
    scriptsRun = r.scripts.length;
    return from;
  };
  let next = 0;
  /** Set when a chunk stopped at a cell that waits for KaTeX: its load. */
  let mathWait: Promise<void> | null = null;
  /** Renders cells from `next` for `budgetMs`; false when that failed (the error is shown). */
  const chunk = (budgetMs: number): boolean => {
    math.look(cells);
    mathWait = null;
    try {
      next = nextChunkEnd(cells.length, next, budgetMs, performance.now.bind(performance), (i) => {
        const cell = cells[i] as (typeof cells)[number];
        if (firstScreen && root.getBoundingClientRect().bottom > firstScreenPx) firstScreen = false;
        if (cell.cell_type === 'code' && mayWait !== null && mayWait(cell) && !firstScreen) {
          lazyCells.addPlaceholder(cell);
          return;
        }
        mathWait = math.wait(cell);
        if (mathWait !== null) return false;
        cellDone(groups.append(r.renderCell(cell)), cell);
      });
    } catch (err) {
      const m = `nbshield could not render this notebook: ${err instanceof Error ? err.message : String(err)}`;
      toViewer({ nbshield: 1, type: 'render-error', message: m.slice(0, 4000) });
      disposed = true;
      return false;
    }
    // No postHeight() here: it would force a layout inside every chunk; the ResizeObserver
    // reports the height after the browser's own layout.
    if (next > 0 && timing.firstChunkMs === undefined) {
      timing.firstChunkMs = String(Math.round(performance.now() - t0));
      // Issue 5's marker: how many cells were parsed when the first ones were in the DOM.
      timing.firstChunkParsed = allParsed ? 'all' : String(cells.length);
    }
    return true;
  };
  let budgetMs = 8;
  const step = (): void => {
    if (disposed || !chunk(budgetMs)) return;
    // Held at a cell with math until KaTeX is in; the cells before it are on screen meanwhile.
    const held = mathWait ?? (next < cells.length ? null : math.pending());
    if (held !== null) {
      void held.then(() => nextTask(step));
      return;
    }
    if (next < cells.length) {
      // 20 ms of cells leave room for their style and layout within a 50 ms frame task.
      budgetMs = 20;
      nextTask(step);
      return;
    }
    timing.firstChunkMs ??= String(Math.round(performance.now() - t0));
    if (trusted) runScripts(root, r.scripts, notebookMetadata, msg.theme, lazyScriptsRun());
    rd.finish(r.headings);
    timing.renderMs = String(Math.round(performance.now() - t0));
    timing.pending = String(lazyCells.pendingCount());
    lazyCells.start();
    toViewer({ nbshield: 1, type: 'rendered', cellCount: cells.length });
    cells = [];
    postHeight(true);
    if (msg.hash !== undefined) scrollToHash(msg.hash);
  };
  return {
    renderSome(ms: number): boolean {
      if (!disposed && next < cells.length) chunk(next === 0 ? 8 : ms);
      return next > 0;
    },
    firstScreenFull: () => !firstScreen,
    parsed(): void {
      allParsed = true;
      // No placeholder was made before: with scripts, only cells they cannot need may wait.
      mayWait ??= hasActiveOutputs(cells) ? mayWaitBesideScripts : () => true;
      step();
    },
    dispose(): void {
      disposed = true;
      cells = [];
      largeCells.clear();
      lazyCells.stop();
      groups.stop();
      style.remove();
      if (reading === rd) reading = null;
      main.replaceChildren();
    },
  };
}

/**
 * Puts a cell's new HTML where its old element was (a placeholder, or a cell rendered with size
 * limits). j/k focus lives on the cell box: its tabindex, and the focus if it was inside, are
 * handed over to the new element.
 */
function replaceCellElement(old: Element, html: string): Element | null {
  const tpl = document.createElement('template');
  tpl.innerHTML = html;
  const el = tpl.content.firstElementChild;
  if (el === null) return null;
  const focused = old.contains(document.activeElement);
  const tabindex = old.getAttribute('tabindex');
  old.replaceWith(el);
  if (tabindex !== null) el.setAttribute('tabindex', tabindex);
  if (focused && el instanceof HTMLElement) el.focus({ preventScroll: true });
  return el;
}

/** Cells per group: small enough to lay out at once, large enough to keep the groups few. */
const GROUP_CELLS = 40;
/** A group not laid out yet is this tall per cell until it is (as a skipped cell was). */
const GROUP_CELL_PX = 200;

/**
 * The notebook's cells in groups of GROUP_CELLS, each `.nb-cell-group > .nb-group-probe +
 * .nb-group-body > .nb-cell...` (see GROUP_CSS). The group whose probe is near the viewport
 * has its body shown; the others are skipped while off screen.
 */
class CellGroups {
  private body: HTMLElement | null = null;
  private count = 0;
  private readonly io = new IntersectionObserver((entries) => {
    for (const e of entries) {
      e.target.nextElementSibling?.classList.toggle('nb-group-near', e.isIntersecting);
    }
  });
  constructor(private readonly root: HTMLElement) {}

  /** Puts `html` (one cell) at the end of the last group; the cell's element. */
  append(html: string): Element | null {
    let body = this.body;
    if (body === null || this.count >= GROUP_CELLS) {
      const group = document.createElement('div');
      group.className = 'nb-cell-group';
      const probe = document.createElement('span');
      probe.className = 'nb-group-probe';
      probe.setAttribute('aria-hidden', 'true');
      body = document.createElement('div');
      body.className = 'nb-group-body';
      group.append(probe, body);
      this.root.append(group);
      this.io.observe(probe);
      this.body = body;
      this.count = 0;
    }
    body.insertAdjacentHTML('beforeend', html);
    this.count += 1;
    body.style.containIntrinsicSize = `auto ${this.count * GROUP_CELL_PX}px`;
    return body.lastElementChild;
  }

  stop(): void {
    this.io.disconnect();
  }
}

/**
 * Code cells not rendered yet. Each placeholder holds a probe box reaching 1500 px above and
 * below it: the observer's root margin does not apply to a cross-origin frame's content (the
 * implicit root is the top-level viewport), so the probe makes a cell render before it scrolls
 * into view. Cells render in chunks of about 20 ms, in notebook order; `beforeprint` renders all.
 */
class LazyCells {
  /** Placeholders by cell index, with their cells (the only reference kept to a far cell). */
  private readonly pending = new Map<number, { el: Element; cell: Cell }>();
  private readonly queue = new Set<number>();
  private readonly io: IntersectionObserver;
  private scheduled = false;
  constructor(
    /** Puts a cell's HTML at the end of the notebook; its element. */
    private readonly place: (html: string) => Element | null,
    private readonly html: (cell: Cell) => string,
    /** False while the cell waits for KaTeX (only before the first pass ends: printing then). */
    private readonly ready: (cell: Cell) => boolean,
    private readonly done: (el: Element | null, cell: Cell) => void,
    private readonly afterCells: () => void,
  ) {
    this.io = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        const i = Number((e.target.parentElement as HTMLElement | null)?.dataset.cellIndex);
        if (this.pending.has(i)) this.queue.add(i);
      }
      this.schedule();
    });
    window.addEventListener('beforeprint', () => this.renderAll());
  }

  addPlaceholder(cell: CodeCell): void {
    const el = this.place(placeholderHtml(cell));
    if (el !== null) this.pending.set(cell.index, { el, cell });
  }

  pendingCount(): number {
    return this.pending.size;
  }

  /** The view was taken away: render nothing more. */
  stop(): void {
    this.io.disconnect();
    this.pending.clear();
    this.queue.clear();
  }

  /** After the first pass: watch the placeholders. */
  start(): void {
    for (const { el } of this.pending.values()) {
      const probe = el.querySelector(':scope > .nb-lazy-probe');
      if (probe !== null) this.io.observe(probe);
    }
  }

  private schedule(): void {
    if (this.scheduled || this.queue.size === 0) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      const order = [...this.queue].sort((a, b) => a - b);
      const end = nextChunkEnd(order.length, 0, 20, performance.now.bind(performance), (k) =>
        this.renderOne(order[k] as number),
      );
      for (const i of order.slice(0, end)) this.queue.delete(i);
      this.afterCells();
      this.schedule();
    }, 0);
  }

  private renderOne(i: number): void {
    const entry = this.pending.get(i);
    if (entry === undefined || !this.ready(entry.cell)) return;
    const { el: ph, cell } = entry;
    this.pending.delete(i);
    const probe = ph.querySelector(':scope > .nb-lazy-probe');
    if (probe !== null) this.io.unobserve(probe);
    const el = replaceCellElement(ph, this.html(cell));
    if (el === null) return;
    this.done(el, cell);
  }

  /** Everything, now (print, and anything that needs every cell in the DOM). */
  renderAll(): void {
    for (const i of [...this.pending.keys()].sort((a, b) => a - b)) this.renderOne(i);
    this.queue.clear();
    this.afterCells();
  }
}

/**
 * Trusted only: output scripts, in order, as Jupyter runs them (still in the opaque sandbox).
 * Entries before `from` have run already (cells rendered later run only their own).
 */
function runScripts(
  root: HTMLElement,
  scripts: ScriptEntry[],
  notebookMetadata: RichOutput['notebookMetadata'],
  theme: RichOutput['theme'],
  from = 0,
): void {
  if (!TRUSTED_PAGE) return;
  // Jupyter's classic notebook has requirejs; Altair and Plotly outputs use it when present.
  if (scripts.some((s) => s.kind !== 'rich')) installAmd();
  scripts.forEach((s, k) => {
    if (k < from) return;
    const box = root.querySelector<HTMLElement>(`[data-script-index="${k}"]`);
    if (box === null) return;
    try {
      if (s.kind === 'rich') {
        if (s.rich) void runRich(box, s.rich, { notebookMetadata, theme });
      } else {
        runOutputScript(box, s);
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
  if (el !== undefined) scrollAndHold(el);
  return el !== undefined;
}

/** How often, how long at most, and after how long without a move a hold ends (ms). */
const HOLD_EVERY_MS = 100;
const HOLD_MAX_MS = 4000;
const HOLD_QUIET_MS = 1000;
let holdTimer: ReturnType<typeof setTimeout> | undefined;
const endHold = (): void => {
  clearTimeout(holdTimer);
  holdTimer = undefined;
};
for (const type of ['wheel', 'pointerdown', 'keydown', 'touchstart'])
  window.addEventListener(type, endHold, { capture: true, passive: true });

/**
 * Scrolls `el` to the top, and keeps it there while the cells around it are laid out. A group
 * of cells far away is GROUP_CELL_PX a cell tall until it comes near, so a jump far down lands
 * where that estimate put the target, and the groups above it then grow (26,000 px on a test
 * notebook); the page that scrolls is the top-level one, whose scroll anchoring cannot see into
 * this frame. So the scroll is redone whenever the target moved in this document, until it has
 * stayed put for HOLD_QUIET_MS, or the reader scrolls, clicks or types here.
 */
function scrollAndHold(el: Element): void {
  endHold();
  el.scrollIntoView({ block: 'start' });
  let top = el.getBoundingClientRect().top;
  const started = performance.now();
  let movedAt = started;
  const tick = (): void => {
    const now = performance.now();
    if (!el.isConnected || now - started > HOLD_MAX_MS || now - movedAt > HOLD_QUIET_MS) {
      holdTimer = undefined;
      return;
    }
    const at = el.getBoundingClientRect().top;
    if (Math.abs(at - top) > 1) {
      el.scrollIntoView({ block: 'start' });
      top = el.getBoundingClientRect().top;
      movedAt = now;
    }
    holdTimer = setTimeout(tick, HOLD_EVERY_MS);
  };
  holdTimer = setTimeout(tick, HOLD_EVERY_MS);
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

// ---- a text in pieces (issue 5) ----

/**
 * A render whose text comes in pieces: `render` with the first piece and the total, then one
 * `render-text` per piece, each deserialized in a task of its own (a 93 MB string in one message
 * held this frame 350 ms to over 1 s). The pieces are checked as they come and never joined; the
 * parse starts once the last one is in.
 */
let incoming: { msg: RenderMsg | null; t0: number; pieces: PieceAssembler } | null = null;
let piecesFailed = false;

function startPieces(msg: RenderMsg, t0: number): void {
  setTheme(msg.theme);
  const pieces = new PieceAssembler(msg.text, msg.textTotal ?? 0);
  // Stripped of its text: the pieces hold it.
  incoming = { msg: { ...msg, text: '' }, t0, pieces };
  if (pieces.error !== null) piecesError(pieces.error);
  else document.body.dataset.textPieces = String(pieces.count);
}

function onPiece(offset: number, text: string): void {
  const inc = incoming;
  if (inc === null) {
    piecesError(
      rendered
        ? `a piece at offset ${offset} came after the whole text`
        : `a piece at offset ${offset} came before the notebook's start`,
    );
    return;
  }
  const err = inc.pieces.add(offset, text);
  if (err !== null) {
    piecesError(err);
    return;
  }
  document.body.dataset.textPieces = String(inc.pieces.count);
  if (inc.pieces.complete && inc.msg !== null) {
    // For the bench: the whole text is here (the clock of "after the bytes" starts at the first).
    performance.mark('nbshield:text-complete');
    const msg = inc.msg;
    inc.msg = null;
    render(msg, inc.pieces.takePieces(), inc.t0);
  }
}

/** A piece came wrong: the message, in place of whatever was shown, never a blank frame. */
function piecesError(why: string): void {
  if (piecesFailed) return;
  piecesFailed = true;
  rendered = true;
  renderStopped = true;
  liveView?.dispose();
  liveView = null;
  const m = `nbshield did not receive this notebook whole: ${why}. Reload the page to try again.`;
  replaceWithMessage(m);
}

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
      const t0 = performance.now();
      if (msg.textTotal === undefined) render(msg, msg.text, t0);
      else startPieces(msg, t0);
    } else if (msg.type === 'render-text') onPiece(msg.offset, msg.text);
    else if (msg.type === 'theme') setTheme(msg.theme);
    else if (msg.type === 'command') reading?.command(msg.command, msg.focus === true);
    else if (msg.type === 'hash' && rendered) scrollToHash(msg.hash);
    else if (msg.type === 'copied') reading?.copied(msg.ok);
  };
  channel.port1.onmessage = (event) => onMessage(event.data);
  // The parent (the viewer) may also post directly; nobody else is listened to.
  window.addEventListener('message', (event) => {
    if (event.source === null || event.source !== window.parent) return;
    onMessage(event.data);
  });
  new ResizeObserver(() => postHeight()).observe(document.documentElement);
  const ready: FrameMessage = { nbshield: 1, type: 'renderer-ready', nonce };
  // An opaque document cannot name the extension origin; the port goes only to our parent.
  performance.mark('nbshield:renderer-ready');
  window.parent.postMessage(ready, '*', [channel.port2]);
}

start();
