// Opt-in sync across the user's machines through storage.sync.
//
// storage.sync is readable by content scripts (unless restricted) and stored by the browser
// vendor, so the keyring goes there only encrypted: AES-GCM under a key derived (PBKDF2-SHA-256)
// from a passphrase the user enters once per machine. The derived key is cached on this machine as
// a non-extractable CryptoKey in the extension-origin IndexedDB (never the passphrase).
// Trust records travel in compact form (a 16-byte id per record + time), chunked under the quotas,
// merged by union with revocations as tombstones, never dropping local records.

import type { SyncStatus } from '../core/protocol';
import { normaliseRemoved, type Keyring, type KeyringState, type StoredKey } from './keyring';
import type { Records, RecordsState } from './records';
import type { KV } from './storage';
import {
  bytesToBase64,
  bytesToHex,
  errorMessage,
  parseBase64,
  parseHex,
  randomBytes,
} from './util';

export const QUOTA_BYTES = 102400;
export const QUOTA_BYTES_PER_ITEM = 8192;
export const MAX_ITEMS = 512;
/** Below the browser's 120/min and 1800/hour so a burst never hits the hard limit. */
export const WRITES_PER_MINUTE = 100;
export const WRITES_PER_HOUR = 1500;

const META = 'nbs:meta';
const KR = 'nbs:kr';
const TR = 'nbs:t';
const PBKDF2_ITERATIONS = 310_000;
const CHUNK_CHARS = 8000;
const AAD = new TextEncoder().encode('nbshield-sync-keyring-v1');

interface Meta {
  v: 1;
  salt: string;
  iter: number;
}

interface LocalSyncState {
  enabled: boolean;
  lastError?: string;
  dirty?: boolean;
}

/** One record event per compact id: trusted at t, or revoked at t (seconds). */
export interface SyncEvent {
  t: number;
  revoked: boolean;
}

export type Events = Map<string, SyncEvent>;

/** Later event wins; a revocation wins a tie. */
export function mergeEvent(a: SyncEvent | undefined, b: SyncEvent): SyncEvent {
  if (!a) return b;
  if (b.t > a.t) return b;
  if (b.t === a.t && b.revoked && !a.revoked) return b;
  return a;
}

export function mergeEvents(a: Events, b: Events): Events {
  const out: Events = new Map(a);
  for (const [p, e] of b) out.set(p, mergeEvent(out.get(p), e));
  return out;
}

const PREFIX_RE = /^[A-Za-z0-9_-]{22}$/;

/** Entries `<id22>+<t36>` (trusted) or `<id22>-<t36>` (revoked), comma-separated. */
export function unpackRecords(chunks: string[]): Events {
  const out: Events = new Map();
  for (const chunk of chunks) {
    for (const item of chunk.split(',')) {
      const p = item.slice(0, 22);
      const sign = item[22];
      const t = parseInt(item.slice(23), 36);
      if (!PREFIX_RE.test(p) || (sign !== '+' && sign !== '-') || !Number.isFinite(t)) continue;
      out.set(p, mergeEvent(out.get(p), { t, revoked: sign === '-' }));
    }
  }
  return out;
}

/**
 * Packs events into chunks of at most CHUNK_CHARS, within `budget` bytes in all (each item costs
 * its key plus its JSON). Trusts go first (newest first), then revocations; what does not fit is
 * counted in `dropped` (it stays on this machine).
 */
