// The background's storage layer, behind one small interface so the logic is testable in Node.
//
// Three places, by how much a content script could see:
//  - secrets: the extension origin's IndexedDB (key bytes, the sync wrapping key). A content script
//    runs in the page's origin and cannot open it.
//  - local / sync: browser.storage areas (trust records are HMACs, useless without the key).
//  - session: browser.storage.session where it exists (views survive a service-worker restart).

export interface KV {
  /** All items when `keys` is omitted. Missing keys are absent from the result. */
  get(keys?: string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string[]): Promise<void>;
}

export interface Stores {
  secrets: KV;
  local: KV;
  sync: KV;
  /** null where the browser has no session area. */
  session: KV | null;
}

/** In-memory KV; values are structured-cloned like the real stores do. */
export function memoryKV(): KV & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    async get(keys) {
      const out: Record<string, unknown> = {};
      for (const k of keys ?? [...data.keys()]) {
        if (data.has(k)) out[k] = structuredClone(data.get(k));
      }
      return out;
    },
    async set(items) {
      for (const [k, v] of Object.entries(items)) data.set(k, structuredClone(v));
    },
    async remove(keys) {
      for (const k of keys) data.delete(k);
    },
  };
}

/** The minimal shape of a browser.storage area we use. */
export interface StorageAreaLike {
  get(keys?: string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string[]): Promise<void>;
}

export function areaKV(area: StorageAreaLike): KV {
  return {
    get: (keys) => area.get(keys ?? null),
    set: (items) => area.set(items),
    remove: (keys) => (keys.length ? area.remove(keys) : Promise.resolve()),
  };
}

/** A KV in one IndexedDB object store (structured clone keeps Uint8Array and CryptoKey). */
export function idbKV(dbName: string, storeName = 'kv'): KV {
  let dbp: Promise<IDBDatabase> | null = null;
  const open = (): Promise<IDBDatabase> => {
    dbp ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(dbName, 1);
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(storeName))
          req.result.createObjectStore(storeName);
      };
      req.onsuccess = () => {
        const db = req.result;
        // A closed connection (e.g. versionchange) must not poison later calls.
        db.onclose = () => (dbp = null);
        db.onversionchange = () => {
          db.close();
          dbp = null;
        };
        resolve(db);
      };
      req.onerror = () => {
        dbp = null;
        reject(req.error ?? new Error('IndexedDB open failed'));
      };
    });
    return dbp;
  };
  const tx = async <T>(
    mode: IDBTransactionMode,
    fn: (store: IDBObjectStore) => IDBRequest<T> | void,
  ): Promise<T | undefined> => {
    const db = await open();
    return new Promise<T | undefined>((resolve, reject) => {
      const t = db.transaction(storeName, mode);
      const req = fn(t.objectStore(storeName));
      t.oncomplete = () => resolve(req ? req.result : undefined);
      t.onerror = () => reject(t.error ?? new Error('IndexedDB transaction failed'));
      t.onabort = () => reject(t.error ?? new Error('IndexedDB transaction aborted'));
    });
  };
  return {
    async get(keys) {
      const out: Record<string, unknown> = {};
      const db = await open();
      await new Promise<void>((resolve, reject) => {
        const t = db.transaction(storeName, 'readonly');
        const store = t.objectStore(storeName);
        if (keys === undefined) {
          const cur = store.openCursor();
          cur.onsuccess = () => {
            const c = cur.result;
            if (c) {
              out[String(c.key)] = c.value;
              c.continue();
            }
          };
        } else {
          for (const k of keys) {
            const r = store.get(k);
            r.onsuccess = () => {
              if (r.result !== undefined) out[k] = r.result;
            };
          }
        }
        t.oncomplete = () => resolve();
        t.onerror = () => reject(t.error ?? new Error('IndexedDB read failed'));
      });
      return out;
    },
    async set(items) {
      await tx('readwrite', (s) => {
        for (const [k, v] of Object.entries(items)) s.put(v, k);
      });
    },
    async remove(keys) {
      await tx('readwrite', (s) => {
        for (const k of keys) s.delete(k);
      });
    },
  };
}

/** Serialises async critical sections (read-modify-write of one stored object). */
export function mutex(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}
