import browser from 'webextension-polyfill';
import { mountOptions } from './app';

void mountOptions(document, { send: (m) => browser.runtime.sendMessage(m) });