export function packRecords(
  events: Events,
  budget: number,
  maxItems = MAX_ITEMS,
): { chunks: string[]; dropped: number; droppedTrusts: number } {
  const list = [...events].sort(
    ([pa, a], [pb, b]) => Number(a.revoked) - Number(b.revoked) || b.t - a.t || (pa < pb ? -1 : 1),
  );
  const chunks: string[] = [];
  let cur: string[] = [];
  let curLen = 0;
  let used = 0;
  let dropped = 0;
  let droppedTrusts = 0;
  const itemCost = (i: number, len: number) => (TR + i).length + len + 2;
  for (const [p, e] of list) {
    const s = p + (e.revoked ? '-' : '+') + e.t.toString(36);
    const add = s.length + (cur.length ? 1 : 0);
    if (cur.length && curLen + add > CHUNK_CHARS) {
      chunks.push(cur.join(','));
      used += itemCost(chunks.length - 1, curLen);
      cur = [];
      curLen = 0;
    }
    const addNow = s.length + (cur.length ? 1 : 0);
    const fits =
      used + itemCost(chunks.length, curLen + addNow) <= budget && chunks.length < maxItems;
    if (!fits) {
      dropped++;
      if (!e.revoked) droppedTrusts++;
      continue;
    }
    cur.push(s);
    curLen += addNow;
  }
  if (cur.length) chunks.push(cur.join(','));
  return { chunks, dropped, droppedTrusts };
}

/** Local records and tombstones as sync events (times rounded so a revocation is never earlier). */
export function localEvents(st: RecordsState): Events {
  let ev: Events = new Map();
  for (const e of Object.values(st.records)) {
    ev = mergeEvents(ev, new Map([[e.p, { t: Math.floor(e.trustedAt / 1000), revoked: false }]]));
  }
  for (const [p, at] of Object.entries(st.tombs)) {
    ev = mergeEvents(ev, new Map([[p, { t: Math.ceil(at / 1000), revoked: true }]]));
  }
  return ev;
}

/** Applies remote events to the local records: union, revocations as tombstones. */
export function applyRemote(st: RecordsState, remote: Events): boolean {
  let changed = false;
  const byPrefix = new Map<string, string[]>();
  for (const [id, e] of Object.entries(st.records)) {
    byPrefix.set(e.p, [...(byPrefix.get(e.p) ?? []), id]);
  }
  for (const [p, e] of remote) {
    const ms = e.t * 1000;
    const ids = byPrefix.get(p) ?? [];
    if (e.revoked) {
      for (const id of ids) {
        const r = st.records[id];
        if (r && Math.floor(r.trustedAt / 1000) <= e.t) {
          delete st.records[id];
          changed = true;
        }
      }
      const stillThere = ids.some((id) => id in st.records);
      const tomb = st.tombs[p];
      if (!stillThere && (tomb === undefined || tomb < ms)) {
        st.tombs[p] = ms;
        changed = true;
      }
    } else {
      if (ids.length) continue;
      const tomb = st.tombs[p];
      if (tomb !== undefined && Math.ceil(tomb / 1000) >= e.t) continue;
      st.records['sync:' + p] = { name: '', url: '', trustedAt: ms, p, remote: true };
      delete st.tombs[p];
      changed = true;
    }
  }
  return changed;
}

function sameEvents(a: Events, b: Events): boolean {
  if (a.size !== b.size) return false;
  for (const [p, e] of a) {
    const f = b.get(p);
    if (!f || f.t !== e.t || f.revoked !== e.revoked) return false;
  }
  return true;
}

// ---- keyring encryption ----

interface WireKey {
  id: string;
  name: string;
  kind: 'personal' | 'shared';
  hex: string;
  createdAt: number;
}

export async function deriveSyncKey(
  passphrase: string,
  salt: Uint8Array,
  iter: number,
): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(passphrase),
    'PBKDF2',
    false,
    ['deriveKey'],
  );
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as Uint8Array<ArrayBuffer>, iterations: iter },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

export async function encryptKeyring(key: CryptoKey, st: KeyringState): Promise<string> {
  const wire = {
    keys: st.keys.map((k): WireKey => ({
      id: k.id,
      name: k.name,
      kind: k.kind,
      hex: bytesToHex(k.bytes),
      createdAt: k.createdAt,
    })),
    removed: st.removed,
  };
  const iv = randomBytes(12);
  const ct = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: iv as Uint8Array<ArrayBuffer>, additionalData: AAD },
      key,
      new TextEncoder().encode(JSON.stringify(wire)),
    ),
  );
  const out = new Uint8Array(iv.length + ct.length);
  out.set(iv);
  out.set(ct, iv.length);
  return bytesToBase64(out);
}

