// Data URIs for images from notebook data, with the payload validated so nothing can break out
// of the attribute (the base64 alphabet has no quote, space or angle bracket).

import type { JsonValue } from '../model';

export const RASTER_MIMES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp'];

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The base64 payload with whitespace removed, or undefined if it is not valid base64. */
export function cleanBase64(value: JsonValue | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const b = /\s/.test(value) ? value.replace(/\s+/g, '') : value;
  if (!b || b.length % 4 === 1 || !BASE64.test(b)) return undefined;
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

/** A data: URI for a raster image (or an SVG, which an <img> shows without running anything). */
export function imageDataUri(mime: string, value: JsonValue | undefined): string | undefined {
  const m = mime.toLowerCase();
  if (RASTER_MIMES.includes(m)) {
    const b = cleanBase64(value);
    return b ? `data:${m};base64,${b}` : undefined;
  }
  if (m === 'image/svg+xml' && typeof value === 'string') {
    const text = value.trimStart();
    // Attachments store SVG base64-encoded; outputs store it as text.
    const b = text.startsWith('<') ? utf8ToBase64(value) : cleanBase64(value);
    return b ? `data:image/svg+xml;base64,${b}` : undefined;
  }
  return undefined;
}
