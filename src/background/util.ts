// Small byte/encoding helpers for the background (WebCrypto only: runs in a service worker and Node).

export function bytesToHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** Strict: even length, hex digits only (whitespace ignored). Null when malformed. */
export function parseHex(text: string): Uint8Array<ArrayBuffer> | null {
  const t = text.replace(/\s+/g, '');
  if (t.length === 0 || t.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(t)) return null;
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) {
    s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

export function bytesToBase64Url(b: Uint8Array): string {
  return bytesToBase64(b).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Standard or URL-safe base64, padding optional, whitespace ignored. Null when malformed. */
export function parseBase64(text: string): Uint8Array<ArrayBuffer> | null {
  let t = text.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t)) return null;
  t = t.replace(/=+$/, '');
  if (t.length === 0 || t.length % 4 === 1) return null;
  t += '='.repeat((4 - (t.length % 4)) % 4);
  try {
    const bin = atob(t);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  crypto.getRandomValues(b);
  return b;
}

/** A random 128-bit id, base64url (22 characters). */
export function randomId(): string {
  return bytesToBase64Url(randomBytes(16));
}

export async function sha256(data: Uint8Array | string): Promise<Uint8Array> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/** Compact id of a trust record digest as it travels in storage.sync: 16 bytes, base64url. */
export async function digestPrefix(digest: string): Promise<string> {
  const h = await sha256('nbshield-sync-record\0' + digest);
  return bytesToBase64Url(h.subarray(0, 16));
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === 'string' ? e : 'Unexpected error';
}
