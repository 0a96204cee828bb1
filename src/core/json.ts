// A strict JSON parser for notebooks. JSON.parse cannot serve: it loses number tokens (the
// Jupyter digest needs `1` vs `1.0`), accepts duplicate keys and lone surrogates silently,
// reports no line/column, and its recursion depth is the engine's, not ours.
// The parser is iterative (an explicit stack), so no input can overflow the JS stack.

import type { JsonObject, JsonValue, NotebookError, Result } from './model';

export interface JsonLimits {
  /** Largest accepted text, in UTF-16 code units (<= its UTF-8 byte count). */
  maxBytes?: number;
  /** Deepest accepted nesting of arrays/objects. */
  maxDepth?: number;
}

export const DEFAULT_MAX_BYTES = 200 * 1024 * 1024;
// Real notebooks nest < 30 levels (plotly/vega specs included); 1000 matches what Python's
// json/nbformat can read at all (its recursion limit), so nothing nbformat reads is refused.
export const DEFAULT_MAX_DEPTH = 1000;

/** A number exactly as written in the document (the digest needs the token, not a double). */
export class RawNumber {
  constructor(readonly raw: string) {}
  /** True for tokens Python's json.loads turns into an int. */
  get isInt(): boolean {
    return !/[.eE]/.test(this.raw);
  }
  toNumber(): number {
    return Number(this.raw);
  }
}

export type RawValue = null | boolean | string | RawNumber | RawValue[] | RawObject;
export interface RawObject {
  [key: string]: RawValue;
}

export function isRawObject(v: RawValue | undefined): v is RawObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RawNumber);
}

export function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** Parse a document into plain JSON values (numbers as JS numbers). */
export function parseJson(text: string, limits?: JsonLimits): Result<JsonValue> {
  return run<JsonValue>(text, limits, false);
}

/** Parse keeping every number as its token (RawNumber): for digests and canonical forms. */
export function parseJsonRaw(text: string, limits?: JsonLimits): Result<RawValue> {
  return run<RawValue>(text, limits, true);
}

/**
 * Bytes of a .ipynb file to text: UTF-8 only. A BOM, UTF-16/32 text or invalid UTF-8 is refused
 * with a message saying so (nbformat files are UTF-8 without BOM).
 */
export function decodeNotebookBytes(bytes: Uint8Array, limits?: JsonLimits): Result<string> {
  const maxBytes = limits?.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length > maxBytes) {
    return fail('too-large', `too large: ${bytes.length} bytes (limit ${maxBytes})`);
  }
  const b0 = bytes[0];
  const b1 = bytes[1];
  if (b0 === 0xef && b1 === 0xbb && bytes[2] === 0xbf) {
    return fail(
      'encoding',
      'encoding: the file starts with a UTF-8 byte-order mark (BOM); save it as UTF-8 without BOM',
    );
  }
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
    return fail(
      'encoding',
      'encoding: the file is UTF-16 (it has a UTF-16 byte-order mark); notebooks must be UTF-8',
    );
  }
  if (bytes.length >= 2 && (b0 === 0 || b1 === 0)) {
    return fail(
      'encoding',
      'encoding: the file looks like UTF-16 or UTF-32 (NUL bytes at its start); notebooks must be UTF-8',
    );
  }
  try {
    return {
      ok: true,
      value: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes),
    };
  } catch {
    const at = firstInvalidUtf8(bytes);
    return fail('encoding', `encoding: not valid UTF-8 (bad byte at offset ${at})`);
  }
}

function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    let n: number;
    let min: number;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      min = 0x10000;
    } else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return i;
}

function fail<T>(code: NotebookError['code'], message: string): Result<T> {
  return { ok: false, error: { code, message } };
}

class JsonFail {
  constructor(
    readonly code: NotebookError['code'],
    readonly what: string,
    readonly pos: number,
    readonly path?: string,
  ) {}
}

interface Frame {
  arr: unknown[] | null;
  obj: Record<string, unknown> | null;
  key: string;
}

