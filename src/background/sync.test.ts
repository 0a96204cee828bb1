import { describe, expect, it } from 'vitest';
import { Router, type SenderLike } from './router';
import { Service } from './service';
import { memoryKV, type KV } from './storage';
import {
  localEvents,
  MAX_ITEMS,
  mergeEvents,
  packRecords,
  QUOTA_BYTES,
  QUOTA_BYTES_PER_ITEM,
  unpackRecords,
  type Events,
} from './sync';
import { fakeCore, memoryStores, quotaSyncKV, type QuotaKV } from './test-fakes';
import { bytesToBase64, bytesToBase64Url, bytesToHex, randomBytes } from './util';

const ME = { id: 'ext-id', baseUrl: 'chrome-extension://ext-id/' };
const popup: SenderLike = { id: ME.id, url: 'chrome-extension://ext-id/popup.html' };
const page = (url: string): SenderLike => ({ id: ME.id, url, tab: { id: 1, url }, frameId: 0 });
const nb = (i: number) =>
  JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: { i }, cells: [] });

function events(n: number, t0 = 1_700_000_000): Events {
  const ev: Events = new Map();
  for (let i = 0; i < n; i++)
    ev.set(bytesToBase64Url(randomBytes(16)), { t: t0 + i, revoked: i % 7 === 0 });
  return ev;
}

describe('compact records: packing', () => {
  it('round-trips and keeps every item under the per-item quota', () => {
    const ev = events(1000);
    const { chunks, dropped } = packRecords(ev, QUOTA_BYTES);
    expect(dropped).toBe(0);
    expect(chunks.length).toBeGreaterThan(1);
    chunks.forEach((c, i) =>
      expect(('nbs:t' + i).length + JSON.stringify(c).length).toBeLessThanOrEqual(
        QUOTA_BYTES_PER_ITEM,
      ),
    );
    expect(unpackRecords(chunks)).toEqual(ev);
  });

  it('stays within the total budget, dropping revocations before trusts, and counts what stays local', () => {
    const ev = events(5000);
    const { chunks, dropped, droppedTrusts } = packRecords(ev, 50_000);
    const total = chunks.reduce(
      (n, c, i) => n + ('nbs:t' + i).length + JSON.stringify(c).length,
      0,
    );
    expect(total).toBeLessThanOrEqual(50_000);
    const kept = unpackRecords(chunks);
    expect(kept.size + dropped).toBe(5000);
    expect(droppedTrusts).toBeGreaterThan(0);
    expect([...kept.values()].every((e) => !e.revoked)).toBe(true);
    expect(chunks.length).toBeLessThan(MAX_ITEMS);
  });

  it('merge: later event wins; a revocation wins a tie; garbage entries are ignored', () => {
    const p = 'A'.repeat(22);
    const a: Events = new Map([[p, { t: 10, revoked: false }]]);
    expect(mergeEvents(a, new Map([[p, { t: 10, revoked: true }]])).get(p)).toEqual({
      t: 10,
      revoked: true,
    });
    expect(mergeEvents(a, new Map([[p, { t: 9, revoked: true }]])).get(p)).toEqual({
      t: 10,
      revoked: false,
    });
    expect(unpackRecords(['junk,' + p + '+a,xyz-1,' + 'B'.repeat(22) + '*3']).size).toBe(1);
  });
});

interface Machine {
  service: Service;
  router: Router;
  stores: ReturnType<typeof memoryStores>;
  open(i: number): Promise<string>;
  trust(i: number): Promise<void>;
  trusted(i: number): Promise<boolean>;
  call<T>(m: unknown): Promise<T>;
}

