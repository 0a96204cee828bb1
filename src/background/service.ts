// The background's behaviour, one method per request. The router (router.ts) has already checked
// the payload and who sent it; this file decides trust and owns keys, records and views.

import type {
  KeyInfo,
  RecordInfo,
  ResponseMap,
  Settings,
  SyncStatus,
  VerdictInfo,
} from '../core/protocol';
import type { BgCore, TrustKey } from './core-api';
import { oneByteText } from '../core/onebyte';
import { fetchNotebookText, MAX_NOTEBOOK_BYTES, resolveLocation, type FetchLike } from './fetcher';
import { Keyring } from './keyring';
import { Records, recordedSets, type RecordsState } from './records';
import type { Stores } from './storage';
import { SyncManager } from './sync';
import { digestPrefix, parseBase64, parseHex, randomId } from './util';
import { Views } from './views';

/**
 * Runtime messages are limited to 64 MiB of JSON in Chromium; a string may double when escaped,
 * so a text longer than this goes in parts (view/get, then view/text).
 */
export const MESSAGE_TEXT_CHUNK = 16 * 1024 * 1024;
/** What one message may carry with a margin under Chromium's 64 MiB (serialized, UTF-8). */
export const MESSAGE_BYTE_LIMIT = 48 * 1024 * 1024;

/** Bytes of `text` once JSON-serialized as UTF-8 (escapes counted). */
export function messageBytes(text: string): number {
  let n = 2;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20) n += 6;
    else if (c === 0x22 || c === 0x5c) n += 2;
    else if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else n += 3; // surrogate pairs: 2 units x 3 >= 4 bytes, an overestimate that errs safe
  }
  return n;
}

export const DEFAULT_SETTINGS: Settings = { allowRemoteImages: true, theme: 'auto' };

export interface ServiceDeps {
  stores: Stores;
  core: BgCore;
  fetch: FetchLike;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  syncIterations?: number;
  /** Smaller parts and limit in unit tests only. */
  messageTextChunk?: number;
  messageByteLimit?: number;
}

export interface OpenContext {
  tabId: number;
  frameId: number;
}

/** Parts arrive back to back; a minute without one means the page gave up. */
const UPLOAD_IDLE_MS = 60_000;

function uploadKey(ctx: OpenContext, url: string): string {
  return `${ctx.tabId}:${ctx.frameId}:${url}`;
}

export class Service {
  readonly keyring: Keyring;
  readonly records: Records;
  readonly views: Views;
  readonly sync: SyncManager;
  private readonly progress = new Map<string, { received: number; total: number | null }>();
  private readonly uploads = new Map<
    string,
    { tabId: number; parts: string[]; length: number; at: number }
  >();

  constructor(private readonly d: ServiceDeps) {
    const now = d.now ?? Date.now;
    // Open viewers listen to storage.local: a key change (import, removal, rotation, a key that
    // arrived by sync) bumps `keyringVersion` there so their verdicts refresh without a reload.
    this.keyring = new Keyring(d.stores.secrets, d.core, now, async () => {
      const v = Number((await d.stores.local.get(['keyringVersion'])).keyringVersion) || 0;
      await d.stores.local.set({ keyringVersion: v + 1 });
    });
    this.records = new Records(d.stores.local, now);
    this.views = new Views(d.stores.session, (u) => fetchNotebookText(u, d.fetch));
    this.sync = new SyncManager({
      sync: d.stores.sync,
      local: d.stores.local,
      secrets: d.stores.secrets,
      keyring: this.keyring,
      records: this.records,
      now,
      ...(d.setTimer ? { setTimer: d.setTimer } : {}),
      ...(d.syncIterations ? { iterations: d.syncIterations } : {}),
    });
  }

  private now(): number {
    return (this.d.now ?? Date.now)();
  }

  // ---- views and trust ----

