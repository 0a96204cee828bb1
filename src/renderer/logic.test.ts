import { describe, expect, it } from 'vitest';
import { linkAction, nextChunkEnd } from './logic';

describe('linkAction', () => {
  it('fragment links scroll inside the frame, prefixed id first', () => {
    expect(linkAction('#Intro', 'nb-')).toEqual({ kind: 'fragment', ids: ['nb-Intro', 'Intro'] });
    expect(linkAction('#nb-intro', 'nb-')).toEqual({ kind: 'fragment', ids: ['nb-intro'] });
    expect(linkAction('#caf%C3%A9', 'nb-')).toEqual({ kind: 'fragment', ids: ['nb-café', 'café'] });
    expect(linkAction('#', 'nb-')).toEqual({ kind: 'none' });
  });
  it('web links go to the viewer', () => {
    expect(linkAction(' https://example.org/x ', 'nb-')).toEqual({
      kind: 'external',
      href: 'https://example.org/x',
    });
  });
  it.each([
    'javascript:alert(1)',
    'data:text/html,x',
    'vbscript:x',
    'relative/path',
    'blob:null/x',
  ])('nothing for %s', (href) => expect(linkAction(href, 'nb-')).toEqual({ kind: 'none' }));
});

describe('nextChunkEnd', () => {
  it('renders at least one cell per call and stops at the budget', () => {
    let t = 0;
    const done: number[] = [];
    const now = () => t;
    const one = (i: number) => {
      done.push(i);
      t += 5;
    };
    expect(nextChunkEnd(10, 0, 12, now, one)).toBe(3); // 5, 10, 15 >= 12
    expect(nextChunkEnd(10, 3, 0, now, one)).toBe(4);
    expect(nextChunkEnd(10, 4, 1000, now, one)).toBe(10);
    expect(done).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(nextChunkEnd(10, 10, 1000, now, one)).toBe(10);
  });
});
