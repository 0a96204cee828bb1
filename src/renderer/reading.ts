// Reading comforts inside the sandboxed renderer: table of contents, copy buttons, show/hide all
// code, line numbers, j/k between cells, deep links. Nothing here runs notebook content: the
// TOC's text comes from the renderer's heading list and is set as text, never as HTML.
import type { FrameMessage, ReadingCommand } from '../core/protocol';
import type { HeadingEntry } from '../core/render/types';
import { readingKey } from '../core/reading';
import { contrastFix, lineNumbers, parseRgb, stepCell, tocEntries } from './reading-logic';
import { detached } from './logic';

// Boxes that scroll sideways (wide code, tables, outputs): the keyboard must be able to reach them.
const SCROLLERS =
  'pre, table, .nb-sanitized, .nb-input-area, .nb-output-area, .nb-html-output, .nb-latex-output, .katex-display';
const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]';

// Text outputs a reader may want to copy; a block of outputs this long gets a collapse toggle.
const OUTPUT_TEXT = 'pre.nb-stream, pre.nb-text-output, pre.nb-error';
const LONG_OUTPUT_LINES = 40;
const CHECK_BUDGET_MS = 20;

function countLines(text: string): number {
  let n = text === '' ? 0 : 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n += 1;
  return n;
}

function copyButton(label: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'nb-copy';
  b.dataset.nbAction = 'copy';
  b.setAttribute('aria-label', label);
  b.title = label;
  return b;
}

export const READING_CSS = `
.nb-toc{margin:0 0 12px;padding:8px 12px;border:1px solid rgba(128,128,128,.35);border-radius:6px;font-size:14px}
.nb-toc[hidden]{display:none}
.nb-toc-title{font-weight:600;margin:0 0 4px}
.nb-toc ol{list-style:none;margin:0;padding:0}
.nb-toc li{margin:2px 0}
.nb-cell:focus{outline:2px solid #0969da;outline-offset:2px}
.nb-cell:focus:not(:focus-visible){outline:2px solid #0969da}
.nb-scroll-region:focus-visible,.nb-notebook :is(h1,h2,h3,h4,h5,h6):focus-visible{outline:2px solid #0969da;outline-offset:1px}
.nb-notebook :is(h1,h2,h3,h4,h5,h6):focus:not(:focus-visible){outline:none}
.nb-input-area,.nb-output-area.nb-has-copy{position:relative}
.nb-collapse{display:block;margin:2px 0 2px 88px;padding:0 6px;font:12px/18px sans-serif;border:1px solid rgba(128,128,128,.5);border-radius:4px;background:transparent;color:var(--nb-muted,#59636e);cursor:pointer}
.nb-collapse:focus-visible{outline:2px solid #0969da;outline-offset:1px}
.nb-outputs.nb-outputs-collapsed > .nb-output{max-height:160px;overflow:hidden;-webkit-mask-image:linear-gradient(#000 60%,transparent);mask-image:linear-gradient(#000 60%,transparent)}
@media print{.nb-copy,.nb-collapse{display:none}.nb-outputs.nb-outputs-collapsed > .nb-output{max-height:none;-webkit-mask-image:none;mask-image:none}}
.nb-copy{position:absolute;top:4px;right:4px;font:12px/18px sans-serif;padding:0 6px;border:1px solid rgba(128,128,128,.5);border-radius:4px;background:#f6f8fa;color:#1f2328;cursor:pointer;opacity:.85}
.nb-copy:hover,.nb-copy:focus{opacity:1}
.nb-copy:focus-visible{outline:2px solid #0969da;outline-offset:1px}
.nb-copy::before{content:'Copy'}
.nb-copy[data-state='copied']::before{content:'Copied'}
.nb-copy[data-state='selected']::before{content:'Selected: press Ctrl+C'}
.nb-notebook.nb-code-hidden .nb-code-cell > .nb-input,.nb-notebook.nb-code-hidden .nb-code-cell > .nb-hidden-input{display:none}
.nb-lines{display:none}
.nb-notebook.nb-line-numbers .nb-input-area{display:flex}
.nb-notebook.nb-line-numbers .nb-input-area > .nb-source{flex:1;min-width:0}
.nb-notebook.nb-line-numbers .nb-lines{display:block;margin:0;padding:inherit;padding-right:8px;text-align:right;color:var(--nb-muted,#59636e);user-select:none;border-right:1px solid rgba(128,128,128,.35)}
`;

