// A local notebook's text travels from its file:// page to the worker, which cannot fetch file://.
// One runtime message holds at most 64 MiB (Chromium), so a long text goes in parts.

/** At most 8 Mi characters a part: under the limit even if every character were escaped (x6). */
export const UPLOAD_PART_CHARS = 8 * 1024 * 1024;

/** [start, end) ranges covering `length` characters in order; one empty range for an empty text. */
export function uploadParts(length: number, size = UPLOAD_PART_CHARS): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let start = 0; start < length; start += size) {
    out.push([start, Math.min(length, start + size)]);
  }
  return out.length > 0 ? out : [[0, 0]];
}
