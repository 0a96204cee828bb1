// Notebook views: what a content script opened, kept in memory and in storage.session (where it
// exists) so a service-worker restart does not lose them. Text too large for the session quota is
// left out and fetched again on demand. A small index (view id -> tab, time) lets old views of a
// tab be dropped without reading every stored text.

import { mutex, type KV } from './storage';
import { bytesToHex, sha256 } from './util';

export interface View {
  viewId: string;
  tabId: number;
  frameId: number;
  url: string;
  name: string;
  /** Where to fetch the text again; null for file:// (text supplied by the content script). */
  fetchUrl: string | null;
  text: string;
  createdAt: number;
}

/** `sha`: SHA-256 of a text left out of the session, so a re-fetch can prove it is the same. */
export type StoredView = Omit<View, 'text'> & { text?: string; sha?: string };

const textHash = async (t: string) => bytesToHex(await sha256(t));
type Index = Record<string, { tabId: number; createdAt: number }>;

/** storage.session holds 10 MB in all; keep big texts out of it. */
export const SESSION_TEXT_LIMIT = 2_000_000;
/** GitHub's in-page navigation opens a new view per notebook visited: keep the latest few. */
export const MAX_VIEWS_PER_TAB = 8;
export const MAX_VIEWS = 64;

const PREFIX = 'view:';
const INDEX = 'views';

/** Views still being fetched, kept for their error after a failure: this many at most. */
const MAX_OPENING = 32;

export class Views {
  private readonly mem = new Map<string, View>();
  /** Views whose text is on its way (issue 5: the viewer mounts while the worker fetches). */
  private readonly opening = new Map<string, { tabId: number; done: Promise<void> }>();
  private readonly lock = mutex();
  constructor(
    private readonly session: KV | null,
    private readonly refetch: (fetchUrl: string) => Promise<string>,
  ) {}

  private async index(): Promise<Index> {
    if (!this.session) {
      const idx: Index = {};
      for (const v of this.mem.values()) idx[v.viewId] = { tabId: v.tabId, createdAt: v.createdAt };
      return idx;
    }
    return ((await this.session.get([INDEX]))[INDEX] as Index | undefined) ?? {};
  }

  /** Which views to drop so each tab keeps its newest few, and all tabs together a bounded number. */
  private static prune(idx: Index): string[] {
    const entries = Object.entries(idx).sort(([, a], [, b]) => b.createdAt - a.createdAt);
    const perTab = new Map<number, number>();
    const drop: string[] = [];
    entries.forEach(([id, e], i) => {
      const n = (perTab.get(e.tabId) ?? 0) + 1;
      perTab.set(e.tabId, n);
      if (n > MAX_VIEWS_PER_TAB || i >= MAX_VIEWS) drop.push(id);
    });
    return drop;
  }

  async put(v: View): Promise<void> {
    await this.lock(async () => {
      this.mem.set(v.viewId, v);
      const idx = await this.index();
      idx[v.viewId] = { tabId: v.tabId, createdAt: v.createdAt };
      const drop = Views.prune(idx);
      for (const id of drop) {
        delete idx[id];
        this.mem.delete(id);
      }
      if (!this.session) return;
      const stored: StoredView = { ...v };
      const dropText = async () => {
        delete stored.text;
        stored.sha ??= await textHash(v.text);
      };
      if (v.text.length > SESSION_TEXT_LIMIT) await dropText();
      if (drop.length) await this.session.remove(drop.map((id) => PREFIX + id));
      try {
        await this.session.set({ [PREFIX + v.viewId]: stored, [INDEX]: idx });
      } catch {
        // Quota: keep it without its text; the text is fetched again when needed.
        await dropText();
        await this.session
          .set({ [PREFIX + v.viewId]: stored, [INDEX]: idx })
          .catch(() => undefined);
      }
    });
  }

  /**
   * A view known (with its tab) at once, whose text arrives later: a read of it waits for the
   * text and is stored as `put` would; if the text fails, reads of it fail with that error.
   */
  open(meta: Omit<View, 'text'>, text: Promise<string>): Promise<void> {
    const done = text.then((t) => this.put({ ...meta, text: t }));
    const entry = { tabId: meta.tabId, done };
    this.opening.set(meta.viewId, entry);
    if (this.opening.size > MAX_OPENING) {
      this.opening.delete(this.opening.keys().next().value as string);
    }
    // Once stored it is an ordinary view; a failed one stays, so the viewer learns why.
    done.then(
      () => {
        if (this.opening.get(meta.viewId) === entry) this.opening.delete(meta.viewId);
      },
      () => undefined,
    );
    return done;
  }

  /** Metadata (and text when stored) without fetching. */
  private async stored(viewId: string): Promise<StoredView | null> {
    const o = this.opening.get(viewId);
    if (o) await o.done;
    const m = this.mem.get(viewId);
    if (m) return m;
    if (!this.session) return null;
    const got = (await this.session.get([PREFIX + viewId]))[PREFIX + viewId] as
      StoredView | undefined;
    return got ?? null;
  }

  async tabOf(viewId: string): Promise<number | null> {
    const o = this.opening.get(viewId);
    if (o) return o.tabId;
    return (await this.stored(viewId))?.tabId ?? null;
  }

  /** The full view; throws a readable Error when it is gone. */
  async get(viewId: string): Promise<View> {
    const m = await this.stored(viewId);
    if (!m) throw new Error('This notebook view has expired; reload the page');
    if (m.text !== undefined) {
      const v = { ...m, text: m.text };
      this.mem.set(viewId, v);
      return v;
    }
    if (!m.fetchUrl) throw new Error('This notebook view has expired; reload the page');
    const text = await this.refetch(m.fetchUrl);
    // Trust is for the exact bytes the user saw: a different text is another view.
    if (m.sha !== undefined && (await textHash(text)) !== m.sha) {
      throw new Error('The notebook changed since this page loaded; reload the page');
    }
    const { sha: _sha, ...meta } = m;
    const v: View = { ...meta, text };
    this.mem.set(viewId, v);
    return v;
  }

  /** View ids of a tab, oldest first. */
  async ofTab(tabId: number): Promise<string[]> {
    const idx = await this.index();
    return Object.entries(idx)
      .filter(([, e]) => e.tabId === tabId)
      .sort(([, a], [, b]) => a.createdAt - b.createdAt)
      .map(([id]) => id);
  }

  async dropTab(tabId: number): Promise<void> {
    await this.dropWhere((t) => t === tabId);
  }

  /** On start: forget views of tabs that no longer exist. */
  async keepTabs(alive: Set<number>): Promise<void> {
    await this.dropWhere((t) => !alive.has(t));
  }

  private async dropWhere(pred: (tabId: number) => boolean): Promise<void> {
    await this.lock(async () => {
      const idx = await this.index();
      const ids = Object.keys(idx).filter((id) => pred((idx[id] as { tabId: number }).tabId));
      for (const [id, v] of this.mem) if (pred(v.tabId)) this.mem.delete(id);
      if (!ids.length || !this.session) return;
      for (const id of ids) delete idx[id];
      await this.session.remove(ids.map((id) => PREFIX + id));
      await this.session.set({ [INDEX]: idx });
    });
  }
}
