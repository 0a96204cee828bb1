// The Jupyter digest stream straight from a notebook's UTF-8 bytes: the same bytes as
// jupyterDigestStream(prepareLikeNbformat(parseJsonRaw(text))), without decoding to JS strings
// and encoding them again. A string without escapes is, byte for byte, what nbformat hashes, so
// its bytes are moved (copyWithin, native) instead of decoded and re-encoded.
//
// How: one pass over a private copy of the bytes validates the JSON (same grammar and limits as
// json.ts), validates UTF-8, and writes each scalar's digest form IN PLACE, behind the read
// position (string content decoded, numbers as Python prints them, True/False/None). Since the
// file is written in sorted-key order by nbformat, that in-place "pool" is already the digest
// stream except where a key is dropped (metadata.signature, ...), where an object's keys are
// not sorted, and for nbformat 3's "\n" joins; a small tape (4 int32 per value) records where
// each value landed, and the final stream is assembled from pool ranges.
//
// This path only decides "digest" or "cannot": on any doubt (a JSON, UTF-8 or nbformat error,
// a number whose Python form would overtake the read position) it returns null and the caller
// runs the string-based path, which gives the exact same error messages as before. So a false
// "cannot" costs time only; a false "digest" would be a bug, and the differential tests look
// for one.

import { pyNumberStr } from './pyrepr';

// Tape entry kinds (slot 0, low 3 bits) and flags.
const K_STR = 1;
const K_NUM = 2;
const K_TRUE = 3;
const K_FALSE = 4;
const K_NULL = 5;
const K_ARR = 6;
const K_OBJ = 7;
const KIND = 7;
/**
 * This object's keys are not in sorted order in the file (its sorted order is in `Scan.orders`).
 * Its members were put in sorted order in the pool when it closed.
 */
const F_UNSORTED = 8;
/**
 * Entries deeper than this never have their pool range read one by one (nbformat's transforms
 * look at most at worksheets[].cells[].outputs[].text[] items, depth 8); only these are moved
 * along when an object's members are reordered, so deep nesting costs no extra walk.
 */
const SHALLOW = 8;
// Scalar entry: [kind, poolStart, poolEnd, 0]. Container: [kind|flags, nextEntry, poolStart, poolEnd].
// An object's entries are followed by key, value, key, value... (keys are K_STR entries).

interface Scan {
  buf: Uint8Array;
  tape: Int32Array;
  /** Members (key entry indices) of each object whose keys are not sorted, in sorted order. */
  orders: Map<number, Int32Array>;
}

/** Tells the caller to use the string-based path (for its exact error, or a rare case). */
class Fallback {}
const FALLBACK = new Fallback();

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The digest stream of `buf` (a private copy: it is overwritten), or null when the string
 * path must decide. `fromText`: buf is TextEncoder's output for a JS string (see noFffd). `buf.byteOffset` must be 0 (a fresh array): the scan reads 4 bytes at a time.
 */
export function jupyterStreamFromBytes(
  buf: Uint8Array,
  maxDepth: number,
  fromText = false,
): Uint8Array | null {
  // The word scan locates bytes by little-endian order (every engine nbshield runs on); the tape
  // holds positions as int32.
  if (!LITTLE_ENDIAN || buf.length > 0x7fffffff) return null;
  try {
    const scan = scanJson(buf, maxDepth, fromText);
    return assemble(scan);
  } catch (e) {
    if (e instanceof Fallback) return null;
    throw e;
  }
}

// ---------------------------------------------------------------- the scan

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  throw FALLBACK;
}

/** Byte order of two pool ranges: Python's code point order, for valid UTF-8. */
function compareRanges(b: Uint8Array, as: number, ae: number, bs: number, be: number): number {
  const la = ae - as;
  const lb = be - bs;
  const n = la < lb ? la : lb;
  for (let k = 0; k < n; k++) {
    const d = (b[as + k] as number) - (b[bs + k] as number);
    if (d !== 0) return d;
  }
  return la - lb;
}

