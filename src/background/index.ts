// The service worker: wires the browser APIs to the router and the service. No state lives only
// in globals: every handler loads what it needs from storage, so a stopped and restarted worker,
// a browser restart or an extension update loses nothing.

import browser from 'webextension-polyfill';
import { realCore } from './core-real';
import { Router, type SenderLike } from './router';
import { Service } from './service';
import { areaKV, idbKV, type KV, type StorageAreaLike } from './storage';

interface AccessLevelArea {
  setAccessLevel?: (o: {
    accessLevel: 'TRUSTED_CONTEXTS' | 'TRUSTED_AND_UNTRUSTED_CONTEXTS';
  }) => Promise<void>;
}
interface ChromeLike {
  storage?: { local?: AccessLevelArea; sync?: AccessLevelArea; session?: AccessLevelArea };
}

/** Chromium only: keep storage.local/sync out of content scripts' reach (they hold no keys anyway). */
async function restrictStorage(): Promise<void> {
  const c = (globalThis as { chrome?: ChromeLike }).chrome;
  for (const area of [c?.storage?.local, c?.storage?.sync, c?.storage?.session]) {
    try {
      await area?.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' });
    } catch {
      /* older browsers: nothing secret is stored there */
    }
  }
}

const sessionArea = (browser.storage as unknown as { session?: StorageAreaLike }).session;
const stores: { secrets: KV; local: KV; sync: KV; session: KV | null } = {
  secrets: idbKV('nbshield-secrets'),
  local: areaKV(browser.storage.local as unknown as StorageAreaLike),
  sync: areaKV(browser.storage.sync as unknown as StorageAreaLike),
  session: sessionArea ? areaKV(sessionArea) : null,
};

// Kept as an object so the test hook below can shrink the per-message limits.
const serviceDeps: ConstructorParameters<typeof Service>[0] = {
  stores,
  core: realCore,
  fetch: (url, init) => fetch(url, init),
};
const service = new Service(serviceDeps);

const router = new Router(() => service, {
  id: browser.runtime.id,
  baseUrl: browser.runtime.getURL(''),
});

const ready = (async () => {
  await restrictStorage();
  await service.keyring.state(); // first run: create the personal key
  await service.sync.resume();
  // Views of tabs closed while the worker was stopped.
  const tabs = await browser.tabs.query({});
  await service.views.keepTabs(new Set(tabs.flatMap((t) => (t.id === undefined ? [] : [t.id]))));
})().catch(() => undefined);

browser.runtime.onMessage.addListener((message: unknown, sender: browser.Runtime.MessageSender) => {
  return ready.then(() => router.handle(message, sender as SenderLike));
});

browser.tabs?.onRemoved.addListener((tabId: number) => {
  void service.views.dropTab(tabId);
  service.dropUploads(tabId);
});

browser.storage.onChanged.addListener((changes: Record<string, unknown>, area: string) => {
  if (area === 'sync') service.sync.onRemoteChanged(Object.keys(changes));
});

browser.runtime.onInstalled.addListener(() => void ready);
browser.runtime.onStartup?.addListener(() => void ready);

/**
 * For automated tests (DESIGN.md contract): reachable only from the service worker's own scope.
 * setSecretHex adds a key exactly as an options-page import does.
 */
(globalThis as { nbshieldTest?: unknown }).nbshieldTest = {
  setSecretHex: async (hex: string) => {
    await ready;
    return service.importKey({ format: 'hex', data: hex, name: 'Test key' });
  },
  listKeys: () => service.listKeys(),
  records: () => service.listRecords(),
  syncStatus: () => service.syncStatus(),
  syncNow: () => service.sync.syncNow(),
  /** Shrink the runtime-message limits so a small notebook travels in parts (view/text). */
  setMessageLimits: (textChunk: number, byteLimit: number) => {
    serviceDeps.messageTextChunk = textChunk;
    serviceDeps.messageByteLimit = byteLimit;
  },
  /** storage.sync write operations this worker made (rate-limit checks). */
  syncWrites: () => service.sync.writeOps,
};
