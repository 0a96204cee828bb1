import { describe, expect, it } from 'vitest';
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
