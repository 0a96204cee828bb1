// Interactive outputs (plots, widgets) in TRUSTED notebooks only. Each library is a separate bundle,
// `rich-LIBRARY.js`, built from src/renderer/rich/LIBRARY.entry.ts and shipped with the extension:
// loaded from the extension on first use, never from a CDN (the page CSP allows no other script
// source). The untrusted renderer page never calls this.
//
// Contract for an entry file: it assigns `window.__nbshieldRich[LIBRARY] = draw`, where
// `draw(target, output)` draws into `target` (an empty element inside the output's box) and
// resolves when done, or rejects with an Error whose message a reader can understand.

import type { JsonValue } from '../core/model';
import type { RichEntry, RichLibrary } from '../core/render/types';
import { noteElement } from './note';

export interface RichOutput {
  mime: string;
  value: JsonValue;
  metadata: Record<string, JsonValue>;
  /** The notebook's metadata: widget state lives in `metadata.widgets`. */
  notebookMetadata: Record<string, JsonValue | undefined>;
  theme: 'light' | 'dark';
}

export type RichDraw = (target: HTMLElement, output: RichOutput) => Promise<void>;

type RichGlobal = Window & { __nbshieldRich?: Partial<Record<RichLibrary, RichDraw>> };

const loads = new Map<RichLibrary, Promise<RichDraw>>();

export function loadLibrary(library: RichLibrary): Promise<RichDraw> {
  const known = loads.get(library);
  if (known) return known;
  const p = new Promise<RichDraw>((resolve, reject) => {
    const el = document.createElement('script');
    el.src = `rich-${library}.js`;
    el.onload = () => {
      const draw = (window as RichGlobal).__nbshieldRich?.[library];
      if (draw) resolve(draw);
      else reject(new Error(`the ${library} library did not start`));
    };
    el.onerror = () => reject(new Error(`the ${library} library could not be loaded`));
    document.head.append(el);
  });
  loads.set(library, p);
  return p;
}

/**
 * Draws one rich output into its box. The box keeps its static fallback until the drawing is in,
 * and keeps it, with a visible note, when the library fails: never a blank gap. `data-rich-state`
 * says where it is (loading, drawn, error), for tests and styles.
 */
export async function runRich(
  box: HTMLElement,
  entry: RichEntry,
  context: Pick<RichOutput, 'notebookMetadata' | 'theme'>,
): Promise<void> {
  box.dataset.richState = 'loading';
  const target = document.createElement('div');
  target.className = 'nb-rich-target';
  box.prepend(target);
  try {
    const draw = await loadLibrary(entry.library);
    await draw(target, {
      mime: entry.mime,
      value: entry.value,
      metadata: entry.metadata,
      ...context,
    });
    box.dataset.richState = 'drawn';
    box.querySelector(':scope > .nb-rich-fallback')?.remove();
  } catch (err) {
    box.dataset.richState = 'error';
    target.remove();
    // The fallback is now the output: load its images now (lazy ones in this nested frame were
    // seen not to load when scrolled into view, plots.test.ts).
    for (const img of Array.from(box.querySelectorAll('img'))) img.loading = 'eager';
    const why = err instanceof Error ? err.message : String(err);
    const note = noteElement(
      `This ${box.getAttribute('aria-label') ?? 'interactive output'} could not be drawn: ${why}`,
    );
    box.prepend(note);
  }
}
