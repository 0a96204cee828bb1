import browser from 'webextension-polyfill';
import { mountPopup } from './app';

void mountPopup(document, {
  send: (m) => browser.runtime.sendMessage(m),
  async activeTabId() {
    const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
    return tab?.id ?? null;
  },
  openOptions: () => void browser.runtime.openOptionsPage(),
});
