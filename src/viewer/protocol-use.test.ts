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
  it('render-text pieces: an offset and a text, exactly; render announces their total', () => {
    expect(parseFrameMessage({ ...render, textTotal: 9 })).not.toBeNull();
    for (const bad of [0, -1, 1.5, '9', Infinity, 2 ** 60]) {
      expect(parseFrameMessage({ ...render, textTotal: bad }), String(bad)).toBeNull();
    }
    const piece = { nbshield: 1, type: 'render-text', offset: 2, text: 'ab' };
    expect(parseFrameMessage(piece)).not.toBeNull();
    expect(parseFrameMessage({ ...piece, offset: -1 })).toBeNull();
    expect(parseFrameMessage({ ...piece, offset: 0.5 })).toBeNull();
    expect(parseFrameMessage({ ...piece, text: 7 })).toBeNull();
    expect(parseFrameMessage({ ...piece, trusted: true })).toBeNull();
    expect(parseFrameMessage({ nbshield: 1, type: 'render-text', text: 'ab' })).toBeNull();
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
