import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PIECE_CHARS, PieceAssembler, Pieces, cellSeparator, cutPieces, nextPiece } from './pieces';

/** A text and a way to cut it: cut points anywhere, empty pieces included. */
const cutText = fc
  .tuple(
    fc.string({
      unit: fc.constantFrom('a', 'b', '"', '\\', '\n', 'é', '\ud83d', '\ude00'),
      maxLength: 60,
    }),
    fc.array(fc.nat(), { maxLength: 12 }),
  )
  .map(([text, cuts]) => {
    const at = [...new Set(cuts.map((c) => (text.length === 0 ? 0 : c % (text.length + 1))))].sort(
      (a, b) => a - b,
    );
    const pieces: string[] = [];
    let p = 0;
    for (const c of [...at, text.length]) {
      pieces.push(text.slice(p, c));
      p = c;
    }
    return { text, pieces };
  });

const position = fc.oneof(fc.integer({ min: -3, max: 70 }), fc.constant(Infinity));
const needle = fc.string({
  unit: fc.constantFrom('a', 'b', '"', '\\', 'é', '\ude00'),
  maxLength: 4,
});

describe('Pieces', () => {
  it('reads as the joined string: charCodeAt, slice, indexOf, lastIndexOf at every boundary', () => {
    fc.assert(
      fc.property(
        cutText,
        position,
        position,
        needle,
        fc.array(fc.integer({ min: -2, max: 64 })),
        ({ text, pieces }, a, b, n, jumps) => {
          const t = new Pieces(pieces);
          expect(t.length).toBe(text.length);
          expect(t.join()).toBe(text);
          for (let i = -1; i <= text.length; i++) {
            expect(Object.is(t.charCodeAt(i), text.charCodeAt(i))).toBe(true);
          }
          // Backwards too (the skim from the end reads that way).
          for (let i = text.length; i >= -1; i--) {
            expect(Object.is(t.charCodeAt(i), text.charCodeAt(i))).toBe(true);
          }
          // And in any order (the cursor that caches the last piece must follow).
          for (const i of jumps) expect(Object.is(t.charCodeAt(i), text.charCodeAt(i))).toBe(true);
          const ia = Number.isFinite(a) ? a : undefined;
          const ib = Number.isFinite(b) ? b : undefined;
          expect(t.slice(ia, ib)).toBe(text.slice(ia, ib));
          expect(t.indexOf(n, ia)).toBe(text.indexOf(n, ia));
          expect(t.lastIndexOf(n, a)).toBe(text.lastIndexOf(n, a));
          // Every occurrence, forwards and backwards, as a scan would find them.
          for (let i = 0; i <= text.length; i++) {
            expect(t.indexOf(n, i)).toBe(text.indexOf(n, i));
            expect(t.lastIndexOf(n, i)).toBe(text.lastIndexOf(n, i));
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('slices inside one piece without copying the rest, and joins only across a boundary', () => {
    const t = new Pieces(['abc', 'def', 'ghi']);
    expect(t.count).toBe(3);
    expect(t.slice(0, 3)).toBe('abc');
    expect(t.slice(2, 7)).toBe('cdefg');
    expect(t.slice(3, 6)).toBe('def');
    expect(t.slice(8)).toBe('i');
    expect(new Pieces(['', 'x', '']).count).toBe(1);
    expect(Pieces.of('one').join()).toBe('one');
    expect(new Pieces([]).length).toBe(0);
    expect(new Pieces([]).indexOf('a')).toBe(-1);
  });

  it('cutPieces cuts at the size, never inside a surrogate pair, and the pieces join back', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', '\ud83d\ude00', 'é'), maxLength: 80 }),
        fc.integer({ min: 1, max: 9 }),
        (s, size) => {
          const parts = cutPieces(s, size);
          expect(parts.join('')).toBe(s);
          for (const p of parts) {
            expect(p.length).toBeGreaterThan(0);
            expect(p.length).toBeLessThanOrEqual(size);
            if (size > 1) {
              const last = p.charCodeAt(p.length - 1);
              expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
            }
          }
        },
      ),
    );
    expect(cutPieces('x'.repeat(PIECE_CHARS + 1)).map((p) => p.length)).toEqual([PIECE_CHARS, 1]);
    expect(cutPieces('')).toEqual([]);
  });
});

describe('nextPiece', () => {
  const walk = (t: string, size: number, sep: string | null): string[] => {
    const got: string[] = [];
    for (let o = 0, p = nextPiece(t, 0, true, size, sep); p !== null;) {
      got.push(p);
      o += p.length;
      p = nextPiece(t, o, true, size, sep);
    }
    return got;
  };

  it('cuts after the last cell separator within the size, else by size', () => {
    const nb = JSON.stringify({ cells: ['a', 'bb', 'ccc'].map((x) => ({ x })) }, null, 1);
    const sep = cellSeparator(nb);
    expect(sep).toBe('},\n  {');
    const pieces = walk(nb, 40, sep);
    expect(pieces.join('')).toBe(nb);
    // Each piece but the last ends right after a separator's `},`.
    for (const p of pieces.slice(0, -1)) expect(p.endsWith('},')).toBe(true);
    expect(pieces.every((p) => p.length <= 40)).toBe(true);
    expect(pieces.length).toBeGreaterThan(2);
    // No separator in range: by size, never between surrogate halves.
    expect(walk('ab\ud83d\ude00cd', 3, sep)).toEqual(['ab', '\ud83d\ude00c', 'd']);
    expect(walk('abcdefg', 3, null)).toEqual(['abc', 'def', 'g']);
  });

  it('waits for more rather than end a piece where a part ends', () => {
    const parts = new Pieces(['abcde', 'fg']);
    expect(nextPiece(parts, 0, false, 4)).toBe('abcd');
    expect(nextPiece(parts, 4, false, 4)).toBeNull();
    expect(nextPiece(parts, 4, true, 4)).toBe('efg');
    expect(nextPiece(parts, 7, true, 4)).toBeNull();
    // A piece across two parts is their slices joined.
    expect(nextPiece(new Pieces(['ab', 'cdef']), 1, false, 3)).toBe('bcd');
  });

  it('cellSeparator reads the layout of the first cell, or gives none', () => {
    expect(cellSeparator('{\n "cells": [\n  {\n   "x": 1')).toBe('},\n  {');
    expect(cellSeparator('{\r\n    "cells": [\r\n        {')).toBe('},\r\n        {');
    expect(cellSeparator('{"cells":[{"x":1},{"x":2}]}')).toBeNull();
    expect(cellSeparator('{\n "metadata": {},\n "cells": [\n  {')).toBeNull();
  });
});

describe('PieceAssembler', () => {
  it('takes pieces in order up to the total', () => {
    const a = new PieceAssembler('abc', 8, 4);
    expect(a.complete).toBe(false);
    expect(a.add(3, 'defg')).toBeNull();
    expect(a.add(7, 'h')).toBeNull();
    expect(a.complete).toBe(true);
    expect(a.count).toBe(3);
    expect(a.takePieces().join()).toBe('abcdefgh');
    // Taken once; a piece after that is refused as after the whole text.
    expect(() => a.takePieces()).toThrow();
    expect(a.add(8, 'i')).toMatch(/after the whole text/);
  });

  it('refuses out-of-order offsets, wrong sizes and pieces after the total, for good', () => {
    const cases: Array<[string, (a: PieceAssembler) => string | null, RegExp]> = [
      ['a gap', (a) => a.add(4, 'de'), /out of order \(offset 4, expected 3\)/],
      ['a repeat', (a) => a.add(0, 'abc'), /out of order \(offset 0, expected 3\)/],
      ['going back', (a) => (a.add(3, 'de'), a.add(4, 'e')), /out of order/],
      ['empty', (a) => a.add(3, ''), /empty piece at offset 3/],
      ['too big', (a) => a.add(3, 'defgh'), /piece of 5 characters at offset 3 \(at most 4\)/],
      ['past the total', (a) => (a.add(3, 'defg'), a.add(7, 'hi')), /runs past the total/],
      [
        'after the total',
        (a) => (a.add(3, 'defg'), a.add(7, 'h'), a.add(8, 'i')),
        /after the whole text/,
      ],
    ];
    for (const [what, act, message] of cases) {
      const a = new PieceAssembler('abc', 8, 4);
      expect(act(a), what).toMatch(message);
      expect(a.error, what).toMatch(message);
      expect(a.complete, what).toBe(false);
      // Once refused, nothing more is taken, not even the right piece.
      expect(a.add(a.length, 'd'), what).toMatch(message);
      expect(() => a.takePieces(), what).toThrow();
    }
  });

  it('refuses a bad first piece or total', () => {
    expect(new PieceAssembler('abcde', 8, 4).error).toMatch(/piece of 5 characters/);
    expect(new PieceAssembler('abc', 3, 4).error).toMatch(/not shorter than the total/);
    expect(new PieceAssembler('abc', 2, 4).error).toMatch(/runs past the total/);
    expect(new PieceAssembler('', 2, 4).error).toMatch(/empty piece/);
    expect(new PieceAssembler('a', 0, 4).error).toMatch(/invalid total/);
    expect(new PieceAssembler('a', 1.5, 4).error).toMatch(/invalid total/);
  });
});
