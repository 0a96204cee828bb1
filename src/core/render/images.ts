// Data URIs for images from notebook data, with the payload validated so nothing can break out
// of the attribute (the base64 alphabet has no quote, space or angle bracket).

import type { JsonValue } from '../model';

export const RASTER_MIMES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp'];

// A search for one character outside the alphabet: about 7 times faster in V8 than the anchored
// /^[A-Za-z0-9+/]*={0,2}$/ on a 20 MB image (33 against 226 ms), the same answer with the
// padding rule checked apart.
const NOT_BASE64 = /[^A-Za-z0-9+/=]/;

/** Base64 alphabet only, with at most two '=' and only at the end. */
export function isBase64(b: string): boolean {
  return !NOT_BASE64.test(b) && paddingOk(b);
}

/** Given only alphabet characters: '=' appears at most twice, and only at the end. */
function paddingOk(b: string): boolean {
  const eq = b.indexOf('=');
  if (eq < 0) return true;
  const pad = b.length - eq;
  return pad === 1 || (pad === 2 && b.charCodeAt(eq + 1) === 61);
}

/** The base64 payload with whitespace removed, or undefined if it is not valid base64. */
export function cleanBase64(value: JsonValue | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Jupyter ends base64 with a newline and rarely breaks lines: trimming (the same characters
  // as \s) leaves one scan of a 20 MB image instead of three (issue 5: one long task).
  let b = value.trim();
  if (NOT_BASE64.test(b)) {
    b = b.replace(/\s+/g, '');
    if (NOT_BASE64.test(b)) return undefined;
  }
  if (!b || b.length % 4 === 1 || !paddingOk(b)) return undefined;
  return b;
}

export function utf8ToBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

declare const validated: unique symbol;

/**
 * An image's MIME type and base64 payload, validated here (only this module makes one), so that
 * a 20 MB image is not scanned again to know that nothing in it can leave an attribute.
 */
export interface ImageData {
  readonly type: string;
  readonly base64: string;
  readonly [validated]: true;
}

/** A raster image (or an SVG, which an <img> shows without running anything) and its payload. */
export function imageData(mime: string, value: JsonValue | undefined): ImageData | undefined {
  const m = mime.toLowerCase();
  let b: string | undefined;
  if (RASTER_MIMES.includes(m)) b = cleanBase64(value);
  else if (m === 'image/svg+xml' && typeof value === 'string') {
    // Attachments store SVG base64-encoded; outputs store it as text.
    b = value.trimStart().startsWith('<') ? utf8ToBase64(value) : cleanBase64(value);
  }
  return b ? ({ type: m, base64: b } as ImageData) : undefined;
}

// Outside the alphabet, only the whitespace a data: URL skips in base64: the URL parser drops
// tab, LF and CR, and the forgiving-base64 decode drops those, FF and space.
const NOT_BASE64_OR_SPACE = /[^A-Za-z0-9+/=\t\n\f\r ]/;

/**
 * A raster image's payload as the notebook holds it, line breaks included, for a data: URI:
 * the image imageData gives, without the cleaned copy of its payload (issue 5: Jupyter breaks
 * base64 every 76 characters, so cleaning copied every image once more into the heap). The
 * rules are imageData's once ASCII whitespace is skipped; a payload they do not settle (other
 * whitespace, anything invalid) gives undefined and the caller asks imageData. Its `base64` may
 * hold ASCII whitespace: fine in a data: URI, not for a decoder that reads slices of it.
 */
export function imageDataAsIs(mime: string, value: JsonValue | undefined): ImageData | undefined {
  const m = mime.toLowerCase();
  if (!RASTER_MIMES.includes(m) || typeof value !== 'string') return undefined;
  if (NOT_BASE64_OR_SPACE.test(value)) return undefined;
  let chars = 0;
  let pad = 0;
  for (let i = 0; i < value.length; i += 1) {
    const c = value.charCodeAt(i);
    if (c === 0x3d) pad += 1;
    else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c) continue;
    else if (pad > 0) return undefined;
    else chars += 1;
  }
  const n = chars + pad;
  if (n === 0 || n % 4 === 1 || pad > 2) return undefined;
  return { type: m, base64: value } as ImageData;
}

export function dataUri(image: ImageData): string {
  return `data:${image.type};base64,${image.base64}`;
}

/** A data: URI for a raster image (or an SVG), or undefined if the data is not valid. */
export function imageDataUri(mime: string, value: JsonValue | undefined): string | undefined {
  const image = imageData(mime, value);
  return image && dataUri(image);
}
