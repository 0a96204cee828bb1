// Outputs by MIME bundle, JupyterLab rendermime style: each renderer has a rank (lower = preferred)
// and a `safe` flag. An untrusted notebook only uses safe renderers; a bundle whose preferred type
// was unsafe shows a visible "not run: notebook not trusted" placeholder beside its safe fallback.

import type { JsonValue, MimeBundle } from '../model';
import { NOTICE_MIME } from '../notebook';
import { ansiToHtml, applyTerminal } from './ansi';
import { MAX_HTML_DEPTH, exceedsDepth } from './depth';
import { escapeAttr, escapeHtml } from './escape';
import { RASTER_MIMES, dataUri, imageData, imageDataAsIs, type ImageData } from './images';
import { renderMarkdown, mathOptions } from './markdown';
import { renderLatexText } from './math';
import { RICH_KINDS } from './rich';
import type { RenderContext } from './types';

export interface OutputContext {
  ctx: RenderContext;
  cellIndex: number;
  outputIndex: number;
  /** The output's `metadata` (per-MIME entries such as `{"image/png": {"width": 300}}`). */
  metadata: Record<string, JsonValue>;
  /** The whole bundle, for renderers that combine types (JavaScript beside its target HTML). */
  bundle?: MimeBundle;
  /** A "not run: notebook not trusted" note is already shown for this output. */
  blockedNoted?: boolean;
}

export interface MimeRenderer {
  /** Short name for placeholders, e.g. "JavaScript". */
  label: string;
  match(mime: string): boolean;
  rank: number;
  /** True when it may render for an untrusted notebook (sanitized, or markup built by us). */
  safe: boolean;
  /**
   * Undefined: an interactive type not rendered yet (issue 6); the next renderer is used, with a
   * note when `note` is set.
   */
  render?(value: JsonValue, mime: string, o: OutputContext): string;
  note?: string;
}

const registry: MimeRenderer[] = [];

/** Add (or, with a lower rank, override) a renderer; issue 6 registers widgets, plotly, vega. */
export function registerMimeRenderer(r: MimeRenderer): void {
  registry.push(r);
  registry.sort((a, b) => a.rank - b.rank);
}

export function findRenderer(mime: string): MimeRenderer | undefined {
  return registry.find((r) => r.match(mime));
}

function text(value: JsonValue): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2) ?? '';
}

function dimension(v: JsonValue | undefined): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 && v < 100_000
    ? Math.round(v)
    : undefined;
}

function sizeAttrs(mime: string, meta: Record<string, JsonValue>): string {
  const per = meta[mime];
  const src = per && typeof per === 'object' && !Array.isArray(per) ? per : meta;
  const w = dimension(src.width);
  const h = dimension(src.height);
  return (w ? ` width="${w}"` : '') + (h ? ` height="${h}"` : '');
}

function imgTag(image: ImageData, mime: string, o: OutputContext): string {
  // images.ts validated the base64: nothing in the data: URI needs escaping.
  const attrs = `alt="${escapeAttr(mime)} output" loading="lazy" decoding="async"${sizeAttrs(mime, o.metadata)}`;
  const large = o.ctx.opts.largeImageChars;
  if (large !== undefined && image.base64.length > large) {
    const k = o.ctx.images.push(image) - 1;
    return `<img class="nb-image" data-nbshield-image="${k}" ${attrs}>`;
  }
  return `<img class="nb-image" src="${dataUri(image)}" ${attrs}>`;
}

const exact =
  (...mimes: string[]) =>
  (m: string) =>
    mimes.includes(m.toLowerCase());

function tooDeep(html: string): string {
  const shown = html.length > 20_000 ? `${html.slice(0, 20_000)}\n[...]` : html;
  return (
    placeholder(
      `This HTML output is nested more than ${MAX_HTML_DEPTH} levels deep: shown as text.`,
    ) + `<pre class="nb-text-output">${escapeHtml(shown)}</pre>`
  );
}

/** Parse and re-serialize in an inert <template>: the same markup, with every element closed. */
function balance(html: string, doc: Document | undefined): string {
  if (!doc || exceedsDepth(html)) return html;
  try {
    const t = doc.createElement('template');
    t.innerHTML = html;
    return t.innerHTML;
  } catch {
    return html;
  }
}

function megabytes(chars: number): string {
  return (chars / (1024 * 1024)).toFixed(1);
}

/** The note and button of an output left unrendered for its size (RenderOptions.maxHtmlOutputChars). */
export function largeOutputNote(what: string, chars: number, button: string): string {
  return `<div class="nb-placeholder nb-large-note" role="note">${escapeHtml(
    `This ${what} is large (${megabytes(chars)} MB), so it is not rendered yet: rendering it keeps the page busy for a while.`,
  )} <button type="button" class="nb-large-show">${escapeHtml(button)}</button></div>`;
}

const PREVIEW_CHARS = 20_000;