/** Null when the key does not open it (wrong passphrase) or it is damaged. */
export async function decryptKeyring(key: CryptoKey, text: string): Promise<KeyringState | null> {
  const raw = parseBase64(text);
  if (!raw || raw.length < 29) return null;
  try {
    const pt = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: raw.subarray(0, 12), additionalData: AAD },
      key,
      raw.subarray(12),
    );
    const wire = JSON.parse(new TextDecoder().decode(pt)) as { keys: WireKey[]; removed: unknown };
    const keys: StoredKey[] = [];
    for (const w of wire.keys) {
      const bytes = parseHex(w.hex);
      if (!bytes || typeof w.id !== 'string' || typeof w.name !== 'string') continue;
      keys.push({
        id: w.id,
        name: w.name,
        kind: w.kind === 'personal' ? 'personal' : 'shared',
        bytes,
        createdAt: Number(w.createdAt) || 0,
      });
    }
    return { keys, removed: normaliseRemoved(wire.removed) };
  } catch {
    return null;
  }
}

function itemBytes(key: string, value: unknown): number {
  return key.length + JSON.stringify(value).length;
}

function splitChunks(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += CHUNK_CHARS) out.push(s.slice(i, i + CHUNK_CHARS));
  return out.length ? out : [''];
}

function chunkIndex(k: string, prefix: string): number {
  const rest = k.slice(prefix.length);
  return /^\d+$/.test(rest) ? Number(rest) : -1;
}

function readChunks(all: Record<string, unknown>, prefix: string): string[] {
  return Object.keys(all)
    .filter((k) => chunkIndex(k, prefix) >= 0 && typeof all[k] === 'string')
    .sort((a, b) => chunkIndex(a, prefix) - chunkIndex(b, prefix))
    .map((k) => all[k] as string);
}

export interface SyncDeps {
  sync: KV;
  local: KV;
  secrets: KV;
  keyring: Keyring;
  records: Records;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  /** Fewer PBKDF2 iterations in unit tests only. */
  iterations?: number;
}

const LOCAL = 'syncState';
const SECRET = 'syncKey';

export class SyncManager {
  private writes: number[] = [];
  private timer: unknown = null;
  private running: Promise<void> | null = null;
  private again = false;
  /** Counts storage.sync write operations (set/remove calls), for tests and status. */
  writeOps = 0;

  constructor(private readonly d: SyncDeps) {}

  private now(): number {
    return (this.d.now ?? Date.now)();
  }

  private async localState(): Promise<LocalSyncState> {
    return (
      ((await this.d.local.get([LOCAL]))[LOCAL] as LocalSyncState | undefined) ?? { enabled: false }
    );
  }

  private async setLocal(patch: Partial<LocalSyncState>): Promise<void> {
    const cur = await this.localState();
    const next: LocalSyncState = { ...cur, ...patch };
    for (const k of Object.keys(next) as (keyof LocalSyncState)[]) {
      if (next[k] === undefined) delete next[k];
    }
    if (JSON.stringify(next) === JSON.stringify(cur)) return;
    await this.d.local.set({ [LOCAL]: next });
  }

  private async cachedKey(meta: Meta | undefined): Promise<CryptoKey | null> {
    const c = (await this.d.secrets.get([SECRET]))[SECRET] as
      { salt: string; key: CryptoKey } | undefined;
    if (!c || !meta || c.salt !== meta.salt) return null;
    return c.key;
  }

  async status(): Promise<SyncStatus> {
    const ls = await this.localState();
    const all = ls.enabled ? await this.d.sync.get() : {};
    const meta = all[META] as Meta | undefined;
    const unlocked = ls.enabled && (await this.cachedKey(meta)) !== null;
    const st: SyncStatus = { enabled: ls.enabled, unlocked };
    if (ls.lastError) st.lastError = ls.lastError;
    else if (ls.enabled && !unlocked)
      st.lastError = 'Enter your sync passphrase on this machine to sync keys';
    if (ls.enabled) {
      st.bytesUsed = Object.entries(all)
        .filter(([k]) => k.startsWith('nbs:'))
        .reduce((n, [k, v]) => n + itemBytes(k, v), 0);
    }
    return st;
  }

