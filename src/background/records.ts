// One-click trust records: the canonical record digest of exactly the text the user saw, with
// what to show in the list. They are HMACs (useless without the key), so they live in
// storage.local; the area is still restricted to trusted contexts where the browser allows it.

import type { RecordInfo } from '../core/protocol';
import { mutex, type KV } from './storage';
import { digestPrefix } from './util';

export interface RecordEntry {
  name: string;
  url: string;
  trustedAt: number;
  keyId?: string;
  /** Compact id used in storage.sync (see util.digestPrefix). */
  p: string;
  /** Known only by its compact id: trusted on another machine, arrived by sync. */
  remote?: boolean;
}

export interface RecordsState {
  /** id -> entry. id = the full digest, or `sync:<prefix>` for remote-only entries. */
  records: Record<string, RecordEntry>;
  /** prefix -> revokedAt: revocations, so a sync merge does not bring them back. */
  tombs: Record<string, number>;
  /** url -> id of the last record trusted at that url ("changed since you trusted it"). */
  hints: Record<string, string>;
  /** Bumped on every change: cached verdicts of the current generation stay valid. */
  gen?: number;
}

const KEY = 'trust';
const empty = (): RecordsState => ({ records: {}, tombs: {}, hints: {} });

export class Records {
  private readonly lock = mutex();
  constructor(
    private readonly local: KV,
    private readonly now: () => number = Date.now,
  ) {}

  async state(): Promise<RecordsState> {
    const got = (await this.local.get([KEY]))[KEY] as RecordsState | undefined;
    return got ?? empty();
  }

  async mutate<T>(fn: (st: RecordsState) => T | Promise<T>): Promise<T> {
    return this.lock(async () => {
      const st = await this.state();
      const out = await fn(st);
      st.gen = (st.gen ?? 0) + 1;
      await this.local.set({ [KEY]: st });
      return out;
    });
  }

  /** Like mutate, but writes (and bumps the generation) only when `fn` reports a change. */
  async mutateIf(fn: (st: RecordsState) => boolean): Promise<boolean> {
    return this.lock(async () => {
      const st = await this.state();
      if (!fn(st)) return false;
      st.gen = (st.gen ?? 0) + 1;
      await this.local.set({ [KEY]: st });
      return true;
    });
  }

  async add(digest: string, info: { name: string; url: string; keyId?: string }): Promise<void> {
    const p = await digestPrefix(digest);
    await this.mutate((st) => {
      st.records[digest] = { name: info.name, url: info.url, trustedAt: this.now(), p };
      if (info.keyId) st.records[digest].keyId = info.keyId;
      delete st.records['sync:' + p];
      delete st.tombs[p];
      st.hints[info.url] = digest;
    });
  }

  /** Removes every record matching one of these digests (full or by compact id). */
  async removeDigests(digests: string[]): Promise<boolean> {
    const ps = await Promise.all(digests.map((d) => digestPrefix(d)));
    return this.mutate((st) => {
      let removed = false;
      const at = this.now();
      for (const [id, e] of Object.entries(st.records)) {
        if (digests.includes(id) || ps.includes(e.p)) {
          delete st.records[id];
          st.tombs[e.p] = Math.max(at, e.trustedAt + 1);
          removed = true;
        }
      }
      return removed;
    });
  }

  async revoke(id: string): Promise<boolean> {
    return this.mutate((st) => {
      const e = st.records[id];
      if (!e) return false;
      delete st.records[id];
      st.tombs[e.p] = Math.max(this.now(), e.trustedAt + 1);
      return true;
    });
  }

  async list(query?: string): Promise<RecordInfo[]> {
    const st = await this.state();
    const q = (query ?? '').trim().toLowerCase();
    return Object.entries(st.records)
      .map(([id, e]) => ({
        id,
        name: e.remote ? '(trusted on another machine)' : e.name,
        url: e.url,
        trustedAt: e.trustedAt,
      }))
      .filter((r) => !q || r.name.toLowerCase().includes(q) || r.url.toLowerCase().includes(q))
      .sort((a, b) => b.trustedAt - a.trustedAt);
  }
}

/** The set the trust decision consults: full digests, plus compact ids that arrived by sync. */
export function recordedSets(st: RecordsState): { full: Set<string>; prefixes: Set<string> } {
  const full = new Set<string>();
  const prefixes = new Set<string>();
  for (const [id, e] of Object.entries(st.records)) {
    if (e.remote) prefixes.add(e.p);
    else full.add(id);
  }
  return { full, prefixes };
}