function scanJson(buf: Uint8Array, maxDepth: number, fromText: boolean): Scan {
  const n = buf.length;
  if (buf.byteOffset !== 0)
    throw new Error('jupyterStreamFromBytes: buffer must start at offset 0');
  // A word view for the string scanner: 4 bytes per step.
  const words = new Int32Array(buf.buffer, 0, n >>> 2);

  // Room for a value or key every 32 bytes (4 slots each); it doubles when a file is denser.
  let tape = new Int32Array(Math.max(256, (n >>> 3) & ~3));
  let te = 0; // next free slot (4 per entry)
  const orders = new Map<number, Int32Array>();
  // Open containers: entry index, and for objects the pool range of the previous key.
  const stEntry = new Int32Array(maxDepth + 1);
  const stKeyS = new Int32Array(maxDepth + 1);
  const stKeyE = new Int32Array(maxDepth + 1);
  let depth = 0;
  let moved = 0; // bytes reordered so far
  let scratch: Uint8Array = new Uint8Array(0);
  let r = 0; // read position
  let w = 0; // write position (pool end); always <= r

  const grow = (): void => {
    const next = new Int32Array(tape.length * 2);
    next.set(tape);
    tape = next;
  };
  const scalar = (kind: number, s: number, e: number): void => {
    if (te + 4 > tape.length) grow();
    tape[te] = kind;
    tape[te + 1] = s;
    tape[te + 2] = e;
    tape[te + 3] = 0;
    te += 4;
  };

  const pos: Pos = { r: 0, w: 0, noFffd: fromText };
  /** Reads the string whose opening quote is at r; writes its UTF-8 content at w. */
  const string = (): void => {
    const outStart = w;
    pos.r = r;
    pos.w = w;
    scanString(buf, words, pos);
    r = pos.r;
    w = pos.w;
    scalar(K_STR, outStart, w);
  };

  const number = (): void => {
    const start = r;
    let p = r;
    let c = buf[p] as number;
    let isInt = true;
    if (c === 0x2d) c = buf[++p] ?? -1;
    const intStart = p;
    if (c === 0x30) p++;
    else if (c >= 0x31 && c <= 0x39) {
      do p++;
      while ((c = buf[p] ?? -1) >= 0x30 && c <= 0x39);
    } else throw FALLBACK;
    const intEnd = p;
    let fracEnd = p;
    if (buf[p] === 0x2e) {
      isInt = false;
      p++;
      c = buf[p] ?? -1;
      if (!(c >= 0x30 && c <= 0x39)) throw FALLBACK;
      do p++;
      while ((c = buf[p] ?? -1) >= 0x30 && c <= 0x39);
      fracEnd = p;
    }
    c = buf[p] ?? -1;
    let plainFloat = !isInt;
    if (c === 0x65 || c === 0x45) {
      isInt = false;
      plainFloat = false;
      p++;
      c = buf[p] ?? -1;
      if (c === 0x2b || c === 0x2d) p++;
      c = buf[p] ?? -1;
      if (!(c >= 0x30 && c <= 0x39)) throw FALLBACK;
      do p++;
      while ((c = buf[p] ?? -1) >= 0x30 && c <= 0x39);
    }
    r = p;
    const outStart = w;
    if (
      isInt &&
      p - intStart <= 4300 &&
      !(p - start === 2 && buf[start] === 0x2d && buf[intStart] === 0x30)
    ) {
      // An int token (no leading zeros in JSON) is already Python's str(), except -0.
      buf.copyWithin(w, start, p);
      w += p - start;
    } else if (plainFloat && plainFloatIsRepr(buf, intStart, intEnd, fracEnd)) {
      buf.copyWithin(w, start, p);
      w += p - start;
    } else {
      let token = '';
      for (let k = start; k < p; k++) token += String.fromCharCode(buf[k] as number);
      const s = pyNumberStr(token);
      // Python's form can be longer than the token (1e5 -> 100000.0): it must not overtake r.
      if (s === undefined || w + s.length > r) throw FALLBACK;
      for (let k = 0; k < s.length; k++) buf[w++] = s.charCodeAt(k);
    }
    scalar(K_NUM, outStart, w);
  };

  const literal = (c: number): void => {
    // true -> True, false -> False, null -> None: same lengths, so w stays behind r.
    const outStart = w;
    if (c === 0x74 && buf[r + 1] === 0x72 && buf[r + 2] === 0x75 && buf[r + 3] === 0x65) {
      buf[w] = 0x54;
      buf[w + 1] = 0x72;
      buf[w + 2] = 0x75;
      buf[w + 3] = 0x65;
      w += 4;
      r += 4;
      scalar(K_TRUE, outStart, w);
    } else if (
      c === 0x66 &&
      buf[r + 1] === 0x61 &&
      buf[r + 2] === 0x6c &&
      buf[r + 3] === 0x73 &&
      buf[r + 4] === 0x65
    ) {
      buf[w] = 0x46;
      buf[w + 1] = 0x61;
      buf[w + 2] = 0x6c;
      buf[w + 3] = 0x73;
      buf[w + 4] = 0x65;
      w += 5;
      r += 5;
      scalar(K_FALSE, outStart, w);
    } else if (c === 0x6e && buf[r + 1] === 0x75 && buf[r + 2] === 0x6c && buf[r + 3] === 0x6c) {
      buf[w] = 0x4e;
      buf[w + 1] = 0x6f;
      buf[w + 2] = 0x6e;
      buf[w + 3] = 0x65;
      w += 4;
      r += 4;
      scalar(K_NULL, outStart, w);
    } else throw FALLBACK;
  };

  const skipWs = (): void => {
    while (r < n && isWs(buf[r] as number)) r++;
  };

  /** Reads `"key" :` of the object on top of the stack; checks order and duplicates. */
  const key = (): void => {
    skipWs();
    if (buf[r] !== 0x22) throw FALLBACK;
    string();
    const ks = tape[te - 3] as number;
    const ke = tape[te - 2] as number;
    const top = depth - 1;
    const ps = stKeyS[top] as number;
    if (ps >= 0) {
      const d = compareRanges(buf, ps, stKeyE[top] as number, ks, ke);
      if (d === 0) throw FALLBACK; // duplicate key
      if (d > 0) {
        const at = (stEntry[top] as number) * 4;
        tape[at] = (tape[at] as number) | F_UNSORTED;
      }
    }
    stKeyS[top] = ks;
    stKeyE[top] = ke;
    skipWs();
    if (buf[r] !== 0x3a) throw FALLBACK;
    r++;
  };

  const open = (kind: number): void => {
    if (depth >= maxDepth) throw FALLBACK;
    if (te + 4 > tape.length) grow();
    const idx = te >> 2;
    tape[te] = kind;
    tape[te + 1] = 0;
    tape[te + 2] = w;
    tape[te + 3] = 0;
    te += 4;
    stEntry[depth] = idx;
    stKeyS[depth] = -1;
    depth++;
  };

  const close = (): void => {
    depth--;
    const idx = stEntry[depth] as number;
    const at = idx * 4;
    tape[at + 1] = te >> 2;
    tape[at + 3] = w;
    const flags = tape[at] as number;
    if (flags & F_UNSORTED) {
      const order = sortMembers(buf, tape, idx, te >> 2);
      orders.set(idx, order);
      moved += w - (tape[at + 2] as number);
      // Each reordered object copies its bytes twice, and nested unsorted objects (a Colab
      // cell, its output) copy theirs again. Past this budget (deep unsorted nesting, which
      // only crafted files have) the string path's O(n log n) is the cheaper one.
      if (moved > 8 * n + 65536) throw FALLBACK;
      scratch = reorder(buf, tape, idx, depth, order, w, scratch);
    }
  };

  skipWs();
  if (r >= n) throw FALLBACK;
  for (;;) {
    // A value starts at r.
    skipWs();
    const c = buf[r] ?? -1;
    let done = false;
    if (c === 0x7b) {
      open(K_OBJ);
      r++;
      skipWs();
      if (buf[r] === 0x7d) {
        r++;
        close();
        done = true;
      } else key();
    } else if (c === 0x5b) {
      open(K_ARR);
      r++;
      skipWs();
      if (buf[r] === 0x5d) {
        r++;
        close();
        done = true;
      }
    } else {
      if (c === 0x22) string();
      else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) number();
      else literal(c);
      done = true;
    }
    if (!done) continue;
    // After a value: commas and closing brackets.
    for (;;) {
      if (depth === 0) {
        skipWs();
        if (r !== n) throw FALLBACK;
        return { buf, tape: tape.subarray(0, te), orders };
      }
      skipWs();
      const d = buf[r];
      const isObj = ((tape[(stEntry[depth - 1] as number) * 4] as number) & KIND) === K_OBJ;
      if (d === 0x2c) {
        r++;
        if (isObj) key();
        break;
      }
      if (d === (isObj ? 0x7d : 0x5d)) {
        r++;
        close();
        continue;
      }
      throw FALLBACK;
    }
  }
}

