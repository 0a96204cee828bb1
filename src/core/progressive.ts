// A notebook parse that hands cells over as they are read (issue 5: the first screen of a
// 100 MB notebook before the rest is parsed). nbformat writes top-level keys sorted, so `cells`
// comes first and the metadata the render needs (language, widget state) comes last. A skim from
// both ends (strings skipped by their quotes) finds the `cells` array's span; the document with
// that array emptied (the head) is parsed and normalized first, then the array item by item.
//
// Every part goes through the same strict parser and normalizer as parseNotebook: the head is
// the whole document with `[]` where the array was, and each item of the array is parsed alone
// at the depth it has in the document, with the separators between items checked, so when all
// succeed the document is valid with the same value, and the result is parseNotebook's.
// Anything else (another layout, nbformat 3, any error, even a late one) falls back to the whole
// parse, whose result or error is then the answer. The text may come as `Pieces` (core/pieces),
// read in place: items are slices of their piece, and only the fallback joins the pieces.

import { parseJsonSteps, precheck, DEFAULT_MAX_DEPTH, type JsonLimits } from './json';
import type { Cell, Notebook, Result } from './model';
import { normalizeCellV4, normalizeNotebook } from './notebook';
import { parseNotebookSteps } from './parse';
import { Pieces, type TextLike } from './pieces';

/** Where the top-level `cells` array's text is: [start, end), from its `[` to after its `]`. */
export interface CellsSpan {
  start: number;
  end: number;
}

const isWs = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipWs(t: TextLike, p: number): number {
  while (p < t.length && isWs(t.charCodeAt(p))) p++;
  return p;
}

function skipWsBack(t: TextLike, p: number): number {
  while (p >= 0 && isWs(t.charCodeAt(p))) p--;
  return p;
}

/** An unescaped quote has an even run of backslashes before it (none outside strings). */
function escaped(t: TextLike, q: number): boolean {
  let b = q - 1;
  while (b >= 0 && t.charCodeAt(b) === 0x5c) b--;
  return (q - 1 - b) % 2 === 1;
}

/** Index after the string opened at `q`, or -1. */
function stringEnd(t: TextLike, q: number): number {
  let p = q + 1;
  for (;;) {
    const k = t.indexOf('"', p);
    if (k === -1) return -1;
    if (!escaped(t, k)) return k + 1;
    p = k + 1;
  }
}

/** Index of the quote opening the string closed at `q`, or -1. */
function stringStart(t: TextLike, q: number): number {
  let p = q - 1;
  for (;;) {
    if (p < 0) return -1;
    const k = t.lastIndexOf('"', p);
    if (k === -1) return -1;
    if (!escaped(t, k)) return k;
    p = k - 1;
  }
}

// Number and literal characters (true, false, null, 1e-7): a scalar's extent, nothing more.
const isScalarChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) ||
  (c >= 0x61 && c <= 0x7a) ||
  (c >= 0x41 && c <= 0x5a) ||
  c === 0x2e ||
  c === 0x2b ||
  c === 0x2d;

/** Index after the value starting at `p` (a skim: the real parse checks it), or -1. */
function valueEnd(t: TextLike, p: number): number {
  const c0 = t.charCodeAt(p);
  if (c0 === 0x22) return stringEnd(t, p);
  if (c0 === 0x7b || c0 === 0x5b) {
    let depth = 0;
    for (let i = p; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 0x22) {
        const e = stringEnd(t, i);
        if (e === -1) return -1;
        i = e - 1;
      } else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (--depth === 0) return i + 1;
      }
    }
    return -1;
  }
  let i = p;
  while (i < t.length && isScalarChar(t.charCodeAt(i))) i++;
  return i > p ? i : -1;
}

/** Index of the first character of the value whose last character is at `p`, or -1. */
function valueStart(t: TextLike, p: number): number {
  const c0 = t.charCodeAt(p);
  if (c0 === 0x22) return stringStart(t, p);
  if (c0 === 0x7d || c0 === 0x5d) {
    let depth = 0;
    for (let i = p; i >= 0; i--) {
      const c = t.charCodeAt(i);
      if (c === 0x22) {
        const s = stringStart(t, i);
        if (s === -1) return -1;
        i = s;
      } else if (c === 0x7d || c === 0x5d) depth++;
      else if (c === 0x7b || c === 0x5b) {
        if (--depth === 0) return i;
      }
    }
    return -1;
  }
  let i = p;
  while (i >= 0 && isScalarChar(t.charCodeAt(i))) i--;
  return i < p ? i + 1 : -1;
}