export interface ReadingOptions {
  root: HTMLElement;
  toViewer: (msg: FrameMessage) => void;
}

export class Reading {
  private toc: HTMLElement | null = null;
  private sources = new Map<Element, string>();
  private codeHidden = false;
  private lines = false;
  private hasTabStop = false;
  /** Cells whose boxes still need the accessibility pass (it measures, so it runs batched). */
  private pending = new Set<Element>();
  private pendingTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * The first pass is over (finish()). The accessibility pass waits for it: its measurements
   * force a layout of whatever was inserted since the last one, which between render chunks
   * was a layout per chunk, half a second on a math-heavy notebook (issue 5).
   */
  private firstPassDone = false;
  /** Colours we set for readable contrast, undone when the theme changes. */
  private colourFixed = new Set<HTMLElement>();
  constructor(private readonly o: ReadingOptions) {
    document.addEventListener('keydown', (e) => this.onKey(e));
    let resized: ReturnType<typeof setTimeout> | undefined;
    // Only a new width changes which boxes scroll: the frame's height follows its content, so
    // it changes with every chunk rendered, and a recheck of every cell then forced a layout
    // per cell while the notebook was still rendering (issue 5).
    let width = window.innerWidth;
    window.addEventListener('resize', () => {
      if (window.innerWidth === width) return;
      width = window.innerWidth;
      clearTimeout(resized);
      resized = setTimeout(() => this.recheckAll(), 200);
    });
    // The theme changes the colours an author's background is read against.
    new MutationObserver(() => this.recheckAll()).observe(document.documentElement, {
      attributes: true,
      attributeFilter: ['data-theme'],
    });
  }

  /**
   * A cell just inserted: the first one is the notebook's tab stop (j/k rove from there); its
   * scrolling boxes and author colours get the accessibility pass; code cells get a copy button
   * and a (hidden) line-number gutter.
   */
  decorateCell(cell: Element | null, source: string, isCode: boolean): void {
    if (cell === null) return;
    if (cell instanceof HTMLElement && cell.classList.contains('nb-cell')) {
      // The first cell, or a lazily rendered one that took over a placeholder's tab stop.
      if (!this.hasTabStop || cell.getAttribute('tabindex') === '0') this.makeTabStop(cell);
      this.hasTabStop = true;
    }
    this.queueCheck(cell);
    if (!isCode) return;
    this.decorateOutputs(cell);
    const area = cell.querySelector(':scope > .nb-input .nb-input-area');
    const pre = area?.querySelector(':scope > pre.nb-source');
    if (area == null || pre == null) return;
    this.sources.set(cell, detached(source));
    const gutter = document.createElement('pre');
    gutter.className = 'nb-lines';
    gutter.setAttribute('aria-hidden', 'true');
    gutter.textContent = lineNumbers(source);
    area.insertBefore(gutter, pre);
    const b = copyButton('Copy the code');
    b.addEventListener('click', (e) => {
      e.preventDefault();
      e.stopPropagation();
      void this.copy(b, cell, pre);
    });
    area.append(b);
  }