/** Moves bytes [a, e) down to w (w <= a); returns the new w. */
function move(buf: Uint8Array, w: number, a: number, e: number): number {
  const len = e - a;
  if (len > 24) buf.copyWithin(w, a, e);
  else if (w !== a) for (let k = 0; k < len; k++) buf[w + k] = buf[a + k] as number;
  return w + len;
}

/** Bit 7 of each byte of x set where that byte may be '"', '\\', < 0x20 or >= 0x80. */
function specialMask(x: number): number {
  const y = x ^ 0x22222222;
  const z = x ^ 0x5c5c5c5c;
  return ((x - 0x20202020) | x | ((y - 0x01010101) & ~y) | ((z - 0x01010101) & ~z)) & 0x80808080;
}

function isSpecial(c: number): boolean {
  return c === 0x22 || c === 0x5c || c < 0x20 || c >= 0x80;
}

/**
 * Index of the first byte at or after i that is '"', '\\', < 0x20 or >= 0x80 (buf.length if
 * none), 4 bytes at a time. The word tests are exact about whether a word holds one, and
 * their lowest flagged byte is a real one on a little-endian machine (a borrow only flags bytes
 * above a real hit); after masking off the bytes before i it may not be, so each candidate is
 * checked and the search goes on past a false one.
 */