  /**
   * A part of a local notebook too large for one message. Parts are kept in this worker's memory
   * only until the nb/open that ends them; a part out of order (or after a worker restart, which
   * loses the earlier ones) is refused, and the content script says so.
   */
  upload(url: string, offset: number, text: string, ctx: OpenContext): ResponseMap['nb/upload'] {
    const key = uploadKey(ctx, url);
    const now = this.now();
    // Up to 100 MB each: parts a page abandoned (closed, navigated, reloaded mid-way) must not
    // stay in the worker's memory. A first part drops whatever else that tab left; any part drops
    // uploads that have been idle longer than UPLOAD_IDLE_MS.
    for (const [k, u] of this.uploads) {
      if (now - u.at > UPLOAD_IDLE_MS || (offset === 0 && u.tabId === ctx.tabId)) {
        this.uploads.delete(k);
      }
    }
    const got = (offset === 0 ? undefined : this.uploads.get(key)) ?? {
      tabId: ctx.tabId,
      parts: [],
      length: 0,
      at: now,
    };
    if (offset !== got.length) {
      this.uploads.delete(key);
      throw new Error('Parts of the local notebook arrived out of order; reload the page');
    }
    if (got.length + text.length > MAX_NOTEBOOK_BYTES) {
      this.uploads.delete(key);
      throw new Error('The notebook is too large to show (the limit is 100 MB)');
    }
    got.parts.push(text);
    got.length += text.length;
    got.at = now;
    this.uploads.set(key, got);
    return { received: got.length };
  }

  /** A closed tab's unfinished uploads are dropped at once. */
  dropUploads(tabId: number): void {
    for (const [k, u] of this.uploads) if (u.tabId === tabId) this.uploads.delete(k);
  }

  /** How many characters unfinished uploads hold (for tests). */
  pendingUploadLength(): number {
    let n = 0;
    for (const u of this.uploads.values()) n += u.length;
    return n;
  }

  async open(
    url: string,
    lastPart: string | undefined,
    ctx: OpenContext,
    uploaded = false,
  ): Promise<ResponseMap['nb/open']> {
    const loc = resolveLocation(url);
    if (!loc) throw new Error('Not a notebook location nbshield supports');
    let text = lastPart;
    if (uploaded) {
      const key = uploadKey(ctx, url);
      const got = this.uploads.get(key);
      this.uploads.delete(key);
      if (!got) throw new Error('The first parts of the local notebook were lost; reload the page');
      text = got.parts.join('') + (lastPart ?? '');
    }
    let body: Promise<string>;
    if (loc.fetchUrl === null) {
      if (text === undefined) throw new Error('A local notebook needs its text from the page');
      if (text.length > MAX_NOTEBOOK_BYTES) {
        throw new Error('The notebook is too large to show (the limit is 100 MB)');
      }
      // As a fetched text is (fetcher.ts): one byte a character wherever it is kept or posted.
      body = Promise.resolve(oneByteText(text));
    } else {
      // The worker fetches itself: a page cannot make us show text that is not at that URL.
      // Progress for the content script's nb/progress, in memory: it only matters while this
      // fetch runs, in this worker.
      const key = progressKey(ctx.tabId, url);
      this.progress.set(key, { received: 0, total: null });
      body = fetchNotebookText(loc.fetchUrl, this.d.fetch, undefined, (received, total) =>
        this.progress.set(key, { received, total }),
      );
      body.then(
        () => this.progress.delete(key),
        () => this.progress.delete(key),
      );
    }
    const viewId = randomId();
    // Answered before the fetch ends (issue 5): the page mounts the viewer, and the viewer's
    // view/get waits for the text, while it is fetched; a failed fetch fails that view/get.
    const opened = this.views.open(
      {
        viewId,
        tabId: ctx.tabId,
        frameId: ctx.frameId,
        url: loc.url,
        name: loc.name,
        fetchUrl: loc.fetchUrl,
        createdAt: this.now(),
      },
      body,
    );
    // Decide the verdict as soon as the text is in (the viewer's view/get shares it), in a task
    // of its own so that the digest never delays this reply.
    opened.then(
      () =>
        setTimeout(() => {
          this.views
            .get(viewId)
            .then((v) => this.verdict(v.text, loc.url, viewId))
            .catch(() => undefined);
        }, 0),
      () => undefined,
    );
    if (loc.fetchUrl === null) await opened;
    return { viewId };
  }

  /** How far the pending nb/open of `url` in `tabId` got; null when none is running. */
  progressOf(tabId: number, url: string): ResponseMap['nb/progress'] {
    return this.progress.get(progressKey(tabId, url)) ?? null;
  }

  async viewTab(viewId: string): Promise<number | null> {
    return this.views.tabOf(viewId);
  }

