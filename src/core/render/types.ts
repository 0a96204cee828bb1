// Types shared by the renderer modules.

// The sanitizer (src/core/sanitize.ts, createSanitizer) is the ONLY path for untrusted HTML, SVG
// and Markdown; the renderer never configures DOMPurify itself.
import type { JsonValue } from '../model';
import type { Sanitizer } from '../sanitize';
import type { ImageData } from './images';

export type { Sanitizer };

export interface RenderOptions {
  /** Decided by the background from the bytes and the key; never from the file. */
  trusted: boolean;
  sanitizer: Sanitizer;
  allowRemoteImages: boolean;
  /** Prefix for every id we generate from notebook content (headings), against DOM clobbering. */
  idPrefix: string;
  /** Kernel language override; by default from the notebook's metadata. */
  language?: string;
  /**
   * KaTeX output: 'mathml' (default: no CSS or fonts needed, Chromium >= 109 and Firefox render
   * it) or 'htmlAndMathml' (needs katex/dist/katex.min.css and its fonts, see styles.ts).
   */
  mathOutput?: 'mathml' | 'htmlAndMathml';
  /**
   * A document to re-serialize trusted text/html with (balances stray end tags so one output
   * cannot close the cell around it). Without it trusted HTML is passed through byte for byte.
   */
  document?: Document;
  /** Streams longer than this many lines are clipped behind a "show all" toggle. */
  maxStreamLines?: number;
  /**
   * Outputs too large to render without holding the page for seconds (issue 5): a text/html
   * output longer than `maxHtmlOutputChars`, or a clipped stream whose hidden rest is longer than
   * `maxStreamRestChars`, is shown as a note with a "Render it" button (`.nb-large-show`) and its
   * plain-text preview; the renderer renders the cell again without limits when it is pressed
   * (`renderCellInFull`). Unset: no limit (the CLI's standalone page has no script to do that).
   * Trusted HTML with scripts is never deferred, so output scripts keep their order.
   */
  maxHtmlOutputChars?: number;
  maxStreamRestChars?: number;
  /**
   * An output image whose base64 is longer than this is left out of the HTML: its <img> gets
   * `data-nbshield-image="K"` (an attribute the sanitizer never lets an output set) and the image
   * is `images[K]` of createNotebookRenderer, for the renderer to set as a property. Parsing a
   * 20 MB URI as an HTML attribute held the frame for about 240 ms here. Unset: inline.
   */
  largeImageChars?: number;
  /**
   * A `data:` image in Markdown (inline, raw `<img>` or `attachment:`) whose base64 is at least
   * this long is taken out of the text before marked and the sanitizer and put back after them
   * (md-images.ts); over `largeImageChars` it takes the output images' route. Default 1024;
   * Infinity: never (every pass sees the whole URI, as before).
   */
  markdownImageChars?: number;
}

export interface ScriptEntry {
  cellIndex: number;
  outputIndex: number;
  code: string;
  /**
   * 'javascript': an application/javascript output; run it with `element` bound to the container
   * `<div class="nb-js-output" data-script-index="K">` (K = index in `scripts`).
   * 'html-script': a trusted text/html output that contains <script> elements. Its HTML is kept in
   * place inside `<div class="nb-html-output" data-script-index="K">`; scripts inserted through
   * innerHTML do not run, so the sandboxed renderer re-creates each `<script>` element inside that
   * container, in document order. `code` is the inline script text joined (informational).
   */
  kind: 'javascript' | 'html-script' | 'rich';
  /**
   * Set when kind is 'rich': an interactive output drawn by a bundled library (rich.ts) into
   * `<div class="nb-rich-output" data-script-index="K" data-rich="LIBRARY">`. `value` is the
   * output's data for `mime`, shared with the parsed notebook (not copied).
   */
  rich?: RichEntry;
}

/** Which bundled library draws a rich output; see src/core/render/rich.ts. */
export type RichLibrary = 'plotly' | 'vega' | 'widgets' | 'bokeh' | 'bokeh3';

export interface RichEntry {
  library: RichLibrary;
  mime: string;
  value: JsonValue;
  /** The output's metadata (e.g. Vega-Lite's embed options). */
  metadata: Record<string, JsonValue>;
}

export interface HeadingEntry {
  level: number;
  text: string;
  id: string;
  cellIndex: number;
}

export interface RenderResult {
  html: string;
  css: string;
  scripts: ScriptEntry[];
  headings: HeadingEntry[];
}

/** Per-render state shared by all cells of one notebook. */
export interface RenderContext {
  opts: RenderOptions;
  language: string;
  scripts: ScriptEntry[];
  headings: HeadingEntry[];
  /** Heading slugs already used, for -1, -2 suffixes as GitHub does. */
  slugs: Map<string, number>;
  /** KaTeX macros shared by all cells (\\newcommand in one cell works in the next). */
  macros: Record<string, string>;
  /** Large images, by `data-nbshield-image` index (RenderOptions.largeImageChars). */
  images: ImageData[];
}
