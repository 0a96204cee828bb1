// The Jupyter digest: byte-compatible with
//   NotebookNotary(secret=secret).compute_signature(nbformat.reads(text, nbformat.NO_CONVERT))
// (nbformat 5.5). What reads() does to the dict before signing, read from nbformat's source:
//   v4: from_dict; v4.rwbase.rejoin_lines (cell source lists, attachment and
//       execute_result/display_data bundles except JSON mimes, text of other outputs joined
//       with ""); v4.rwbase.strip_transient (metadata.orig_nbformat, orig_nbformat_minor,
//       signature; each cell's metadata.trusted); validate() then gives cells of nbformat
//       >= 4.5 that lack an id, or repeat one, a RANDOM id (so those cannot be digested).
//   v3: from_dict; v3.rwbase.rejoin_lines (_join_lines: "" if the first line ends in \n or \r,
//       else "\n"); NO strip_transient on this path, so orig_nbformat and cell trusted stay.
// compute_signature then drops metadata.signature and feeds yield_everything(): dict keys
// sorted (Python: by code point), key UTF-8 then value; lists in order; str as UTF-8;
// everything else str() (True, False, None, ints, float repr).
// Where nbformat would raise, we return an error instead of a digest.

import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { jupyterStreamFromBytes } from './digest-bytes';
import {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_DEPTH,
  decodeNotebookBytes,
  hasOwn,
  isRawObject,
  parseJsonRaw,
  RawNumber,
} from './json';
import type { JsonLimits, RawObject, RawValue } from './json';
import type { NotebookError, Result } from './model';
import { pyNumberStr } from './pyrepr';

/**
 * The Jupyter digest of a notebook's text. Digested from its UTF-8 bytes (digest-bytes.ts);
 * the string-based path below decides where that one cannot (errors, lone surrogates, ...).
 */
export async function jupyterDigest(
  text: string,
  secret: Uint8Array,
  limits?: JsonLimits,
  hmac: HmacSha256 = hmacSha256,
): Promise<Result<string>> {
  if (text.length <= (limits?.maxBytes ?? DEFAULT_MAX_BYTES)) {
    // encode() turns a lone surrogate (which the string path refuses) into U+FFFD; the byte
    // path hands over at any raw U+FFFD, so such text is decided by the string path.
    const stream = jupyterStreamFromBytes(
      ownCopy(encoder.encode(text)),
      limits?.maxDepth ?? DEFAULT_MAX_DEPTH,
      true,
    );
    if (stream !== null) return { ok: true, value: toHex(await hmac(secret, stream)) };
  }
  return jupyterDigestOfText(text, secret, limits, hmac);
}

/**
 * The Jupyter digest of a notebook file's bytes: the same result (digest or error) as
 * decodeNotebookBytes followed by jupyterDigest, without decoding the text.
 */
export async function jupyterDigestBytes(
  bytes: Uint8Array,
  secret: Uint8Array,
  limits?: JsonLimits,
  hmac: HmacSha256 = hmacSha256,
): Promise<Result<string>> {
  if (bytes.length <= (limits?.maxBytes ?? DEFAULT_MAX_BYTES)) {
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    const stream = jupyterStreamFromBytes(copy, limits?.maxDepth ?? DEFAULT_MAX_DEPTH);
    if (stream !== null) return { ok: true, value: toHex(await hmac(secret, stream)) };
  }
  const text = decodeNotebookBytes(bytes, limits);
  if (!text.ok) return text;
  return jupyterDigestOfText(text.value, secret, limits, hmac);
}

/**
 * jupyterDigestBytes for bytes the caller gives up (a file just read into its own buffer, as
 * the CLI has it): the byte scan writes its pool over them instead of over a private copy, so
 * no copy of the file is made (on a 100 MB notebook that copy, a fresh 100 MB to fault in, was
 * about a fifth of the digest's time). Null when the bytes were used up without an answer (the
 * string path must decide: an error, a rare case): the caller then runs jupyterDigestBytes on
 * the bytes read again. The same digest as jupyterDigestBytes whenever it is not null.
 */