function machine(sync: KV, now: () => number = Date.now): Machine {
  const stores = memoryStores(sync);
  const service = new Service({
    stores,
    core: fakeCore(),
    fetch: async (url) => new Response(nb(Number(/n(\d+)\.ipynb/.exec(url)?.[1]))),
    setTimer: () => 0, // no background timers in tests: the test calls syncNow()
    syncIterations: 1000,
    now,
  });
  const router = new Router(() => service, ME);
  const call = async <T>(m: unknown): Promise<T> => {
    const r = await router.handle(m, popup);
    if (!r.ok) throw new Error(r.error);
    return r.value as T;
  };
  const open = async (i: number) => {
    const url = `https://raw.githubusercontent.com/o/r/main/n${i}.ipynb`;
    const r = await router.handle({ type: 'nb/open', url }, page(url));
    if (!r.ok) throw new Error(r.error);
    return (r.value as { viewId: string }).viewId;
  };
  return {
    service,
    router,
    stores,
    open,
    call,
    async trust(i) {
      await call({ type: 'view/trust', viewId: await open(i) });
    },
    async trusted(i) {
      const vid = await open(i);
      const r = await router.handle(
        { type: 'view/get', viewId: vid },
        { ...popup, tab: { id: 1 } },
      );
      if (!r.ok) throw new Error(r.error);
      return (r.value as { verdict: { trusted: boolean } }).verdict.trusted;
    },
  };
}

describe('sync between two machines', () => {
  it('keyring travels encrypted; a second machine with the passphrase gets the keys and the records', async () => {
    const sync = memoryKV();
    const a = machine(sync);
    await a.call({ type: 'keys/import', format: 'hex', data: 'cd'.repeat(32), name: 'Team' });
    await a.trust(1);
    const st = await a.call<{ enabled: boolean; unlocked: boolean; bytesUsed: number }>({
      type: 'sync/enable',
      passphrase: 'correct horse battery',
    });
    expect(st).toMatchObject({ enabled: true, unlocked: true });
    expect(st.bytesUsed).toBeGreaterThan(0);

    // Nothing in sync storage holds a key in clear.
    const kr = (a.stores.secrets as ReturnType<typeof memoryKV>).data.get('keyring') as {
      keys: Array<{ bytes: Uint8Array }>;
    };
    const dump = JSON.stringify([...sync.data]);
    for (const k of kr.keys) {
      expect(dump).not.toContain(bytesToHex(k.bytes));
      expect(dump).not.toContain(bytesToBase64(k.bytes));
    }

    const b = machine(sync);
    expect(await b.trusted(1)).toBe(false);
    await expect(
      b.call({ type: 'sync/enable', passphrase: 'wrong horse battery' }),
    ).rejects.toThrow(/Wrong passphrase/);
    await b.call({ type: 'sync/enable', passphrase: 'correct horse battery' });
    const names = (await b.call<Array<{ name: string; kind: string }>>({ type: 'keys/list' })).map(
      (k) => [k.name, k.kind],
    );
    expect(names).toContainEqual(['Team', 'shared']);
    // B's own first key was kept (as a former personal key) so its own records keep matching.
    expect(names.filter(([, k]) => k === 'personal')).toHaveLength(1);
    expect(names).toHaveLength(3);
    expect(await b.trusted(1)).toBe(true);
    const recs = await b.call<Array<{ name: string }>>({ type: 'records/list' });
    expect(recs).toHaveLength(1);
  });

  it('two machines that trusted different notebooks end with the union; revocation propagates', async () => {
    const sync = memoryKV();
    const clock = { t: 1_800_000_000_000 };
    const a = machine(sync, () => clock.t);
    await a.call({ type: 'sync/enable', passphrase: 'correct horse battery' });
    const b = machine(sync, () => clock.t);
    await b.call({ type: 'sync/enable', passphrase: 'correct horse battery' });
    await a.service.sync.syncNow(); // A learns B's former personal key

    await a.trust(1);
    await b.trust(2);
    await a.service.sync.syncNow();
    await b.service.sync.syncNow();
    await a.service.sync.syncNow();
    for (const m of [a, b]) {
      expect(await m.trusted(1)).toBe(true);
      expect(await m.trusted(2)).toBe(true);
      expect(await m.trusted(3)).toBe(false);
    }
    expect(await a.call<unknown[]>({ type: 'records/list' })).toHaveLength(2);

    // B revokes notebook 1 (which it knows only by compact id): A loses it too.
    const recs = await b.call<Array<{ id: string; name: string }>>({ type: 'records/list' });
    const remote = recs.find((r) => r.name === '(trusted on another machine)');
    expect(remote).toBeDefined();
    await b.call({ type: 'records/revoke', id: remote?.id });
    await b.service.sync.syncNow();
    await a.service.sync.syncNow();
    expect(await a.trusted(1)).toBe(false);
    expect(await a.trusted(2)).toBe(true);
    // Re-trusting later wins over the old revocation, on both machines.
    clock.t += 5000;
    await a.trust(1);
    await a.service.sync.syncNow();
    await b.service.sync.syncNow();
    expect(await b.trusted(1)).toBe(true);
  });

  it('a sync write racing with another machine loses nothing: the next merge rewrites the union', async () => {
    const sync = memoryKV();
    const a = machine(sync);
    const b = machine(sync);
    await a.call({ type: 'sync/enable', passphrase: 'correct horse battery' });
    await b.call({ type: 'sync/enable', passphrase: 'correct horse battery' });
    await a.trust(1);
    await a.service.sync.syncNow();
    // B writes its records without having seen A's (a lost race): sync now lacks A's record.
    await b.trust(2);
    const bOnly = localEvents(await b.service.records.state());
    expect(bOnly.size).toBe(1);
    sync.data.set('nbs:t0', packRecords(bOnly, QUOTA_BYTES).chunks[0]);
    expect(unpackRecords([String(sync.data.get('nbs:t0'))]).size).toBe(1);
    await b.service.sync.syncNow();
    await a.service.sync.syncNow();
    await b.service.sync.syncNow();
    expect(await b.trusted(1)).toBe(true);
    expect(await a.trusted(2)).toBe(true);
    // A never lost its local record.
    expect(await a.trusted(1)).toBe(true);
  });
});

