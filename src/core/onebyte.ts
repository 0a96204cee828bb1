// A notebook's text rewritten so that V8 can keep it one byte per character (issue 5: renderer
// heap). V8 stores a string in UTF-16 as soon as one of its characters is above U+00FF, so one
// dash or emoji doubles the text and every slice, parsed string and HTML string cut from it.
// JSON allows such characters only inside strings, where `\uXXXX` parses to the same value, so
// writing them as escapes keeps the meaning and leaves only Latin-1 characters. Anything outside
// strings (a BOM, a malformed file) is left exactly as it was, so parse errors stay what they are.
// It must run where the text is first made (the background): converting in the renderer, where
// the two-byte original is already in the heap, only adds copies.

/**
 * Convert only when the escaped text costs at most this share of the UTF-16 one (2 bytes a
 * unit): every escape is 6 characters, so text that is mostly CJK or Cyrillic would grow. 0.75
 * also keeps a 100 MB file's text under core/json's 200 MiB limit (150 MiB at most).
 */
const MAX_COST_SHARE = 0.75;

/**
 * Finds the bytes >= 0x80 of a text that is mostly ASCII, a word at a time: a word with no high
 * bit set holds no such byte. This and indexOf (native) keep the cost near that of the decode.
 */
class HighBytes {
  private readonly words: Uint32Array;
  /** The words cover [start, end) of the bytes. */
  private readonly start: number;
  private readonly end: number;

  constructor(private readonly b: Uint8Array) {
    this.start = Math.min(b.length, (4 - (b.byteOffset & 3)) & 3);
    const n = (b.length - this.start) >> 2;
    this.words = new Uint32Array(b.buffer, b.byteOffset + this.start, n);
    this.end = this.start + n * 4;
  }

  /** The first index >= i of a byte >= 0x80, or -1. */
  next(i: number): number {
    const b = this.b;
    const n = b.length;
    while (i < n && (i < this.start || i >= this.end || ((i - this.start) & 3) !== 0)) {
      if ((b[i] as number) >= 0x80) return i;
      i++;
    }
    if (i >= n) return -1;
    const w = this.words;
    let k = (i - this.start) >> 2;
    while (k < w.length && ((w[k] as number) & 0x80808080) === 0) k++;
    for (i = this.start + k * 4; i < n; i++) if ((b[i] as number) >= 0x80) return i;
    return -1;
  }

  /** The first index >= i of a byte >= 0xC4 (the lead byte of a code point >= U+0100), or -1. */
  nextLead(i: number): number {
    for (let j = this.next(i); j !== -1; j = this.next(j + 1)) {
      if ((this.b[j] as number) >= 0xc4) return j;
    }
    return -1;
  }
}

/**
 * UTF-16 units of the text, and the characters and bytes the escapes would add (upper bounds:
 * characters outside strings are counted too).
 */
function costs(b: Uint8Array, high: HighBytes): { units: number; chars: number; bytes: number } {
  let continuations = 0;
  let astral = 0;
  let chars = 0;
  let bytes = 0;
  for (let i = high.next(0); i !== -1; i = high.next(i + 1)) {
    const c = b[i] as number;
    if (c < 0xc0) continuations++;
    else if (c < 0xc4)
      continue; // U+0080-U+00FF stays as it is
    else if (c < 0xf0) {
      // 2 or 3 bytes -> a 6-character escape
      chars += 5;
      bytes += c < 0xe0 ? 4 : 3;
    } else {
      // 4 bytes (two UTF-16 units) -> two escapes, 12 characters
      astral++;
      chars += 10;
      bytes += 8;
    }
  }
  return { units: b.length - continuations + astral, chars, bytes };
}

const HEX = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102];

function putEscape(out: Uint8Array, o: number, u: number): number {
  out[o] = 0x5c; // backslash
  out[o + 1] = 0x75; // u
  out[o + 2] = HEX[(u >> 12) & 15] as number;
  out[o + 3] = HEX[(u >> 8) & 15] as number;
  out[o + 4] = HEX[(u >> 4) & 15] as number;
  out[o + 5] = HEX[u & 15] as number;
  return o + 6;
}

const isCont = (c: number | undefined): boolean => c !== undefined && (c & 0xc0) === 0x80;

/**
 * The length of the valid UTF-8 sequence at `i` (lead byte >= 0xC4) and its code point, or null
 * when it is not valid: it is then left as it is, for the decoder to refuse.
 */