/** Members of the root object a skim walks over at most, from each end. */
const MAX_MEMBERS = 64;

/**
 * The span of the root object's `cells` array, found without reading it: members are skimmed
 * from the start up to the key `cells`, and from the end back to the first value that is an
 * array (which must be that same array: the parses that follow check it). Null when the layout
 * is not that (an array-valued member before `cells`, escaped keys, nbformat 3, not an object).
 */
export function findCellsSpan(t: TextLike): CellsSpan | null {
  let p = skipWs(t, 0);
  if (t.charCodeAt(p) !== 0x7b) return null;
  p++;
  let start = -1;
  for (let m = 0; m < MAX_MEMBERS && start === -1; m++) {
    p = skipWs(t, p);
    if (t.charCodeAt(p) !== 0x22) return null;
    const keyEnd = stringEnd(t, p);
    if (keyEnd === -1) return null;
    const key = t.slice(p + 1, keyEnd - 1);
    if (key.includes('\\')) return null;
    p = skipWs(t, keyEnd);
    if (t.charCodeAt(p) !== 0x3a) return null;
    p = skipWs(t, p + 1);
    if (key === 'cells') {
      if (t.charCodeAt(p) !== 0x5b) return null;
      start = p;
      break;
    }
    if (t.charCodeAt(p) === 0x5b) return null;
    const e = valueEnd(t, p);
    if (e === -1) return null;
    p = skipWs(t, e);
    if (t.charCodeAt(p) !== 0x2c) return null;
    p++;
  }
  if (start === -1) return null;
  let q = skipWsBack(t, t.length - 1);
  if (t.charCodeAt(q) !== 0x7d) return null;
  for (let m = 0; m < MAX_MEMBERS; m++) {
    q = skipWsBack(t, q - 1);
    const c = t.charCodeAt(q);
    if (c === 0x5d) return q > start ? { start, end: q + 1 } : null;
    if (q <= start) return null;
    const s = valueStart(t, q);
    if (s <= start) return null;
    q = skipWsBack(t, s - 1);
    if (t.charCodeAt(q) !== 0x3a) return null;
    q = skipWsBack(t, q - 1);
    if (t.charCodeAt(q) !== 0x22) return null;
    const ks = stringStart(t, q);
    if (ks <= start) return null;
    q = skipWsBack(t, ks - 1);
    if (t.charCodeAt(q) !== 0x2c) return null;
  }
  return null;
}

/** A notebook read in slices, cells handed over as they come (see the file's comment). */
export interface NotebookStream {
  /**
   * Reads until `shouldPause()` says so, the head has just become ready, or the parse is done.
   * Returns `result` (null while still reading).
   */
  step(): Result<Notebook> | null;
  /**
   * The notebook being read, once its head is parsed: metadata complete, `cells` (this same
   * array is the final result's) growing as cells are read. Null before that, and from a
   * fallback on, until the whole parse gives the result.
   */
  readonly notebook: Notebook | null;
  /** parseNotebook's result, once known. */
  readonly result: Result<Notebook> | null;
  /** Times a notebook handed out had to be dropped (the progressive path gave up after it). */
  readonly restarts: number;
  /** Whether cells are (or were) handed over as read, or the whole parse is the answer. */
  readonly path: 'progressive' | 'whole';
}

/**
 * `text` may be `Pieces` (issue 5: a large text arrives in the renderer in pieces): the skim and
 * the cell parses read it in place, each cell from a slice of its piece (a copy only for a cell
 * that crosses a boundary); only the whole-parse fallback joins it.
 */
export function parseNotebookProgressive(
  text: string | Pieces,
  shouldPause: () => boolean,
  limits?: JsonLimits,
): NotebookStream {
  return new Stream(typeof text === 'string' ? Pieces.of(text) : text, shouldPause, limits);
}

const EMPTY = new Pieces([]);

class Stream implements NotebookStream {
  notebook: Notebook | null = null;
  result: Result<Notebook> | null = null;
  restarts = 0;
  path: 'progressive' | 'whole' = 'progressive';
  private phase: 'start' | 'head' | 'cells' | 'whole' = 'start';
  private head: ReturnType<typeof parseJsonSteps> | null = null;
  /** The parse of the cell being read, or null between cells. */
  private cell: ReturnType<typeof parseJsonSteps> | null = null;
  private whole: ReturnType<typeof parseNotebookSteps> | null = null;
  private span: CellsSpan | null = null;
  /** In the cells phase: where the next cell (or the array's end) is looked for. */
  private pos = 0;