export async function jupyterDigestScratchBytes(
  bytes: Uint8Array,
  secret: Uint8Array,
  limits?: JsonLimits,
  hmac: HmacSha256 = hmacSha256,
): Promise<Result<string> | null> {
  // The scan reads 4 bytes at a time from offset 0 of the buffer; anything else is copied.
  if (bytes.length > (limits?.maxBytes ?? DEFAULT_MAX_BYTES) || bytes.byteOffset !== 0)
    return jupyterDigestBytes(bytes, secret, limits, hmac);
  const stream = jupyterStreamFromBytes(bytes, limits?.maxDepth ?? DEFAULT_MAX_DEPTH);
  if (stream === null) return null;
  return { ok: true, value: toHex(await hmac(secret, stream)) };
}

/** The string-based path: parse to a tree, apply nbformat's read transforms, walk it. */
export async function jupyterDigestOfText(
  text: string,
  secret: Uint8Array,
  limits?: JsonLimits,
  hmac: HmacSha256 = hmacSha256,
): Promise<Result<string>> {
  const parsed = parseJsonRaw(text, limits);
  if (!parsed.ok) return parsed;
  // The stream is about as long as the text: size the buffer once instead of doubling it.
  const bytes = jupyterDigestStream(parsed.value, text.length + (1 << 16));
  if (!bytes.ok) return bytes;
  return { ok: true, value: toHex(await hmac(secret, bytes.value)) };
}

/**
 * An HMAC-SHA256 implementation. The default (hmacSha256) works everywhere; in Node the CLI
 * passes node:crypto's, which hashes the big stream without WebCrypto's copy and thread hop.
 */
export type HmacSha256 = (key: Uint8Array, data: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/** The bytes as a fresh array at offset 0 (the byte scan reads it 4 bytes at a time). */
function ownCopy(b: Uint8Array): Uint8Array {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) return b;
  const copy = new Uint8Array(b.length);
  copy.set(b);
  return copy;
}

/** Digest of an already parsed document. Mutates `doc` (applies nbformat's read transforms). */
export async function jupyterDigestOfRaw(
  doc: RawValue,
  secret: Uint8Array,
  sizeHint = 1 << 16,
): Promise<Result<string>> {
  const bytes = jupyterDigestStream(doc, sizeHint);
  if (!bytes.ok) return bytes;
  return { ok: true, value: await hmacSha256Hex(secret, bytes.value) };
}

/** The exact byte stream nbformat feeds to HMAC. Mutates `doc`. */
export function jupyterDigestStream(doc: RawValue, sizeHint = 1 << 16): Result<Uint8Array> {
  const prep = prepareLikeNbformat(doc);
  if (!prep.ok) return prep;
  const sink = new ByteSink(sizeHint);
  try {
    walk(prep.value, sink);
  } catch (e) {
    if (e instanceof DigestFail) return { ok: false, error: e.error };
    throw e;
  }
  return { ok: true, value: sink.bytes() };
}

// ---------------------------------------------------------------- HMAC

// For small inputs the round trip through WebCrypto (a thread pool, a promise) costs more than
// the hash itself, so inputs up to SMALL_HMAC bytes are hashed with @noble/hashes; larger ones go to
// crypto.subtle. Both are checked against each other and against nbformat in the tests.
export const SMALL_HMAC = 256 * 1024;

// Per key array: the imported (non-extractable) WebCrypto key and the HMAC key block, checked
// against a copy of the key's bytes so an array changed in place is re-derived. A WeakMap: the
// entry goes when the caller drops its key array.
// Per key array: the imported (non-extractable) WebCrypto key, checked against a copy of the
// key's bytes so an array changed in place is re-imported. A WeakMap: the entry goes when the
// caller drops its key array.
interface KeyEntry {
  copy: Uint8Array;
  imported?: Promise<CryptoKey>;
}
const keyEntries = new WeakMap<Uint8Array, KeyEntry>();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function keyEntry(key: Uint8Array): KeyEntry {
  const hit = keyEntries.get(key);
  if (hit && sameBytes(hit.copy, key)) return hit;
  const e: KeyEntry = { copy: key.slice() };
  keyEntries.set(key, e);
  return e;
}

export async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  // Small inputs: @noble/hashes, synchronously (no WebCrypto round trip).
  if (data.length <= SMALL_HMAC) return hmac(nobleSha256, key, data);
  const e = keyEntry(key);
  // WebCrypto refuses a zero-length HMAC key; HMAC zero-pads short keys to the 64-byte block,
  // so a 64-byte zero block is the same HMAC key.
  const raw = key.length === 0 ? new Uint8Array(64) : key;
  e.imported ??= crypto.subtle.importKey(
    'raw',
    raw as BufferSource,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return new Uint8Array(await crypto.subtle.sign('HMAC', await e.imported, data as BufferSource));
}

