// Notebook views: what a content script opened, kept in memory and in storage.session (where it
// exists) so a service-worker restart does not lose them. Text too large for the session quota is
// left out and fetched again on demand.

import type { KV } from './storage';

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

type StoredView = Omit<View, 'text'> & { text?: string };

/** storage.session holds 10 MB in all; keep big texts out of it. */
export const SESSION_TEXT_LIMIT = 2_000_000;
export const MAX_VIEWS_PER_TAB = 16;

const PREFIX = 'view:';

export class Views {
  private readonly mem = new Map<string, View>();
  constructor(
    private readonly session: KV | null,
    private readonly refetch: (fetchUrl: string) => Promise<string>,
  ) {}

  async put(v: View): Promise<void> {
    this.mem.set(v.viewId, v);
    // Old views of the same tab go first (GitHub's in-page navigation opens new ones).
    const ofTab = [...this.mem.values()]
      .filter((x) => x.tabId === v.tabId)
      .sort((a, b) => b.createdAt - a.createdAt);
    const drop = ofTab.slice(MAX_VIEWS_PER_TAB).map((x) => x.viewId);
    for (const id of drop) this.mem.delete(id);
    if (this.session) {
      const stored: StoredView = { ...v };
      if (v.text.length > SESSION_TEXT_LIMIT) delete stored.text;
      try {
        await this.session.set({ [PREFIX + v.viewId]: stored });
      } catch {
        // Quota: keep it without text; it is fetched again when needed.
        delete stored.text;
        await this.session.set({ [PREFIX + v.viewId]: stored }).catch(() => undefined);
      }
      if (drop.length) await this.session.remove(drop.map((id) => PREFIX + id));
    }
  }

  /** Metadata without loading text (cheap). */
  private async meta(viewId: string): Promise<StoredView | null> {
    const m = this.mem.get(viewId);
    if (m) return m;
    if (!this.session) return null;
    const got = (await this.session.get([PREFIX + viewId]))[PREFIX + viewId] as
      StoredView | undefined;
    return got ?? null;
  }

  async tabOf(viewId: string): Promise<number | null> {
    return (await this.meta(viewId))?.tabId ?? null;
  }

  /** The full view; throws a readable Error when it is gone. */
  async get(viewId: string): Promise<View> {
    const m = await this.meta(viewId);
    if (!m) throw new Error('This notebook view has expired; reload the page');
    if (m.text !== undefined) {
      const v = { ...m, text: m.text };
      this.mem.set(viewId, v);
      return v;
    }
    if (!m.fetchUrl) throw new Error('This notebook view has expired; reload the page');
    const v: View = { ...m, text: await this.refetch(m.fetchUrl) };
    this.mem.set(viewId, v);
    return v;
  }

  async ofTab(tabId: number): Promise<Array<Omit<StoredView, 'text'>>> {
    const out = new Map<string, StoredView>();
    for (const v of this.mem.values()) if (v.tabId === tabId) out.set(v.viewId, v);
    if (this.session) {
      const all = await this.session.get();
      for (const [k, v] of Object.entries(all)) {
        const sv = v as StoredView;
        if (k.startsWith(PREFIX) && sv.tabId === tabId) out.set(sv.viewId, sv);
      }
    }
    return [...out.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  async dropTab(tabId: number): Promise<void> {
    for (const [id, v] of this.mem) if (v.tabId === tabId) this.mem.delete(id);
    if (this.session) {
      const all = await this.session.get();
      const ids = Object.entries(all)
        .filter(([k, v]) => k.startsWith(PREFIX) && (v as StoredView).tabId === tabId)
        .map(([k]) => k);
      if (ids.length) await this.session.remove(ids);
    }
  }
}
