import { describe, expect, it } from 'vitest';
import { UPLOAD_PART_CHARS, uploadParts } from './upload';

describe('uploadParts', () => {
  it('covers the text in order, without gaps or overlaps', () => {
    for (const [len, size] of [
      [0, 4],
      [1, 4],
      [4, 4],
      [5, 4],
      [17, 4],
    ] as const) {
      const parts = uploadParts(len, size);
      expect(parts[0]?.[0]).toBe(0);
      expect(parts.at(-1)?.[1]).toBe(len);
      parts.forEach(([s, e], i) => {
        expect(e - s).toBeLessThanOrEqual(size);
        if (i > 0) expect(s).toBe(parts[i - 1]?.[1]);
      });
    }
    expect(uploadParts(17, 4)).toHaveLength(5);
  });

  it('a part fits one 64 MiB message even if every character is escaped', () => {
    expect(UPLOAD_PART_CHARS * 6 + 1024).toBeLessThan(64 * 1024 * 1024);
    // 100 MB goes in 12 parts.
    expect(uploadParts(100_000_000)).toHaveLength(12);
  });
});