/** SHA-256 (FIPS 180-4), synchronous, for small inputs: @noble/hashes (audited, well kept). */
export function sha256(msg: Uint8Array): Uint8Array {
  return nobleSha256(msg);
}

export async function hmacSha256Hex(key: Uint8Array, data: Uint8Array): Promise<string> {
  return toHex(await hmacSha256(key, data));
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i] as number];
  return s;
}

// ---------------------------------------------------------------- bytes

const encoder = new TextEncoder();

/** A growable byte buffer: the digest input is built once and hashed in one call. */
export class ByteSink {
  private buf: Uint8Array;
  private len = 0;
  constructor(initial: number) {
    this.buf = new Uint8Array(Math.max(16, initial));
  }
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  // Small strings are batched and encoded together: one encodeInto per ~64K characters
  // instead of one per key or line (the call overhead dominated on real notebooks).
  private pending: string[] = [];
  private pendingLen = 0;
  str(s: string): void {
    const n = s.length;
    if (n >= 8192) {
      if (this.pendingLen) this.flush();
      this.encode(s);
      return;
    }
    this.pending.push(s);
    this.pendingLen += n;
    if (this.pendingLen >= 65536) this.flush();
  }
  private flush(): void {
    const s = this.pending.length === 1 ? (this.pending[0] as string) : this.pending.join('');
    this.pending = [];
    this.pendingLen = 0;
    this.encode(s);
  }
  private encode(s: string): void {
    this.ensure(s.length * 3);
    this.len += encoder.encodeInto(s, this.buf.subarray(this.len)).written;
  }
  bytes(): Uint8Array {
    if (this.pendingLen || this.pending.length) this.flush();
    return this.buf.subarray(0, this.len);
  }
}

class DigestFail {
  constructor(readonly error: NotebookError) {}
}

/** Python's sorted() order for str: by code point (JS sorts by UTF-16 code unit). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (astral characters) sort above U+E000..U+FFFF by code point.
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

const NEEDS_CP_SORT = /[\ud800-\uffff]/;

export function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  if (keys.length < 2) return keys;
  for (const k of keys) {
    if (NEEDS_CP_SORT.test(k)) return keys.sort(compareCodePoints);
  }
  return keys.sort();
}

function walk(v: RawValue, sink: ByteSink): void {
  if (typeof v === 'string') sink.str(v);
  else if (v instanceof RawNumber) {
    const s = pyNumberStr(v.raw);
    if (s === undefined) {
      throw new DigestFail({
        code: 'wrong-type',
        message: `an integer has more than 4300 digits: Python's json refuses it, so nbformat cannot sign this notebook`,
      });
    }
    sink.str(s);
  } else if (Array.isArray(v)) {
    for (const x of v) walk(x, sink);
  } else if (v === null) sink.str('None');
  else if (v === true) sink.str('True');
  else if (v === false) sink.str('False');
  else {
    for (const k of sortedKeys(v)) {
      sink.str(k);
      walk(v[k] as RawValue, sink);
    }
  }
}

// ---------------------------------------------------------------- nbformat.reads

function bad(message: string, code: NotebookError['code'] = 'not-a-notebook'): Result<never> {
  return { ok: false, error: { code, message: `${message} (nbformat cannot sign it)` } };
}

/** Python iteration over a JSON value, for the cases where nbformat's code survives it. */
function pyIter(v: RawValue | undefined): RawValue[] | null {
  if (Array.isArray(v)) return v;
  // Iterating "" or {} yields nothing; any other str/dict yields strings, on which nbformat
  // then calls .get()/attribute access and fails; numbers, bools, None are not iterable.
  if (v === '' || (isRawObject(v) && Object.keys(v).length === 0)) return [];
  return null;
}

function pyTruthy(v: RawValue): boolean {
  if (v === null || v === false || v === '') return false;
  if (v instanceof RawNumber) return v.toNumber() !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function allStrings(a: RawValue[]): a is string[] {
  for (const x of a) if (typeof x !== 'string') return false;
  return true;
}

function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || (mime.startsWith('application/') && mime.endsWith('+json'));
}