  /**
   * Text outputs (streams, plain text, errors) get a copy button; a long output block gets a
   * "Collapse output" toggle. Long is estimated from lines and images, without layout: measuring
   * every cell as it streams in would force a layout each time.
   */
  private decorateOutputs(cell: Element): void {
    const block = cell.querySelector<HTMLElement>(':scope .nb-outputs');
    if (block === null) return;
    let lines = 0;
    for (const area of Array.from(block.querySelectorAll<HTMLElement>('.nb-output-area'))) {
      const pres = Array.from(area.querySelectorAll<HTMLElement>(OUTPUT_TEXT));
      const text = pres.map((p) => p.textContent ?? '').join('\n');
      lines += countLines(text) + area.querySelectorAll('img, svg, table tr').length * 2;
      if (pres.length === 0 || text.trim() === '') continue;
      area.classList.add('nb-has-copy');
      const b = copyButton('Copy the output');
      b.addEventListener('click', (e) => {
        e.preventDefault();
        e.stopPropagation();
        void this.copyText(b, text, pres[0] as HTMLElement);
      });
      area.append(b);
    }
    if (lines < LONG_OUTPUT_LINES) return;
    const t = document.createElement('button');
    t.type = 'button';
    t.className = 'nb-collapse';
    t.dataset.nbAction = 'collapse';
    const set = (collapsed: boolean): void => {
      block.classList.toggle('nb-outputs-collapsed', collapsed);
      t.setAttribute('aria-expanded', String(!collapsed));
      t.textContent = collapsed ? 'Expand output' : 'Collapse output';
    };
    t.addEventListener('click', (e) => {
      e.preventDefault();
      e.stopPropagation();
      set(!block.classList.contains('nb-outputs-collapsed'));
    });
    set(false);
    block.prepend(t);
  }

  /** All cells rendered: build the TOC (hidden until asked for). */
  finish(headings: readonly HeadingEntry[]): void {
    this.firstPassDone = true;
    this.armCheck();
    const nav = document.createElement('nav');
    nav.className = 'nb-toc';
    nav.id = 'nb-toc';
    nav.hidden = true;
    nav.setAttribute('aria-label', 'Table of contents');
    const title = document.createElement('div');
    title.className = 'nb-toc-title';
    title.textContent = 'Contents';
    const ol = document.createElement('ol');
    const entries = tocEntries(headings);
    for (const t of entries) {
      const li = document.createElement('li');
      li.style.paddingLeft = `${t.depth * 16}px`;
      li.dataset.level = String(t.level);
      const a = document.createElement('a');
      a.href = t.href;
      a.textContent = t.text;
      // The document's click handler scrolls there; the focus follows, so Tab and j/k go on from
      // the heading (as a skip link does).
      a.addEventListener('click', () => this.focusHeading(t.href.slice(1)));
      li.append(a);
      ol.append(li);
    }
    if (entries.length === 0) {
      const li = document.createElement('li');
      li.textContent = 'This notebook has no headings.';
      ol.append(li);
    }
    nav.append(title, ol);
    // Inside the notebook root, so it takes the theme's colours (its links too).
    this.o.root.prepend(nav);
    this.toc = nav;
  }

  /** `focus`: asked from the keyboard, so an opened table of contents takes the focus. */
  command(c: ReadingCommand, focus = false): void {
    if (c === 'toc') {
      if (this.toc === null) return;
      this.toc.hidden = !this.toc.hidden;
      if (!this.toc.hidden) this.toc.scrollIntoView({ block: 'nearest' });
      // Tab goes on through the entries; Enter on one goes to its heading.
      if (focus && !this.toc.hidden)
        this.toc.querySelector<HTMLElement>('a[href]')?.focus({ preventScroll: true });
    } else if (c === 'code') {
      this.codeHidden = !this.codeHidden;
      this.o.root.classList.toggle('nb-code-hidden', this.codeHidden);
    } else if (c === 'lines') {
      this.lines = !this.lines;
      this.o.root.classList.toggle('nb-line-numbers', this.lines);
    } else {
      this.move(c === 'next' ? 1 : -1);
    }
    this.report();
  }

