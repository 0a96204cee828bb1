// The trust decision. Trusted only when, for one of the user's keys:
//   - metadata.signature is a valid nbshield signature (`nbshield-v1:hmac-sha256:<hex>` over
//     the canonical form), or
//   - the notebook is nbformat 3 and metadata.signature is IPython 2's `sha256:<hex>` equal to
//     the Jupyter digest (the only version whose files carried it), or
//   - the canonical record digest is in the user's trust records (one-click trust).
// Never from flags in the file (metadata.trusted, cell trusted), never from another prefix or
// a differently written one (case, spaces): signatures are compared as exact strings.

import {
  canonicalBytes,
  recordDigestOfCanonical,
  SIGNATURE_PREFIX,
  signatureOfCanonical,
  serializeNbformat,
} from './canonical';
import { hmacSha256Hex, jupyterDigestStream } from './digest';
import { hasOwn, isRawObject, parseJsonRaw, RawNumber } from './json';
import type { RawObject, RawValue } from './json';
import type { NotebookError, Result } from './model';

export interface TrustKey {
  id: string;
  name: string;
  bytes: Uint8Array;
}

export type VerdictReason =
  | 'signed'
  | 'recorded'
  | 'legacy-signature'
  | 'no-signature'
  | 'bad-signature'
  | 'unsupported-signature'
  | 'changed'
  | 'no-key'
  | 'invalid';

export interface Verdict {
  trusted: boolean;
  reason: VerdictReason;
  /** The key that trusted it (signature or record). */
  keyId?: string;
  /** One line for the toolbar / CLI. */
  message: string;
  /** Record digest for the first key (or the trusting key): what a one-click trust stores. */
  canonicalDigest?: string;
  /** Record digest per key id. */
  recordDigests?: Record<string, string>;
}

export interface DecideInput {
  text: string;
  keys: TrustKey[];
  isRecorded: (recordDigest: string) => boolean | Promise<boolean>;
  /**
   * Optional hint from the background: the record digest stored when the user trusted the
   * notebook at this URL/path. If it no longer matches, the verdict says 'changed'.
   */
  previousRecordDigest?: string;
}

export const REASON_MESSAGES: Record<VerdictReason, string> = {
  signed: 'Trusted: signed with your key',
  recorded: 'Trusted: you trusted this notebook',
  'legacy-signature': 'Trusted: IPython 2 signature (nbformat 3) made with your key',
  'no-signature': 'Not trusted: no signature',
  'bad-signature': 'Not trusted: signature does not match',
  'unsupported-signature': 'Not trusted: unsupported signature',
  changed: 'Not trusted: changed since you trusted it',
  'no-key': 'Not trusted: no key set up',
  invalid: 'Not trusted: not a readable notebook',
};

type SigState =
  | { kind: 'none' }
  | { kind: 'nbshield'; hex: string; value: string }
  | { kind: 'legacy'; hex: string; value: string }
  | { kind: 'legacy-wrong-version'; value: string }
  | { kind: 'unsupported'; detail: string };

const HEX64 = /^[0-9a-f]{64}$/;

function signatureState(doc: RawObject): SigState {
  const meta = hasOwn(doc, 'metadata') ? doc.metadata : undefined;
  if (!isRawObject(meta) || !hasOwn(meta, 'signature')) return { kind: 'none' };
  const sig = meta.signature;
  if (typeof sig !== 'string')
    return { kind: 'unsupported', detail: 'metadata.signature is not a string' };
  if (sig.startsWith(SIGNATURE_PREFIX)) {
    const hex = sig.slice(SIGNATURE_PREFIX.length);
    if (HEX64.test(hex)) return { kind: 'nbshield', hex, value: sig };
    return {
      kind: 'unsupported',
      detail: 'malformed nbshield signature (expected 64 lower-case hex digits)',
    };
  }
  if (sig.startsWith('sha256:') && HEX64.test(sig.slice(7))) {
    if (nbformatMajor(doc) === 3) return { kind: 'legacy', hex: sig.slice(7), value: sig };
    return { kind: 'legacy-wrong-version', value: sig };
  }
  const scheme = sig.includes(':') ? sig.slice(0, sig.indexOf(':')) : sig.slice(0, 20);
  return { kind: 'unsupported', detail: `unknown signature scheme ${JSON.stringify(scheme)}` };
}

