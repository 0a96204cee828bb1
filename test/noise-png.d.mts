import type { PNG } from 'pngjs';

/** An opaque RGBA PNG of xorshift noise (see noise-png.mjs). */
export function noisePng(width: number, height: number): PNG;
