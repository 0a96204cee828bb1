// The keyring: the personal key plus named shared keys. Key bytes live only in the secrets store
// (extension-origin IndexedDB) and never leave this module except as TrustKey for core calls.

import type { KeyInfo } from '../core/protocol';
import type { BgCore, TrustKey } from './core-api';
import { mutex, type KV } from './storage';
import { bytesToHex, sha256 } from './util';

export interface StoredKey {
  id: string;
  name: string;
  kind: 'personal' | 'shared';
  bytes: Uint8Array;
  createdAt: number;
}

export interface KeyringState {
  keys: StoredKey[];
  /**
   * Removed key id -> when: a sync merge does not bring them back, unless the key was imported
   * again later (its createdAt is then newer).
   */
  removed: Record<string, number>;
}

const KEYRING = 'keyring';
export const MIN_KEY_BYTES = 16;
export const MAX_KEY_BYTES = 4096;

/** Stable id from the bytes: the same key imported on two machines gets the same id. */
export async function keyIdOf(bytes: Uint8Array): Promise<string> {
  const b = new Uint8Array(bytes.length + 16);
  b.set(new TextEncoder().encode('nbshield-key-id\0'), 0);
  b.set(bytes, 16);
  return 'k' + bytesToHex((await sha256(b)).subarray(0, 8));
}

export class Keyring {
  private readonly lock = mutex();
  constructor(
    private readonly secrets: KV,
    private readonly core: BgCore,
    private readonly now: () => number = Date.now,
    /** Called after a change to the keys (not on a no-op): the service bumps `keyringVersion`. */
    private readonly onChange?: () => Promise<void>,
  ) {}

  /** Loads from storage each call (no state in globals); creates the personal key on first use. */
  async state(): Promise<KeyringState> {
    const got = normalise((await this.secrets.get([KEYRING]))[KEYRING]);
    if (got && got.keys.some((k) => k.kind === 'personal')) return got;
    return this.lock(async () => {
      const again = normalise((await this.secrets.get([KEYRING]))[KEYRING]);
      if (again && again.keys.some((k) => k.kind === 'personal')) return again;
      const bytes = this.core.randomKeyBytes();
      const st: KeyringState = again ?? { keys: [], removed: {} };
      st.keys.unshift({
        id: await keyIdOf(bytes),
        name: 'Personal key',
        kind: 'personal',
        bytes,
        createdAt: this.now(),
      });
      await this.secrets.set({ [KEYRING]: st });
      return st;
    });
  }

  async trustKeys(): Promise<TrustKey[]> {
    return (await this.state()).keys.map(({ id, name, bytes }) => ({ id, name, bytes }));
  }

  async personal(): Promise<TrustKey> {
    const k = (await this.state()).keys.find((x) => x.kind === 'personal');
    if (!k) throw new Error('No personal key');
    return { id: k.id, name: k.name, bytes: k.bytes };
  }

  async info(k: StoredKey): Promise<KeyInfo> {
    return {
      id: k.id,
      name: k.name,
      kind: k.kind,
      fingerprint: await this.core.fingerprint(k.bytes),
      createdAt: k.createdAt,
    };
  }

  async list(): Promise<KeyInfo[]> {
    const st = await this.state();
    return Promise.all(st.keys.map((k) => this.info(k)));
  }

  async nameOf(id: string): Promise<string | undefined> {
    return (await this.state()).keys.find((k) => k.id === id)?.name;
  }

  async kindOf(id: string): Promise<'personal' | 'shared' | undefined> {
    return (await this.state()).keys.find((k) => k.id === id)?.kind;
  }

  private async mutate<T>(fn: (st: KeyringState) => Promise<T>): Promise<T> {
    await this.state();
    return this.lock(async () => {
      const st = normalise((await this.secrets.get([KEYRING]))[KEYRING]) as KeyringState;
      const before = JSON.stringify(summary(st));
      const out = await fn(st);
      await this.secrets.set({ [KEYRING]: st });
      if (this.onChange && JSON.stringify(summary(st)) !== before) await this.onChange();
      return out;
    });
  }

  /** Adds a shared key; importing a key already present returns it unchanged (idempotent). */
  async add(bytes: Uint8Array, name: string): Promise<KeyInfo> {
    if (bytes.length < MIN_KEY_BYTES) {
      throw new Error(`Key too short: ${bytes.length} bytes (at least ${MIN_KEY_BYTES} needed)`);
    }
    if (bytes.length > MAX_KEY_BYTES) throw new Error(`Key too long: ${bytes.length} bytes`);
    const id = await keyIdOf(bytes);
    const k = await this.mutate(async (st) => {
      const existing = st.keys.find((x) => x.id === id);
      if (existing) return existing;
      const nk: StoredKey = {
        id,
        name: name.trim() || 'Shared key',
        kind: 'shared',
        bytes: new Uint8Array(bytes),
        createdAt: this.now(),
      };
      st.keys.push(nk);
      delete st.removed[id];
      return nk;
    });
    return this.info(k);
  }

