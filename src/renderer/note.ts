// The visible note nbshield puts over an output it could not show as written ("could not be
// drawn", "asks for … from a CDN"): one element, styled by core's .nb-placeholder, read by screen
// readers as a note. Used by the renderer and by the rich-LIBRARY.js bundles.

export function noteElement(text: string, extraClass?: string): HTMLDivElement {
  const el = document.createElement('div');
  el.className = extraClass ? `nb-placeholder ${extraClass}` : 'nb-placeholder';
  el.setAttribute('role', 'note');
  el.textContent = text;
  return el;
}