function nbformatMajor(doc: RawObject): number | undefined {
  const v = hasOwn(doc, 'nbformat') ? doc.nbformat : undefined;
  return v instanceof RawNumber && v.isInt ? v.toNumber() : undefined;
}

/** Equal-time comparison of two strings of equal length (hex digests). */
function sameString(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}

interface Analysis {
  doc: RawObject;
  canonical: Uint8Array;
  sig: SigState;
  /** key id that validates the embedded signature, if any */
  signedBy?: TrustKey;
  legacyBy?: TrustKey;
}

function parseDoc(text: string): Result<RawObject> {
  const parsed = parseJsonRaw(text);
  if (!parsed.ok) return parsed;
  if (!isRawObject(parsed.value)) {
    return {
      ok: false,
      error: {
        code: 'not-a-notebook',
        message: 'not a notebook: the document is not a JSON object',
      },
    };
  }
  return { ok: true, value: parsed.value };
}

async function analyze(doc: RawObject, keys: TrustKey[], sizeHint: number): Promise<Analysis> {
  const canonical = canonicalBytes(doc, sizeHint);
  const sig = signatureState(doc);
  const a: Analysis = { doc, canonical, sig };
  if (sig.kind === 'nbshield') {
    for (const k of keys) {
      if (sameString(await signatureOfCanonical(canonical, k.bytes), sig.value)) {
        a.signedBy = k;
        break;
      }
    }
  } else if (sig.kind === 'legacy') {
    // The Jupyter digest walk mutates the tree: it runs after the canonical bytes are taken.
    const stream = jupyterDigestStream(doc, sizeHint);
    if (stream.ok) {
      for (const k of keys) {
        if (sameString(await hmacSha256Hex(k.bytes, stream.value), sig.hex)) {
          a.legacyBy = k;
          break;
        }
      }
    }
  }
  return a;
}

function untrustedBySignature(sig: SigState): { reason: VerdictReason; message: string } {
  switch (sig.kind) {
    case 'none':
      return { reason: 'no-signature', message: REASON_MESSAGES['no-signature'] };
    case 'nbshield':
    case 'legacy':
      return { reason: 'bad-signature', message: REASON_MESSAGES['bad-signature'] };
    case 'legacy-wrong-version':
      return {
        reason: 'unsupported-signature',
        message: 'Not trusted: "sha256:" signatures are honoured only in nbformat 3 files',
      };
    case 'unsupported':
      return { reason: 'unsupported-signature', message: `Not trusted: ${sig.detail}` };
  }
}

function signedMessage(k: TrustKey, keys: TrustKey[]): string {
  return keys.length > 1 ? `Trusted: signed with key ${k.name}` : REASON_MESSAGES.signed;
}

