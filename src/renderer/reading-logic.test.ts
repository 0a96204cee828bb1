import { describe, expect, it } from 'vitest';
import { lineNumbers, stepCell, tocEntries } from './reading-logic';

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
});