function rejoinMimebundle(data: RawObject): void {
  for (const key of Object.keys(data)) {
    const value = data[key] as RawValue;
    if (!isJsonMime(key) && Array.isArray(value) && allStrings(value)) data[key] = value.join('');
  }
}

function intToken(v: RawValue | undefined): number | null {
  if (v instanceof RawNumber && v.isInt) return v.toNumber();
  return null;
}

/** Apply what nbformat.reads(text, NO_CONVERT) does to the dict; errors where it raises. */
export function prepareLikeNbformat(doc: RawValue): Result<RawObject> {
  if (!isRawObject(doc)) return bad('the document is not a JSON object');
  const majorV = hasOwn(doc, 'nbformat') ? doc.nbformat : undefined;
  if (majorV === undefined) return bad('no "nbformat" version', 'unsupported-version');
  const major = intToken(majorV);
  if (major !== 3 && major !== 4) {
    return bad(
      `unsupported nbformat ${majorV instanceof RawNumber ? majorV.raw : JSON.stringify(majorV)} (3 and 4 are supported)`,
      'unsupported-version',
    );
  }
  let minor = 0;
  if (hasOwn(doc, 'nbformat_minor')) {
    const m = intToken(doc.nbformat_minor);
    if (m === null) return bad('"nbformat_minor" is not an integer', 'wrong-type');
    minor = m;
  }
  return major === 4 ? prepareV4(doc, minor) : prepareV3(doc);
}

function prepareV4(nb: RawObject, minor: number): Result<RawObject> {
  const cells = pyIter(hasOwn(nb, 'cells') ? nb.cells : undefined);
  if (cells === null) return bad('"cells" is missing or not a list', 'wrong-type');
  // rejoin_lines
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (!isRawObject(cell)) return bad(`cells[${i}] is not an object`, 'wrong-type');
    if (hasOwn(cell, 'source') && Array.isArray(cell.source)) {
      if (!allStrings(cell.source))
        return bad(`cells[${i}].source has a non-string line`, 'wrong-type');
      cell.source = cell.source.join('');
    }
    if (hasOwn(cell, 'attachments')) {
      const att = cell.attachments;
      if (!isRawObject(att)) return bad(`cells[${i}].attachments is not an object`, 'wrong-type');
      for (const name of Object.keys(att)) {
        const bundle = att[name];
        if (!isRawObject(bundle))
          return bad(`cells[${i}].attachments is not a map of bundles`, 'wrong-type');
        rejoinMimebundle(bundle);
      }
    }
    if (hasOwn(cell, 'cell_type') && cell.cell_type === 'code') {
      const outputs = pyIter(hasOwn(cell, 'outputs') ? cell.outputs : []);
      if (outputs === null) return bad(`cells[${i}].outputs is not a list`, 'wrong-type');
      for (let j = 0; j < outputs.length; j++) {
        const out = outputs[j];
        if (!isRawObject(out))
          return bad(`cells[${i}].outputs[${j}] is not an object`, 'wrong-type');
        const ot: RawValue = hasOwn(out, 'output_type') ? (out.output_type as RawValue) : '';
        if (Array.isArray(ot) || isRawObject(ot)) {
          return bad(`cells[${i}].outputs[${j}].output_type is not a string`, 'wrong-type');
        }
        if (ot === 'execute_result' || ot === 'display_data') {
          const data = hasOwn(out, 'data') ? out.data : {};
          if (!isRawObject(data))
            return bad(`cells[${i}].outputs[${j}].data is not an object`, 'wrong-type');
          rejoinMimebundle(data);
        } else if (pyTruthy(ot) && hasOwn(out, 'text') && Array.isArray(out.text)) {
          if (!allStrings(out.text))
            return bad(`cells[${i}].outputs[${j}].text has a non-string line`, 'wrong-type');
          out.text = out.text.join('');
        }
      }
    }
  }
  // strip_transient
  const meta = hasOwn(nb, 'metadata') ? nb.metadata : undefined;
  if (!isRawObject(meta)) return bad('"metadata" is missing or not an object', 'wrong-type');
  delete meta.orig_nbformat;
  delete meta.orig_nbformat_minor;
  delete meta.signature;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] as RawObject;
    const cm = hasOwn(cell, 'metadata') ? cell.metadata : undefined;
    if (!isRawObject(cm))
      return bad(`cells[${i}].metadata is missing or not an object`, 'wrong-type');
    delete cm.trusted;
  }
  // validate() -> _normalize(): random ids for missing or repeated ones from 4.5 on.
  if (minor >= 5) {
    const seen = new Set<string>();
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i] as RawObject;
      if (!hasOwn(cell, 'id')) {
        return bad(
          `cells[${i}] has no "id" (nbformat >= 4.5 would give it a random one, so the digest is not deterministic)`,
          'wrong-type',
        );
      }
      const id = cell.id;
      // Python compares ids with == (1 == 1.0 == True); nbshield digests only string ids.
      if (typeof id !== 'string') return bad(`cells[${i}].id is not a string`, 'wrong-type');
      if (seen.has(id)) {
        return bad(
          `cells[${i}] repeats the cell id ${JSON.stringify(id)} (nbformat would replace it with a random one)`,
          'wrong-type',
        );
      }
      seen.add(id);
    }
  }
  return { ok: true, value: nb };
}

