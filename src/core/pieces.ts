// A long text held as consecutive pieces, never joined (issue 5). A 93 MB notebook posted to the
// renderer frame as one string is deserialized in one task (~350 ms on a quiet machine, over 1 s
// under load); in 4 MiB pieces each message is a short task of its own. The progressive parse
// (core/progressive) reads the pieces in place through `Pieces`: the string operations its skim
// needs, across piece boundaries, with slices that copy only what crosses one. `PieceAssembler`
// checks the pieces as they arrive (order, sizes, total).

/** The most one piece holds, in UTF-16 code units. */
export const PIECE_CHARS = 4 * 1024 * 1024;

/** What the progressive parse reads a text through: a string, or `Pieces`. */
export interface TextLike {
  readonly length: number;
  charCodeAt(index: number): number;
  indexOf(search: string, position?: number): number;
  lastIndexOf(search: string, position?: number): number;
  slice(start?: number, end?: number): string;
}

/**
 * The separator between two items of a notebook's `cells` array as it is laid out in `head` (the
 * text's start): `},` then the newline and indent before the first cell's `{`, as nbformat (and
 * `JSON.stringify(nb, null, n)`) writes it. A JSON string cannot hold a raw newline, and deeper
 * levels are indented further, so in such a text it occurs between cells only. Null for another
 * layout (no newline before the first cell, `cells` not first): pieces are then cut by size.
 */
