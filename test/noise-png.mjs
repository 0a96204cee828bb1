// An opaque PNG of xorshift noise: it does not compress, so its size is known from its pixels, and
// a canvas reads its bytes back exactly. Shared by the browser tests and the bench's big image.
import { PNG } from 'pngjs';

export function noisePng(width, height) {
  const png = new PNG({ width, height });
  let x = 0x2545f491;
  for (let i = 0; i < png.data.length; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    png.data[i] = i % 4 === 3 ? 255 : x & 255;
  }
  return png;
}