const V3_MULTILINE_OUTPUTS = ['text', 'html', 'svg', 'latex', 'javascript', 'json'];

function joinLinesV3(lines: RawValue[], where: string): string | Result<never> {
  if (lines.length === 0) return '';
  const first = lines[0];
  if (typeof first !== 'string') return bad(`${where} has a non-string line`, 'wrong-type');
  if (!allStrings(lines)) return bad(`${where} has a non-string line`, 'wrong-type');
  const last = first.charCodeAt(first.length - 1);
  // written by splitlines(True) -> join with ""; by splitlines() -> join with "\n"
  return lines.join(last === 0x0a || last === 0x0d ? '' : '\n');
}

function prepareV3(nb: RawObject): Result<RawObject> {
  const worksheets = pyIter(hasOwn(nb, 'worksheets') ? nb.worksheets : undefined);
  if (worksheets === null) return bad('"worksheets" is missing or not a list', 'wrong-type');
  for (let w = 0; w < worksheets.length; w++) {
    const ws = worksheets[w];
    if (!isRawObject(ws)) return bad(`worksheets[${w}] is not an object`, 'wrong-type');
    const cells = pyIter(hasOwn(ws, 'cells') ? ws.cells : undefined);
    if (cells === null) return bad(`worksheets[${w}].cells is missing or not a list`, 'wrong-type');
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i];
      const where = `worksheets[${w}].cells[${i}]`;
      if (!isRawObject(cell)) return bad(`${where} is not an object`, 'wrong-type');
      if (!hasOwn(cell, 'cell_type')) return bad(`${where} has no cell_type`, 'wrong-type');
      if (cell.cell_type === 'code') {
        if (hasOwn(cell, 'input') && Array.isArray(cell.input)) {
          const j = joinLinesV3(cell.input, `${where}.input`);
          if (typeof j !== 'string') return j;
          cell.input = j;
        }
        const outputs = pyIter(hasOwn(cell, 'outputs') ? cell.outputs : undefined);
        if (outputs === null) return bad(`${where}.outputs is missing or not a list`, 'wrong-type');
        for (let k = 0; k < outputs.length; k++) {
          const out = outputs[k];
          if (!isRawObject(out))
            return bad(`${where}.outputs[${k}] is not an object`, 'wrong-type');
          for (const key of V3_MULTILINE_OUTPUTS) {
            const item = hasOwn(out, key) ? out[key] : undefined;
            if (Array.isArray(item)) {
              const j = joinLinesV3(item, `${where}.outputs[${k}].${key}`);
              if (typeof j !== 'string') return j;
              out[key] = j;
            }
          }
        }
      } else {
        for (const key of ['source', 'rendered']) {
          const item = hasOwn(cell, key) ? cell[key] : undefined;
          if (Array.isArray(item)) {
            const j = joinLinesV3(item, `${where}.${key}`);
            if (typeof j !== 'string') return j;
            cell[key] = j;
          }
        }
      }
    }
  }
  // compute_signature's signature_removed(): nb["metadata"].pop("signature")
  const meta = hasOwn(nb, 'metadata') ? nb.metadata : undefined;
  if (!isRawObject(meta)) return bad('"metadata" is missing or not an object', 'wrong-type');
  delete meta.signature;
  return { ok: true, value: nb };
}
