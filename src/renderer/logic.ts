// The renderer's DOM-free decisions, testable in Node.

export type LinkAction =
  { kind: 'fragment'; ids: string[] } | { kind: 'external'; href: string } | { kind: 'none' };

/**
 * What a click on a link inside the notebook does. In-notebook `#` links scroll within the frame
 * (the sanitizer prefixed ids, so both forms are tried); http(s) links are handed to the viewer;
 * anything else (javascript:, data:, relative paths of an opaque document) does nothing.
 */
export function linkAction(href: string, idPrefix: string): LinkAction {
  const h = href.trim();
  if (h.startsWith('#')) {
    let id = h.slice(1);
    try {
      id = decodeURIComponent(id);
    } catch {
      // keep the raw fragment
    }
    if (id === '') return { kind: 'none' };
    const ids = id.startsWith(idPrefix) ? [id] : [idPrefix + id, id];
    return { kind: 'fragment', ids };
  }
  let u: URL;
  try {
    u = new URL(h);
  } catch {
    return { kind: 'none' };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { kind: 'none' };
  return { kind: 'external', href: u.href };
}

/**
 * Renders cells from `start` until the time budget is used (at least one cell per call, so the
 * work always moves on) and returns the index of the next cell to render.
 */
export function nextChunkEnd(
  count: number,
  start: number,
  budgetMs: number,
  now: () => number,
  renderOne: (index: number) => void,
): number {
  const t0 = now();
  let i = start;
  while (i < count) {
    renderOne(i);
    i += 1;
    if (now() - t0 >= budgetMs) break;
  }
  return i;
}
