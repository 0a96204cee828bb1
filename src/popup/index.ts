import browser from 'webextension-polyfill';
import { mountPopup } from './app';

void mountPopup(document, {
  send: (m) => browser.runtime.sendMessage(m),
  async activeTabId() {
    // popup.html?tab=N (the popup opened as a page, e.g. by tests) shows that tab's views.
    const param = new URLSearchParams(location.search).get('tab');
    if (param !== null && /^\d{1,10}$/.test(param)) return Number(param);
    const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
    return tab?.id ?? null;
  },
  openOptions: () => void browser.runtime.openOptionsPage(),
});
