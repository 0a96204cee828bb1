// Reading comforts inside the sandboxed renderer: table of contents, copy buttons, show/hide all
// code, line numbers, j/k between cells, deep links. Nothing here runs notebook content: the
// TOC's text comes from the renderer's heading list and is set as text, never as HTML.
import type { FrameMessage, ReadingCommand } from '../core/protocol';
import type { HeadingEntry } from '../core/render/types';
import { readingKey } from '../core/reading';
import { lineNumbers, stepCell, tocEntries } from './reading-logic';

export const READING_CSS = `
.nb-toc{margin:0 0 12px;padding:8px 12px;border:1px solid rgba(128,128,128,.35);border-radius:6px;font-size:14px}
.nb-toc[hidden]{display:none}
.nb-toc-title{font-weight:600;margin:0 0 4px}
.nb-toc ol{list-style:none;margin:0;padding:0}
.nb-toc li{margin:2px 0}
.nb-cell:focus{outline:2px solid #0969da;outline-offset:2px}
.nb-cell:focus:not(:focus-visible){outline:2px solid #0969da}
.nb-input-area{position:relative}
.nb-copy{position:absolute;top:4px;right:4px;font:12px/18px sans-serif;padding:0 6px;border:1px solid rgba(128,128,128,.5);border-radius:4px;background:rgba(246,248,250,.9);color:#1f2328;cursor:pointer;opacity:.75}
.nb-copy:hover,.nb-copy:focus{opacity:1}
.nb-copy::before{content:'Copy'}
.nb-copy[data-state='copied']::before{content:'Copied'}
.nb-copy[data-state='selected']::before{content:'Selected: press Ctrl+C'}
.nb-notebook.nb-code-hidden .nb-code-cell > .nb-input,.nb-notebook.nb-code-hidden .nb-code-cell > .nb-hidden-input{display:none}
.nb-lines{display:none}
.nb-notebook.nb-line-numbers .nb-input-area{display:flex}
.nb-notebook.nb-line-numbers .nb-input-area > .nb-source{flex:1;min-width:0}
.nb-notebook.nb-line-numbers .nb-lines{display:block;margin:0;padding:inherit;padding-right:8px;text-align:right;opacity:.55;user-select:none;border-right:1px solid rgba(128,128,128,.35)}
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
  constructor(private readonly o: ReadingOptions) {
    document.addEventListener('keydown', (e) => this.onKey(e));
  }

  /** A cell just inserted: code cells get a copy button and a (hidden) line-number gutter. */
  decorateCell(cell: Element | null, source: string, isCode: boolean): void {
    if (cell === null || !isCode) return;
    const area = cell.querySelector(':scope > .nb-input .nb-input-area');
    const pre = area?.querySelector(':scope > pre.nb-source');
    if (area == null || pre == null) return;
    this.sources.set(cell, source);
    const gutter = document.createElement('pre');
    gutter.className = 'nb-lines';
    gutter.setAttribute('aria-hidden', 'true');
    gutter.textContent = lineNumbers(source);
    area.insertBefore(gutter, pre);
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'nb-copy';
    b.dataset.nbAction = 'copy';
    b.setAttribute('aria-label', 'Copy the code');
    b.title = 'Copy the code';
    b.addEventListener('click', (e) => {
      e.preventDefault();
      e.stopPropagation();
      void this.copy(b, cell, pre);
    });
    area.append(b);
  }

  /** All cells rendered: build the TOC (hidden until asked for). */
  finish(headings: readonly HeadingEntry[]): void {
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
      li.append(a);
      ol.append(li);
    }
    if (entries.length === 0) {
      const li = document.createElement('li');
      li.textContent = 'This notebook has no headings.';
      ol.append(li);
    }
    nav.append(title, ol);
    this.o.root.before(nav);
    this.toc = nav;
  }

  command(c: ReadingCommand): void {
    if (c === 'toc') {
      if (this.toc === null) return;
      this.toc.hidden = !this.toc.hidden;
      if (!this.toc.hidden) this.toc.scrollIntoView({ block: 'nearest' });
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
    const cells = Array.from(this.o.root.querySelectorAll<HTMLElement>(':scope > .nb-cell'));
    const active = document.activeElement?.closest('.nb-cell') ?? null;
    const cur = active === null ? -1 : cells.indexOf(active as HTMLElement);
    const i = stepCell(cur, cells.length, dir);
    const el = cells[i];
    if (el === undefined) return;
    // A roving tabindex: only the focused cell is focusable, so Tab order stays short.
    for (const c of cells)
      if (c !== el && c.getAttribute('tabindex') === '-1') c.removeAttribute('tabindex');
    el.setAttribute('tabindex', '-1');
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: 'nearest' });
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
    this.command(k);
  }

  private async copy(b: HTMLElement, cell: Element, pre: Element): Promise<void> {
    const text = this.sources.get(cell) ?? '';
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