export function cellSeparator(head: string): string | null {
  const m = /^\s*\{\s*"cells"\s*:\s*\[(\r?\n[ \t]*)\{/.exec(head.slice(0, 256));
  return m === null ? null : `},${m[1] as string}{`;
}

/**
 * The piece of `text` (the parts received so far, `complete` once they are all in) that starts
 * at `offset`: at most `size` code units, and cut just after the last cell separator (`sep`, see
 * cellSeparator) in that range, so that a cell lies in one piece (the renderer's parse reads a
 * cell across a boundary from a joined copy, which then stays beside the pieces); by size where
 * there is none, never between the two halves of a surrogate pair. Null when nothing is left,
 * or when less than `size` is there and more is to come (the piece waits for the next part
 * rather than end where that part ends). A slice of one part, or of two joined.
 */
export function nextPiece(
  text: TextLike,
  offset: number,
  complete: boolean,
  size = PIECE_CHARS,
  sep: string | null = null,
): string | null {
  if (!(size >= 1)) throw new RangeError('piece size must be at least 1');
  const n = text.length;
  if (offset >= n) return null;
  if (offset + size >= n) return complete ? text.slice(offset) : null;
  let end = offset + size;
  // Looked for inside this range only (a search from its end back to the text's start would
  // read the whole text again for every piece of a text without separators).
  const range = text.slice(offset, end);
  const at = sep === null ? -1 : range.lastIndexOf(sep);
  if (at > 0) return range.slice(0, at + 2);
  const hi = text.charCodeAt(end - 1);
  if (size > 1 && hi >= 0xd800 && hi <= 0xdbff) end--;
  return range.slice(0, end - offset);
}

/** Cuts a whole `text` into pieces as `nextPiece` does (each a slice of `text`). */
export function cutPieces(text: string, size = PIECE_CHARS, sep: string | null = null): string[] {
  const out: string[] = [];
  for (let p = 0, piece = nextPiece(text, 0, true, size, sep); piece !== null;) {
    out.push(piece);
    p += piece.length;
    piece = nextPiece(text, p, true, size, sep);
  }
  return out;
}

/**
 * A text made of consecutive strings (`pieces`), read as one: `charCodeAt`, `indexOf`,
 * `lastIndexOf` and `slice` behave as on the joined string. `slice` inside one piece is a
 * slice of it (no copy); across a boundary it builds the joined range (a copy of that range).
 * `indexOf` of a needle longer than one code unit searches each piece and a short bridge across
 * each boundary (the needle's length - 1 on either side).
 */
export class Pieces implements TextLike {
  readonly length: number;
  /** starts[k]: where piece k begins in the whole text; starts[n] = length. */
  private readonly starts: number[];
  private readonly parts: readonly string[];
  // The piece the last charCodeAt fell in (reads are mostly sequential).
  private cur = 0;
  private curStart = 0;
  private curEnd = 0;
  private curText = '';

  constructor(pieces: readonly string[]) {
    const parts = pieces.filter((p) => p.length > 0);
    this.parts = parts;
    this.starts = [0];
    let n = 0;
    for (const p of parts) {
      n += p.length;
      this.starts.push(n);
    }
    this.length = n;
    if (parts.length > 0) this.select(0);
  }

  static of(text: string): Pieces {
    return new Pieces([text]);
  }

  /** How many pieces (empty ones left out). */
  get count(): number {
    return this.parts.length;
  }

  /** The pieces themselves. */
  pieces(): readonly string[] {
    return this.parts;
  }

  /** The whole text as one string (the piece itself when there is one). */
  join(): string {
    return this.parts.length === 1 ? (this.parts[0] as string) : this.parts.join('');
  }

  /** Index of the piece holding position `i` (0 <= i < length). */
  private pieceOf(i: number): number {
    let lo = 0;
    let hi = this.parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private select(k: number): void {
    this.cur = k;
    this.curStart = this.starts[k] as number;
    this.curEnd = this.starts[k + 1] as number;
    this.curText = this.parts[k] as string;
  }

  charCodeAt(i: number): number {
    if (i >= this.curStart && i < this.curEnd) return this.curText.charCodeAt(i - this.curStart);
    if (!(i >= 0 && i < this.length)) return NaN;
    const k = this.cur + 1;
    if (i >= this.curEnd && i < (this.starts[k + 1] as number)) this.select(k);
    else this.select(this.pieceOf(i));
    return this.curText.charCodeAt(i - this.curStart);
  }

  slice(start = 0, end = this.length): string {
    const n = this.length;
    let a = start < 0 ? Math.max(0, n + start) : Math.min(start, n);
    let b = end < 0 ? Math.max(0, n + end) : Math.min(end, n);
    a = Math.trunc(a);
    b = Math.trunc(b);
    if (b <= a) return '';
    const k = this.pieceOf(a);
    const s = this.starts[k] as number;
    const p = this.parts[k] as string;
    if (b <= s + p.length) return p.slice(a - s, b - s);
    const out: string[] = [p.slice(a - s)];
    for (let j = k + 1; j < this.parts.length; j++) {
      const sj = this.starts[j] as number;
      if (sj >= b) break;
      out.push((this.parts[j] as string).slice(0, b - sj));
    }
    return out.join('');
  }

  indexOf(search: string, position = 0): number {
    const n = this.length;
    const from = Math.min(Math.max(Math.trunc(position) || 0, 0), n);
    const m = search.length;
    if (m === 0) return from;
    if (this.parts.length === 0) return -1;
    for (let k = this.pieceOf(Math.min(from, n - 1)); k < this.parts.length; k++) {
      const s = this.starts[k] as number;
      const p = this.parts[k] as string;
      const at = p.indexOf(search, Math.max(0, from - s));
      if (at !== -1) return s + at;
      // A match across the boundary after this piece starts in its last m - 1 code units.
      if (m > 1 && k + 1 < this.parts.length) {
        const bs = Math.max(from, s + p.length - (m - 1));
        const bridge = this.slice(bs, Math.min(n, s + p.length + (m - 1)));
        const bt = bridge.indexOf(search);
        if (bt !== -1) return bs + bt;
      }
    }
    return -1;
  }

  lastIndexOf(search: string, position = Infinity): number {
    const n = this.length;
    const m = search.length;
    const pos = Number.isNaN(position) ? Infinity : position;
    const from = Math.min(Math.max(Math.trunc(pos), 0), n - m);
    if (from < 0) return -1;
    if (m === 0) return from;
    for (let k = this.pieceOf(from); k >= 0; k--) {
      const s = this.starts[k] as number;
      const p = this.parts[k] as string;
      // A match across the boundary after this piece (one that starts in this piece).
      if (m > 1 && k + 1 < this.parts.length && from > s + p.length - m) {
        const bs = Math.max(s, s + p.length - (m - 1));
        const bridge = this.slice(bs, Math.min(n, s + p.length + (m - 1)));
        const bt = bridge.lastIndexOf(search, from - bs);
        if (bt !== -1) return bs + bt;
      }
      const at = p.lastIndexOf(search, from - s);
      if (at !== -1 && at + m <= p.length) return s + at;
    }
    return -1;
  }
}

/**
 * Checks the pieces of one text as they arrive: the first piece and the announced total, then
 * each further piece with its offset. Refuses an offset out of order, an empty piece or one
 * over `maxPiece`, a piece that would pass the total, and any piece after the total.
 */
export class PieceAssembler {
  private parts: string[] = [];
  private taken = false;
  private received = 0;
  private failed: string | null = null;

  constructor(
    first: string,
    readonly total: number,
    private readonly maxPiece = PIECE_CHARS,
  ) {
    this.failed = this.check(0, first);
    if (this.failed === null && !(first.length < total)) {
      this.failed = `the first piece (${first.length} characters) is not shorter than the total (${total})`;
    }
    if (this.failed === null) this.take(first);
  }

  /** The first error met, once one was (later pieces are refused too). */
  get error(): string | null {
    return this.failed;
  }

  /** Characters received so far. */
  get length(): number {
    return this.received;
  }

  /** Pieces received so far. */
  get count(): number {
    return this.pieceCount;
  }

  get complete(): boolean {
    return this.failed === null && this.received === this.total;
  }

  /** Takes the piece at `offset`: null, or why it is refused (then the assembly has failed). */
  add(offset: number, text: string): string | null {
    if (this.failed !== null) return this.failed;
    this.failed = this.check(offset, text);
    if (this.failed === null) this.take(text);
    return this.failed;
  }

  /**
   * The text, once complete. The assembler lets its pieces go (it only answers later pieces,
   * with an error, from then on), so it does not keep the text alive.
   */
  takePieces(): Pieces {
    if (!this.complete || this.taken) throw new Error('the text is not complete');
    this.taken = true;
    const text = new Pieces(this.parts);
    this.parts = [];
    return text;
  }

  private pieceCount = 0;

  private take(text: string): void {
    this.parts.push(text);
    this.pieceCount++;
    this.received += text.length;
  }

  private check(offset: number, text: string): string | null {
    const total = this.total;
    if (!Number.isSafeInteger(total) || total < 1) return `invalid total length ${total}`;
    if (this.received >= total) {
      return `a piece at offset ${offset} came after the whole text (${total} characters)`;
    }
    if (offset !== this.received) {
      return `a piece came out of order (offset ${offset}, expected ${this.received})`;
    }
    if (text.length === 0) return `an empty piece at offset ${offset}`;
    if (text.length > this.maxPiece) {
      return `a piece of ${text.length} characters at offset ${offset} (at most ${this.maxPiece})`;
    }
    if (offset + text.length > total) {
      return `a piece at offset ${offset} runs past the total (${offset + text.length} > ${total})`;
    }
    return null;
  }
}