function nextSpecial(buf: Uint8Array, words: Int32Array, i: number): number {
  const n = buf.length;
  const nWords = words.length;
  for (;;) {
    let k = i >>> 2;
    if (k >= nWords) {
      while (i < n && !isSpecial(buf[i] as number)) i++;
      return i;
    }
    let m = specialMask(words[k] as number) & (-1 << ((i & 3) << 3));
    if (m === 0) {
      k++;
      // Two words per step, then which of the two.
      while (
        k + 1 < nWords &&
        (specialMask(words[k] as number) | specialMask(words[k + 1] as number)) === 0
      )
        k += 2;
      if (k >= nWords) {
        i = k << 2;
        continue;
      }
      m = specialMask(words[k] as number);
      if (m === 0) {
        k++;
        if (k >= nWords) {
          i = k << 2;
          continue;
        }
        m = specialMask(words[k] as number);
        if (m === 0) {
          i = (k + 1) << 2;
          continue;
        }
      }
    }
    const j = (k << 2) + ((31 - Math.clz32(m & -m)) >> 3);
    if (isSpecial(buf[j] as number)) return j;
    i = j + 1;
  }
}

/** Where the scan reads (r) and writes (w); a field object, so the hot loop keeps them in locals. */
interface Pos {
  r: number;
  w: number;
  /** Hand over at a raw U+FFFD: from text, it may stand for a lone surrogate encode() replaced. */
  noFffd: boolean;
}

/**
 * Reads the string whose opening quote is at pos.r and writes its UTF-8 content at pos.w (in
 * place: the content is never longer than its JSON form). Leaves pos.r after the closing quote.
 */
function scanString(buf: Uint8Array, words: Int32Array, pos: Pos): void {
  const n = buf.length;
  let w = pos.w; // everything before i is already written up to w
  let i = pos.r + 1;
  // After a long plain run, expect another (base64 lines between "\n" escapes): scan by words
  // at once instead of trying byte by byte first.
  let long = false;
  for (;;) {
    let c = -1;
    if (!long) {
      // Byte by byte for a few bytes (escapes often come close together: JSON or HTML in a
      // string); a longer plain run goes to the word scan and one native move.
      const lim = i + 16 < n ? i + 16 : n;
      while (i < lim) {
        c = buf[i] as number;
        if (c === 0x22 || c === 0x5c || c < 0x20 || c >= 0x80) break;
        buf[w++] = c;
        i++;
      }
      if (i === lim) long = true;
    }
    if (long) {
      const j = nextSpecial(buf, words, i);
      if (j >= n) throw FALLBACK; // unterminated string
      if (j - i < 16) long = false;
      w = move(buf, w, i, j);
      i = j;
      c = buf[i] as number;
    }
    if (c === 0x22) {
      pos.r = i + 1;
      pos.w = w;
      return;
    }
    if (c < 0x20) throw FALLBACK; // unescaped control character
    if (c >= 0x80) {
      const e = utf8Char(buf, i, n);
      if (pos.noFffd && c === 0xef && buf[i + 1] === 0xbf && buf[i + 2] === 0xbd) throw FALLBACK;
      while (i < e) buf[w++] = buf[i++] as number;
      continue;
    }
    // A backslash escape.
    const e = buf[i + 1];
    switch (e) {
      case 0x22:
      case 0x5c:
      case 0x2f:
        buf[w++] = e;
        i += 2;
        break;
      case 0x62:
        buf[w++] = 0x08;
        i += 2;
        break;
      case 0x66:
        buf[w++] = 0x0c;
        i += 2;
        break;
      case 0x6e:
        buf[w++] = 0x0a;
        i += 2;
        break;
      case 0x72:
        buf[w++] = 0x0d;
        i += 2;
        break;
      case 0x74:
        buf[w++] = 0x09;
        i += 2;
        break;
      case 0x75: {
        if (i + 6 > n) throw FALLBACK;
        let u =
          (hexDigit(buf[i + 2] as number) << 12) |
          (hexDigit(buf[i + 3] as number) << 8) |
          (hexDigit(buf[i + 4] as number) << 4) |
          hexDigit(buf[i + 5] as number);
        i += 6;
        if (u >= 0xd800 && u <= 0xdfff) {
          // Only a high surrogate escape followed by a low one is a character.
          if (u > 0xdbff || i + 6 > n || buf[i] !== 0x5c || buf[i + 1] !== 0x75) throw FALLBACK;
          const lo =
            (hexDigit(buf[i + 2] as number) << 12) |
            (hexDigit(buf[i + 3] as number) << 8) |
            (hexDigit(buf[i + 4] as number) << 4) |
            hexDigit(buf[i + 5] as number);
          if (lo < 0xdc00 || lo > 0xdfff) throw FALLBACK;
          i += 6;
          u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
        }
        // UTF-8 of u: at most as long as its escape, so w stays behind i.
        if (u < 0x80) buf[w++] = u;
        else if (u < 0x800) {
          buf[w++] = 0xc0 | (u >> 6);
          buf[w++] = 0x80 | (u & 0x3f);
        } else if (u < 0x10000) {
          buf[w++] = 0xe0 | (u >> 12);
          buf[w++] = 0x80 | ((u >> 6) & 0x3f);
          buf[w++] = 0x80 | (u & 0x3f);
        } else {
          buf[w++] = 0xf0 | (u >> 18);
          buf[w++] = 0x80 | ((u >> 12) & 0x3f);
          buf[w++] = 0x80 | ((u >> 6) & 0x3f);
          buf[w++] = 0x80 | (u & 0x3f);
        }
        break;
      }
      default:
        throw FALLBACK; // invalid escape (or end of input)
    }
  }
}

