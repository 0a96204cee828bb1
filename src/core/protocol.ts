// The one typed message protocol shared by every nbshield context.
//
// Two channels:
//  - runtime messages (content script / extension pages -> background), validated by `parseRequest`;
//    the background also checks the *sender* from browser-filled fields before acting.
//  - window.postMessage between frames (renderer <-> viewer <-> content script), validated by
//    `parseFrameMessage`; every receiver also checks `event.source` (and origin where it is not opaque).
//
// A message is a claim: nothing here carries a trust verdict from a context that could forge it,
// except viewer -> renderer, and the renderer accepts that only from its own parent window.

export type TrustState = 'trusted' | 'untrusted';

/** What the background tells an extension page about a notebook view. */
export interface VerdictInfo {
  trusted: boolean;
  reason: string;
  message: string;
  keyName?: string;
}

export interface KeyInfo {
  id: string;
  name: string;
  kind: 'personal' | 'shared';
  fingerprint: string;
  createdAt: number;
}

export interface RecordInfo {
  id: string;
  name: string;
  url: string;
  trustedAt: number;
}

export interface Settings {
  allowRemoteImages: boolean;
  theme: 'auto' | 'light' | 'dark';
}

export interface SyncStatus {
  enabled: boolean;
  unlocked: boolean;
  lastError?: string;
  bytesUsed?: number;
}

// ---- runtime requests (to the background) ----

export type Request =
  /** content script: a notebook is on this page. `text` only for file:// where the worker cannot fetch. */
  | { type: 'nb/open'; url: string; text?: string; uploaded?: boolean }
  /**
   * content script, file:// only: a part of a local notebook too large for one message (64 MiB
   * in Chromium), sent in order before an nb/open with `uploaded: true` and the last part.
   */
  | { type: 'nb/upload'; url: string; offset: number; text: string }
  /** content script, while its nb/open for `url` is pending: how much of the body has arrived */
  | { type: 'nb/progress'; url: string }
  /** viewer: give me the notebook and its verdict */
  | { type: 'view/get'; viewId: string }
  /**
   * viewer: the rest of a notebook too large for one message (runtime messages are limited to
   * 64 MiB in Chromium). Sent only when view/get answered with `textTotal`.
   */
  | { type: 'view/text'; viewId: string; offset: number }
  /** viewer / popup: the user clicked Trust or Untrust */
  | { type: 'view/trust'; viewId: string }
  | { type: 'view/untrust'; viewId: string }
  /** popup: views in the active tab */
  | { type: 'tab/views'; tabId: number }
  /** options page */
  | { type: 'keys/list' }
  | {
      type: 'keys/import';
      format: 'hex' | 'base64' | 'jupyter-secret' | 'export';
      data: string;
      name: string;
      passphrase?: string;
    }
  | { type: 'keys/export'; keyId: string; passphrase: string }
  | { type: 'keys/rotate'; keyId: string }
  | { type: 'keys/remove'; keyId: string }
  | { type: 'keys/rename'; keyId: string; name: string }
  | { type: 'records/list'; query?: string }
  | { type: 'records/revoke'; id: string }
  | { type: 'settings/get' }
  | { type: 'settings/set'; settings: Partial<Settings> }
  | { type: 'sync/status' }
  | { type: 'sync/enable'; passphrase: string }
  | { type: 'sync/unlock'; passphrase: string }
  | { type: 'sync/disable' };

export type RequestType = Request['type'];

export type Response<T = unknown> = { ok: true; value: T } | { ok: false; error: string };

/** Responses' value types, by request type. */
export interface ResponseMap {
  'nb/open': { viewId: string };
  /** Characters of the local notebook received so far. */
  'nb/upload': { received: number };
  /** Bytes received so far and the declared size (Content-Length), or null when none is known. */
  'nb/progress': { received: number; total: number | null } | null;
  'view/get': {
    url: string;
    name: string;
    /** The whole text, or its first part when `textTotal` is set (fetch the rest with view/text). */
    text: string;
    /** Set only for a text longer than one message carries: its full length in UTF-16 units. */
    textTotal?: number;
    verdict: VerdictInfo;
    settings: Settings;
  };
  /** `text` = the slice starting at `offset`; `total` = the whole length. */
  'view/text': { text: string; offset: number; total: number };
  'view/trust': VerdictInfo;
  'view/untrust': VerdictInfo;
  'tab/views': Array<{ viewId: string; url: string; name: string; verdict: VerdictInfo }>;
  'keys/list': KeyInfo[];
  'keys/import': KeyInfo;
  'keys/export': { exported: string };
  'keys/rotate': KeyInfo;
  'keys/remove': { removed: boolean };
  'keys/rename': KeyInfo;
  'records/list': RecordInfo[];
  'records/revoke': { revoked: boolean };
  'settings/get': Settings;
  'settings/set': Settings;
  'sync/status': SyncStatus;
  'sync/enable': SyncStatus;
  'sync/unlock': SyncStatus;
  'sync/disable': SyncStatus;
}

