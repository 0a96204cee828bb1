// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mountPopup, type PopupApi } from './app';

const html = readFileSync(path.join(__dirname, 'popup.html'), 'utf8');
const body = html.slice(html.indexOf('<body>') + 6, html.indexOf('</body>'));

function api(
  over: Partial<PopupApi> & { state?: { trusted: boolean } },
): PopupApi & { sent: unknown[] } {
  const state = over.state ?? { trusted: false };
  const sent: unknown[] = [];
  const verdict = () =>
    state.trusted
      ? { trusted: true, reason: 'recorded', message: 'Trusted: you trusted this notebook' }
      : { trusted: false, reason: 'no-signature', message: 'Not trusted: no signature' };
  return {
    sent,
    async send(m) {
      sent.push(m);
      const t = (m as { type: string }).type;
      if (t === 'tab/views') {
        return {
          ok: true,
          value: [
            {
              viewId: 'v'.repeat(22),
              url: 'https://github.com/o/r/blob/main/a.ipynb',
              name: 'a.ipynb',
              verdict: verdict(),
            },
          ],
        };
      }
      if (t === 'view/trust') state.trusted = true;
      if (t === 'view/untrust') state.trusted = false;
      return { ok: true, value: verdict() };
    },
    activeTabId: async () => 5,
    openOptions: () => undefined,
    ...over,
  };
}

describe('popup', () => {
  it('shows the verdict in words and trusts / untrusts with one click', async () => {
    document.body.innerHTML = body;
    const a = api({});
    await mountPopup(document, a);
    expect(a.sent[0]).toEqual({ type: 'tab/views', tabId: 5 });
    const verdict = document.querySelector('.verdict') as HTMLElement;
    expect(verdict.textContent).toBe('Not trusted: no signature');
    expect(verdict.dataset.trust).toBe('untrusted');
    const btn = document.querySelector('[data-nbshield-action="trust"]') as HTMLButtonElement;
    expect(btn.textContent).toBe('Trust');
    btn.click();
    await new Promise((r) => setTimeout(r, 0));
    expect(a.sent[1]).toEqual({ type: 'view/trust', viewId: 'v'.repeat(22) });
    expect(verdict.textContent).toBe('Trusted: you trusted this notebook');
    const un = document.querySelector('[data-nbshield-action="untrust"]') as HTMLButtonElement;
    expect(un).toBe(btn);
    un.click();
    await new Promise((r) => setTimeout(r, 0));
    expect(a.sent[2]).toEqual({ type: 'view/untrust', viewId: 'v'.repeat(22) });
    expect(document.querySelector('[data-nbshield-action="trust"]')).not.toBeNull();
  });

  it('says so when there is no notebook, and shows errors without throwing', async () => {
    document.body.innerHTML = body;
    await mountPopup(document, api({ send: async () => ({ ok: true, value: [] }) }));
    expect(document.getElementById('views')?.textContent).toBe(
      'No notebook shown by nbshield in this tab.',
    );
    document.body.innerHTML = body;
    await mountPopup(
      document,
      api({ send: async () => ({ ok: false, error: 'Request refused' }) }),
    );
    expect(document.querySelector('.error')?.textContent).toBe('Request refused');
    document.body.innerHTML = body;
    await mountPopup(
      document,
      api({
        send: async () => {
          throw new Error('Receiving end does not exist');
        },
      }),
    );
    expect(document.querySelector('.error')?.textContent).toMatch(/Could not reach the extension/);
  });

  it('a view name is text, never markup', async () => {
    document.body.innerHTML = body;
    await mountPopup(
      document,
      api({
        send: async () => ({
          ok: true,
          value: [
            {
              viewId: 'x'.repeat(22),
              url: 'u',
              name: '<img src=x onerror=alert(1)>',
              verdict: { trusted: false, reason: 'r', message: 'm' },
            },
          ],
        }),
      }),
    );
    expect(document.querySelector('#views img')).toBeNull();
    expect(document.querySelector('.name')?.textContent).toBe('<img src=x onerror=alert(1)>');
  });
});
