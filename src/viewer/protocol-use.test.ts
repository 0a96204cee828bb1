// The frame messages the viewer and renderer exchange, as the shared validator sees them.
import { describe, expect, it } from 'vitest';
import { parseFrameMessage } from '../core/protocol';

const render = {
  nbshield: 1,
  type: 'render',
  text: '{}',
  trusted: false,
  allowRemoteImages: true,
  theme: 'dark',
};

describe('frame messages used by viewer and renderer', () => {
  it('renderer-ready carries the nonce from the renderer URL', () => {
    expect(
      parseFrameMessage({ nbshield: 1, type: 'renderer-ready', nonce: 'ab12' }),
    ).not.toBeNull();
    expect(parseFrameMessage({ nbshield: 1, type: 'renderer-ready' })).not.toBeNull();
    expect(parseFrameMessage({ nbshield: 1, type: 'renderer-ready', nonce: 7 })).toBeNull();
    expect(
      parseFrameMessage({ nbshield: 1, type: 'renderer-ready', nonce: 'x'.repeat(5000) }),
    ).toBeNull();
  });
  it('render accepts an http(s) baseUrl only', () => {
    expect(parseFrameMessage(render)).not.toBeNull();
    expect(
      parseFrameMessage({ ...render, baseUrl: 'https://github.com/o/r/raw/main/nb.ipynb' }),
    ).not.toBeNull();
    expect(parseFrameMessage({ ...render, baseUrl: 'javascript:alert(1)' })).toBeNull();
    expect(parseFrameMessage({ ...render, baseUrl: 'chrome-extension://x/' })).toBeNull();
  });
  it('rejects extra fields and wrong types (a page cannot smuggle flags)', () => {
    expect(parseFrameMessage({ ...render, trusted: 'true' })).toBeNull();
    expect(parseFrameMessage({ ...render, keyHex: 'aa' })).toBeNull();
    expect(parseFrameMessage({ ...render, nbshield: 2 })).toBeNull();
    expect(
      parseFrameMessage({ nbshield: 1, type: 'state', state: 'rendered', trust: 'very' }),
    ).toBeNull();
    expect(parseFrameMessage({ nbshield: 1, type: 'open-link', href: 42 })).toBeNull();
    expect(parseFrameMessage({ nbshield: 1, type: 'height', px: -1 })).toBeNull();
    expect(parseFrameMessage({ nbshield: 1, type: 'height', px: Infinity })).toBeNull();
  });
});