  /** Turns sync on (or unlocks it) with the passphrase; the same passphrase on every machine. */
  async enable(passphrase: string): Promise<SyncStatus> {
    if (passphrase.length < 8) throw new Error('Use a sync passphrase of at least 8 characters');
    const all = await this.d.sync.get();
    let meta = all[META] as Meta | undefined;
    const kr = readChunks(all, KR).join('');
    let key: CryptoKey;
    if (meta && typeof meta.salt === 'string' && kr) {
      const salt = parseBase64(meta.salt);
      if (!salt) throw new Error('The synced keyring is damaged');
      key = await deriveSyncKey(passphrase, salt, meta.iter || PBKDF2_ITERATIONS);
      const remote = await decryptKeyring(key, kr);
      if (!remote) {
        throw new Error(
          'Wrong passphrase: it does not open the keyring already in sync. Use the passphrase you chose on your other machine.',
        );
      }
      await this.d.keyring.mergeRemote(remote);
    } else {
      const iter = this.d.iterations ?? PBKDF2_ITERATIONS;
      meta = { v: 1, salt: bytesToBase64(randomBytes(16)), iter };
      key = await deriveSyncKey(passphrase, parseBase64(meta.salt) as Uint8Array, iter);
      try {
        await this.d.sync.set({ [META]: meta });
      } catch (e) {
        const msg = errorMessage(e);
        throw new Error(
          /quota|MAX_ITEMS/i.test(msg)
            ? 'Sync storage is full: sync cannot start; your keys and records stay on this machine'
            : `Could not turn on sync: ${msg}`,
          { cause: e },
        );
      }
      this.noteWrite();
    }
    await this.d.secrets.set({ [SECRET]: { salt: meta.salt, key } });
    await this.setLocal({ enabled: true, lastError: undefined, dirty: true });
    await this.syncNow();
    return this.status();
  }

  async disable(): Promise<SyncStatus> {
    await this.d.secrets.remove([SECRET]);
    await this.d.local.set({ [LOCAL]: { enabled: false } });
    return this.status();
  }

  /** Something changed locally: write soon (debounced, rate-limited). Survives a worker restart via `dirty`. */
  async markDirty(): Promise<void> {
    const ls = await this.localState();
    if (!ls.enabled) return;
    if (!ls.dirty) await this.setLocal({ dirty: true });
    this.schedule(2000);
  }

  /** On worker start: finish a write a stopped worker left pending. */
  async resume(): Promise<void> {
    const ls = await this.localState();
    if (ls.enabled && ls.dirty) this.schedule(500);
  }

  /** storage.onChanged for the sync area. */
  onRemoteChanged(keys: string[]): void {
    if (keys.some((k) => k.startsWith('nbs:'))) this.schedule(200);
  }

  schedule(ms: number): void {
    if (this.timer !== null) return;
    const set = this.d.setTimer ?? ((fn: () => void, t: number) => setTimeout(fn, t));
    this.timer = set(() => {
      this.timer = null;
      void this.syncNow();
    }, ms);
  }

  private noteWrite(): void {
    this.writeOps++;
    this.writes.push(this.now());
  }

  /** Milliseconds to wait before `ops` more writes keep within the rate limits (0 = now). */
  private waitFor(ops: number): number {
    const t = this.now();
    this.writes = this.writes.filter((w) => t - w < 3_600_000);
    const lastMin = this.writes.filter((w) => t - w < 60_000);
    if (lastMin.length + ops > WRITES_PER_MINUTE) return 60_000 - (t - (lastMin[0] ?? t)) + 10;
    if (this.writes.length + ops > WRITES_PER_HOUR)
      return 3_600_000 - (t - (this.writes[0] ?? t)) + 10;
    return 0;
  }