  private report(): void {
    this.o.toViewer({
      nbshield: 1,
      type: 'reading',
      toc: this.toc !== null && !this.toc.hidden,
      codeHidden: this.codeHidden,
      lines: this.lines,
    });
  }

  private move(dir: 1 | -1): void {
    const cells = this.cells();
    const active = document.activeElement?.closest('.nb-cell') ?? null;
    const cur = active === null ? -1 : cells.indexOf(active as HTMLElement);
    const i = stepCell(cur, cells.length, dir);
    const el = cells[i];
    if (el === undefined) return;
    // A roving tabindex: only the current cell is in the Tab order, so Tab order stays short.
    for (const c of cells) if (c !== el && c.hasAttribute('tabindex')) this.dropTabStop(c);
    this.makeTabStop(el);
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: 'nearest' });
  }

  private makeTabStop(cell: HTMLElement): void {
    const n = Number(cell.dataset.cellIndex ?? '0') + 1;
    cell.dataset.nbTabStop = '';
    cell.setAttribute('tabindex', '0');
    cell.setAttribute('role', 'group');
    cell.setAttribute('aria-label', `Cell ${n} (j: next cell, k: previous)`);
  }

  private dropTabStop(cell: HTMLElement): void {
    delete cell.dataset.nbTabStop;
    cell.removeAttribute('tabindex');
    cell.removeAttribute('role');
    cell.removeAttribute('aria-label');
  }

  private focusHeading(id: string): void {
    const h = document.getElementById(id);
    if (h === null) return;
    if (!h.hasAttribute('tabindex')) h.setAttribute('tabindex', '-1');
    h.focus({ preventScroll: true });
  }

  // ---- the accessibility pass: scrolling boxes reachable by keyboard, author colours readable ----

  private queueCheck(cell: Element): void {
    this.pending.add(cell);
    this.armCheck();
  }

  /** Each run measures for about 20 ms at most, then leaves the rest to the next (issue 5). */
  private armCheck(): void {
    if (!this.firstPassDone) return;
    this.pendingTimer ??= setTimeout(() => {
      this.pendingTimer = undefined;
      const t0 = performance.now();
      for (const c of this.pending) {
        // The queued cells of one group are measured together: see checkCells.
        const body = c.parentElement?.classList.contains('nb-group-body') ? c.parentElement : null;
        const batch =
          body === null ? [c] : [...this.pending].filter((x) => x.parentElement === body);
        for (const x of batch) this.pending.delete(x);
        this.checkCells(
          batch.filter((x) => x.isConnected),
          body,
        );
        if (performance.now() - t0 >= CHECK_BUDGET_MS) break;
      }
      if (this.pending.size > 0) this.armCheck();
    }, 50);
  }

  private recheckAll(): void {
    for (const el of this.colourFixed) el.style.removeProperty('color');
    this.colourFixed.clear();
    for (const c of this.cells()) this.queueCheck(c);
  }

  /** The notebook's cells, in order (outputs' own markup may use our class names: not those). */
  private cells(): HTMLElement[] {
    return Array.from(
      this.o.root.querySelectorAll<HTMLElement>(
        ':scope > .nb-cell-group > .nb-group-body > .nb-cell',
      ),
    );
  }

  /**
   * Measures the cells of a skipped group (far off screen, `content-visibility: auto`) with its
   * contents shown: a query into skipped contents lays them out again per query (issue 5). Every
   * measurement comes before every change, so one layout per group.
   */
  private checkCells(cells: Element[], body: HTMLElement | null): void {
    const first = cells[0];
    // Only a skipped group: toggling the containment of a rendered one lays it out again
    // (seconds for a huge table on screen).
    const skipped =
      body !== null &&
      first !== undefined &&
      first.checkVisibility() &&
      !first.checkVisibility({ contentVisibilityAuto: true });
    if (skipped) body.style.setProperty('content-visibility', 'visible');
    const changes = cells.map((c) => this.measure(c));
    if (skipped) body.style.removeProperty('content-visibility');
    for (const change of changes) change();
  }

  /** A cell's scrolling boxes and author colours, measured; applying the result is left to the caller. */
  private measure(cell: Element): () => void {
    const n =
      Number((cell instanceof HTMLElement ? cell.dataset.cellIndex : undefined) ?? '-1') + 1;
    const boxes = Array.from(cell.querySelectorAll<HTMLElement>(SCROLLERS)).map((el) => {
      const cs = getComputedStyle(el);
      const scrolls =
        (/auto|scroll/.test(cs.overflowX) && el.scrollWidth > el.clientWidth + 1) ||
        (/auto|scroll/.test(cs.overflowY) && el.scrollHeight > el.clientHeight + 1);
      return { el, scrolls };
    });
    // An author's background without a text colour of its own (`<h1 style="background:pink">`)
    // is read against the theme's text colour, which in the other theme can be unreadable.
    const fixes: Array<[HTMLElement, string]> = [];
    for (const el of Array.from(cell.querySelectorAll<HTMLElement>('[style*="background"]'))) {
      if (el.style.color !== '' || this.colourFixed.has(el)) continue;
      const cs = getComputedStyle(el);
      const bg = parseRgb(cs.backgroundColor);
      const fg = parseRgb(cs.color);
      if (bg === null || fg === null || bg[3] < 0.5) continue;
      const fix = contrastFix(fg, bg);
      if (fix !== null) fixes.push([el, fix]);
    }
    return () => this.apply(n, boxes, fixes);
  }

  private apply(
    n: number,
    boxes: Array<{ el: HTMLElement; scrolls: boolean }>,
    fixes: Array<[HTMLElement, string]>,
  ): void {
    let regions = 0;
    for (const { el, scrolls } of boxes) {
      const ours = el.classList.contains('nb-scroll-region');
      const reachable = el.querySelector(FOCUSABLE) !== null;
      if (scrolls && !reachable && !ours) {
        el.classList.add('nb-scroll-region');
        el.setAttribute('tabindex', '0');
        el.setAttribute('role', 'region');
        regions += 1;
        // Distinct names: landmarks that share one cannot be told apart in a screen reader's list.
        const what = el.closest('.nb-input') ? 'Code' : 'Output';
        el.setAttribute(
          'aria-label',
          `${what} of cell ${n}${regions > 1 ? ` (${regions})` : ''}, scrollable`,
        );
      } else if (ours && !scrolls) {
        el.classList.remove('nb-scroll-region');
        el.removeAttribute('tabindex');
        el.removeAttribute('role');
        el.removeAttribute('aria-label');
      }
    }
    for (const [el, fix] of fixes) {
      el.style.color = fix;
      this.colourFixed.add(el);
    }
  }

  private onKey(e: KeyboardEvent): void {
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
    this.command(k, true);
  }

  private async copy(b: HTMLElement, cell: Element, pre: Element): Promise<void> {
    await this.copyText(b, this.sources.get(cell) ?? '', pre);
  }

  private async copyText(b: HTMLElement, text: string, pre: Element): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      b.dataset.state = 'copied';
      return;
    } catch {
      // The opaque sandbox usually has no clipboard: select the code, and ask the viewer to copy.
    }
    const sel = window.getSelection();
    if (sel !== null) {
      const range = document.createRange();
      range.selectNodeContents(pre);
      sel.removeAllRanges();
      sel.addRange(range);
    }
    b.dataset.state = 'selected';
    this.o.toViewer({ nbshield: 1, type: 'copy', text });
  }

  /** The viewer's answer to `copy`: on success the selected buttons say so. */
  copied(ok: boolean): void {
    if (!ok) return;
    for (const b of Array.from(
      document.querySelectorAll<HTMLElement>('.nb-copy[data-state="selected"]'),
    ))
      b.dataset.state = 'copied';
  }
}