  async getView(viewId: string): Promise<ResponseMap['view/get']> {
    const v = await this.views.get(viewId);
    const out: ResponseMap['view/get'] = {
      url: v.url,
      name: v.name,
      text: v.text,
      verdict: await this.verdict(v.text, v.url, v.viewId),
      settings: await this.settings(),
    };
    // Only a text that would not fit one message goes in parts, so a viewer that never asks for
    // view/text still gets every notebook that could be sent whole.
    if (v.text.length > this.chunk && messageBytes(v.text) > this.messageLimit) {
      out.text = v.text.slice(0, this.chunk);
      out.textTotal = v.text.length;
    }
    return out;
  }

  private get chunk(): number {
    return this.d.messageTextChunk ?? MESSAGE_TEXT_CHUNK;
  }

  private get messageLimit(): number {
    return this.d.messageByteLimit ?? MESSAGE_BYTE_LIMIT;
  }

  async viewText(viewId: string, offset: number): Promise<ResponseMap['view/text']> {
    const v = await this.views.get(viewId);
    if (offset > v.text.length) throw new Error('Offset beyond the end of the notebook');
    return { text: v.text.slice(offset, offset + this.chunk), offset, total: v.text.length };
  }

  /** The verdict, decided here from the bytes and the keys only. */
  async verdict(text: string, url: string, viewId?: string): Promise<VerdictInfo> {
    const keys = await this.keyring.trustKeys();
    const st = await this.records.state();
    // A view's text never changes: its verdict holds until the keys or the records change.
    const stamp = `${st.gen ?? 0}|${keys.map((k) => `${k.id}:${k.name}`).join(',')}`;
    const cached = viewId === undefined ? undefined : this.verdicts.get(viewId);
    if (cached && cached.stamp === stamp) return { ...(await cached.verdict) };
    const pending = this.computeVerdict(text, url, keys, st);
    if (viewId !== undefined) {
      // Kept while it runs too: the early verdict from nb/open and the viewer's view/get share it.
      const entry = { stamp, verdict: pending };
      this.verdicts.set(viewId, entry);
      pending.catch(() => {
        if (this.verdicts.get(viewId) === entry) this.verdicts.delete(viewId);
      });
      if (this.verdicts.size > 256)
        this.verdicts.delete(this.verdicts.keys().next().value as string);
    }
    return { ...(await pending) };
  }

  private readonly verdicts = new Map<string, { stamp: string; verdict: Promise<VerdictInfo> }>();

  private async computeVerdict(
    text: string,
    url: string,
    keys: TrustKey[],
    st: RecordsState,
  ): Promise<VerdictInfo> {
    const { full, prefixes } = recordedSets(st);
    const prefixCache = new Map<string, string>();
    const hint = st.hints[url];
    const v = await this.d.core.decide(
      text,
      keys,
      async (d) => {
        if (full.has(d)) return true;
        if (!prefixes.size) return false;
        // Records that arrived by sync are known by compact id only.
        let p = prefixCache.get(d);
        if (p === undefined) prefixCache.set(d, (p = await digestPrefix(d)));
        return prefixes.has(p);
      },
      hint && st.records[hint] ? hint : undefined,
    );
    const info: VerdictInfo = { trusted: v.trusted, reason: v.reason, message: v.message };
    if (v.keyId) {
      const name = await this.keyring.nameOf(v.keyId);
      if (name) info.keyName = name;
      if (v.trusted && v.reason === 'signed') {
        const kind = await this.keyring.kindOf(v.keyId);
        if (kind === 'personal') info.message = 'Trusted: signed with your key';
        else if (name) info.message = `Trusted: signed with the key "${name}"`;
      }
    }
    if (!v.trusted && v.reason !== 'changed' && !isInputError(v.reason)) {
      if (hint && st.records[hint]) {
        info.reason = 'changed';
        info.message = 'Not trusted: changed since you trusted it';
      }
    }
    return info;
  }

  async trust(viewId: string): Promise<VerdictInfo> {
    const v = await this.views.get(viewId);
    const key = await this.keyring.personal();
    // Exactly the text of this view: one byte different is a different digest.
    const digest = await this.d.core.recordDigest(v.text, key);
    await this.records.add(digest, { name: v.name, url: v.url, keyId: key.id });
    await this.sync.markDirty();
    return this.verdict(v.text, v.url, v.viewId);
  }

