// Test doubles for the background's unit tests (not bundled: only *.test.ts import this).

import type { BgCore, CoreVerdict, TrustKey } from './core-api';
import { memoryKV, type KV, type Stores } from './storage';
import { bytesToHex, parseBase64, parseHex, randomBytes } from './util';

async function hmacHex(key: Uint8Array, text: string): Promise<string> {
  const k = await crypto.subtle.importKey(
    'raw',
    key as Uint8Array<ArrayBuffer>,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return bytesToHex(
    new Uint8Array(await crypto.subtle.sign('HMAC', k, new TextEncoder().encode(text))),
  );
}

/** A stand-in core: record digest = HMAC(key, text); `"sig": "<hmac of text without it>"` signs. */
export function fakeCore(): BgCore {
  return {
    async decide(
      text: string,
      keys: TrustKey[],
      isRecorded: (d: string) => boolean,
    ): Promise<CoreVerdict> {
      try {
        JSON.parse(text);
      } catch {
        return { trusted: false, reason: 'invalid', message: 'Not trusted: not a valid notebook' };
      }
      for (const k of keys) {
        if (await isRecorded(await hmacHex(k.bytes, text))) {
          return {
            trusted: true,
            reason: 'recorded',
            keyId: k.id,
            message: 'Trusted: you trusted it',
          };
        }
      }
      return { trusted: false, reason: 'no-signature', message: 'Not trusted: no signature' };
    },
    async recordDigest(text: string, key: TrustKey): Promise<string> {
      try {
        JSON.parse(text);
      } catch {
        throw new Error('Not a notebook');
      }
      return hmacHex(key.bytes, text);
    },
    randomKeyBytes: () => randomBytes(32),
    fingerprint: async (b) => (await hmacHex(new Uint8Array([1]), bytesToHex(b))).slice(0, 16),
    async exportKey(key, passphrase) {
      return `fake-export:${passphrase.length}:${bytesToHex(key.bytes)}:${key.name}`;
    },
    async importKey(exported, passphrase) {
      const m = /^fake-export:(\d+):([0-9a-f]+):(.*)$/.exec(exported);
      if (!m) throw new Error('Not an export string');
      if (Number(m[1]) !== passphrase.length) throw new Error('Wrong passphrase');
      return { bytes: parseHex(m[2] ?? '') as Uint8Array, name: m[3] ?? '' };
    },
    keyFromJupyterSecret: (t) => new TextEncoder().encode(t),
  };
}

export interface QuotaKV extends KV {
  data: Map<string, unknown>;
  ops: number;
  bytesInUse(): number;
}

/** storage.sync with Chromium's quotas, failing the way Chromium does. */
export function quotaSyncKV(
  opts: {
    quota?: number;
    perItem?: number;
    maxItems?: number;
    perMinute?: number;
    now?: () => number;
  } = {},
): QuotaKV {
  const inner = memoryKV();
  const quota = opts.quota ?? 102400;
  const perItem = opts.perItem ?? 8192;
  const maxItems = opts.maxItems ?? 512;
  const perMinute = opts.perMinute ?? 120;
  const now = opts.now ?? Date.now;
  const times: number[] = [];
  const size = (m: Map<string, unknown>) =>
    [...m].reduce((n, [k, v]) => n + k.length + JSON.stringify(v).length, 0);
  const rate = () => {
    const t = now();
    while (times.length && t - (times[0] as number) >= 60_000) times.shift();
    if (times.length >= perMinute)
      throw new Error('This request exceeds the MAX_WRITE_OPERATIONS_PER_MINUTE quota.');
    times.push(t);
  };
  const kv: QuotaKV = {
    data: inner.data,
    ops: 0,
    bytesInUse: () => size(inner.data),
    get: (keys) => inner.get(keys),
    async set(items) {
      rate();
      kv.ops++;
      const next = new Map(inner.data);
      for (const [k, v] of Object.entries(items)) {
        if (k.length + JSON.stringify(v).length > perItem) {
          throw new Error('QUOTA_BYTES_PER_ITEM quota exceeded');
        }
        next.set(k, structuredClone(v));
      }
      if (next.size > maxItems) throw new Error('MAX_ITEMS quota exceeded');
      if (size(next) > quota) throw new Error('QUOTA_BYTES quota exceeded');
      await inner.set(items);
    },
    async remove(keys) {
      rate();
      kv.ops++;
      await inner.remove(keys);
    },
  };
  return kv;
}

export function memoryStores(sync?: KV): Stores & { sync: KV } {
  return { secrets: memoryKV(), local: memoryKV(), session: memoryKV(), sync: sync ?? memoryKV() };
}

export { parseBase64 };
