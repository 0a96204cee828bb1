// The action popup: the verdict of each notebook view in the active tab, in words, with a
// Trust / Untrust button each. The popup is extension-origin UI a page cannot overlay.

import type { ResponseMap, VerdictInfo } from '../core/protocol';

export interface PopupApi {
  send(message: unknown): Promise<unknown>;
  /** The tab whose views to show: `?tab=N` when the popup is opened as a page, else the active tab. */
  activeTabId(): Promise<number | null>;
  openOptions(): void;
}

type TabViews = ResponseMap['tab/views'];

function errorOf(r: unknown): string | null {
  if (typeof r !== 'object' || r === null) return 'The extension gave no answer';
  const o = r as { ok?: unknown; error?: unknown };
  if (o.ok === true) return null;
  return typeof o.error === 'string' ? o.error : 'The extension gave no answer';
}

async function call<T>(api: PopupApi, message: unknown): Promise<T> {
  let r: unknown;
  try {
    r = await api.send(message);
  } catch (e) {
    throw new Error(
      `Could not reach the extension: ${e instanceof Error ? e.message : String(e)}`,
      {
        cause: e,
      },
    );
  }
  const err = errorOf(r);
  if (err !== null) throw new Error(err);
  return (r as { value: T }).value;
}

export async function mountPopup(doc: Document, api: PopupApi): Promise<void> {
  const main = doc.getElementById('views') as HTMLElement;
  const link = doc.getElementById('options');
  link?.addEventListener('click', (e) => {
    e.preventDefault();
    api.openOptions();
  });

  const message = (text: string, cls: string) => {
    const p = doc.createElement('p');
    p.className = cls;
    p.textContent = text;
    main.replaceChildren(p);
  };

  const tabId = await api.activeTabId();
  if (tabId === null) return message('No notebook in this tab.', 'empty');
  let views: TabViews;
  try {
    views = await call<TabViews>(api, { type: 'tab/views', tabId });
  } catch (e) {
    return message((e as Error).message, 'error');
  }
  if (views.length === 0) return message('No notebook shown by nbshield in this tab.', 'empty');
  main.replaceChildren(...views.map((v) => viewItem(doc, api, v)));
}

function viewItem(doc: Document, api: PopupApi, v: TabViews[number]): HTMLElement {
  const box = doc.createElement('section');
  box.className = 'view';
  box.dataset.viewId = v.viewId;
  const name = doc.createElement('div');
  name.className = 'name';
  name.textContent = v.name;
  name.title = v.url;
  const verdict = doc.createElement('div');
  verdict.className = 'verdict';
  const err = doc.createElement('div');
  err.className = 'error';
  err.setAttribute('role', 'alert');
  const btn = doc.createElement('button');
  btn.type = 'button';
  const show = (x: VerdictInfo) => {
    verdict.dataset.trust = x.trusted ? 'trusted' : 'untrusted';
    verdict.textContent = x.message;
    btn.dataset.nbshieldAction = x.trusted ? 'untrust' : 'trust';
    btn.textContent = x.trusted ? 'Untrust' : 'Trust';
    btn.setAttribute('aria-label', `${x.trusted ? 'Untrust' : 'Trust'} ${v.name}`);
  };
  show(v.verdict);
  // No page script can reach the popup (extension origin, not web-accessible), so any click here
  // is the user's.
  btn.addEventListener('click', async () => {
    const action = btn.dataset.nbshieldAction === 'untrust' ? 'view/untrust' : 'view/trust';
    btn.disabled = true;
    err.textContent = '';
    try {
      show(await call<VerdictInfo>(api, { type: action, viewId: v.viewId }));
    } catch (x) {
      err.textContent = (x as Error).message;
    } finally {
      btn.disabled = false;
    }
  });
  box.append(name, verdict, btn, err);
  return box;
}