export async function decide(input: DecideInput): Promise<Verdict> {
  const { text, keys } = input;
  const parsed = parseDoc(text);
  if (!parsed.ok)
    return { trusted: false, reason: 'invalid', message: `Not trusted: ${parsed.error.message}` };
  if (keys.length === 0)
    return { trusted: false, reason: 'no-key', message: REASON_MESSAGES['no-key'] };
  const a = await analyze(parsed.value, keys, text.length + 1024);
  const recordDigests: Record<string, string> = {};
  let recordedBy: TrustKey | undefined;
  for (const k of keys) {
    const d = await recordDigestOfCanonical(a.canonical, k.bytes);
    recordDigests[k.id] = d;
    if (!recordedBy && (await input.isRecorded(d))) recordedBy = k;
  }
  const first = keys[0] as TrustKey;
  const base = { recordDigests, canonicalDigest: recordDigests[first.id] as string };
  if (a.signedBy) {
    return {
      ...base,
      trusted: true,
      reason: 'signed',
      keyId: a.signedBy.id,
      message: signedMessage(a.signedBy, keys),
    };
  }
  if (recordedBy) {
    return {
      ...base,
      canonicalDigest: recordDigests[recordedBy.id] as string,
      trusted: true,
      reason: 'recorded',
      keyId: recordedBy.id,
      message: REASON_MESSAGES.recorded,
    };
  }
  if (a.legacyBy) {
    return {
      ...base,
      trusted: true,
      reason: 'legacy-signature',
      keyId: a.legacyBy.id,
      message:
        keys.length > 1
          ? `${REASON_MESSAGES['legacy-signature']} (${a.legacyBy.name})`
          : REASON_MESSAGES['legacy-signature'],
    };
  }
  const prev = input.previousRecordDigest;
  if (prev !== undefined && !Object.values(recordDigests).some((d) => sameString(d, prev))) {
    return { ...base, trusted: false, reason: 'changed', message: REASON_MESSAGES.changed };
  }
  return { ...base, trusted: false, ...untrustedBySignature(a.sig) };
}

/** What one-click trust stores for this notebook and key (hex). */
export async function recordDigest(text: string, key: TrustKey): Promise<Result<string>> {
  const parsed = parseDoc(text);
  if (!parsed.ok) return parsed;
  return {
    ok: true,
    value: await recordDigestOfCanonical(
      canonicalBytes(parsed.value, text.length + 1024),
      key.bytes,
    ),
  };
}

function notebookVersionError(doc: RawObject): NotebookError | undefined {
  const major = nbformatMajor(doc);
  if (major === undefined)
    return { code: 'not-a-notebook', message: 'not a notebook: no integer "nbformat" field' };
  if (major !== 3 && major !== 4) {
    return {
      code: 'unsupported-version',
      message: `unsupported nbformat ${major} (3 and 4 are supported)`,
    };
  }
  return undefined;
}

/**
 * The notebook text with metadata.signature set to nbshield's signature for `key`,
 * re-serialised as nbformat writes files (1-space indent, sorted keys), number tokens kept.
 */
export async function signNotebookText(text: string, key: TrustKey): Promise<Result<string>> {
  const parsed = parseDoc(text);
  if (!parsed.ok) return parsed;
  const doc = parsed.value;
  const vErr = notebookVersionError(doc);
  if (vErr) return { ok: false, error: vErr };
  if (!hasOwn(doc, 'metadata')) doc.metadata = {};
  const meta = doc.metadata as RawValue;
  if (!isRawObject(meta)) {
    return {
      ok: false,
      error: { code: 'wrong-type', message: 'metadata is not an object', path: 'metadata' },
    };
  }
  const sig = await signatureOfCanonical(canonicalBytes(doc, text.length + 1024), key.bytes);
  meta.signature = sig;
  return { ok: true, value: serializeNbformat(doc) };
}

export interface EmbeddedCheck {
  valid: boolean;
  reason: VerdictReason;
  keyId?: string;
  message: string;
}

/** Is the signature inside the file valid for one of the keys? (No trust records involved.) */
export async function verifyEmbedded(text: string, keys: TrustKey[]): Promise<EmbeddedCheck> {
  const parsed = parseDoc(text);
  if (!parsed.ok)
    return { valid: false, reason: 'invalid', message: `Not trusted: ${parsed.error.message}` };
  if (keys.length === 0)
    return { valid: false, reason: 'no-key', message: REASON_MESSAGES['no-key'] };
  const a = await analyze(parsed.value, keys, text.length + 1024);
  if (a.signedBy)
    return {
      valid: true,
      reason: 'signed',
      keyId: a.signedBy.id,
      message: signedMessage(a.signedBy, keys),
    };
  if (a.legacyBy) {
    return {
      valid: true,
      reason: 'legacy-signature',
      keyId: a.legacyBy.id,
      message: REASON_MESSAGES['legacy-signature'],
    };
  }
  return { valid: false, ...untrustedBySignature(a.sig) };
}