describe('quotas', () => {
  it('when sync storage is full, local records stay and the status says how many stay local', async () => {
    const sync = quotaSyncKV({ quota: 6000 });
    const a = machine(sync);
    await a.call({ type: 'sync/enable', passphrase: 'correct horse battery' });
    for (let i = 0; i < 300; i++) await a.trust(i);
    await a.service.sync.syncNow();
    const st = await a.call<{ lastError?: string }>({ type: 'sync/status' });
    expect(st.lastError).toMatch(/^Sync storage is full: \d+ records kept on this machine only$/);
    expect(sync.bytesInUse()).toBeLessThanOrEqual(6000);
    expect(await a.call<unknown[]>({ type: 'records/list' })).toHaveLength(300);
    expect(await a.trusted(299)).toBe(true);
    expect(await a.trusted(0)).toBe(true);
  });

  it('a quota error from the browser itself is reported the same way', async () => {
    const inner = quotaSyncKV();
    const failing: QuotaKV = {
      ...inner,
      async set(items) {
        if (Object.keys(items).some((k) => k.startsWith('nbs:t')))
          throw new Error('QUOTA_BYTES quota exceeded');
        return inner.set(items);
      },
    };
    const a = machine(failing);
    await a.trust(1);
    await a.call({ type: 'sync/enable', passphrase: 'correct horse battery' });
    const st = await a.call<{ lastError?: string }>({ type: 'sync/status' });
    expect(st.lastError).toBe('Sync storage is full: 1 records kept on this machine only');
    expect(await a.trusted(1)).toBe(true);
  });

  it('many trusts in a burst are batched: writes stay under 120 a minute', async () => {
    let t = 1_800_000_000_000;
    const sync = quotaSyncKV({ now: () => t });
    const timers: Array<() => void> = [];
    const stores = memoryStores(sync);
    const service = new Service({
      stores,
      core: fakeCore(),
      fetch: async (url) => new Response(nb(Number(/n(\d+)\.ipynb/.exec(url)?.[1]))),
      setTimer: (fn) => timers.push(fn),
      syncIterations: 1000,
      now: () => t,
    });
    const router = new Router(() => service, ME);
    await router.handle({ type: 'sync/enable', passphrase: 'correct horse battery' }, popup);
    const before = sync.ops;
    for (let i = 0; i < 500; i++) {
      const url = `https://raw.githubusercontent.com/o/r/main/n${i}.ipynb`;
      const r = (await router.handle({ type: 'nb/open', url }, page(url))) as {
        value: { viewId: string };
      };
      await router.handle({ type: 'view/trust', viewId: r.value.viewId }, popup);
      t += 50;
      // Fire due timers now and then, as the event loop would.
      if (i % 25 === 0) while (timers.length) timers.shift()?.();
      await new Promise((r) => setTimeout(r, 0));
    }
    while (timers.length) timers.shift()?.();
    await service.sync.syncNow();
    expect(sync.ops - before).toBeLessThanOrEqual(40);
    const packed = unpackRecords(
      [...sync.data].filter(([k]) => k.startsWith('nbs:t')).map(([, v]) => String(v)),
    );
    expect(packed.size).toBe(500);
  });
});

