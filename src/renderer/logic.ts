// The renderer's DOM-free decisions, testable in Node.
import type { Cell, CodeCell } from '../core/model';
import { escapeAttr, escapeHtml } from '../core/render/escape';
import { trustedChoice } from '../core/render/mime';
import { drawsAlone } from '../core/render/rich';

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
 * work always moves on) and returns the index of the next cell to render. `renderOne` returning
 * false means that cell cannot be rendered yet (it waits for KaTeX): the chunk stops before it.
 */
export function nextChunkEnd(
  count: number,
  start: number,
  budgetMs: number,
  now: () => number,
  renderOne: (index: number) => boolean | void,
): number {
  const t0 = now();
  let i = start;
  while (i < count) {
    if (renderOne(i) === false) break;
    i += 1;
    if (now() - t0 >= budgetMs) break;
  }
  return i;
}

// ---- lazy cells (issue 5) ----

// Outputs that can never carry script: a trusted notebook with only these renders lazily too.
const STATIC_MIMES = new Set([
  'text/plain',
  'text/markdown',
  'text/latex',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/bmp',
  'image/svg+xml',
  'application/json',
]);

/**
 * Whether a (trusted) notebook has outputs that may run script: JavaScript, HTML with <script>,
 * widgets, or any type we do not know to be static, among the types a trusted render shows (a
 * bundle's other types never render). Those scripts run in notebook order, as Jupyter runs them,
 * once every cell is read. Plots drawn by a bundled library from their own data (Plotly, Vega)
 * need no order: they are drawn when their cell renders, lazily too.
 */
export function hasActiveOutputs(cells: readonly Cell[]): boolean {
  return cells.some((cell) => cell.cell_type === 'code' && activeIn(cell));
}

function activeIn(cell: CodeCell): boolean {
  for (const o of cell.outputs) {
    if (o.output_type !== 'display_data' && o.output_type !== 'execute_result') continue;
    const mime = trustedChoice(o.data);
    if (mime === undefined || STATIC_MIMES.has(mime) || drawsAlone(mime)) continue;
    if (mime === 'text/html') {
      const value = o.data[mime];
      if (typeof value !== 'string' || /<script\b/i.test(value)) return true;
      continue;
    }
    return true;
  }
  return false;
}

// What a trusted notebook's scripts cannot look for: no element of theirs has an id or class a
// script could query (an <img> or <pre> we build), and no script of their own.
const INERT_MIMES = new Set([
  'text/plain',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/bmp',
  'application/json',
]);

/**
 * Whether a code cell of a trusted notebook WITH scripts may wait as a placeholder: its outputs
 * are streams, errors, images, text, or plots drawn alone. A cell with a script, or with HTML,
 * SVG, Markdown or LaTeX a script might look for (`display(HTML('<div id=x>'))` then a
 * `Javascript` output drawing into #x), renders in order before the scripts run.
 */
export function mayWaitBesideScripts(cell: CodeCell): boolean {
  for (const o of cell.outputs) {
    if (o.output_type !== 'display_data' && o.output_type !== 'execute_result') continue;
    const mime = trustedChoice(o.data);
    if (mime !== undefined && !INERT_MIMES.has(mime) && !drawsAlone(mime)) return false;
  }
  return true;
}

/** A rough height for a cell's outputs, so the page does not jump much when it renders. */
export function outputsHeightEstimate(cell: CodeCell, maxStreamLines = 5000): number {
  if (cell.metadata.jupyter?.outputs_hidden || cell.metadata.collapsed === true) return 30;
  let px = 0;
  for (const o of cell.outputs) {
    if (o.output_type === 'stream') px += 17 * Math.min(maxStreamLines, countLines(o.text)) + 10;
    else if (o.output_type === 'error') px += 17 * Math.min(200, o.traceback.length * 3) + 10;
    else if (Object.keys(o.data).some((m) => m.startsWith('image/'))) px += 300;
    else if ('text/html' in o.data) px += 200;
    else px += 17 * Math.min(60, countLines(String(o.data['text/plain'] ?? ''))) + 10;
  }
  return Math.min(px, 200_000);
}

function countLines(s: string): number {
  let n = 1;
  for (let i = s.indexOf('\n'); i >= 0 && i < s.length - 1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

// Per output, at most this much text goes into a placeholder (the rendered cell clips long
// streams too): enough for find-in-page to reach what a reader sees first.
const PENDING_TEXT_CHARS = 20_000;
// eslint-disable-next-line no-control-regex
const ANSI_CODES = /\u001b\[[0-9;?]*[A-Za-z]/g;

/**
 * The text a code cell's outputs will show as text once rendered (streams, tracebacks' last
 * line, results that are text only), so find-in-page finds it in a placeholder too. Text that
 * the render shows otherwise (a text/plain beside HTML or an image) is left out.
 */
export function pendingOutputText(cell: CodeCell): string {
  const parts: string[] = [];
  for (const o of cell.outputs) {
    let t = '';
    if (o.output_type === 'stream') t = o.text;
    else if (o.output_type === 'error') t = `${o.ename}: ${o.evalue}`;
    else {
      const keys = Object.keys(o.data);
      const plain = o.data['text/plain'];
      if (keys.length === 1 && typeof plain === 'string') t = plain;
    }
    if (t !== '') parts.push(t.slice(0, PENDING_TEXT_CHARS).replace(ANSI_CODES, ''));
  }
  return parts.join('\n');
}

/**
 * The stand-in for a code cell not rendered yet: the same cell box (index, id, classes, so
 * #cell-N links, j/k and hide-code work on it) with the source as plain escaped text, which
 * find-in-page finds, and room for its outputs. `nb-lazy-probe` is what the observer watches.
 */
export function placeholderHtml(cell: CodeCell): string {
  const id = cell.id ? ` data-cell-id="${escapeAttr(cell.id)}"` : '';
  const count = cell.execution_count ?? ' ';
  let input =
    `<div class="nb-input"><div class="nb-prompt nb-input-prompt">In [${count}]:</div>` +
    `<div class="nb-input-area"><pre class="nb-source"><code>${escapeHtml(cell.source)}</code></pre></div></div>`;
  if (cell.metadata.jupyter?.source_hidden)
    input = `<details class="nb-hidden nb-hidden-input"><summary>Code hidden: show</summary>${input}</details>`;
  const h = outputsHeightEstimate(cell);
  const text = cell.metadata.jupyter?.outputs_hidden ? '' : pendingOutputText(cell);
  const shown = text === '' ? '' : `<pre class="nb-pending-text">${escapeHtml(text)}</pre>`;
  const outputs =
    h > 0 ? `<div class="nb-pending-outputs" style="height:${h}px">${shown}</div>` : '';
  return (
    `<div class="nb-cell nb-code-cell nb-pending" data-cell-index="${cell.index}" id="cell-${cell.index}"${id}>` +
    `${input}${outputs}<span class="nb-lazy-probe" aria-hidden="true"></span></div>`
  );
}

/**
 * `s` again, as a string of its own. A JSON string value is cut from the notebook's text, and V8
 * keeps such a substring as a slice that holds its whole parent: one kept source would keep the
 * whole text alive (issue 5: the renderer's heap). JSON.parse makes a fresh string.
 */
export function detached(s: string): string {
  return s.length < 16 ? s : (JSON.parse(JSON.stringify(s)) as string);
}
