// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://github.com/octo/demo/blob/main/big.ipynb"}
// While the worker fetches a large notebook, the content script's status says how far it got
// (nb/progress). nb/open answers before the fetch ends (the viewer mounts meanwhile), so the
// asking goes on until the fetch is over (nb/progress says null) or the viewer says rendered.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const EXT_ID = 'ijphlgngmlelgmibialidpfbmhhgoelc';
const EXT_ORIGIN = `chrome-extension://${EXT_ID}`;
const URL_ = 'https://github.com/octo/demo/blob/main/big.ipynb';
let progress: unknown = { received: 0, total: null };
const sendMessage = vi.fn((msg: unknown) => {
  const m = msg as { type: string };
  if (m.type === 'nb/open')
    return Promise.resolve({ ok: true, value: { viewId: 'View_ID_0123456789' } });
  if (m.type === 'nb/progress') return Promise.resolve({ ok: true, value: progress });
  return Promise.resolve({ ok: false, error: 'no' });
});
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const statusEl = () => document.querySelector('[data-nbshield] [role=status]') as HTMLElement;
const progressCalls = () =>
  sendMessage.mock.calls.filter((c) => (c[0] as { type: string }).type === 'nb/progress');

beforeAll(async () => {
  document.body.innerHTML = `<main><div class="Box"><div data-testid="notebook-preview">
    <iframe src="https://notebooks.githubusercontent.com/view/ipynb"></iframe></div></div></main>`;
  (globalThis as { chrome?: unknown }).chrome = {
    runtime: {
      id: EXT_ID,
      getURL: (p: string) => `${EXT_ORIGIN}/${p}`,
      sendMessage,
    },
  };
  await import('./index');
  await wait(20);
});
afterAll(() => {
  window.dispatchEvent(new Event('pagehide'));
});

describe('content script: progress of a large notebook', () => {
  it('mounts the viewer at once, shows "loading… N MB of M MB" while the fetch runs, then stops', async () => {
    const iframe = document.querySelector('[data-nbshield] iframe') as HTMLIFrameElement;
    expect(iframe).not.toBeNull();
    expect(statusEl().textContent).toBe('nbshield: loading the notebook…');
    // The viewer says it is loading: its own toolbar says so, the page's line goes.
    window.dispatchEvent(
      new MessageEvent('message', {
        data: { nbshield: 1, type: 'state', state: 'loading' },
        source: iframe.contentWindow,
        origin: EXT_ORIGIN,
      }),
    );
    expect(statusEl().hidden).toBe(true);
    // Nothing received yet: nothing to say.
    await wait(650);
    expect(progressCalls().length).toBeGreaterThan(0);
    expect(progressCalls()[0]?.[0]).toEqual({ type: 'nb/progress', url: URL_ });
    expect(statusEl().hidden).toBe(true);
    progress = { received: 3.5 * 1048576, total: 41 * 1048576 };
    await wait(600);
    expect(statusEl().hidden).toBe(false);
    expect(statusEl().textContent).toBe('nbshield: loading… 3.5 MB of 41.0 MB');
    progress = { received: 12 * 1048576, total: null };
    await wait(600);
    expect(statusEl().textContent).toBe('nbshield: loading… 12.0 MB');
    // The fetch is over: the line goes and the asking stops.
    progress = null;
    await wait(600);
    expect(statusEl().hidden).toBe(true);
    const n = progressCalls().length;
    await wait(700);
    expect(progressCalls().length).toBe(n);
  });
});