/** Validates the UTF-8 character at i (a lead byte >= 0x80); returns the index after it. */
function utf8Char(b: Uint8Array, i: number, n: number): number {
  const c = b[i] as number;
  let len: number;
  let cp: number;
  let min: number;
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
    cp = c & 0x1f;
    min = 0x80;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    cp = c & 0x0f;
    min = 0x800;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    cp = c & 0x07;
    min = 0x10000;
  } else throw FALLBACK;
  if (i + len > n) throw FALLBACK;
  for (let k = 1; k < len; k++) {
    const d = b[i + k] as number;
    if ((d & 0xc0) !== 0x80) throw FALLBACK;
    cp = (cp << 6) | (d & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw FALLBACK;
  return i + len;
}

/**
 * True when a float token -?I.F (no exponent) is already Python's repr of its value: at most
 * 15 digits in all (so no shorter decimal maps to the same double), no trailing zero in F
 * unless F is "0", and not small enough for repr's exponent form (0.0000x).
 */
function plainFloatIsRepr(b: Uint8Array, is: number, ie: number, fe: number): boolean {
  const fs = ie + 1;
  if (ie - is + (fe - fs) > 15) return false;
  if (b[fe - 1] === 0x30 && fe - fs !== 1) return false;
  if (ie - is === 1 && b[is] === 0x30) {
    // 0.F: repr switches to 1e-05 form from four leading zeros on.
    let z = 0;
    while (fs + z < fe && b[fs + z] === 0x30) z++;
    if (z === fe - fs) return fe - fs === 1; // 0.0 only (0.00 -> "0.0")
    return z <= 3;
  }
  return true;
}

function nextEntry(tape: Int32Array, i: number): number {
  const k = (tape[i * 4] as number) & KIND;
  return k >= K_ARR ? (tape[i * 4 + 1] as number) : i + 1;
}

/** An unsorted object's key entries in sorted order; a duplicate key falls back. */
function sortMembers(buf: Uint8Array, tape: Int32Array, obj: number, end: number): Int32Array {
  const keys: number[] = [];
  for (let k = obj + 1; k < end; k = nextEntry(tape, k + 1)) keys.push(k);
  const cmp = (a: number, b: number): number =>
    compareRanges(
      buf,
      tape[a * 4 + 1] as number,
      tape[a * 4 + 2] as number,
      tape[b * 4 + 1] as number,
      tape[b * 4 + 2] as number,
    );
  keys.sort(cmp);
  for (let k = 1; k < keys.length; k++) {
    if (cmp(keys[k - 1] as number, keys[k] as number) === 0) throw FALLBACK;
  }
  return Int32Array.from(keys);
}

/**
 * Puts the members of object `obj` (at depth `d`, pool range ending at `end`) in sorted order in
 * the pool, and moves the pool ranges of the shallow entries inside along with them.
 */
function reorder(
  buf: Uint8Array,
  tape: Int32Array,
  obj: number,
  d: number,
  order: Int32Array,
  end: number,
  scratch: Uint8Array,
): Uint8Array {
  const start = tape[obj * 4 + 2] as number;
  const len = end - start;
  let tmp = scratch;
  if (tmp.length < len) tmp = new Uint8Array(Math.max(len, tmp.length * 2));
  tmp.set(buf.subarray(start, end));
  // Members' pool ranges (each starts with its key), taken before any entry is moved.
  const objEnd = tape[obj * 4 + 1] as number;
  const starts = new Map<number, number>();
  const ends = new Map<number, number>();
  for (let k = obj + 1; k < objEnd;) {
    const after = nextEntry(tape, k + 1);
    starts.set(k, tape[k * 4 + 1] as number);
    ends.set(k, after < objEnd ? (tape[after * 4 + 1] as number) : end);
    k = after;
  }
  let pos = start;
  for (let j = 0; j < order.length; j++) {
    const key = order[j] as number;
    const ms = starts.get(key) as number;
    const me = ends.get(key) as number;
    buf.set(tmp.subarray(ms - start, me - start), pos);
    const delta = pos - ms;
    if (delta !== 0 && d + 1 <= SHALLOW) {
      shiftEntry(tape, key, delta, d + 1);
      shiftEntry(tape, key + 1, delta, d + 1);
    }
    pos += me - ms;
  }
  return tmp;
}

function shiftEntry(tape: Int32Array, i: number, delta: number, d: number): void {
  const at = i * 4;
  const container = ((tape[at] as number) & KIND) >= K_ARR;
  const s = container ? at + 2 : at + 1;
  tape[s] = (tape[s] as number) + delta;
  tape[s + 1] = (tape[s + 1] as number) + delta;
  if (!container || d + 1 > SHALLOW) return;
  const end = tape[at + 1] as number;
  for (let k = i + 1; k < end; k = nextEntry(tape, k)) shiftEntry(tape, k, delta, d + 1);
}

// ---------------------------------------------------------------- nbformat.reads, on the tape

class TapeView {
  readonly t: Int32Array;
  readonly b: Uint8Array;
  constructor(private readonly scan: Scan) {
    this.t = scan.tape;
    this.b = scan.buf;
  }
  kind(i: number): number {
    return (this.t[i * 4] as number) & KIND;
  }
  flags(i: number): number {
    return this.t[i * 4] as number;
  }
  next(i: number): number {
    return nextEntry(this.t, i);
  }
  start(i: number): number {
    return this.t[i * 4 + (this.kind(i) >= K_ARR ? 2 : 1)] as number;
  }
  end(i: number): number {
    return this.t[i * 4 + (this.kind(i) >= K_ARR ? 3 : 2)] as number;
  }
  isEmpty(i: number): boolean {
    return this.next(i) === i + 1;
  }
  /** True when string entry i is exactly the ASCII text `s`. */
  strIs(i: number, s: string): boolean {
    if (this.kind(i) !== K_STR) return false;
    const a = this.t[i * 4 + 1] as number;
    if ((this.t[i * 4 + 2] as number) - a !== s.length) return false;
    for (let k = 0; k < s.length; k++) if (this.b[a + k] !== s.charCodeAt(k)) return false;
    return true;
  }
  /** Key entries of object o, in file order. */
  keys(o: number): number[] {
    const out: number[] = [];
    const end = this.next(o);
    for (let k = o + 1; k < end; k = this.next(k + 1)) out.push(k);
    return out;
  }
  /** Key entries of object o in Python's sorted order. */
  sortedKeys(o: number): ArrayLike<number> {
    return this.flags(o) & F_UNSORTED ? (this.scan.orders.get(o) as Int32Array) : this.keys(o);
  }
  /** Value entry of `key` in object o, or -1. */
  get(o: number, key: string): number {
    const end = this.next(o);
    for (let k = o + 1; k < end; k = this.next(k + 1)) if (this.strIs(k, key)) return k + 1;
    return -1;
  }
  items(a: number): number[] {
    const out: number[] = [];
    const end = this.next(a);
    for (let k = a + 1; k < end; k = this.next(k)) out.push(k);
    return out;
  }
  /** The int value of a number entry written as an int token, else null. */
  int(i: number): number | null {
    if (this.kind(i) !== K_NUM) return null;
    const a = this.t[i * 4 + 1] as number;
    const e = this.t[i * 4 + 2] as number;
    let s = '';
    for (let k = a; k < e; k++) {
      const c = this.b[k] as number;
      if (!(c === 0x2d || (c >= 0x30 && c <= 0x39))) return null;
      s += String.fromCharCode(c);
    }
    return Number(s);
  }
  /** Python truthiness of a scalar or container. */
  truthy(i: number): boolean {
    const k = this.kind(i);
    if (k === K_NULL || k === K_FALSE) return false;
    if (k === K_STR) return this.end(i) > this.start(i);
    if (k === K_NUM) {
      let s = '';
      for (let p = this.start(i); p < this.end(i); p++)
        s += String.fromCharCode(this.b[p] as number);
      return Number(s) !== 0;
    }
    if (k === K_ARR || k === K_OBJ) return !this.isEmpty(i);
    return true;
  }
  allStrings(a: number): boolean {
    for (const x of this.items(a)) if (this.kind(x) !== K_STR) return false;
    return true;
  }
  /** Python iteration, where nbformat survives it: a list's items; "" and {} give none. */
  pyIter(v: number): number[] | null {
    if (v < 0) return null;
    const k = this.kind(v);
    if (k === K_ARR) return this.items(v);
    if ((k === K_STR || k === K_OBJ) && this.end(v) === this.start(v) && this.isEmpty(v)) return [];
    return null;
  }
}

// ---------------------------------------------------------------- the stream

/** Pool ranges in stream order; start -1 is a "\n" (nbformat 3 line joins). */
class Segments {
  s: Int32Array = new Int32Array(64);
  n = 0;
  ascending = true;
  total = 0;
  push(a: number, e: number): void {
    if (e === a) return;
    this.total += e - a;
    const n = this.n;
    if (n > 0 && this.s[n - 1] === a) {
      this.s[n - 1] = e;
      return;
    }
    if (n > 0 && a < (this.s[n - 1] as number)) this.ascending = false;
    if (n + 2 > this.s.length) {
      const next = new Int32Array(this.s.length * 2);
      next.set(this.s);
      this.s = next;
    }
    this.s[n] = a;
    this.s[n + 1] = e;
    this.n = n + 2;
  }
  newline(): void {
    this.push(-1, 0);
    this.ascending = false;
  }
}

function assemble(scan: Scan): Uint8Array {
  const v = new TapeView(scan);
  const seg = new Segments();
  prepareAndEmit(v, seg);
  const buf = scan.buf;
  const s = seg.s;
  if (seg.ascending) {
    // Ranges in pool order: close the gaps in place.
    let w = 0;
    for (let k = 0; k < seg.n; k += 2) {
      const a = s[k] as number;
      const e = s[k + 1] as number;
      if (a !== w) buf.copyWithin(w, a, e);
      w += e - a;
    }
    return buf.subarray(0, w);
  }
  const out = new Uint8Array(seg.total);
  let p = 0;
  for (let k = 0; k < seg.n; k += 2) {
    const a = s[k] as number;
    const e = s[k + 1] as number;
    if (a < 0) out[p++] = 0x0a;
    else {
      out.set(buf.subarray(a, e), p);
      p += e - a;
    }
  }
  return out;
}

function emitValue(v: TapeView, seg: Segments, i: number): void {
  // Every container is in sorted order in the pool: one range.
  seg.push(v.start(i), v.end(i));
}

/** An object's members in sorted order; `each` may emit a member's value itself (true). */
function emitObject(
  v: TapeView,
  seg: Segments,
  o: number,
  each: ((key: number, value: number) => boolean) | null,
): void {
  const keys = v.sortedKeys(o);
  for (let j = 0; j < keys.length; j++) {
    const key = keys[j] as number;
    if (each !== null && each(key, key + 1)) continue;
    seg.push(v.start(key), v.end(key));
    emitValue(v, seg, key + 1);
  }
}

function emitSkipping(v: TapeView, seg: Segments, o: number, skip: string[]): void {
  emitObject(v, seg, o, (key) => skip.some((s) => v.strIs(key, s)));
}

function prepareAndEmit(v: TapeView, seg: Segments): void {
  const root = 0;
  if (v.kind(root) !== K_OBJ) throw FALLBACK;
  const majorV = v.get(root, 'nbformat');
  if (majorV < 0) throw FALLBACK;
  const major = v.int(majorV);
  const minorV = v.get(root, 'nbformat_minor');
  let minor = 0;
  if (minorV >= 0) {
    const m = v.int(minorV);
    if (m === null) throw FALLBACK;
    minor = m;
  }
  if (major === 4) emitV4(v, seg, minor);
  else if (major === 3) emitV3(v, seg);
  else throw FALLBACK;
}

function emitV4(v: TapeView, seg: Segments, minor: number): void {
  const root = 0;
  const cells = v.pyIter(v.get(root, 'cells'));
  if (cells === null) throw FALLBACK;
  for (const cell of cells) {
    if (v.kind(cell) !== K_OBJ) throw FALLBACK;
    const source = v.get(cell, 'source');
    if (source >= 0 && v.kind(source) === K_ARR && !v.allStrings(source)) throw FALLBACK;
    const att = v.get(cell, 'attachments');
    if (att >= 0) {
      if (v.kind(att) !== K_OBJ) throw FALLBACK;
      for (const k of v.keys(att)) if (v.kind(k + 1) !== K_OBJ) throw FALLBACK;
    }
    const ct = v.get(cell, 'cell_type');
    if (ct >= 0 && v.strIs(ct, 'code')) {
      const outV = v.get(cell, 'outputs');
      const outputs = outV < 0 ? [] : v.pyIter(outV);
      if (outputs === null) throw FALLBACK;
      for (const out of outputs) {
        if (v.kind(out) !== K_OBJ) throw FALLBACK;
        const ot = v.get(out, 'output_type');
        if (ot >= 0 && v.kind(ot) >= K_ARR) throw FALLBACK;
        if (ot >= 0 && (v.strIs(ot, 'execute_result') || v.strIs(ot, 'display_data'))) {
          const data = v.get(out, 'data');
          if (data >= 0 && v.kind(data) !== K_OBJ) throw FALLBACK;
        } else if (ot >= 0 && v.truthy(ot)) {
          const text = v.get(out, 'text');
          if (text >= 0 && v.kind(text) === K_ARR && !v.allStrings(text)) throw FALLBACK;
        }
      }
    }
  }
  const meta = v.get(root, 'metadata');
  if (meta < 0 || v.kind(meta) !== K_OBJ) throw FALLBACK;
  for (const cell of cells) {
    const cm = v.get(cell, 'metadata');
    if (cm < 0 || v.kind(cm) !== K_OBJ) throw FALLBACK;
  }
  if (minor >= 5) {
    const seen = new Set<string>();
    const dec = new TextDecoder();
    for (const cell of cells) {
      const id = v.get(cell, 'id');
      if (id < 0 || v.kind(id) !== K_STR) throw FALLBACK;
      const s = dec.decode(v.b.subarray(v.start(id), v.end(id)));
      if (seen.has(s)) throw FALLBACK;
      seen.add(s);
    }
  }
  // The stream: rejoin_lines changes no bytes (the joined lines are hashed in order either
  // way); strip_transient and signature_removed drop keys.
  const cellsV = v.get(root, 'cells');
  emitObject(v, seg, root, (key, value) => {
    if (value === meta) {
      seg.push(v.start(key), v.end(key));
      emitSkipping(v, seg, meta, ['orig_nbformat', 'orig_nbformat_minor', 'signature']);
      return true;
    }
    if (value === cellsV && v.kind(cellsV) === K_ARR) {
      seg.push(v.start(key), v.end(key));
      for (const cell of cells) {
        emitObject(v, seg, cell, (ck, cv) => {
          if (!v.strIs(ck, 'metadata')) return false;
          seg.push(v.start(ck), v.end(ck));
          emitSkipping(v, seg, cv, ['trusted']);
          return true;
        });
      }
      return true;
    }
    return false;
  });
}

const V3_MULTILINE_OUTPUTS = ['text', 'html', 'svg', 'latex', 'javascript', 'json'];

function emitV3(v: TapeView, seg: Segments): void {
  const root = 0;
  const worksheets = v.pyIter(v.get(root, 'worksheets'));
  if (worksheets === null) throw FALLBACK;
  // Entries (arrays) that nbformat 3 joins into one string, with "\n" or "".
  const joins = new Set<number>();
  const join = (a: number): void => {
    if (a < 0 || v.kind(a) !== K_ARR) return;
    if (!v.allStrings(a)) throw FALLBACK;
    joins.add(a);
  };
  for (const ws of worksheets) {
    if (v.kind(ws) !== K_OBJ) throw FALLBACK;
    const cells = v.pyIter(v.get(ws, 'cells'));
    if (cells === null) throw FALLBACK;
    for (const cell of cells) {
      if (v.kind(cell) !== K_OBJ) throw FALLBACK;
      const ct = v.get(cell, 'cell_type');
      if (ct < 0) throw FALLBACK;
      if (v.strIs(ct, 'code')) {
        join(v.get(cell, 'input'));
        const outputs = v.pyIter(v.get(cell, 'outputs'));
        if (outputs === null) throw FALLBACK;
        for (const out of outputs) {
          if (v.kind(out) !== K_OBJ) throw FALLBACK;
          for (const key of V3_MULTILINE_OUTPUTS) join(v.get(out, key));
        }
      } else {
        join(v.get(cell, 'source'));
        join(v.get(cell, 'rendered'));
      }
    }
  }
  const meta = v.get(root, 'metadata');
  if (meta < 0 || v.kind(meta) !== K_OBJ) throw FALLBACK;
  const joined = Array.from(joins).sort((a, b) => a - b);
  /** True when a joined list is entry i or inside it. */
  const hasJoinAtOrBelow = (i: number): boolean => {
    let lo = 0;
    let hi = joined.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((joined[mid] as number) < i) lo = mid + 1;
      else hi = mid;
    }
    return lo < joined.length && (joined[lo] as number) < v.next(i);
  };
  // Like emitValue, but descends to where a joined list sits.
  const emitTree = (i: number): void => {
    if (!hasJoinAtOrBelow(i)) {
      emitValue(v, seg, i);
      return;
    }
    if (joins.has(i)) {
      const lines = v.items(i);
      const first = lines[0];
      if (first === undefined) return;
      const last = v.end(first) > v.start(first) ? v.b[v.end(first) - 1] : -1;
      // written by splitlines(True) -> joined with ""; by splitlines() -> with "\n"
      const sep = !(last === 0x0a || last === 0x0d);
      lines.forEach((line, j) => {
        if (sep && j > 0) seg.newline();
        seg.push(v.start(line), v.end(line));
      });
    } else if (v.kind(i) === K_ARR) {
      for (const x of v.items(i)) emitTree(x);
    } else {
      emitObject(v, seg, i, (key, value) => {
        seg.push(v.start(key), v.end(key));
        emitTree(value);
        return true;
      });
    }
  };
  emitObject(v, seg, root, (key, value) => {
    seg.push(v.start(key), v.end(key));
    if (value === meta) emitSkipping(v, seg, meta, ['signature']);
    else emitTree(value);
    return true;
  });
}