// ---- frame messages (window.postMessage) ----

export type FrameMessage =
  /** viewer -> renderer: render this notebook. Accepted only from the renderer's own parent. */
  | {
      nbshield: 1;
      type: 'render';
      /** The whole text, or its first piece when `textTotal` is set. */
      text: string;
      /**
       * Set only for a text sent in pieces (over 4 MiB, issue 5: one huge string is deserialized
       * in one long task): its whole length in UTF-16 units. The rest follows in `render-text`
       * messages, in order; the renderer refuses anything else with a message (core/pieces).
       */
      textTotal?: number;
      trusted: boolean;
      allowRemoteImages: boolean;
      theme: 'light' | 'dark';
      /** The notebook's raw http(s) URL, against which relative links and images resolve. */
      baseUrl?: string;
      /** The page URL's fragment (`#cell-12`, `#a-heading`): scrolled to once rendered. */
      hash?: string;
    }
  /** viewer -> renderer: the next piece of a `render` text sent in pieces, from `offset`. */
  | { nbshield: 1; type: 'render-text'; offset: number; text: string }
  | { nbshield: 1; type: 'theme'; theme: 'light' | 'dark' }
  /**
   * viewer -> renderer: a toolbar control or shortcut for the reading comforts. `focus`: it came
   * from the keyboard, so the focus follows (into the opened table of contents).
   */
  | { nbshield: 1; type: 'command'; command: ReadingCommand; focus?: boolean }
  /**
   * content script -> viewer -> renderer: the page URL's fragment changed (a link to `#cell-12`
   * was followed, the address was edited): scroll there, as on load.
   */
  | { nbshield: 1; type: 'hash'; hash: string }
  /** viewer -> renderer: whether the viewer managed to copy what `copy` asked for. */
  | { nbshield: 1; type: 'copied'; ok: boolean }
  /**
   * viewer -> renderer (its boot script, before renderer.js): this notebook has math, start
   * loading KaTeX now (issue 5). Only a hint: the renderer still loads it on demand without.
   */
  | { nbshield: 1; type: 'katex-preload' }
  /** renderer -> viewer: the boot script runs (renderer.js is still loading); `nonce` as below. */
  | { nbshield: 1; type: 'renderer-boot'; nonce?: string }
  /** renderer -> viewer */
  /** `nonce`: echoed from the renderer URL's fragment, so a frame navigated by the page can't pose as it. */
  | { nbshield: 1; type: 'renderer-ready'; nonce?: string }
  | { nbshield: 1; type: 'rendered'; cellCount: number }
  /** `replaced`: the frame shows nothing but this message (the viewer then removes it). */
  | { nbshield: 1; type: 'render-error'; message: string; replaced?: boolean }
  | { nbshield: 1; type: 'height'; px: number }
  | { nbshield: 1; type: 'open-link'; href: string }
  /** renderer -> viewer: copy this code cell's source (the sandbox's own clipboard failed). */
  | { nbshield: 1; type: 'copy'; text: string }
  /** renderer -> viewer: the reading comforts' state, for the toolbar's pressed buttons. */
  | { nbshield: 1; type: 'reading'; toc: boolean; codeHidden: boolean; lines: boolean }
  /** viewer -> content script (its parent page) */
  | {
      nbshield: 1;
      type: 'state';
      state: 'loading' | 'rendered' | 'error';
      trust?: TrustState;
      message?: string;
    }
  | { nbshield: 1; type: 'viewer-height'; px: number }
  | { nbshield: 1; type: 'show-native' };

export type FrameMessageType = FrameMessage['type'];

export type ReadingCommand = 'toc' | 'code' | 'lines' | 'next' | 'prev';
/** The most a `copy` message carries (a code cell's source). */
export const MAX_COPY_CHARS = 1_000_000;

// ---- validation ----

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const shortStr: Check = (v) => typeof v === 'string' && v.length <= 4096;
const bool: Check = (v) => typeof v === 'boolean';
const int: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const finite: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const oneOf =
  (...xs: string[]): Check =>
  (v) =>
    typeof v === 'string' && xs.includes(v);
const optional =
  (c: Check): Check =>
  (v) =>
    v === undefined || c(v);