  async rename(id: string, name: string): Promise<KeyInfo> {
    const trimmed = name.trim();
    if (!trimmed) throw new Error('A key needs a name');
    const k = await this.mutate(async (st) => {
      const k = st.keys.find((x) => x.id === id);
      if (!k) throw new Error('No such key');
      k.name = trimmed;
      return k;
    });
    return this.info(k);
  }

  /** A new random key replaces the old one (same name and kind); records made with it stop matching. */
  async rotate(id: string): Promise<KeyInfo> {
    const k = await this.mutate(async (st) => {
      const i = st.keys.findIndex((x) => x.id === id);
      const old = st.keys[i];
      if (!old) throw new Error('No such key');
      const bytes = this.core.randomKeyBytes();
      const nk: StoredKey = {
        id: await keyIdOf(bytes),
        name: old.name,
        kind: old.kind,
        bytes,
        createdAt: this.now(),
      };
      st.keys[i] = nk;
      st.removed[old.id] = this.now();
      return nk;
    });
    return this.info(k);
  }

  async remove(id: string): Promise<boolean> {
    return this.mutate(async (st) => {
      const k = st.keys.find((x) => x.id === id);
      if (!k) return false;
      if (k.kind === 'personal') {
        throw new Error('The personal key cannot be removed; rotate it instead');
      }
      st.keys = st.keys.filter((x) => x.id !== id);
      st.removed[id] = this.now();
      return true;
    });
  }

  /** For export only (an explicit user action on the options page). */
  async keyForExport(id: string): Promise<TrustKey> {
    const k = (await this.state()).keys.find((x) => x.id === id);
    if (!k) throw new Error('No such key');
    return { id: k.id, name: k.name, bytes: k.bytes };
  }

  /**
   * Merges a keyring that arrived by sync: union of keys minus removals on either side. One
   * personal key in the end (the oldest); other machines' former personal keys stay as shared
   * keys so the records they made keep matching. Returns true when the local keyring changed.
   */
  async mergeRemote(remote: KeyringState): Promise<boolean> {
    return this.mutate(async (st) => {
      const before = JSON.stringify(summary(st));
      const removed: Record<string, number> = { ...st.removed };
      for (const [id, at] of Object.entries(remote.removed)) {
        removed[id] = Math.max(removed[id] ?? 0, at);
      }
      const byId = new Map<string, StoredKey>();
      for (const k of [...st.keys, ...remote.keys]) {
        const gone = removed[k.id];
        if (gone !== undefined && gone >= k.createdAt) continue;
        const cur = byId.get(k.id);
        if (!cur || k.createdAt < cur.createdAt)
          byId.set(k.id, { ...k, bytes: new Uint8Array(k.bytes) });
      }
      // A key imported again after its removal is back: its tombstone goes.
      for (const id of byId.keys()) delete removed[id];
      const keys = [...byId.values()].sort(
        (a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1),
      );
      const personals = keys.filter((k) => k.kind === 'personal');
      const chosen = personals[0];
      for (const k of personals) {
        if (k !== chosen) {
          k.kind = 'shared';
          if (k.name === 'Personal key') {
            k.name = `Former personal key (${new Date(k.createdAt).toISOString().slice(0, 10)})`;
          }
        }
      }
      st.keys = chosen ? [chosen, ...keys.filter((k) => k !== chosen)] : keys;
      st.removed = removed;
      return JSON.stringify(summary(st)) !== before;
    });
  }
}

/** Tombstones were once a plain id list: read that form as "removed long ago". */
export function normaliseRemoved(v: unknown): Record<string, number> {
  if (Array.isArray(v)) return Object.fromEntries(v.map((id) => [String(id), 0]));
  if (typeof v !== 'object' || v === null) return {};
  const out: Record<string, number> = {};
  for (const [id, at] of Object.entries(v)) out[id] = Number(at) || 0;
  return out;
}

function normalise(v: unknown): KeyringState | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const st = v as KeyringState;
  return { keys: Array.isArray(st.keys) ? st.keys : [], removed: normaliseRemoved(st.removed) };
}

function summary(st: KeyringState): unknown {
  return {
    keys: st.keys.map((k) => [k.id, k.name, k.kind, k.createdAt]),
    removed: Object.entries(st.removed).sort(),
  };
}