  /** Merge remote into local, then write local to remote if they differ. One at a time. */
  async syncNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.syncOnce();
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async syncOnce(): Promise<void> {
    const ls = await this.localState();
    if (!ls.enabled) return;
    try {
      const all = await this.d.sync.get();
      const meta = all[META] as Meta | undefined;
      const key = await this.cachedKey(meta);

      // Keyring: only when unlocked on this machine.
      let krItems: Record<string, string> | null = null;
      if (key && meta) {
        const remoteText = readChunks(all, KR).join('');
        const remote = remoteText ? await decryptKeyring(key, remoteText) : null;
        if (remote) await this.d.keyring.mergeRemote(remote);
        const local = await this.d.keyring.state();
        if (!remote || !sameKeyring(remote, local)) {
          krItems = {};
          splitChunks(await encryptKeyring(key, local)).forEach((c, i) => {
            (krItems as Record<string, string>)[KR + i] = c;
          });
        }
      }

      // Records: union with tombstones.
      const remoteEv = unpackRecords(readChunks(all, TR));
      // Writes only on a change: every write wakes the viewers (they refresh on storage changes).
      await this.d.records.mutateIf((st) => applyRemote(st, remoteEv));
      const localEv = localEvents(await this.d.records.state());
      const merged = mergeEvents(remoteEv, localEv);

      // Budget: whatever the other items take, minus a margin.
      const other = Object.entries({ ...all, ...(krItems ?? {}) }).filter(
        ([k]) => !(chunkIndex(k, TR) >= 0),
      );
      const krKeys = krItems ? Object.keys(krItems) : [];
      const otherBytes = other
        .filter(([k]) => !(krItems && chunkIndex(k, KR) >= 0 && !krKeys.includes(k)))
        .reduce((n, [k, v]) => n + itemBytes(k, v), 0);
      const budget = QUOTA_BYTES - otherBytes - 512;
      const packed = packRecords(merged, budget, MAX_ITEMS - other.length - 1);
      const packedEv = unpackRecords(packed.chunks);
      const recordsChanged = !sameEvents(packedEv, remoteEv);

      const items: Record<string, unknown> = {};
      const stale: string[] = [];
      if (krItems) {
        Object.assign(items, krItems);
        for (const k of Object.keys(all))
          if (chunkIndex(k, KR) >= 0 && !(k in krItems)) stale.push(k);
      }
      if (recordsChanged) {
        packed.chunks.forEach((c, i) => (items[TR + i] = c));
        for (const k of Object.keys(all)) {
          if (chunkIndex(k, TR) >= packed.chunks.length) stale.push(k);
        }
      }
      const ops = (Object.keys(items).length ? 1 : 0) + (stale.length ? 1 : 0);
      if (ops) {
        const wait = this.waitFor(ops);
        if (wait > 0) {
          await this.setLocal({ dirty: true });
          this.schedule(wait);
          return;
        }
        if (Object.keys(items).length) {
          this.noteWrite();
          await this.d.sync.set(items);
        }
        if (stale.length) {
          this.noteWrite();
          await this.d.sync.remove(stale);
        }
      }
      const full =
        packed.droppedTrusts > 0
          ? `Sync storage is full: ${packed.droppedTrusts} records kept on this machine only`
          : undefined;
      await this.setLocal({ dirty: false, lastError: full });
    } catch (e) {
      const msg = errorMessage(e);
      if (/QUOTA_BYTES|quota/i.test(msg) && !/WRITE_OPERATIONS/i.test(msg)) {
        const n = Object.keys((await this.d.records.state()).records).length;
        await this.setLocal({
          dirty: true,
          lastError: `Sync storage is full: ${n} records kept on this machine only`,
        });
      } else if (/WRITE_OPERATIONS/i.test(msg)) {
        await this.setLocal({
          dirty: true,
          lastError: 'Sync is busy (write limit); retrying in a minute',
        });
        this.schedule(60_000);
      } else {
        await this.setLocal({ dirty: true, lastError: `Sync failed: ${msg}` });
      }
    }
  }
}

function sameKeyring(a: KeyringState, b: KeyringState): boolean {
  const s = (st: KeyringState) =>
    JSON.stringify({
      keys: st.keys.map((k) => [k.id, k.name, k.kind, k.createdAt, bytesToHex(k.bytes)]).sort(),
      removed: Object.entries(st.removed).sort(),
    });
  return s(a) === s(b);
}
