// Keyboard shortcuts of the reading comforts, shared by the viewer and the renderer (pure).

/** Keys the reading comforts answer to, unless typing in a field or with a modifier held. */
export type ReadingKey = 'toc' | 'next' | 'prev' | null;
export function readingKey(e: {
  key: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  targetTag: string;
  editable: boolean;
}): ReadingKey {
  if (e.altKey || e.ctrlKey || e.metaKey || e.editable) return null;
  if (['INPUT', 'TEXTAREA', 'SELECT'].includes(e.targetTag.toUpperCase())) return null;
  if (e.key === 't') return 'toc';
  if (e.key === 'j') return 'next';
  if (e.key === 'k') return 'prev';
  return null;
}
