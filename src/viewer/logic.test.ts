import { describe, expect, it } from 'vitest';
import {
  TrustGate,
  openableLink,
  parentTargetOrigin,
  randomNonce,
  rawLinkFor,
  toolbarStep,
} from './logic';

describe('parentTargetOrigin', () => {
  it("prefers the browser's ancestorOrigins over the URL's claim", () => {
    expect(parentTargetOrigin('https://evil.example', 'https://github.com', '')).toBe(
      'https://github.com',
    );
  });
  it('uses the referrer origin when there is no ancestorOrigins (Firefox)', () => {
    expect(
      parentTargetOrigin('https://evil.example', undefined, 'https://gist.github.com/u/abc?x=1'),
    ).toBe('https://gist.github.com');
  });
  it('falls back to the claim, normalised to an origin', () => {
    expect(parentTargetOrigin('https://github.com/some/path', undefined, '')).toBe(
      'https://github.com',
    );
  });
  it('opaque and file pages cannot be named: *', () => {
    expect(parentTargetOrigin('null', 'null', '')).toBe('*');
    expect(parentTargetOrigin('null', 'file://', '')).toBe('*');
    expect(parentTargetOrigin(null, undefined, '')).toBe('*');
    expect(parentTargetOrigin('javascript:alert(1)', undefined, '')).toBe('*');
  });
});

describe('openableLink', () => {
  it.each([
    ['https://example.org/a?b#c', 'https://example.org/a?b#c'],
    ['http://example.org', 'http://example.org/'],
  ])('opens %s', (href, want) => expect(openableLink(href)).toBe(want));
  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'chrome-extension://abc/options.html',
    'file:///etc/passwd',
    'https://user:pw@example.org/',
    '/relative',
    '',
  ])('refuses %s', (href) => expect(openableLink(href)).toBeNull());
});

describe('rawLinkFor', () => {
  it('GitHub blob -> raw', () => {
    expect(rawLinkFor('https://github.com/o/r/blob/feat/x/nb.ipynb')).toBe(
      'https://github.com/o/r/raw/feat/x/nb.ipynb',
    );
  });
  it('raw URLs stay', () => {
    const u = 'https://gist.githubusercontent.com/u/abc/raw/1/nb.ipynb';
    expect(rawLinkFor(u)).toBe(u);
  });
  it('refuses other schemes', () => expect(rawLinkFor('javascript:alert(1)')).toBeNull());
});

describe('TrustGate', () => {
  it('never acts on synthetic clicks', () => {
    for (const v2 of [true, false]) {
      const g = new TrustGate(v2);
      expect(g.decide({ isTrusted: false, visibleSince: 0, now: 0 })).toBe('ignore');
      expect(g.decide({ isTrusted: false, visibleSince: 0, now: 1000 })).toBe('ignore');
    }
  });
  it('with IntersectionObserver v2: acts only when the toolbar has been visible a while', () => {
    const g = new TrustGate(true, 400, 10_000, 300);
    expect(g.decide({ isTrusted: true, visibleSince: null, now: 5000 })).toBe('covered');
    // just slid under the cursor
    expect(g.decide({ isTrusted: true, visibleSince: 4900, now: 5000 })).toBe('too-soon');
    expect(g.decide({ isTrusted: true, visibleSince: 4700, now: 5000 })).toBe('act');
  });
  it('without v2: a second click confirms, not too soon and not too late', () => {
    const g = new TrustGate(false, 400, 10_000);
    expect(g.decide({ isTrusted: true, visibleSince: null, now: 0 })).toBe('confirm');
    // a double-click an overlay could provoke
    expect(g.decide({ isTrusted: true, visibleSince: null, now: 100 })).toBe('ignore');
    expect(g.decide({ isTrusted: true, visibleSince: null, now: 600 })).toBe('act');
    // the next trust starts over
    expect(g.decide({ isTrusted: true, visibleSince: null, now: 700 })).toBe('confirm');
    // too late: asks again
    expect(g.decide({ isTrusted: true, visibleSince: null, now: 20_000 })).toBe('confirm');
    g.reset();
    expect(g.armed).toBe(false);
  });
});

describe('randomNonce', () => {
  it('is 128 random bits in hex', () => {
    const a = randomNonce();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(randomNonce()).not.toBe(a);
  });
});

describe('toolbarStep', () => {
  it('arrows move along the controls and wrap; Home and End go to the ends; other keys pass', () => {
    expect(toolbarStep(0, 4, 'ArrowRight')).toBe(1);
    expect(toolbarStep(3, 4, 'ArrowRight')).toBe(0);
    expect(toolbarStep(0, 4, 'ArrowLeft')).toBe(3);
    expect(toolbarStep(2, 4, 'Home')).toBe(0);
    expect(toolbarStep(1, 4, 'End')).toBe(3);
    expect(toolbarStep(1, 4, 'j')).toBeNull();
    expect(toolbarStep(-1, 4, 'ArrowRight')).toBeNull();
    expect(toolbarStep(0, 0, 'ArrowRight')).toBeNull();
  });
});