/** A parse that can stop between values and go on later (so a long parse is many short tasks). */
export interface SteppedParse<T> {
  /** Parses until `shouldPause()` says so (asked every few hundred values): the result, or null. */
  step(): Result<T> | null;
  /**
   * When the document is an array: its items read so far (complete values only; the same array
   * the result will hold, so a caller may use them before the parse ends, and may clear those
   * it has taken over so they can be collected). Otherwise null.
   */
  rootItems(): T[] | null;
}

/**
 * Like parseJson, in steps: each `step()` returns null when `shouldPause` asked it to stop, and
 * the same result parseJson gives once the document is read.
 */
export function parseJsonSteps(
  text: string,
  shouldPause: () => boolean,
  limits?: JsonLimits,
): SteppedParse<JsonValue> {
  const pre = precheck<JsonValue>(text, limits);
  if (pre !== null) return { step: () => pre, rootItems: () => null };
  const parser = new Parser(text, false, limits?.maxDepth ?? DEFAULT_MAX_DEPTH, shouldPause);
  let done: Result<JsonValue> | null = null;
  return {
    rootItems(): JsonValue[] | null {
      if (done !== null) return done.ok && Array.isArray(done.value) ? done.value : null;
      return parser.rootArray() as JsonValue[] | null;
    },
    step(): Result<JsonValue> | null {
      if (done !== null) return done;
      try {
        const v = parser.resume();
        if (v === PAUSED) return null;
        done = { ok: true, value: v as JsonValue };
      } catch (e) {
        done = failure(text, e);
      }
      return done;
    },
  };
}

/**
 * The checks every parse makes on the whole text before reading it (size, BOM, UTF-16). They
 * read its length and first characters only, so the text may be a string or a text held in
 * pieces (core/pieces).
 */
export function precheck<T>(
  text: {
    readonly length: number;
    charCodeAt(i: number): number;
    slice(a: number, b: number): string;
  },
  limits: JsonLimits | undefined,
): Result<T> | null {
  const maxBytes = limits?.maxBytes ?? DEFAULT_MAX_BYTES;
  if (text.length > maxBytes) {
    return fail('too-large', `too large: ${text.length} characters (limit ${maxBytes} bytes)`);
  }
  const c0 = text.charCodeAt(0);
  const start2 = text.slice(0, 2);
  if (c0 === 0xfeff) {
    return fail(
      'encoding',
      'encoding: the text starts with a byte-order mark (BOM); notebooks are UTF-8 without BOM',
    );
  }
  if (
    c0 === 0xfffe ||
    start2 === '\ufffd\ufffd' ||
    start2 === '\u00ff\u00fe' ||
    start2 === '\u00fe\u00ff'
  ) {
    return fail(
      'encoding',
      'encoding: the text looks like mis-decoded UTF-16; notebooks must be UTF-8',
    );
  }
  if (text.length >= 2 && (c0 === 0 || text.charCodeAt(1) === 0)) {
    return fail(
      'encoding',
      'encoding: the text looks like UTF-16 or UTF-32 (NUL characters at its start); notebooks must be UTF-8',
    );
  }
  return null;
}

/**
 * parseJsonRaw without the engine-decoded path for strings with many escapes: every string is
 * decoded by the exact path. Only for tests, as the reference that path must agree with.
 */
export function parseJsonRawExact(text: string, limits?: JsonLimits): Result<RawValue> {
  return run<RawValue>(text, limits, true, Infinity);
}

/** Escapes in one string after which the engine decodes the whole string (JSON.parse). */
const ENGINE_DECODE_AFTER = 16;

function run<T>(
  text: string,
  limits: JsonLimits | undefined,
  raw: boolean,
  engineDecodeAfter = ENGINE_DECODE_AFTER,
): Result<T> {
  const pre = precheck<T>(text, limits);
  if (pre !== null) return pre;
  const maxDepth = limits?.maxDepth ?? DEFAULT_MAX_DEPTH;
  try {
    const parser = new Parser(text, raw, maxDepth, null, engineDecodeAfter);
    return { ok: true, value: parser.document() as T };
  } catch (e) {
    return failure(text, e);
  }
}

