import { describe, expect, it } from 'vitest';
import { cleanBase64, imageDataUri } from './images';

describe('cleanBase64', () => {
  it('accepts base64 with line breaks and padding', () => {
    expect(cleanBase64('iVBO\nRw0K\nGgo=\n')).toBe('iVBORw0KGgo=');
    expect(cleanBase64('AAAA')).toBe('AAAA');
    expect(cleanBase64('AA==')).toBe('AA==');
  });
  it('rejects anything that could leave an attribute, and malformed data', () => {
    for (const bad of ['', 'AAAA"', 'AA"><script>', 'A', 'AA=A', 'AAA===', "AA'", 'AA<', 5]) {
      expect(cleanBase64(bad as string)).toBeUndefined();
    }
  });
});

describe('imageDataUri', () => {
  it('builds data URIs for raster images and SVG text', () => {
    expect(imageDataUri('image/png', 'AAAA\n')).toBe('data:image/png;base64,AAAA');
    expect(imageDataUri('image/svg+xml', '<svg/>')).toBe('data:image/svg+xml;base64,PHN2Zy8+');
    expect(imageDataUri('image/tiff', 'AAAA')).toBeUndefined();
    expect(imageDataUri('image/png', 'AA"A')).toBeUndefined();
  });
});
