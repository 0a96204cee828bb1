import { describe, expect, it } from 'vitest';
import { classifySender, Router, type SenderLike } from './router';
import { Service } from './service';
import { fakeCore, memoryStores } from './test-fakes';

const ME = { id: 'ext-id', baseUrl: 'chrome-extension://ext-id/' };
const NB = JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] });
const BLOB = 'https://github.com/o/r/blob/main/a.ipynb';

function setup() {
  let calls = 0;
  const service = new Service({
    stores: memoryStores(),
    core: fakeCore(),
    fetch: async () => {
      calls++;
      return new Response(NB);
    },
    setTimer: () => 0,
  });
  return { router: new Router(() => service, ME), fetches: () => calls };
}

const page = (url = BLOB, tab = 7): SenderLike => ({
  id: ME.id,
  url,
  origin: new URL(url).origin,
  tab: { id: tab, url },
  frameId: 0,
});
const viewer = (tab = 7): SenderLike => ({
  id: ME.id,
  url: 'chrome-extension://ext-id/viewer.html?x',
  origin: 'chrome-extension://ext-id',
  tab: { id: tab },
  frameId: 2,
});
const popup: SenderLike = { id: ME.id, url: 'chrome-extension://ext-id/popup.html' };

async function openView(router: Router): Promise<string> {
  const r = await router.handle({ type: 'nb/open', url: BLOB }, page());
  if (!r.ok) throw new Error(r.error);
  return (r.value as { viewId: string }).viewId;
}

describe('classifySender', () => {
  it('tells extension pages, content scripts and strangers apart from browser-filled fields', () => {
    expect(classifySender(viewer(), ME)).toBe('extension-page');
    expect(classifySender(popup, ME)).toBe('extension-page');
    expect(classifySender(page(), ME)).toBe('content-script');
    // Another extension, even claiming our URL.
    expect(classifySender({ ...viewer(), id: 'other' }, ME)).toBe('foreign');
    expect(classifySender({ url: ME.baseUrl + 'popup.html' }, ME)).toBe('foreign');
    // Our URL but another origin (Chromium fills origin): refused.
    expect(classifySender({ ...viewer(), origin: 'https://github.com' }, ME)).toBe('foreign');
    // Another extension's page on the same scheme.
    expect(
      classifySender(
        { id: 'evil', url: 'chrome-extension://evil/x', origin: 'chrome-extension://evil' },
        ME,
      ),
    ).toBe('foreign');
    // Our id claimed over another scheme: a web page (content script) at best.
    expect(classifySender({ id: ME.id, url: 'https://ext-id/popup.html' }, ME)).toBe('foreign');
    // Firefox: moz-extension pages only at our own host (no dynamic ids there).
    const ff = { id: ME.id, baseUrl: 'moz-extension://uuid-1/' };
    expect(classifySender({ id: ME.id, url: 'moz-extension://uuid-1/popup.html' }, ff)).toBe(
      'extension-page',
    );
    expect(classifySender({ id: ME.id, url: 'moz-extension://uuid-2/popup.html' }, ff)).toBe(
      'foreign',
    );
    // A dynamic web-accessible-resource id (use_dynamic_url) on our scheme is still our page.
    expect(
      classifySender(
        {
          id: ME.id,
          url: 'chrome-extension://dyn-guid/viewer.html',
          origin: 'chrome-extension://dyn-guid',
          tab: { id: 1 },
        },
        ME,
      ),
    ).toBe('extension-page');
    expect(
      classifySender(
        {
          id: ME.id,
          url: 'chrome-extension://dyn-guid/viewer.html',
          origin: 'https://github.com',
          tab: { id: 1 },
        },
        ME,
      ),
    ).toBe('foreign');
    // A content script on a page that is not http(s): still a content script, never a page.
    expect(classifySender({ id: ME.id, url: 'file:///tmp/a.ipynb', tab: { id: 1 } }, ME)).toBe(
      'content-script',
    );
    // No tab and not an extension page.
    expect(classifySender({ id: ME.id, url: BLOB }, ME)).toBe('foreign');
  });
});

