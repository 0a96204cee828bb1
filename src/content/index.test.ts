// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://github.com/octo/demo/blob/main/analysis/nb.ipynb"}
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const EXT_ID = 'ijphlgngmlelgmibialidpfbmhhgoelc';
const EXT_ORIGIN = `chrome-extension://${EXT_ID}`;
const sendMessage = vi.fn(async (_msg: unknown) => ({
  ok: true,
  value: { viewId: 'View_ID_0123456789' },
}));

let root: HTMLElement;
let iframe: HTMLIFrameElement;
let preview: HTMLElement;

function post(data: unknown, source: Window | null, origin: string): void {
  window.dispatchEvent(new MessageEvent('message', { data, source, origin }));
}
const settle = () => new Promise((r) => setTimeout(r, 20));

beforeAll(async () => {
  document.body.innerHTML = `<main><div class="Box"><div data-testid="notebook-preview">
    <iframe src="https://notebooks.githubusercontent.com/view/ipynb"></iframe></div></div></main>`;
  preview = document.querySelector('[data-testid="notebook-preview"]') as HTMLElement;
  (globalThis as { chrome?: unknown }).chrome = {
    runtime: {
      id: EXT_ID,
      getURL: (p: string) => `${EXT_ORIGIN}/${p}`,
      sendMessage,
    },
  };
  await import('./index');
  await settle();
  root = document.querySelector('[data-nbshield]') as HTMLElement;
  iframe = root.querySelector('iframe') as HTMLIFrameElement;
});

afterAll(() => {
  window.dispatchEvent(new Event('pagehide'));
});

describe('content script on a GitHub notebook page', () => {
  it('asks the background for this notebook, with the blob URL', () => {
    expect(sendMessage).toHaveBeenCalledTimes(1);
    expect(sendMessage.mock.calls[0]?.[0]).toEqual({
      type: 'nb/open',
      url: 'https://github.com/octo/demo/blob/main/analysis/nb.ipynb',
    });
  });

  it('mounts exactly one element, loading, before GitHub’s hidden (not removed) preview', () => {
    expect(document.querySelectorAll('[data-nbshield]')).toHaveLength(1);
    expect(root.getAttribute('data-state')).toBe('loading');
    expect(root.hasAttribute('data-trust')).toBe(false);
    expect(root.nextElementSibling).toBe(preview);
    expect(preview.style.display).toBe('none');
    const src = new URL(iframe.src);
    expect(`${src.protocol}//${src.host}`).toBe(EXT_ORIGIN);
    expect(src.pathname).toBe('/viewer.html');
    expect(src.searchParams.get('view')).toBe('View_ID_0123456789');
    expect(src.searchParams.get('origin')).toBe('https://github.com');
  });

  it('ignores state messages from the page itself, from other frames, or of the wrong origin', () => {
    const forged = { nbshield: 1, type: 'state', state: 'rendered', trust: 'trusted' };
    post(forged, window, 'https://github.com');
    post(forged, iframe.contentWindow, 'https://github.com');
    post(forged, iframe.contentWindow, 'null');
    const other = document.createElement('iframe');
    document.body.append(other);
    post(forged, other.contentWindow, EXT_ORIGIN);
    other.remove();
    expect(root.getAttribute('data-state')).toBe('loading');
    expect(root.hasAttribute('data-trust')).toBe(false);
  });

  it('ignores malformed messages even from its own viewer', () => {
    post(
      { nbshield: 1, type: 'state', state: 'rendered', trust: 'yes' },
      iframe.contentWindow,
      EXT_ORIGIN,
    );
    post({ type: 'state', state: 'rendered' }, iframe.contentWindow, EXT_ORIGIN);
    post('state', iframe.contentWindow, EXT_ORIGIN);
    expect(root.getAttribute('data-state')).toBe('loading');
  });

  it('positive control: the same message from its own viewer frame is applied', () => {
    post(
      { nbshield: 1, type: 'state', state: 'rendered', trust: 'untrusted' },
      iframe.contentWindow,
      EXT_ORIGIN,
    );
    expect(root.getAttribute('data-state')).toBe('rendered');
    expect(root.getAttribute('data-trust')).toBe('untrusted');
    post({ nbshield: 1, type: 'viewer-height', px: 1234.2 }, iframe.contentWindow, EXT_ORIGIN);
    expect(iframe.style.height).toBe('1235px');
  });

  it('"GitHub view" shows GitHub’s preview and the way back restores ours', () => {
    post({ nbshield: 1, type: 'show-native' }, iframe.contentWindow, EXT_ORIGIN);
    expect(preview.style.display).toBe('');
    expect(iframe.style.display).toBe('none');
    const back = root.querySelector('button') as HTMLButtonElement;
    expect(back.textContent).toBe('nbshield view');
    back.click();
    expect(preview.style.display).toBe('none');
    expect(iframe.style.display).toBe('block');
  });

  it('an error state keeps GitHub’s view reachable', () => {
    post(
      { nbshield: 1, type: 'state', state: 'error', message: 'not a notebook' },
      iframe.contentWindow,
      EXT_ORIGIN,
    );
    expect(root.getAttribute('data-state')).toBe('error');
    expect(root.hasAttribute('data-trust')).toBe(false);
    expect(preview.style.display).toBe('');
  });

  it('a hash change is passed to the viewer (to its origin only); the view stays', async () => {
    const posted: Array<{ data: unknown; origin: unknown }> = [];
    const win = iframe.contentWindow as Window;
    const spy = vi.spyOn(win, 'postMessage').mockImplementation(((
      data: unknown,
      origin: unknown,
    ) => {
      posted.push({ data, origin });
    }) as typeof win.postMessage);
    location.hash = '#cell-12';
    await new Promise((r) => setTimeout(r, 120));
    location.hash = `#${'x'.repeat(600)}`;
    await new Promise((r) => setTimeout(r, 120));
    spy.mockRestore();
    // An over-long fragment is not passed on; the view was not remounted.
    expect(posted).toEqual([
      { data: { nbshield: 1, type: 'hash', hash: '#cell-12' }, origin: EXT_ORIGIN },
    ]);
    expect(document.querySelector('[data-nbshield]')).toBe(root);
    expect(root.querySelector('iframe')).toBe(iframe);
  });

  it('a fragment changed while the viewer was loading is passed on once it has loaded', () => {
    const posted: unknown[] = [];
    const win = iframe.contentWindow as Window;
    const spy = vi.spyOn(win, 'postMessage').mockImplementation(((data: unknown) => {
      posted.push(data);
    }) as typeof win.postMessage);
    // No hashchange event: as if it fired before the viewer listened.
    history.replaceState(null, '', '#cell-5');
    iframe.dispatchEvent(new Event('load'));
    iframe.dispatchEvent(new Event('load'));
    spy.mockRestore();
    expect(posted).toEqual([{ nbshield: 1, type: 'hash', hash: '#cell-5' }]);
  });

  it('leaving the page (in-page navigation) removes the view and restores GitHub’s', async () => {
    history.pushState({}, '', '/octo/demo/tree/main');
    document.body.append(document.createElement('div')); // a DOM change follows every navigation
    await new Promise((r) => setTimeout(r, 120));
    expect(document.querySelector('[data-nbshield]')).toBeNull();
    expect(preview.style.display).toBe('');
  });
});
