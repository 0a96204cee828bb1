// What the Node corpus tests render with: the one sanitizer configuration on a jsdom window, and
// the untrusted render options the renderer frame uses.
import { JSDOM } from 'jsdom';
import type { RenderOptions } from '../../src/core/render/types';
import { createSanitizer } from '../../src/core/sanitize';

const { window } = new JSDOM('');
export const sanitizer = createSanitizer(window as unknown as Window, {
  allowRemoteImages: true,
  idPrefix: 'nb-',
});
export const untrustedOptions: RenderOptions = {
  trusted: false,
  sanitizer,
  allowRemoteImages: true,
  idPrefix: 'nb-',
};