describe('router', () => {
  it('rejects malformed and unknown requests', async () => {
    const { router } = setup();
    for (const m of [
      null,
      'nb/open',
      [],
      { type: 'nope' },
      { type: 'nb/open' },
      { type: 'nb/open', url: BLOB, extra: 1 },
      { type: 'view/get', viewId: 'short' },
      { type: 'view/trust', viewId: 'a'.repeat(22), trusted: true },
      JSON.parse('{"type":"keys/list","__proto__":{"x":1}}') as unknown,
      { type: 'settings/set', settings: { allowRemoteImages: 'yes' } },
      { type: 'toString' },
    ]) {
      const r = await router.handle(m, popup);
      expect(r, JSON.stringify(m)).toEqual({ ok: false, error: 'Malformed or unknown request' });
    }
  });

  it('a content script may open a notebook but never trust, read views, or touch keys', async () => {
    const { router } = setup();
    const viewId = await openView(router);
    for (const m of [
      { type: 'view/trust', viewId },
      { type: 'view/untrust', viewId },
      { type: 'view/get', viewId },
      { type: 'tab/views', tabId: 7 },
      { type: 'keys/list' },
      { type: 'keys/export', keyId: 'k', passphrase: 'long enough pass' },
      { type: 'keys/import', format: 'hex', data: 'ab'.repeat(32), name: 'x' },
      { type: 'records/list' },
      { type: 'sync/enable', passphrase: 'long enough pass' },
      { type: 'settings/set', settings: { theme: 'dark' } },
    ]) {
      const r = await router.handle(m, page());
      expect(r, m.type).toEqual({
        ok: false,
        error: 'Request refused: only extension pages may do this',
      });
    }
    // Positive control: the same trust request from the viewer is accepted.
    const ok = await router.handle({ type: 'view/trust', viewId }, viewer());
    expect(ok.ok).toBe(true);
  });

  it('forged senders are refused', async () => {
    const { router } = setup();
    const viewId = await openView(router);
    const forged: SenderLike[] = [
      { ...viewer(), id: 'another-extension' },
      { ...viewer(), origin: 'https://github.com' },
      { ...viewer(), id: undefined },
      { id: ME.id, url: 'https://github.com/chrome-extension://ext-id/', tab: { id: 7 } },
      {},
    ];
    for (const s of forged) {
      const r = await router.handle({ type: 'view/trust', viewId }, s);
      expect(r.ok, JSON.stringify(s)).toBe(false);
    }
    // Nothing got trusted by any of them.
    const v = await router.handle({ type: 'view/get', viewId }, viewer());
    expect((v as { value: { verdict: { trusted: boolean } } }).value.verdict.trusted).toBe(false);
  });

  it('view/get only from an extension page in the tab of the view', async () => {
    const { router } = setup();
    const viewId = await openView(router);
    expect(await router.handle({ type: 'view/get', viewId }, viewer(8))).toEqual({
      ok: false,
      error: 'Request refused: not the tab of this view',
    });
    expect((await router.handle({ type: 'view/get', viewId }, popup)).ok).toBe(false);
    expect((await router.handle({ type: 'view/get', viewId }, viewer(7))).ok).toBe(true);
    expect(await router.handle({ type: 'view/get', viewId: 'A'.repeat(22) }, viewer(7))).toEqual({
      ok: false,
      error: 'This notebook view has expired; reload the page',
    });
  });

  it('trust from a viewer frame of another tab is refused; from the popup (or a top-level extension tab) accepted', async () => {
    const { router } = setup();
    const viewId = await openView(router);
    expect((await router.handle({ type: 'view/trust', viewId }, viewer(9))).ok).toBe(false);
    expect((await router.handle({ type: 'view/trust', viewId }, popup)).ok).toBe(true);
    const popupInATab: SenderLike = { ...popup, tab: { id: 12 }, frameId: 0 };
    expect((await router.handle({ type: 'view/untrust', viewId }, popupInATab)).ok).toBe(true);
  });

  it('nb/open: only from a page; text only for file:// and only from that same file page', async () => {
    const { router, fetches } = setup();
    expect((await router.handle({ type: 'nb/open', url: BLOB }, popup)).ok).toBe(false);
    expect(await router.handle({ type: 'nb/open', url: BLOB, text: '{}' }, page())).toEqual({
      ok: false,
      error: 'Request refused: only local notebooks come with their text',
    });
    const f = 'file:///tmp/a.ipynb';
    expect((await router.handle({ type: 'nb/open', url: f, text: NB }, page())).ok).toBe(false);
    expect((await router.handle({ type: 'nb/open', url: f, text: NB }, page(f + '#x'))).ok).toBe(
      true,
    );
    expect(await router.handle({ type: 'nb/open', url: f }, page(f))).toEqual({
      ok: false,
      error: 'A local notebook needs its text from the page',
    });
    expect(fetches()).toBe(0);
  });

  it('nb/upload: only for file:// and only from that same file page', async () => {
    const { router } = setup();
    const f = 'file:///tmp/a.ipynb';
    const part = { type: 'nb/upload', url: f, offset: 0, text: 'x' };
    const refused = {
      ok: false,
      error: 'Request refused: a local notebook can only be opened from its own page',
    };
    expect((await router.handle(part, popup)).ok).toBe(false);
    expect(await router.handle(part, page())).toEqual(refused);
    expect(await router.handle(part, page('file:///tmp/b.ipynb'))).toEqual(refused);
    expect(await router.handle({ ...part, url: BLOB }, page(BLOB))).toEqual(refused);
    expect(await router.handle(part, page(f))).toEqual({ ok: true, value: { received: 1 } });
    expect((await router.handle({ ...part, offset: -1 }, page(f))).ok).toBe(false);
    expect((await router.handle({ ...part, text: 1 }, page(f))).ok).toBe(false);
    expect(await router.handle({ type: 'nb/open', url: f, uploaded: true }, page(f))).toEqual({
      ok: false,
      error: 'Request refused: the last part of the notebook is missing',
    });
  });

  it('settings: readable by a content script, writable only by extension pages', async () => {
    const { router } = setup();
    expect(await router.handle({ type: 'settings/get' }, page())).toEqual({
      ok: true,
      value: { allowRemoteImages: true, theme: 'auto' },
    });
    expect(
      await router.handle({ type: 'settings/set', settings: { allowRemoteImages: false } }, popup),
    ).toEqual({ ok: true, value: { allowRemoteImages: false, theme: 'auto' } });
  });
});