function sequenceAt(b: Uint8Array, i: number, lead: number): [number, number] | null {
  const c1 = b[i + 1];
  if (!isCont(c1)) return null;
  const d1 = (c1 as number) & 0x3f;
  if (lead < 0xe0) return [2, ((lead & 0x1f) << 6) | d1];
  const c2 = b[i + 2];
  if (!isCont(c2)) return null;
  const d2 = (c2 as number) & 0x3f;
  if (lead < 0xf0) {
    const cp = ((lead & 0x0f) << 12) | (d1 << 6) | d2;
    // Overlong forms and surrogates are not UTF-8.
    if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) return null;
    return [3, cp];
  }
  const c3 = b[i + 3];
  if (lead > 0xf4 || !isCont(c3)) return null;
  const cp = ((lead & 0x07) << 18) | (d1 << 12) | (d2 << 6) | ((c3 as number) & 0x3f);
  if (cp < 0x10000 || cp > 0x10ffff) return null;
  return [4, cp];
}

/** Whether the byte at `at` follows an odd run of backslashes (so it is escaped). */
function escaped(b: Uint8Array, at: number): boolean {
  let j = at - 1;
  while (j >= 0 && b[j] === 0x5c) j--;
  return ((at - 1 - j) & 1) === 1;
}

/**
 * The bytes with every valid character >= U+0100 inside a JSON string written as `\uXXXX`
 * (astral ones as a surrogate pair of escapes). `room` is an upper bound of the bytes added.
 * Where a string starts and ends is followed from quote to quote (a quote after an odd run of
 * backslashes does not end it), as a JSON parser reads it; an escaped character (`\` before
 * it) is left as written, so an invalid escape stays invalid.
 */
function escapeInStrings(b: Uint8Array, high: HighBytes, room: number): Uint8Array {
  const n = b.length;
  const out = new Uint8Array(n + room);
  let o = 0;
  let run = 0; // start of the bytes not yet copied to out
  let p: number; // where the next lead byte is looked for
  let inString = false;
  let q = b.indexOf(0x22);
  for (let h = high.nextLead(0); h !== -1; h = high.nextLead(p)) {
    while (q !== -1 && q < h) {
      if (!inString || !escaped(b, q)) inString = !inString;
      q = b.indexOf(0x22, q + 1);
    }
    p = h + 1;
    if (!inString || escaped(b, h)) continue;
    const seq = sequenceAt(b, h, b[h] as number);
    if (seq === null) continue; // not UTF-8: left for the decoder to refuse
    out.set(b.subarray(run, h), o);
    o += h - run;
    const cp = seq[1];
    if (cp < 0x10000) o = putEscape(out, o, cp);
    else {
      o = putEscape(out, o, 0xd800 + ((cp - 0x10000) >> 10));
      o = putEscape(out, o, 0xdc00 + ((cp - 0x10000) & 0x3ff));
    }
    p = run = h + seq[0];
  }
  out.set(b.subarray(run, n), o);
  o += n - run;
  return out.subarray(0, o);
}

const decodeStrict = (b: Uint8Array): string =>
  // ignoreBOM keeps a BOM in the text so the parser can report it instead of hiding it.
  new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b);

/**
 * A notebook file's UTF-8 bytes as text, with every character above U+00FF inside a JSON string
 * written as a `\uXXXX` escape. Null when the bytes are not valid UTF-8. Parsed, the result is
 * the same JSON as the plain decode: the same values, the same digests; a parse error is reported
 * on the same line, and in the same column unless characters were escaped before it on that line
 * (each counts there as its escape's 6 or 12 characters).
 */
export function escapeAboveLatin1(bytes: Uint8Array): string | null {
  try {
    const high = new HighBytes(bytes);
    if (high.nextLead(0) === -1) return decodeStrict(bytes);
    return decodeStrict(escapeInStrings(bytes, high, costs(bytes, high).bytes));
  } catch {
    return null;
  }
}

/**
 * escapeAboveLatin1 when it makes the text smaller in memory (see MAX_COST_SHARE), else the
 * plain decode. Null when the bytes are not valid UTF-8. What the background makes of a
 * notebook's bytes before anything else sees them.
 */
export function oneByteTextFromBytes(bytes: Uint8Array): string | null {
  try {
    const high = new HighBytes(bytes);
    if (high.nextLead(0) === -1) return decodeStrict(bytes);
    const c = costs(bytes, high);
    if (c.units + c.chars > 2 * c.units * MAX_COST_SHARE) return decodeStrict(bytes);
    return decodeStrict(escapeInStrings(bytes, high, c.bytes));
  } catch {
    return null;
  }
}

// A lone surrogate cannot be written as UTF-8 (encode() would make it U+FFFD and change what the
// parser says about the text), so such a text is left as it is.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const ABOVE_LATIN1 = /[\u0100-\uffff]/;

/** The same conversion for a text that is already a string (a local file's page text). */
export function oneByteText(text: string): string {
  if (!ABOVE_LATIN1.test(text) || LONE_SURROGATE.test(text)) return text;
  return oneByteTextFromBytes(new TextEncoder().encode(text)) ?? text;
}
