// renderer-boot.js: the renderer page's first script, before renderer.js (issue 5). The viewer
// knows the notebook before renderer.js (300 KB) is parsed and run; if it has math, the viewer
// says so here and KaTeX starts loading at once, parsed off the main thread meanwhile, instead of
// after the notebook arrived. It loads only our own bundle, on a hint from our own parent.
import { parseFrameMessage } from '../core/protocol';
import { KATEX_PRELOAD, loadKatexElements } from './katex-load';

if (window.parent !== window) {
  const onHint = (event: MessageEvent): void => {
    if (event.source === null || event.source !== window.parent) return;
    if (parseFrameMessage(event.data)?.type !== 'katex-preload') return;
    window.removeEventListener('message', onHint);
    performance.mark('nbshield:katex-preload');
    // An own, read-only property: an element a notebook named so (window's named access) is not.
    Object.defineProperty(window, KATEX_PRELOAD, { value: loadKatexElements() });
  };
  window.addEventListener('message', onHint);
  // An opaque document cannot name the extension origin; only our parent gets it.
  window.parent.postMessage(
    { nbshield: 1, type: 'renderer-boot', nonce: location.hash.slice(1) },
    '*',
  );
}
