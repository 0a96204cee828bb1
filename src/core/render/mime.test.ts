import { describe, expect, it } from 'vitest';
import { trustedChoice } from './mime';

describe('trustedChoice', () => {
  it('is the type a trusted render shows: lowest rank that renders, ties in bundle order', () => {
    expect(trustedChoice({ 'text/plain': 'x', 'image/png': 'AAAA' })).toBe('image/png');
    expect(trustedChoice({ 'text/html': '<b>x</b>', 'application/javascript': 'x()' })).toBe(
      'application/javascript',
    );
    expect(
      trustedChoice({ 'text/html': '<script></script>', 'application/vnd.vegalite.v4+json': {} }),
    ).toBe('application/vnd.vegalite.v4+json');
    expect(
      trustedChoice({ 'application/vnd.vega.v5+json': {}, 'application/vnd.plotly.v1+json': {} }),
    ).toBe('application/vnd.vega.v5+json');
    // A registered type with nothing to render yet (Bokeh's exec bundle) falls through.
    expect(trustedChoice({ 'application/vnd.bokehjs_exec.v0+json': '', 'text/plain': 'fig' })).toBe(
      'text/plain',
    );
    expect(trustedChoice({ 'application/x-nobody-knows': '{}' })).toBeUndefined();
    expect(trustedChoice({})).toBeUndefined();
  });
});