// The document stops before its value does: most often a file cut short, which the position
// alone (a line near the end) does not tell the user.
const ENDS_EARLY = /^(unexpected end of input|unterminated string)/;
const CUT_SHORT =
  '; the text ends before the notebook does: the file may be cut short (an incomplete download or copy)';

function failure(text: string, e: unknown): Result<never> {
  if (!(e instanceof JsonFail)) throw e;
  const { line, column } = lineColumn(text, e.pos);
  const error: NotebookError = {
    code: e.code,
    message: `${e.code === 'not-json' ? 'not JSON: ' : ''}${e.what} at line ${line}, column ${column}${e.path !== undefined ? ` (${e.path})` : ''}${ENDS_EARLY.test(e.what) ? CUT_SHORT : ''}`,
    line,
    column,
  };
  if (e.path !== undefined) error.path = e.path;
  return { ok: false, error };
}

function lineColumn(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  let i = text.indexOf('\n');
  while (i !== -1 && i < pos) {
    line++;
    lineStart = i + 1;
    i = text.indexOf('\n', lineStart);
  }
  return { line, column: pos - lineStart + 1 };
}

function describe(text: string, pos: number): string {
  if (pos >= text.length) return 'unexpected end of input';
  const c = text.codePointAt(pos) as number;
  if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0)) {
    return `unexpected character U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `unexpected '${String.fromCodePoint(c)}'`;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function formatPath(parts: (string | number)[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (IDENT.test(p)) out += out === '' ? p : `.${p}`;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

// Control characters other than \t \n \r, and surrogates: rare, found by one RegExp scan.
// eslint-disable-next-line no-control-regex -- control characters are exactly what it must find
const ODD_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff]/g;

function orEnd(k: number, n: number): number {
  return k === -1 ? n : k;
}

/** How far past the current string the odd-character scan looks ahead. */
const ODD_WINDOW = 256 * 1024;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What a paused Parser.value() returns. */
const PAUSED: unique symbol = Symbol('paused');

class Parser {
  private pos = 0;
  private readonly stack: Frame[] = [];
  private started = false;
  private ticks = 0;

  constructor(
    private readonly text: string,
    private readonly raw: boolean,
    private readonly maxDepth: number,
    private readonly shouldPause: (() => boolean) | null = null,
    private readonly engineDecodeAfter = ENGINE_DECODE_AFTER,
  ) {}

  private err(code: NotebookError['code'], what: string, pos: number, path?: string): JsonFail {
    return new JsonFail(code, what, pos, path);
  }

  private unexpected(pos: number): JsonFail {
    return this.err('not-json', describe(this.text, pos), pos);
  }

  private ws(): void {
    const t = this.text;
    let p = this.pos;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
  }

  private path(extraKey?: string, inObj?: object): string {
    const parts: (string | number)[] = [];
    const top = this.stack[this.stack.length - 1];
    // While a key of the top object is read, that frame's old key is not part of the path.
    const frames =
      top && inObj !== undefined && top.obj === inObj ? this.stack.slice(0, -1) : this.stack;
    for (const f of frames) {
      if (f.arr) parts.push(f.arr.length);
      else parts.push(f.key);
    }
    if (extraKey !== undefined) parts.push(extraKey);
    return formatPath(parts);
  }

  document(): unknown {
    return this.resume();
  }

  /** The outermost array being read (items are pushed only once complete), or null. */
  rootArray(): unknown[] | null {
    return this.stack[0]?.arr ?? null;
  }

  /** The document, or PAUSED when shouldPause asked (call again to go on from there). */
  resume(): unknown {
    if (!this.started) {
      this.started = true;
      this.ws();
      if (this.pos >= this.text.length) throw this.err('not-json', 'empty document', this.pos);
    }
    const v = this.value();
    if (v === PAUSED) return v;
    this.ws();
    if (this.pos < this.text.length) throw this.unexpected(this.pos);
    return v;
  }

  private tooDeep(): JsonFail {
    return this.err('too-deep', `too deeply nested (more than ${this.maxDepth} levels)`, this.pos);
  }

  /** Reads `"key" :` inside an object and checks it is new. */
  private member(obj: Record<string, unknown>): string {
    this.ws();
    if (this.text.charCodeAt(this.pos) !== 0x22) {
      const p = this.pos;
      throw this.err('not-json', `${describe(this.text, p)} (expected a string key)`, p);
    }
    const keyPos = this.pos;
    const key = this.string();
    if (hasOwn(obj, key)) {
      throw this.err(
        'duplicate-key',
        `duplicate key ${JSON.stringify(key)}`,
        keyPos,
        this.path(key, obj),
      );
    }
    this.ws();
    if (this.text.charCodeAt(this.pos) !== 0x3a) {
      const p = this.pos;
      throw this.err('not-json', `${describe(this.text, p)} (expected ':')`, p);
    }
    this.pos++;
    return key;
  }

  private value(): unknown {
    const t = this.text;
    const stack = this.stack;
    const pause = this.shouldPause;
    for (;;) {
      // Between two values all state is in pos and the stack: a safe place to stop and resume.
      if (pause !== null && (++this.ticks & 255) === 0 && pause()) return PAUSED;
      this.ws();
      let c = t.charCodeAt(this.pos);
      let v: unknown;
      if (c === 0x7b) {
        if (stack.length >= this.maxDepth) throw this.tooDeep();
        this.pos++;
        this.ws();
        const obj: Record<string, unknown> = {};
        if (t.charCodeAt(this.pos) === 0x7d) {
          this.pos++;
          v = obj;
        } else {
          const frame: Frame = { arr: null, obj, key: '' };
          frame.key = this.member(obj);
          stack.push(frame);
          continue;
        }
      } else if (c === 0x5b) {
        if (stack.length >= this.maxDepth) throw this.tooDeep();
        this.pos++;
        this.ws();
        const arr: unknown[] = [];
        if (t.charCodeAt(this.pos) === 0x5d) {
          this.pos++;
          v = arr;
        } else {
          stack.push({ arr, obj: null, key: '' });
          continue;
        }
      } else {
        v = this.scalar(c);
      }
      // Attach v to its container; close containers that end here.
      for (;;) {
        const f = stack[stack.length - 1];
        if (f === undefined) return v;
        this.ws();
        c = t.charCodeAt(this.pos);
        if (f.arr !== null) {
          f.arr.push(v);
          if (c === 0x2c) {
            this.pos++;
            break;
          }
          if (c === 0x5d) {
            this.pos++;
            v = f.arr;
            stack.pop();
            continue;
          }
          throw this.err('not-json', `${describe(t, this.pos)} (expected ',' or ']')`, this.pos);
        }
        const obj = f.obj as Record<string, unknown>;
        if (f.key === '__proto__') {
          // A plain assignment would set the prototype; make it an own property instead.
          Object.defineProperty(obj, f.key, {
            value: v,
            writable: true,
            enumerable: true,
            configurable: true,
          });
        } else obj[f.key] = v;
        if (c === 0x2c) {
          this.pos++;
          f.key = this.member(obj);
          break;
        }
        if (c === 0x7d) {
          this.pos++;
          v = obj;
          stack.pop();
          continue;
        }
        throw this.err('not-json', `${describe(t, this.pos)} (expected ',' or '}')`, this.pos);
      }
    }
  }

  private literal(word: string, v: unknown): unknown {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return v;
    }
    throw this.unexpected(this.pos);
  }

  private scalar(c: number): unknown {
    if (c === 0x22) return this.string();
    if (c === 0x74) return this.literal('true', true);
    if (c === 0x66) return this.literal('false', false);
    if (c === 0x6e) return this.literal('null', null);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    const t = this.text;
    if (t.startsWith('NaN', this.pos) || t.startsWith('Infinity', this.pos)) {
      throw this.err(
        'non-finite-number',
        `${t.startsWith('NaN', this.pos) ? 'NaN' : 'Infinity'} is not a JSON number`,
        this.pos,
        this.path(),
      );
    }
    throw this.unexpected(this.pos);
  }

  private number(): unknown {
    const t = this.text;
    const start = this.pos;
    let p = start;
    if (t.charCodeAt(p) === 0x2d) {
      p++;
      if (t.startsWith('Infinity', p)) {
        throw this.err('non-finite-number', '-Infinity is not a JSON number', start, this.path());
      }
    }
    let c = t.charCodeAt(p);
    if (c === 0x30) p++;
    else if (c >= 0x31 && c <= 0x39) {
      do p++;
      while ((c = t.charCodeAt(p)) >= 0x30 && c <= 0x39);
    } else throw this.err('not-json', `${describe(t, p)} (invalid number)`, p);
    if (t.charCodeAt(p) === 0x2e) {
      p++;
      c = t.charCodeAt(p);
      if (!(c >= 0x30 && c <= 0x39))
        throw this.err('not-json', `${describe(t, p)} (invalid number)`, p);
      do p++;
      while ((c = t.charCodeAt(p)) >= 0x30 && c <= 0x39);
    }
    c = t.charCodeAt(p);
    if (c === 0x65 || c === 0x45) {
      p++;
      c = t.charCodeAt(p);
      if (c === 0x2b || c === 0x2d) p++;
      c = t.charCodeAt(p);
      if (!(c >= 0x30 && c <= 0x39))
        throw this.err('not-json', `${describe(t, p)} (invalid number)`, p);
      do p++;
      while ((c = t.charCodeAt(p)) >= 0x30 && c <= 0x39);
    }
    this.pos = p;
    const token = t.slice(start, p);
    return this.raw ? new RawNumber(token) : Number(token);
  }

  // Next position (>= the current scan point) of each character that ends a plain run in a
  // string, cached: String.prototype.indexOf is the engine's fastest scan, and each cache only
  // moves forward, so all of them together read the text about once.
  private nBs = -1;
  private nNl = -1;
  private nCr = -1;
  private nTab = -1;
  private nOdd = -1;
  /** nOdd is only where the last bounded scan stopped (no odd character before it). */
  private oddWindow = false;

  /** First index in [i, q) of a backslash, control character or surrogate; q if none. */
  private special(i: number, q: number): number {
    const t = this.text;
    const n = t.length;
    let m = q;
    if (this.nBs < i) this.nBs = orEnd(t.indexOf('\\', i), n);
    if (this.nBs < m) m = this.nBs;
    if (this.nNl < i) this.nNl = orEnd(t.indexOf('\n', i), n);
    if (this.nNl < m) m = this.nNl;
    if (this.nCr < i) this.nCr = orEnd(t.indexOf('\r', i), n);
    if (this.nCr < m) m = this.nCr;
    if (this.nTab < i) this.nTab = orEnd(t.indexOf('\t', i), n);
    if (this.nTab < m) m = this.nTab;
    if (this.nOdd < i || (this.oddWindow && this.nOdd < q)) {
      // The RegExp scan is bounded (unlike indexOf, it cannot stop early for us): a text with
      // no such character at all would be scanned to its end in one call, 100-280 ms for
      // 93 MB, inside one parse slice (issue 5). So it looks a window past this string only.
      const from = this.oddWindow && this.nOdd > i ? this.nOdd : i;
      const to = Math.min(n, Math.max(q, from) + ODD_WINDOW);
      ODD_CHARS.lastIndex = 0;
      if (ODD_CHARS.test(t.slice(from, to))) {
        this.nOdd = from + ODD_CHARS.lastIndex - 1;
        this.oddWindow = false;
      } else {
        // None before `to`: a position no string end before it can reach.
        this.nOdd = to;
        this.oddWindow = to < n;
      }
    }
    if (this.nOdd < m) m = this.nOdd;
    return m;
  }

  private string(): string {
    const t = this.text;
    const start = this.pos + 1;
    let out = '';
    let chunk = start;
    let i = start;
    let q = -1;
    let escapes = 0;
    for (;;) {
      if (q < i) {
        q = t.indexOf('"', i);
        if (q === -1) throw this.err('not-json', 'unterminated string', start - 1);
      }
      const j = this.special(i, q);
      if (j === q) {
        this.pos = q + 1;
        return out === '' ? t.slice(chunk, q) : out + t.slice(chunk, q);
      }
      const c = t.charCodeAt(j);
      if (c === 0x5c) {
        if (++escapes === this.engineDecodeAfter) {
          // Many escapes (HTML or JSON inside a string: \" everywhere): let the engine decode
          // the whole literal, straight from a slice of the text (a view, not a copy: a
          // `"${...}` prefix would copy it, and the pieces decoded so far would be joined to
          // the result; on a notebook's HTML outputs those copies were most of the parse's
          // garbage). Any doubt (bad escape, control character, lone surrogate) falls through
          // to the exact path below, which reports the error.
          const end = this.stringEnd(j);
          if (end !== -1) {
            let v: string | undefined;
            try {
              v = JSON.parse(t.slice(start - 1, end + 1)) as string;
            } catch {
              v = undefined;
            }
            if (v !== undefined && !LONE_SURROGATE.test(v)) {
              this.pos = end + 1;
              return v;
            }
          }
        }
        out += t.slice(chunk, j);
        const e = t.charCodeAt(j + 1);
        let n = 2;
        switch (e) {
          case 0x22:
            out += '"';
            break;
          case 0x5c:
            out += '\\';
            break;
          case 0x2f:
            out += '/';
            break;
          case 0x62:
            out += '\b';
            break;
          case 0x66:
            out += '\f';
            break;
          case 0x6e:
            out += '\n';
            break;
          case 0x72:
            out += '\r';
            break;
          case 0x74:
            out += '\t';
            break;
          case 0x75: {
            const u = this.hex4(j + 2);
            n = 6;
            if (u >= 0xd800 && u <= 0xdbff) {
              const lo =
                t.charCodeAt(j + 6) === 0x5c && t.charCodeAt(j + 7) === 0x75
                  ? this.hex4(j + 8)
                  : -1;
              if (lo < 0xdc00 || lo > 0xdfff) throw this.loneSurrogate(u, j);
              out += String.fromCharCode(u, lo);
              n = 12;
            } else if (u >= 0xdc00 && u <= 0xdfff) {
              throw this.loneSurrogate(u, j);
            } else out += String.fromCharCode(u);
            break;
          }
          default:
            throw this.err(
              'not-json',
              `invalid escape ${JSON.stringify(t.slice(j, j + 2))} in string`,
              j,
            );
        }
        i = chunk = j + n;
      } else if (c < 0x20) {
        throw this.err(
          'not-json',
          `unescaped control character U+${c.toString(16).toUpperCase().padStart(4, '0')} in string`,
          j,
        );
      } else {
        // A surrogate in the text itself: only a high+low pair is a character.
        const lo = t.charCodeAt(j + 1);
        if (c <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) i = j + 2;
        else throw this.loneSurrogate(c, j);
      }
    }
  }

  /** Index of the quote closing the string that contains position `from`, or -1. */
  private stringEnd(from: number): number {
    const t = this.text;
    let p = from;
    for (;;) {
      const q = t.indexOf('"', p);
      if (q === -1) return -1;
      let b = q - 1;
      while (t.charCodeAt(b) === 0x5c) b--;
      if ((q - 1 - b) % 2 === 0) return q;
      p = q + 1;
    }
  }

  private loneSurrogate(u: number, pos: number): JsonFail {
    return this.err(
      'lone-surrogate',
      `lone surrogate \\u${u.toString(16)} in string (not a Unicode character)`,
      pos,
      this.path(),
    );
  }

  private hex4(p: number): number {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = this.text.charCodeAt(p + k);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else throw this.err('not-json', 'invalid \\u escape in string', p - 2);
      v = v * 16 + d;
    }
    return v;
  }
}

/** RawValue -> plain JsonValue (numbers become doubles). */
export function rawToJson(v: RawValue): JsonValue {
  if (v instanceof RawNumber) return v.toNumber();
  if (Array.isArray(v)) return v.map(rawToJson);
  if (v !== null && typeof v === 'object') {
    const o: JsonObject = {};
    for (const k of Object.keys(v)) {
      const val = rawToJson(v[k] as RawValue);
      if (k === '__proto__') {
        Object.defineProperty(o, k, {
          value: val,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      } else o[k] = val;
    }
    return o;
  }
  return v;
}
