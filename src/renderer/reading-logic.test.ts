import { describe, expect, it } from 'vitest';
import {
  contrastFix,
  contrastRatio,
  lineNumbers,
  parseRgb,
  stepCell,
  tocEntries,
} from './reading-logic';

describe('reading logic', () => {
  it('j/k steps between cells and stops at the ends', () => {
    expect(stepCell(-1, 3, 1)).toBe(0);
    expect(stepCell(-1, 3, -1)).toBe(2);
    expect(stepCell(0, 3, 1)).toBe(1);
    expect(stepCell(2, 3, 1)).toBe(2);
    expect(stepCell(0, 3, -1)).toBe(0);
    expect(stepCell(-1, 0, 1)).toBe(-1);
  });
  it('TOC entries: one per heading, indented from the shallowest level', () => {
    const t = tocEntries([
      { level: 2, text: 'Intro', id: 'nb-intro', cellIndex: 0 },
      { level: 3, text: 'Detail', id: 'nb-detail', cellIndex: 1 },
      { level: 2, text: '  ', id: 'nb-x', cellIndex: 4 },
    ]);
    expect(t).toEqual([
      { level: 2, text: 'Intro', href: '#nb-intro', depth: 0 },
      { level: 3, text: 'Detail', href: '#nb-detail', depth: 1 },
      { level: 2, text: '(untitled)', href: '#nb-x', depth: 0 },
    ]);
    expect(tocEntries([])).toEqual([]);
  });
  it('line numbers: one per source line', () => {
    expect(lineNumbers('')).toBe('1');
    expect(lineNumbers('a')).toBe('1');
    expect(lineNumbers('a\nb\n')).toBe('1\n2');
    expect(lineNumbers('a\n\nc')).toBe('1\n2\n3');
  });
  it('parses computed colours and fixes only unreadable text on an author background', () => {
    expect(parseRgb('rgb(254, 87, 161)')).toEqual([254, 87, 161, 1]);
    expect(parseRgb('rgba(0, 0, 0, 0)')).toEqual([0, 0, 0, 0]);
    expect(parseRgb('color(srgb 1 0 0)')).toBeNull();
    expect(contrastRatio([0, 0, 0, 1], [255, 255, 255, 1])).toBeCloseTo(21, 5);
    const pink = parseRgb('rgb(254, 87, 161)')!;
    // Dark theme text (#e6edf3) on pink is 2.5:1: made dark. Light theme text on it is fine.
    expect(contrastFix([230, 237, 243, 1], pink)).toBe('#1f2328');
    expect(contrastFix([31, 35, 40, 1], pink)).toBeNull();
    // Dark text on navy: made white.
    expect(contrastFix([31, 35, 40, 1], [0, 0, 128, 1])).toBe('#ffffff');
  });
});