describe('sync cannot start', () => {
  it('when sync storage is already full, says so and changes nothing local', async () => {
    const sync = quotaSyncKV({ quota: 200 });
    await sync.set({ other: 'x'.repeat(180) });
    const a = machine(sync);
    await a.trust(1);
    await expect(
      a.call({ type: 'sync/enable', passphrase: 'correct horse battery' }),
    ).rejects.toThrow(
      'Sync storage is full: sync cannot start; your keys and records stay on this machine',
    );
    expect(await a.call({ type: 'sync/status' })).toMatchObject({ enabled: false });
    expect(await a.trusted(1)).toBe(true);
  });
});

describe('quiet when nothing changed', () => {
  it('a sync round with nothing new writes neither storage.sync nor storage.local (viewers wake on writes)', async () => {
    const sync = quotaSyncKV();
    const a = machine(sync);
    await a.call({ type: 'sync/enable', passphrase: 'correct horse battery' });
    await a.trust(1);
    await a.service.sync.syncNow();
    const local = a.stores.local as ReturnType<typeof memoryKV>;
    const before = JSON.stringify([...local.data]);
    let localWrites = 0;
    const set = local.set.bind(local);
    local.set = async (items) => {
      localWrites++;
      return set(items);
    };
    const syncOps = sync.ops;
    await a.service.sync.syncNow();
    await a.service.sync.syncNow();
    expect(sync.ops).toBe(syncOps);
    expect(localWrites).toBe(0);
    expect(JSON.stringify([...local.data])).toBe(before);
  });
});

describe('key removal across machines', () => {
  it('a key removed on one machine goes on the other; imported again later, it comes back on both', async () => {
    const sync = memoryKV();
    const clock = { t: 1_800_000_000_000 };
    const a = machine(sync, () => clock.t);
    const b = machine(sync, () => clock.t);
    const hex = 'ee'.repeat(32);
    const team = await a.call<{ id: string }>({
      type: 'keys/import',
      format: 'hex',
      data: hex,
      name: 'Team',
    });
    await a.call({ type: 'sync/enable', passphrase: 'correct horse battery' });
    await b.call({ type: 'sync/enable', passphrase: 'correct horse battery' });
    const ids = async (m: Machine) =>
      (await m.call<Array<{ id: string }>>({ type: 'keys/list' })).map((k) => k.id);
    expect(await ids(b)).toContain(team.id);

    clock.t += 1000;
    await b.call({ type: 'keys/remove', keyId: team.id });
    await b.service.sync.syncNow();
    await a.service.sync.syncNow();
    expect(await ids(a)).not.toContain(team.id);

    clock.t += 1000;
    await a.call({ type: 'keys/import', format: 'hex', data: hex, name: 'Team again' });
    await a.service.sync.syncNow();
    await b.service.sync.syncNow();
    await a.service.sync.syncNow();
    expect(await ids(a)).toContain(team.id);
    expect(await ids(b)).toContain(team.id);
  });
});
