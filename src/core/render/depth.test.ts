import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { exceedsDepth } from './depth';

describe('exceedsDepth', () => {
  it('counts element nesting', () => {
    expect(exceedsDepth('<div>'.repeat(600) + '</div>'.repeat(600))).toBe(true);
    expect(exceedsDepth('<div>'.repeat(400) + '</div>'.repeat(400))).toBe(false);
    expect(exceedsDepth('<b>'.repeat(11), 10)).toBe(true);
  });
  it('ignores void elements, self-closing tags and optional end tags', () => {
    expect(exceedsDepth('<br>'.repeat(2000))).toBe(false);
    expect(exceedsDepth('<ul>' + '<li>x'.repeat(2000) + '</ul>')).toBe(false);
    expect(exceedsDepth('<path/>'.repeat(2000))).toBe(false);
    expect(exceedsDepth('<div></div>'.repeat(2000))).toBe(false);
  });
});

// The RegExp scan exceedsDepth replaced (it allocated a match per tag): the same answers.
function exceedsDepthByRegExp(html: string, limit: number): boolean {
  if (html.length < limit * 3) return false;
  const skip = new Set(
    'area base br col embed hr img input link meta param source track wbr p li dt dd tr td th option optgroup thead tbody tfoot colgroup rb rt rp rtc'.split(
      ' ',
    ),
  );
  let depth = 0;
  const re = /<(\/?)([a-zA-Z][^\s/>]*)[^>]*?(\/?)>/g;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    const name = (m[2] ?? '').toLowerCase();
    if (skip.has(name) || m[3]) continue;
    if (m[1]) depth = Math.max(0, depth - 1);
    else if (++depth > limit) return true;
  }
  return false;
}

describe('exceedsDepth against the RegExp scan it replaced', () => {
  it('agrees on generated markup', () => {
    const pieces = [
      '<',
      '</',
      '>',
      '/>',
      'div',
      'B',
      'br',
      'BR',
      'p',
      'li',
      'colgroup',
      'td',
      'tr',
      'img',
      'colgroupx',
      ' ',
      '\u00a0',
      '\u2028',
      '\n',
      '"',
      "'",
      '=',
      'x',
      '<!--',
      '-->',
      '1',
      '/',
    ];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...pieces), { maxLength: 80 }),
        fc.integer({ min: 0, max: 4 }),
        (parts, limit) => {
          const html = parts.join('');
          expect(exceedsDepth(html, limit)).toBe(exceedsDepthByRegExp(html, limit));
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
