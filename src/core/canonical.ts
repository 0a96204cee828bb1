// nbshield's own canonical form, for what nbshield itself writes (one-click trust records and
// `nbshield sign` signatures). The Jupyter digest stream has no separators (`{"x": true}` and
// `{"x": "True"}` feed the same bytes; key/value boundaries can be shifted), so it is used only
// for interoperability. The canonical form is unambiguous: it is itself JSON.
//
// nbshield-canonical-v1 (close to RFC 8785 JCS, two deliberate differences):
//   - the document as parsed, with only `metadata.signature` (top level) removed;
//   - no whitespace; object keys sorted by Unicode code point (JCS sorts UTF-16 code units;
//     code points match Python and the Jupyter digest);
//   - strings and keys escaped as ECMAScript JSON.stringify does (JCS does the same);
//   - numbers: the token exactly as written in the file (JCS re-serialises doubles, which would
//     make `1` and `1.0`, or two integers above 2^53, the same; here any change shows);
//   - true, false, null as themselves.
// Each value has exactly one encoding and the encoding parses back to the value, so two
// documents share canonical bytes only if they are the same JSON value.

import { ByteSink, hmacSha256Hex, sortedKeys } from './digest';
import { isRawObject, RawNumber } from './json';
import type { RawObject, RawValue } from './json';

export const CANONICAL_FORM = 'nbshield-canonical-v1';
/** What `nbshield sign` stores in metadata.signature: prefix + 64 lower-case hex digits. */
export const SIGNATURE_PREFIX = 'nbshield-v1:hmac-sha256:';
// Domain separation: a record digest (kept in extension storage, maybe synced) can never be
// pasted into a file as a valid signature, and vice versa.
const SIGNATURE_DOMAIN = 'nbshield-signature-v1\n';
const RECORD_DOMAIN = 'nbshield-record-v1\n';

const enc = new TextEncoder();

/** Canonical bytes of a parsed document (RawValue from parseJsonRaw). Does not mutate it. */
export function canonicalBytes(doc: RawValue, sizeHint = 1 << 16): Uint8Array {
  const sink = new ByteSink(sizeHint);
  emit(doc, sink, true);
  return sink.bytes();
}

function emit(v: RawValue, sink: ByteSink, isRoot: boolean): void {
  if (typeof v === 'string') sink.str(JSON.stringify(v));
  else if (v instanceof RawNumber) sink.str(v.raw);
  else if (v === null) sink.str('null');
  else if (v === true) sink.str('true');
  else if (v === false) sink.str('false');
  else if (Array.isArray(v)) {
    sink.str('[');
    for (let i = 0; i < v.length; i++) {
      if (i) sink.str(',');
      emit(v[i] as RawValue, sink, false);
    }
    sink.str(']');
  } else {
    sink.str('{');
    let first = true;
    for (const k of sortedKeys(v)) {
      const val = v[k] as RawValue;
      if (!first) sink.str(',');
      first = false;
      sink.str(JSON.stringify(k));
      sink.str(':');
      if (isRoot && k === 'metadata' && isRawObject(val)) emitWithout(val, 'signature', sink);
      else emit(val, sink, false);
    }
    sink.str('}');
  }
}

function emitWithout(o: RawObject, skip: string, sink: ByteSink): void {
  sink.str('{');
  let first = true;
  for (const k of sortedKeys(o)) {
    if (k === skip) continue;
    if (!first) sink.str(',');
    first = false;
    sink.str(JSON.stringify(k));
    sink.str(':');
    emit(o[k] as RawValue, sink, false);
  }
  sink.str('}');
}

function withDomain(domain: string, canonical: Uint8Array): Uint8Array {
  const d = enc.encode(domain);
  const out = new Uint8Array(d.length + canonical.length);
  out.set(d);
  out.set(canonical, d.length);
  return out;
}

/** The full signature string for canonical bytes: `nbshield-v1:hmac-sha256:<hex>`. */
export async function signatureOfCanonical(
  canonical: Uint8Array,
  key: Uint8Array,
): Promise<string> {
  return SIGNATURE_PREFIX + (await hmacSha256Hex(key, withDomain(SIGNATURE_DOMAIN, canonical)));
}

/** What a one-click trust records (hex), for canonical bytes. */
export function recordDigestOfCanonical(canonical: Uint8Array, key: Uint8Array): Promise<string> {
  return hmacSha256Hex(key, withDomain(RECORD_DOMAIN, canonical));
}

/**
 * Serialise as nbformat writes files: json.dumps(indent=1, sort_keys=True,
 * separators=(",", ": "), ensure_ascii=False) plus a final newline; number tokens kept.
 */
export function serializeNbformat(doc: RawValue): string {
  const out: string[] = [];
  const go = (v: RawValue, indent: string): void => {
    if (typeof v === 'string') out.push(JSON.stringify(v));
    else if (v instanceof RawNumber) out.push(v.raw);
    else if (v === null) out.push('null');
    else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
    else if (Array.isArray(v)) {
      if (v.length === 0) {
        out.push('[]');
        return;
      }
      const inner = indent + ' ';
      out.push('[');
      for (let i = 0; i < v.length; i++) {
        out.push(i ? ',\n' : '\n', inner);
        go(v[i] as RawValue, inner);
      }
      out.push('\n', indent, ']');
    } else {
      const keys = sortedKeys(v);
      if (keys.length === 0) {
        out.push('{}');
        return;
      }
      const inner = indent + ' ';
      out.push('{');
      keys.forEach((k, i) => {
        out.push(i ? ',\n' : '\n', inner, JSON.stringify(k), ': ');
        go(v[k] as RawValue, inner);
      });
      out.push('\n', indent, '}');
    }
  };
  go(doc, '');
  out.push('\n');
  return out.join('');
}
