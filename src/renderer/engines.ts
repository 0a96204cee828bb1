// Libraries the renderer frame loads only for a notebook that needs them (issue 5: KaTeX was half
// of the frame's bundle and of its start-up heap, and most notebooks have no math). Each is a
// script of the extension package (the page CSP allows no other), like the rich-*.js bundles.
import type { Cell } from '../core/model';
import { cellNeedsMath, hasKatexEngine, setKatexEngine } from '../core/render/base';
import type { KatexEngine } from '../core/render/base';
import { loadKatexElements, preloadedKatex } from './katex-load';

/**
 * The engine the bundle left on `window`: an own property only, so an element a notebook named
 * `__nbshieldKatex` (window's named access) is never taken for it.
 */
function loadedKatex(): KatexEngine | null {
  const v: unknown = Object.getOwnPropertyDescriptor(window, '__nbshieldKatex')?.value;
  if (v === null || typeof v !== 'object') return null;
  return typeof (v as Partial<KatexEngine>).renderToString === 'function'
    ? (v as KatexEngine)
    : null;
}

let katexLoad: Promise<void> | null = null;

/**
 * KaTeX and its stylesheet (the MathML it writes is sized by `.katex`), once. Resolves when both
 * are in; if the script failed, the engine stays missing and each math cell shows a notice.
 */
export function loadKatex(): Promise<void> {
  if (hasKatexEngine()) return Promise.resolve();
  katexLoad ??= (async () => {
    // The boot script may have started it on the viewer's hint (./boot.ts).
    const ok = await (preloadedKatex() ?? loadKatexElements());
    const k = ok ? loadedKatex() : null;
    if (k !== null) setKatexEngine(k);
    else console.warn('nbshield: the math renderer could not be loaded');
  })();
  return katexLoad;
}

/**
 * Which cells wait for KaTeX: none once it is in. Loading starts as soon as a cell read so far is
 * known to need it (`look`, before the cells are rendered), and only then.
 */
export class MathGate {
  private loading: Promise<void> | null = null;
  /** The load finished (if KaTeX is still missing, it failed: render, and show the notices). */
  private settled = false;
  /** Cells before this index have been looked at. */
  private looked = 0;

  /** Looks at the cells added since the last call (the parse may still be adding some). */
  look(cells: readonly Cell[]): void {
    if (this.loading !== null || hasKatexEngine()) return;
    for (; this.looked < cells.length; this.looked += 1) {
      const cell = cells[this.looked];
      if (cell !== undefined && cellNeedsMath(cell)) {
        void this.start();
        return;
      }
    }
  }

  private start(): Promise<void> {
    this.loading ??= loadKatex().then(() => {
      this.settled = true;
    });
    return this.loading;
  }

  /** null: render `cell` now; else wait for the promise first. */
  wait(cell: Cell): Promise<void> | null {
    if (this.settled || hasKatexEngine() || !cellNeedsMath(cell)) return null;
    return this.start();
  }

  /** While a load is in flight: its promise (the first pass ends after it). */
  pending(): Promise<void> | null {
    return this.settled || hasKatexEngine() ? null : this.loading;
  }
}
