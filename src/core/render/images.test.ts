import { describe, expect, it } from 'vitest';
import { cleanBase64, imageData, imageDataAsIs, imageDataUri, isBase64 } from './images';

/** A repeatable random integer below n, from a linear congruential generator. */
function seeded(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
}

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

describe('isBase64 / cleanBase64 (fast checks)', () => {
  it('give the answer of the anchored regular expressions they replace, on random strings', () => {
    const old = /^[A-Za-z0-9+/]*={0,2}$/;
    // cleanBase64 before it trimmed first: strip every whitespace run, then the anchored check.
    const oldClean = (v: string): string | undefined => {
      const b = /\s/.test(v) ? v.replace(/\s+/g, '') : v;
      return !b || b.length % 4 === 1 || !old.test(b) ? undefined : b;
    };
    const alphabet = 'AZaz09+/=="\'<> \n\t\u00a0\ufeff-.:;,';
    const rnd = seeded(7);
    let agreeFalse = 0;
    let cleaned = 0;
    for (let i = 0; i < 5000; i += 1) {
      let x = '';
      for (let k = rnd(12); k > 0; k -= 1) x += alphabet[rnd(alphabet.length)];
      expect(isBase64(x), JSON.stringify(x)).toBe(old.test(x));
      if (!old.test(x)) agreeFalse += 1;
      for (const v of [x, `${x}\n`, ` ${x}`, `AAAA${x}AA==`, `AA\nAA${x}`]) {
        expect(cleanBase64(v), JSON.stringify(v)).toBe(oldClean(v));
        if (oldClean(v) !== undefined) cleaned += 1;
      }
    }
    // The random strings do exercise both answers.
    expect(agreeFalse).toBeGreaterThan(1000);
    expect(agreeFalse).toBeLessThan(5000);
    expect(cleaned).toBeGreaterThan(1000);
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

describe('imageDataAsIs', () => {
  // What a browser decodes: the bytes, or an error for the few payloads both functions let
  // through that the forgiving-base64 decode refuses (a padding-only '==').
  const decoded = (b: string): string => {
    try {
      return Buffer.from(atob(b), 'latin1').toString('hex');
    } catch {
      return 'error';
    }
  };

  it('keeps a payload with line breaks as it is, and rejects what imageData rejects', () => {
    expect(imageDataAsIs('image/png', 'iVBO\nRw0K\nGgo=\n')?.base64).toBe('iVBO\nRw0K\nGgo=\n');
    expect(imageDataAsIs('IMAGE/PNG', 'AAAA')?.type).toBe('image/png');
    for (const bad of [
      '',
      ' \n',
      'AAAA"',
      'AA"><script>',
      'A',
      'AA=A',
      'AAA===',
      'AA=\nA',
      "AA'",
      'AA<',
    ]) {
      expect(imageDataAsIs('image/png', bad), JSON.stringify(bad)).toBeUndefined();
    }
    // Not its business: SVG, other types, whitespace a data: URL would not skip.
    expect(imageDataAsIs('image/svg+xml', 'AAAA')).toBeUndefined();
    expect(imageDataAsIs('image/tiff', 'AAAA')).toBeUndefined();
    expect(imageDataAsIs('image/png', 'AA\u00a0AA')).toBeUndefined();
    expect(imageDataAsIs('image/png', 'AA\vAA')).toBeUndefined();
  });

  it('accepts exactly what imageData accepts (ASCII whitespace aside), for the same bytes', () => {
    const alphabet = 'AZaz09+/==="\'<> \n\r\t\f\u00a0\v-';
    const rnd = seeded(11);
    let both = 0;
    let neither = 0;
    for (let i = 0; i < 20000; i += 1) {
      let x = '';
      for (let k = rnd(14); k > 0; k -= 1) x += alphabet[rnd(alphabet.length)];
      for (const v of [x, `${x}\n`, `AAAA${x}`, `AA\nAA${x}`, `${x}AA==\n`]) {
        const asIs = imageDataAsIs('image/png', v);
        const strict = imageData('image/png', v);
        if (asIs === undefined) {
          // Undefined is "ask imageData": only where v holds more than base64 and ASCII space.
          if (strict !== undefined)
            expect(/[^A-Za-z0-9+/=\t\n\f\r ]/.test(v), JSON.stringify(v)).toBe(true);
          else neither += 1;
          continue;
        }
        expect(strict, JSON.stringify(v)).toBeDefined();
        expect(decoded(asIs.base64)).toBe(decoded(strict?.base64 ?? ''));
        both += 1;
      }
    }
    expect(both).toBeGreaterThan(2000);
    expect(neither).toBeGreaterThan(2000);
  });
});