  async untrust(viewId: string): Promise<VerdictInfo> {
    const v = await this.views.get(viewId);
    const keys = await this.keyring.trustKeys();
    const digests: string[] = [];
    for (const k of keys) {
      try {
        digests.push(await this.d.core.recordDigest(v.text, k));
      } catch {
        /* not a notebook: nothing recorded for it */
      }
    }
    if (await this.records.removeDigests(digests)) await this.sync.markDirty();
    return this.verdict(v.text, v.url, v.viewId);
  }

  async tabViews(tabId: number): Promise<ResponseMap['tab/views']> {
    const out: ResponseMap['tab/views'] = [];
    for (const id of await this.views.ofTab(tabId)) {
      try {
        const v = await this.views.get(id);
        out.push({
          viewId: v.viewId,
          url: v.url,
          name: v.name,
          verdict: await this.verdict(v.text, v.url, v.viewId),
        });
      } catch {
        /* expired view: leave it out */
      }
    }
    return out;
  }

  // ---- keys ----

  listKeys(): Promise<KeyInfo[]> {
    return this.keyring.list();
  }

  async importKey(req: {
    format: 'hex' | 'base64' | 'jupyter-secret' | 'export';
    data: string;
    name: string;
    passphrase?: string;
  }): Promise<KeyInfo> {
    let bytes: Uint8Array | null;
    let name = req.name;
    switch (req.format) {
      case 'hex':
        bytes = parseHex(req.data);
        if (!bytes)
          throw new Error('Not a hex key: use digits 0-9 and letters a-f, an even number of them');
        break;
      case 'base64':
        bytes = parseBase64(req.data);
        if (!bytes) throw new Error('Not a base64 key');
        break;
      case 'jupyter-secret':
        if (req.data.length === 0) throw new Error('The notebook_secret file is empty');
        bytes = this.d.core.keyFromJupyterSecret(req.data);
        break;
      case 'export': {
        if (!req.passphrase) throw new Error('Enter the passphrase of the export string');
        const got = await this.d.core.importKey(req.data.trim(), req.passphrase);
        bytes = got.bytes;
        if (!name.trim() && got.name) name = got.name;
        break;
      }
    }
    const info = await this.keyring.add(bytes, name);
    await this.sync.markDirty();
    return info;
  }

  async exportKey(keyId: string, passphrase: string): Promise<{ exported: string }> {
    if (passphrase.length < 8) throw new Error('Use an export passphrase of at least 8 characters');
    const key = await this.keyring.keyForExport(keyId);
    return { exported: await this.d.core.exportKey(key, passphrase) };
  }

  async rotateKey(keyId: string): Promise<KeyInfo> {
    const info = await this.keyring.rotate(keyId);
    await this.sync.markDirty();
    return info;
  }

  async removeKey(keyId: string): Promise<{ removed: boolean }> {
    const removed = await this.keyring.remove(keyId);
    if (removed) await this.sync.markDirty();
    return { removed };
  }

  async renameKey(keyId: string, name: string): Promise<KeyInfo> {
    const info = await this.keyring.rename(keyId, name);
    await this.sync.markDirty();
    return info;
  }

  // ---- records ----

  listRecords(query?: string): Promise<RecordInfo[]> {
    return this.records.list(query);
  }

  async revokeRecord(id: string): Promise<{ revoked: boolean }> {
    const revoked = await this.records.revoke(id);
    if (revoked) await this.sync.markDirty();
    return { revoked };
  }

  // ---- settings ----

  async settings(): Promise<Settings> {
    const got = (await this.d.stores.local.get(['settings'])).settings as
      Partial<Settings> | undefined;
    return { ...DEFAULT_SETTINGS, ...(got ?? {}) };
  }

  async setSettings(patch: Partial<Settings>): Promise<Settings> {
    const next = { ...(await this.settings()), ...patch };
    await this.d.stores.local.set({ settings: next });
    return next;
  }

  // ---- sync ----

  syncStatus(): Promise<SyncStatus> {
    return this.sync.status();
  }
  syncEnable(passphrase: string): Promise<SyncStatus> {
    return this.sync.enable(passphrase);
  }
  syncDisable(): Promise<SyncStatus> {
    return this.sync.disable();
  }
}

function progressKey(tabId: number, url: string): string {
  return `${tabId} ${url}`;
}

/** Verdict reasons about the input itself, where "changed since you trusted it" would mislead. */
function isInputError(reason: string): boolean {
  return /invalid|error|parse|not-a-notebook|too-|encoding|unsupported/i.test(reason);
}