const viewId: Check = (v) => typeof v === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(v);
const settingsPatch: Check = (v) => {
  if (!isPlainObject(v)) return false;
  const allowed: Record<string, Check> = {
    allowRemoteImages: bool,
    theme: oneOf('auto', 'light', 'dark'),
  };
  return Object.entries(v).every(([k, x]) => allowed[k]?.(x) === true);
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const requestSchemas: Record<RequestType, Record<string, Check>> = {
  'nb/open': { url: shortStr, text: optional(str), uploaded: optional(bool) },
  'nb/upload': { url: shortStr, offset: int, text: str },
  'nb/progress': { url: shortStr },
  'view/get': { viewId },
  'view/text': { viewId, offset: int },
  'view/trust': { viewId },
  'view/untrust': { viewId },
  'tab/views': { tabId: int },
  'keys/list': {},
  'keys/import': {
    format: oneOf('hex', 'base64', 'jupyter-secret', 'export'),
    data: (v) => typeof v === 'string' && v.length <= 65536,
    name: (v) => typeof v === 'string' && v.length <= 200,
    passphrase: optional(shortStr),
  },
  'keys/export': { keyId: shortStr, passphrase: shortStr },
  'keys/rotate': { keyId: shortStr },
  'keys/remove': { keyId: shortStr },
  'keys/rename': { keyId: shortStr, name: (v) => typeof v === 'string' && v.length <= 200 },
  'records/list': { query: optional(shortStr) },
  'records/revoke': { id: shortStr },
  'settings/get': {},
  'settings/set': { settings: settingsPatch },
  'sync/status': {},
  'sync/enable': { passphrase: shortStr },
  'sync/unlock': { passphrase: shortStr },
  'sync/disable': {},
};

const frameSchemas: Record<FrameMessageType, Record<string, Check>> = {
  render: {
    text: str,
    textTotal: optional((v) => int(v) && Number.isSafeInteger(v) && (v as number) > 0),
    trusted: bool,
    allowRemoteImages: bool,
    theme: oneOf('light', 'dark'),
    baseUrl: optional((v) => shortStr(v) && /^https?:\/\//i.test(v as string)),
    hash: optional((v) => typeof v === 'string' && /^#[^\s#]{1,512}$/.test(v)),
  },
  // Sizes and order are checked by the renderer's PieceAssembler, which says what was wrong.
  'render-text': { offset: int, text: str },
  theme: { theme: oneOf('light', 'dark') },
  command: { command: oneOf('toc', 'code', 'lines', 'next', 'prev'), focus: optional(bool) },
  hash: { hash: (v) => typeof v === 'string' && /^#[^\s#]{1,512}$/.test(v) },
  copied: { ok: bool },
  copy: { text: (v) => typeof v === 'string' && v.length <= MAX_COPY_CHARS },
  reading: { toc: bool, codeHidden: bool, lines: bool },
  'katex-preload': {},
  'renderer-boot': { nonce: optional(shortStr) },
  'renderer-ready': { nonce: optional(shortStr) },
  rendered: { cellCount: int },
  'render-error': { message: shortStr, replaced: optional(bool) },
  height: { px: finite },
  'open-link': { href: shortStr },
  state: {
    state: oneOf('loading', 'rendered', 'error'),
    trust: optional(oneOf('trusted', 'untrusted')),
    message: optional(shortStr),
  },
  'viewer-height': { px: finite },
  'show-native': {},
};

/** Exactly the schema's fields (plus the tag fields), each valid: anything else is rejected. */
function matches(
  v: Record<string, unknown>,
  schema: Record<string, Check>,
  tags: string[],
): boolean {
  for (const k of Object.keys(v)) if (!tags.includes(k) && !Object.hasOwn(schema, k)) return false;
  return Object.entries(schema).every(([k, check]) => check(v[k]));
}

export function parseRequest(v: unknown): Request | null {
  if (!isPlainObject(v) || typeof v.type !== 'string') return null;
  const schema = (requestSchemas as Record<string, Record<string, Check> | undefined>)[v.type];
  if (schema === undefined || !Object.hasOwn(requestSchemas, v.type)) return null;
  return matches(v, schema, ['type']) ? (v as unknown as Request) : null;
}

export function parseFrameMessage(v: unknown): FrameMessage | null {
  if (!isPlainObject(v) || v.nbshield !== 1 || typeof v.type !== 'string') return null;
  if (!Object.hasOwn(frameSchemas, v.type)) return null;
  const schema = frameSchemas[v.type as FrameMessageType];
  return matches(v, schema, ['type', 'nbshield']) ? (v as unknown as FrameMessage) : null;
}

/** Requests the background accepts only from extension pages (never from a content script). */
export const EXTENSION_PAGE_ONLY: ReadonlySet<RequestType> = new Set<RequestType>([
  'view/get',
  'view/text',
  'view/trust',
  'view/untrust',
  'tab/views',
  'keys/list',
  'keys/import',
  'keys/export',
  'keys/rotate',
  'keys/remove',
  'keys/rename',
  'records/list',
  'records/revoke',
  'settings/set',
  'sync/status',
  'sync/enable',
  'sync/unlock',
  'sync/disable',
]);