function largeHtml(html: string, o: OutputContext): string {
  const plain = o.bundle?.['text/plain'];
  const preview =
    plain !== undefined
      ? `<pre class="nb-text-output">${escapeHtml(text(plain).slice(0, PREVIEW_CHARS))}</pre>`
      : `<pre class="nb-text-output">${escapeHtml(html.slice(0, PREVIEW_CHARS))}\n[...]</pre>`;
  return `<div class="nb-large-output">${largeOutputNote('HTML output', html.length, 'Render it')}${preview}</div>`;
}

function placeholder(message: string): string {
  return `<div class="nb-placeholder" role="note">${escapeHtml(message)}</div>`;
}

// --- the standard renderers -------------------------------------------------------------------

registerMimeRenderer({
  label: 'notice',
  match: exact(NOTICE_MIME),
  rank: 1,
  safe: true,
  render: (v) => `<div class="nb-notice" role="note">${escapeHtml(text(v))}</div>`,
});

// Interactive outputs drawn by a bundled library inside the trusted sandbox (rich.ts). The box
// holds a safe fallback (image or text) that the library replaces once it has drawn.
for (const kind of RICH_KINDS) {
  registerMimeRenderer({
    label: kind.label,
    match: (m) => kind.mime.test(m),
    rank: kind.rank,
    safe: false,
    render(value, mime, o) {
      const k = o.ctx.scripts.length;
      o.ctx.scripts.push({
        cellIndex: o.cellIndex,
        outputIndex: o.outputIndex,
        code: '',
        kind: 'rich',
        rich: { library: kind.library, mime, value, metadata: o.metadata },
      });
      const fallback = richFallback(o);
      return (
        `<div class="nb-rich-output" data-script-index="${k}" data-rich="${kind.library}"` +
        ` role="figure" aria-label="${escapeAttr(kind.label)} output">` +
        `<div class="nb-rich-fallback">${fallback}</div></div>`
      );
    },
  });
}

/** The static part of a bundle shown until (or if never) the library draws: image, else text. */
function richFallback(o: OutputContext): string {
  const b = o.bundle;
  if (!b) return '';
  for (const mime of ['image/png', 'image/jpeg', 'image/svg+xml', 'text/plain']) {
    const v = b[mime];
    const r = findRenderer(mime);
    if (v !== undefined && r?.render) return r.render(v, mime, { ...o, bundle: {} });
  }
  return '';
}

const INTERACTIVE: Array<[RegExp, string]> = [
  [/^application\/vnd\.bokehjs_(exec|load)\.v\d+\+json$/i, 'Bokeh'],
  [/^application\/vnd\.webio\.node\+json$/i, 'WebIO'],
  [/^application\/vnd\.holoviews_(exec|load)\.v\d+\+json$/i, 'HoloViews'],
];
for (const [re, label] of INTERACTIVE) {
  registerMimeRenderer({ label, match: (m) => re.test(m), rank: 5, safe: false });
}

registerMimeRenderer({
  label: 'JavaScript',
  match: exact('application/javascript', 'text/javascript', 'application/x-javascript'),
  rank: 10,
  safe: false,
  render(value, _mime, o) {
    // Trusted only (unsafe): listed for the sandboxed renderer, never run by render itself.
    const k = o.ctx.scripts.length;
    o.ctx.scripts.push({
      cellIndex: o.cellIndex,
      outputIndex: o.outputIndex,
      code: text(value),
      kind: 'javascript',
    });
    // Bokeh-style bundles pair the script with the HTML it draws into: keep that HTML in place.
    const html = o.bundle?.['text/html'];
    const target = typeof html === 'string' && !/<script\b/i.test(html) ? html : '';
    return `<div class="nb-js-output" data-script-index="${k}">${target}</div>`;
  },
});

const SCRIPT_BODY = /<script\b[^>]*>([\s\S]*?)<\/script\s*>/gi;

registerMimeRenderer({
  label: 'HTML',
  match: exact('text/html'),
  rank: 50,
  safe: true,
  render(value, _mime, o) {
    let html = text(value);
    const limit = o.ctx.opts.maxHtmlOutputChars;
    if (
      limit !== undefined &&
      html.length > limit &&
      !(o.ctx.opts.trusted && /<script\b/i.test(html))
    ) {
      return largeHtml(html, o);
    }
    if (!o.ctx.opts.trusted) {
      if (exceedsDepth(html)) return tooDeep(html);
      // HTML whose content is drawn by script (Altair, Plotly, folium) would leave a blank gap.
      const note =
        !o.blockedNoted && /<script\b/i.test(html)
          ? placeholder('not run: notebook not trusted (this HTML output has scripts)')
          : '';
      return `${note}<div class="nb-html-output">${o.ctx.opts.sanitizer.html(html)}</div>`;
    }
    // Trusted: passed through (balanced, when we have a document); its scripts are re-created by
    // the sandboxed renderer.
    html = balance(html, o.ctx.opts.document);
    if (!/<script\b/i.test(html)) return `<div class="nb-html-output">${html}</div>`;
    const k = o.ctx.scripts.length;
    const code = [...html.matchAll(SCRIPT_BODY)].map((m) => m[1] ?? '').join('\n;\n');
    o.ctx.scripts.push({
      cellIndex: o.cellIndex,
      outputIndex: o.outputIndex,
      code,
      kind: 'html-script',
    });
    return `<div class="nb-html-output" data-script-index="${k}">${html}</div>`;
  },
});

