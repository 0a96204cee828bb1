// Key material: hex, random keys, Jupyter's notebook_secret, display fingerprints, and
// passphrase-wrapped export/import (PBKDF2-SHA256 + AES-256-GCM via WebCrypto, which the
// service worker and Node both have).

export type KeyErrorCode = 'bad-format' | 'wrong-passphrase' | 'unsupported' | 'empty';
export interface KeyError {
  code: KeyErrorCode;
  /** One line a user can read. */
  message: string;
}
export type KeyResult<T> = { ok: true; value: T } | { ok: false; error: KeyError };

function keyFail<T>(code: KeyErrorCode, message: string): KeyResult<T> {
  return { ok: false, error: { code, message } };
}

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

/** Hex (either case, even length, no spaces) to bytes; throws on anything else. */
export function hexToBytes(hex: string): Uint8Array {
  if (!HEX_RE.test(hex))
    throw new Error('not a hex string (expected an even number of 0-9a-f digits)');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] as number).toString(16).padStart(2, '0');
  return s;
}

/** A fresh random key (32 bytes by default: HMAC-SHA256's full strength). */
export function randomKey(length = 32): Uint8Array {
  if (length < 32) throw new Error('keys are at least 32 bytes');
  const k = new Uint8Array(length);
  crypto.getRandomValues(k);
  return k;
}

/**
 * The HMAC key from Jupyter's `notebook_secret`: the file's bytes exactly as stored (base64
 * text and its newline included; nbformat never decodes it), so digests match Jupyter's.
 */
export function keyFromJupyterSecretFile(bytes: Uint8Array): KeyResult<Uint8Array> {
  if (bytes.length === 0) return keyFail('empty', 'the notebook_secret file is empty');
  return { ok: true, value: bytes.slice() };
}

const enc = new TextEncoder();

/** A short id to show for a key ("3f2a-91c0-5be4-d7a8"); a hash, so it reveals nothing of the key. */
export async function keyFingerprint(bytes: Uint8Array): Promise<string> {
  const label = enc.encode('nbshield-key-fingerprint-v1\n');
  const data = new Uint8Array(label.length + bytes.length);
  data.set(label);
  data.set(bytes, label.length);
  const h = bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', data)).subarray(0, 8));
  return `${h.slice(0, 4)}-${h.slice(4, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}`;
}

// ---------------------------------------------------------------- passphrase wrapping

export const KEY_EXPORT_PREFIX = 'nbshield-key-v1';
export const KEYRING_EXPORT_PREFIX = 'nbshield-keyring-v1';
export const DEFAULT_PBKDF2_ITERATIONS = 600_000; // OWASP 2023 for PBKDF2-HMAC-SHA256
export const MIN_PBKDF2_ITERATIONS = 300_000;
// An imported string chooses its own count; cap it so a crafted one cannot hang the worker.
export const MAX_PBKDF2_ITERATIONS = 10_000_000;
export const MIN_PASSPHRASE_LENGTH = 8;

function b64url(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromB64url(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return null;
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function deriveAesKey(
  passphrase: string,
  salt: Uint8Array,
  iterations: number,
): Promise<CryptoKey> {
  // NFC so the same passphrase typed on another OS (composed vs decomposed accents) matches.
  const base = await crypto.subtle.importKey(
    'raw',
    enc.encode(passphrase.normalize('NFC')),
    'PBKDF2',
    false,
    ['deriveKey'],
  );
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

async function wrap(
  prefix: string,
  data: Uint8Array,
  passphrase: string,
  iterations: number,
): Promise<string> {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new Error(`the passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters`);
  }
  if (
    !Number.isInteger(iterations) ||
    iterations < MIN_PBKDF2_ITERATIONS ||
    iterations > MAX_PBKDF2_ITERATIONS
  ) {
    throw new Error(
      `iterations must be between ${MIN_PBKDF2_ITERATIONS} and ${MAX_PBKDF2_ITERATIONS}`,
    );
  }
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const header = `${prefix}:pbkdf2-sha256:${iterations}:${b64url(salt)}:${b64url(iv)}`;
  const key = await deriveAesKey(passphrase, salt, iterations);
  // The header is authenticated too: a key string cannot pass for a keyring, nor be altered.
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: enc.encode(header) },
    key,
    data as BufferSource,
  );
  return `${header}:${b64url(new Uint8Array(ct))}`;
}

async function unwrap(
  prefix: string,
  what: string,
  str: string,
  passphrase: string,
): Promise<KeyResult<Uint8Array>> {
  const s = str.trim();
  const parts = s.split(':');
  if (parts[0] !== prefix) {
    const other = parts[0] === KEY_EXPORT_PREFIX || parts[0] === KEYRING_EXPORT_PREFIX;
    return keyFail(
      other ? 'unsupported' : 'bad-format',
      other
        ? `this is a ${parts[0]} string, not a ${what}`
        : `not an nbshield ${what} (expected it to start with "${prefix}:")`,
    );
  }
  if (parts.length !== 6 || parts[1] !== 'pbkdf2-sha256') {
    return keyFail(
      'bad-format',
      `malformed ${what}: expected ${prefix}:pbkdf2-sha256:<iterations>:<salt>:<iv>:<data>`,
    );
  }
  const [, , itStr, saltStr, ivStr, ctStr] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const iterations = /^[1-9][0-9]{0,8}$/.test(itStr) ? Number(itStr) : NaN;
  if (!(iterations >= MIN_PBKDF2_ITERATIONS && iterations <= MAX_PBKDF2_ITERATIONS)) {
    return keyFail(
      'unsupported',
      `unsupported iteration count in ${what} (allowed: ${MIN_PBKDF2_ITERATIONS}..${MAX_PBKDF2_ITERATIONS})`,
    );
  }
  const salt = fromB64url(saltStr);
  const iv = fromB64url(ivStr);
  const ct = fromB64url(ctStr);
  if (!salt || salt.length !== 16 || !iv || iv.length !== 12 || !ct || ct.length < 17) {
    return keyFail('bad-format', `malformed ${what}: damaged salt, IV or data`);
  }
  const key = await deriveAesKey(passphrase, salt, iterations);
  try {
    const header = parts.slice(0, 5).join(':');
    const pt = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: iv as BufferSource, additionalData: enc.encode(header) },
      key,
      ct as BufferSource,
    );
    return { ok: true, value: new Uint8Array(pt) };
  } catch {
    return keyFail('wrong-passphrase', `wrong passphrase, or the ${what} was altered`);
  }
}

/** Key bytes -> `nbshield-key-v1:pbkdf2-sha256:<iterations>:<salt>:<iv>:<ciphertext>`. */
export function exportKey(
  bytes: Uint8Array,
  passphrase: string,
  iterations = DEFAULT_PBKDF2_ITERATIONS,
): Promise<string> {
  return wrap(KEY_EXPORT_PREFIX, bytes, passphrase, iterations);
}

export function importKey(str: string, passphrase: string): Promise<KeyResult<Uint8Array>> {
  return unwrap(KEY_EXPORT_PREFIX, 'exported key', str, passphrase);
}

/** A serialised keyring (JSON bytes) wrapped for sync storage. */
export function wrapKeyring(
  json: Uint8Array,
  passphrase: string,
  iterations = DEFAULT_PBKDF2_ITERATIONS,
): Promise<string> {
  return wrap(KEYRING_EXPORT_PREFIX, json, passphrase, iterations);
}

export function unwrapKeyring(str: string, passphrase: string): Promise<KeyResult<Uint8Array>> {
  return unwrap(KEYRING_EXPORT_PREFIX, 'keyring', str, passphrase);
}
