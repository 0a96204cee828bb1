// Which notebook locations we support, and fetching them from the service worker (host
// permissions, the user's GitHub session cookie for private repositories).

import { oneByteTextFromBytes } from '../core/onebyte';

export const MAX_NOTEBOOK_BYTES = 100 * 1024 * 1024;

export interface Location {
  /** Where the worker fetches from; null for file:// (the content script supplies the text). */
  fetchUrl: string | null;
  /** The url the view is about (what the user sees; used for trust-record hints). */
  url: string;
  /** File name for display. */
  name: string;
}

const RAW_HOSTS = new Set(['raw.githubusercontent.com', 'gist.githubusercontent.com']);
/** Hosts a fetch may end on after redirects (github.com/…/raw/… -> raw.githubusercontent.com). */
const FINAL_HOSTS = new Set(['github.com', 'gist.github.com', ...RAW_HOSTS]);

function lastSegment(pathname: string): string {
  const seg = pathname.split('/').filter(Boolean).pop() ?? 'notebook.ipynb';
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

/** Null when this is not a notebook location we support. */
export function resolveLocation(raw: string): Location | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if (u.username || u.password) return null;
  if (u.protocol === 'file:') {
    if (!/\.ipynb$/i.test(u.pathname)) return null;
    u.hash = '';
    return { fetchUrl: null, url: u.href, name: lastSegment(u.pathname) };
  }
  if (u.protocol !== 'https:' || u.port !== '') return null;
  const parts = u.pathname.split('/').filter(Boolean);
  if (u.hostname === 'github.com') {
    // /OWNER/REPO/blob/REF/PATH.ipynb  ->  /OWNER/REPO/raw/REF/PATH.ipynb
    if (parts.length < 5 || (parts[2] !== 'blob' && parts[2] !== 'raw')) return null;
    if (!/\.ipynb$/i.test(u.pathname)) return null;
    const path = '/' + [parts[0], parts[1], 'raw', ...parts.slice(3)].join('/');
    const page = `https://github.com/${[parts[0], parts[1], 'blob', ...parts.slice(3)].join('/')}`;
    return { fetchUrl: `https://github.com${path}`, url: page, name: lastSegment(u.pathname) };
  }
  if (u.hostname === 'gist.github.com') {
    // /USER/ID/raw/[REV/]FILE (or /ID/raw/…)
    const raw = parts.indexOf('raw');
    if (raw < 1 || raw > 2 || parts.length < raw + 2) return null;
    u.hash = '';
    const fetchUrl = u.href;
    u.search = '';
    return { fetchUrl, url: u.href, name: lastSegment(u.pathname) };
  }
  if (RAW_HOSTS.has(u.hostname)) {
    if (parts.length < 3) return null;
    u.hash = '';
    const fetchUrl = u.href;
    // The query may hold a private repository's access token: fetch with it, never store it.
    u.search = '';
    return { fetchUrl, url: u.href, name: lastSegment(u.pathname) };
  }
  return null;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Called as the body arrives: bytes so far, and the declared size (null when unknown). */
export type ProgressFn = (received: number, total: number | null) => void;

/**
 * Fetches and decodes strictly as UTF-8, characters above U+00FF inside JSON strings written as
 * `\uXXXX` escapes where that pays (core/onebyte: the same notebook, kept one byte a character
 * here and in the frames it is posted to). Throws an Error whose message the user can read.
 */
export async function fetchNotebookText(
  url: string,
  fetchImpl: FetchLike,
  maxBytes = MAX_NOTEBOOK_BYTES,
  onProgress?: ProgressFn,
): Promise<string> {
  let res: Response;
  try {
    res = await fetchImpl(url, { credentials: 'include', redirect: 'follow', cache: 'no-store' });
  } catch {
    throw new Error('Could not fetch the notebook: network error');
  }
  if (!res.ok) throw new Error(`Could not fetch the notebook: HTTP ${res.status}`);
  if (res.url) {
    let host = '';
    try {
      host = new URL(res.url).hostname;
    } catch {
      /* empty url: a test double */
    }
    if (host && !FINAL_HOSTS.has(host)) {
      throw new Error(`Could not fetch the notebook: redirected to an unexpected host (${host})`);
    }
  }
  const tooLarge = (n: number) =>
    new Error(
      `The notebook is too large to show: ${(n / 1048576).toFixed(1)} MB (the limit is ${Math.round(maxBytes / 1048576)} MB)`,
    );
  const header = res.headers.get('content-length');
  const declared = header === null ? NaN : Number(header);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(declared);
  const total = Number.isFinite(declared) && declared > 0 ? declared : null;
  onProgress?.(0, total);
  const bytes = await readLimited(res, maxBytes, tooLarge, (n) => onProgress?.(n, total));
  // A BOM is kept in the text so the parser can report it instead of hiding it.
  const text = oneByteTextFromBytes(bytes);
  if (text === null) throw new Error('The notebook is not valid UTF-8 text');
  return text;
}

async function readLimited(
  res: Response,
  maxBytes: number,
  tooLarge: (n: number) => Error,
  progress: (received: number) => void,
): Promise<Uint8Array> {
  if (!res.body) {
    const b = new Uint8Array(await res.arrayBuffer());
    if (b.length > maxBytes) throw tooLarge(b.length);
    return b;
  }
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(total);
    }
    parts.push(value);
    progress(total);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