registerMimeRenderer({
  label: 'Markdown',
  match: exact('text/markdown'),
  rank: 60,
  safe: true, // always sanitized, trusted or not
  render: (value, _mime, o) =>
    `<div class="nb-markdown nb-markdown-output">${renderMarkdown(text(value), o.ctx)}</div>`,
});

registerMimeRenderer({
  label: 'LaTeX',
  match: exact('text/latex'),
  rank: 70,
  safe: true,
  render: (value, _mime, o) =>
    `<div class="nb-latex-output">${renderLatexText(text(value), mathOptions(o.ctx))}</div>`,
});

registerMimeRenderer({
  label: 'SVG',
  match: exact('image/svg+xml'),
  rank: 80,
  // Shown as an image, never inline: an <img> runs no script and loads nothing.
  safe: true,
  render(value, mime, o) {
    const svg = text(value);
    const s = o.ctx.opts.sanitizer;
    if (!o.ctx.opts.trusted) return s.svgAsImage(svg, 'SVG output');
    const image = imageData(mime, svg);
    return image ? imgTag(image, mime, o) : placeholder('SVG output could not be shown.');
  },
});

registerMimeRenderer({
  label: 'image',
  match: (m) => RASTER_MIMES.includes(m.toLowerCase()),
  rank: 90,
  safe: true,
  render(value, mime, o) {
    // Shown inline (not by the renderer's large-image path, which decodes slices): as it is.
    const large = o.ctx.opts.largeImageChars;
    const inline = typeof value === 'string' && (large === undefined || value.length <= large);
    const image = (inline ? imageDataAsIs(mime, value) : undefined) ?? imageData(mime, value);
    return image
      ? imgTag(image, mime.toLowerCase(), o)
      : placeholder(`Invalid ${mime} data: not shown.`);
  },
});

registerMimeRenderer({
  label: 'JSON',
  match: exact('application/json'),
  rank: 100,
  safe: true,
  render(value) {
    let v = value;
    if (typeof v === 'string') {
      try {
        v = JSON.parse(v) as JsonValue;
      } catch {
        // show the string as is
      }
    }
    return `<details class="nb-json" open><summary>JSON</summary><pre>${escapeHtml(text(v))}</pre></details>`;
  },
});

registerMimeRenderer({
  label: 'text',
  match: exact('text/plain'),
  rank: 120,
  safe: true,
  render: (value) => `<pre class="nb-text-output">${ansiToHtml(applyTerminal(text(value)))}</pre>`,
});

// --- choosing ------------------------------------------------------------------------------------

/** Render a display_data / execute_result bundle. */
export function renderBundle(bundle: MimeBundle, o: OutputContext): string {
  const trusted = o.ctx.opts.trusted;
  const { candidates, unknown } = rankedRenderers(bundle);
  const notes: string[] = [];
  const blocked: string[] = [];
  const deferred: string[] = [];
  for (const { mime, r } of candidates) {
    if (!trusted && !r.safe) {
      blocked.push(r.label);
      continue;
    }
    if (!r.render) {
      if (r.note) notes.push(placeholder(r.note));
      else deferred.push(r.label);
      continue;
    }
    const value = bundle[mime] ?? null;
    const body = r.render(value, mime, { ...o, bundle, blockedNoted: blocked.length > 0 });
    const before = blocked.length
      ? [placeholder(`not run: notebook not trusted (${[...new Set(blocked)].join(', ')} output)`)]
      : [];
    return [...before, ...notes, body].join('');
  }
  if (blocked.length) {
    return placeholder(
      `not run: notebook not trusted (${[...new Set(blocked)].join(', ')} output; trust this notebook to run it)`,
    );
  }
  if (notes.length) return notes.join('');
  if (deferred.length) {
    return placeholder(
      `Interactive ${[...new Set(deferred)].join(', ')} output: not supported yet.`,
    );
  }
  const kinds = unknown.join(', ');
  return placeholder(kinds ? `No renderer for output of type ${kinds}.` : 'Empty output.');
}

/**
 * The type a trusted render shows for `bundle`: the one `renderBundle` picks (the first of
 * `rankedRenderers` that renders), or undefined when none renders. The sandboxed renderer asks it
 * which outputs may run script.
 */
export function trustedChoice(bundle: MimeBundle): string | undefined {
  return rankedRenderers(bundle).candidates.find(({ r }) => r.render !== undefined)?.mime;
}

/** A bundle's types with a renderer, preferred first (ties in bundle order), and the rest. */
function rankedRenderers(bundle: MimeBundle): {
  candidates: Array<{ mime: string; r: MimeRenderer }>;
  unknown: string[];
} {
  const candidates: Array<{ mime: string; r: MimeRenderer }> = [];
  const unknown: string[] = [];
  for (const mime of Object.keys(bundle)) {
    const r = findRenderer(mime);
    if (r) candidates.push({ mime, r });
    else unknown.push(mime);
  }
  candidates.sort((a, b) => a.r.rank - b.r.rank);
  return { candidates, unknown };
}