  constructor(
    private text: Pieces,
    private readonly shouldPause: () => boolean,
    private readonly limits: JsonLimits | undefined,
  ) {}

  private get maxDepth(): number {
    return this.limits?.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  private fallBack(): void {
    if (this.notebook !== null) this.restarts++;
    this.notebook = null;
    this.head = this.cell = null;
    this.path = 'whole';
    this.phase = 'whole';
    // The one place the pieces are joined: the whole parse needs one string.
    this.whole = parseNotebookSteps(this.text.join(), this.shouldPause, this.limits);
  }

  step(): Result<Notebook> | null {
    for (;;) {
      if (this.result !== null) return this.result;
      switch (this.phase) {
        case 'start': {
          const t = this.text;
          this.span =
            precheck(t, this.limits) === null && this.maxDepth >= 2 ? findCellsSpan(t) : null;
          if (this.span === null) {
            this.fallBack();
            continue;
          }
          const { start, end } = this.span;
          // Slices and a short concatenation: the head costs its own size, not the text's.
          const headText = `${t.slice(0, start)}[]${t.slice(end)}`;
          this.head = parseJsonSteps(headText, this.shouldPause, this.limits);
          this.phase = 'head';
          continue;
        }
        case 'head': {
          const r = (this.head as NonNullable<Stream['head']>).step();
          if (r === null) return null;
          this.head = null;
          const nb = r.ok ? normalizeNotebook(r.value) : null;
          if (nb === null || !nb.ok || nb.value.nbformat !== 4) {
            this.fallBack();
            continue;
          }
          this.notebook = nb.value; // its cells: [] so far
          this.pos = (this.span as CellsSpan).start + 1;
          this.phase = 'cells';
          return null;
        }
        case 'cells': {
          const r = this.cells();
          if (r === 'fail') {
            this.fallBack();
            continue;
          }
          if (r === 'paused') return null;
          return this.finish({ ok: true, value: this.notebook as Notebook });
        }
        case 'whole': {
          const r = (this.whole as NonNullable<Stream['whole']>).step();
          if (r === null) return null;
          return this.finish(r);
        }
      }
    }
  }

  /** The answer; the text and the parses are let go (a caller may keep the stream). */
  private finish(r: Result<Notebook>): Result<Notebook> {
    this.result = r;
    this.text = EMPTY;
    this.head = this.cell = this.whole = null;
    return r;
  }

  /**
   * Reads the cells array one item at a time: the skim finds an item's end, the strict parser
   * reads that slice alone (at the depth it has in the document), the separators between items
   * are checked here. Together that is the array's parse: every item valid, `,` between them,
   * `]` at the span's end, nothing else; so the result is the whole parse's, and anything else
   * (a malformed item, a value that is not a cell) is 'fail', and the whole parse answers.
   */
  private cells(): 'paused' | 'done' | 'fail' {
    const t = this.text;
    const end = (this.span as CellsSpan).end;
    const cells = (this.notebook as Notebook).cells as Cell[];
    for (;;) {
      if (this.cell === null) {
        const p = skipWs(t, this.pos);
        if (t.charCodeAt(p) === 0x5d) return cells.length === 0 && p === end - 1 ? 'done' : 'fail';
        const e = valueEnd(t, p);
        if (e === -1 || e >= end) return 'fail';
        // A slice of one piece, or (across a boundary) the item's own text joined.
        this.cell = parseJsonSteps(t.slice(p, e), this.shouldPause, {
          maxBytes: Infinity,
          // The item sits two levels down (root object, cells array): the same limit, two less.
          maxDepth: this.maxDepth - 2,
        });
        this.pos = e;
      }
      const r = this.cell.step();
      if (r === null) return 'paused';
      this.cell = null;
      if (!r.ok) return 'fail';
      const c = normalizeCellV4(r.value, cells.length);
      if (!c.ok) return 'fail';
      cells.push(c.value);
      const q = skipWs(t, this.pos);
      const sep = t.charCodeAt(q);
      if (sep === 0x5d) return q === end - 1 ? 'done' : 'fail';
      if (sep !== 0x2c) return 'fail';
      this.pos = q + 1;
      // Small cells never reach the parser's own pause check (every 256 values).
      if (this.shouldPause()) return 'paused';
    }
  }
}
