// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://github.com/octo/demo/blob/main/big.ipynb"}
// While the worker fetches a large notebook, the content script's status says how far it got
// (nb/progress), and stops asking once nb/open has answered.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const EXT_ID = 'ijphlgngmlelgmibialidpfbmhhgoelc';
const URL_ = 'https://github.com/octo/demo/blob/main/big.ipynb';
let answer: (v: unknown) => void = () => undefined;
let progress: unknown = null;
const sendMessage = vi.fn((msg: unknown) => {
  const m = msg as { type: string };
  if (m.type === 'nb/open') return new Promise((r) => (answer = r));
  if (m.type === 'nb/progress') return Promise.resolve({ ok: true, value: progress });
  return Promise.resolve({ ok: false, error: 'no' });
});
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const status = () =>
  (document.querySelector('[data-nbshield] [role=status]') as HTMLElement).textContent;
const progressCalls = () =>
  sendMessage.mock.calls.filter((c) => (c[0] as { type: string }).type === 'nb/progress');

beforeAll(async () => {
  document.body.innerHTML = `<main><div class="Box"><div data-testid="notebook-preview">
    <iframe src="https://notebooks.githubusercontent.com/view/ipynb"></iframe></div></div></main>`;
  (globalThis as { chrome?: unknown }).chrome = {
    runtime: {
      id: EXT_ID,
      getURL: (p: string) => `chrome-extension://${EXT_ID}/${p}`,
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
  it('shows "loading… N MB of M MB" while nb/open is pending, then stops polling', async () => {
    expect(status()).toBe('nbshield: loading the notebook…');
    // Nothing received yet: the plain message stays.
    await wait(650);
    expect(progressCalls().length).toBeGreaterThan(0);
    expect(progressCalls()[0]?.[0]).toEqual({ type: 'nb/progress', url: URL_ });
    expect(status()).toBe('nbshield: loading the notebook…');
    progress = { received: 3.5 * 1048576, total: 41 * 1048576 };
    await wait(600);
    expect(status()).toBe('nbshield: loading… 3.5 MB of 41.0 MB');
    progress = { received: 12 * 1048576, total: null };
    await wait(600);
    expect(status()).toBe('nbshield: loading… 12.0 MB');
    answer({ ok: true, value: { viewId: 'View_ID_0123456789' } });
    await wait(20);
    const n = progressCalls().length;
    await wait(700);
    expect(progressCalls().length).toBe(n);
    expect(document.querySelector('[data-nbshield] iframe')).not.toBeNull();
  });
});
