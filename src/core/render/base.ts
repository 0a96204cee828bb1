// The renderer: a notebook model -> HTML strings (per cell, for progressive rendering), the
// trusted scripts to run in the sandbox (never run here), the headings, and the page CSS.
// Without KaTeX installed (see ./math and ./index): import './index' unless you load it yourself.

import type { Cell, CodeCell, Notebook, Output, StreamOutput } from '../model';
import { notebookLanguage } from '../notebook';
import { ansiToHtml, applyTerminal } from './ansi';
import { escapeAttr, escapeHtml } from './escape';
import { highlight, hljsLanguage } from './highlight';
import { renderMarkdown } from './markdown';
import { hasMath, hasKatexEngine, setKatexEngine, type KatexEngine } from './math';
import { largeOutputNote, renderBundle } from './mime';
import { NOTEBOOK_CSS } from './styles';
import type { RenderContext, RenderOptions, RenderResult } from './types';

export type { RenderOptions, RenderResult, Sanitizer, ScriptEntry, HeadingEntry } from './types';
export { registerMimeRenderer, type MimeRenderer, type OutputContext } from './mime';
export { NOTEBOOK_CSS, KATEX_CSS_MODULE, katexCssWithFonts } from './styles';
export { hasKatexEngine, setKatexEngine, type KatexEngine };

/**
 * Whether rendering this cell may call KaTeX (math in Markdown, a text/latex output, math in a
 * text/markdown output). It may say yes when the rendering would not (e.g. math inside a code
 * span), never no when it would.
 */
export function cellNeedsMath(cell: Cell): boolean {
  if (cell.cell_type === 'markdown') return hasMath(cell.source);
  if (cell.cell_type !== 'code') return false;
  for (const o of cell.outputs) {
    if (o.output_type !== 'execute_result' && o.output_type !== 'display_data') continue;
    if (o.data['text/latex'] !== undefined) return true;
    const md = o.data['text/markdown'];
    if (md !== undefined && hasMath(typeof md === 'string' ? md : (JSON.stringify(md) ?? '')))
      return true;
  }
  return false;
}

const DEFAULT_MAX_STREAM_LINES = 5000;

function createContext(opts: RenderOptions, language: string): RenderContext {
  return { opts, language, scripts: [], headings: [], slugs: new Map(), macros: {}, images: [] };
}

function notice(message: string): string {
  return `<div class="nb-notice" role="note">${escapeHtml(message)}</div>`;
}

/** Consecutive stream outputs of the same name are shown as one. */
function mergeStreams(outputs: Output[]): Array<{ output: Output; index: number }> {
  const out: Array<{ output: Output; index: number }> = [];
  outputs.forEach((o, index) => {
    const prev = out[out.length - 1];
    if (o.output_type === 'stream' && prev && prev.output.output_type === 'stream') {
      const p = prev.output;
      if (p.name === o.name) {
        prev.output = { ...p, text: p.text + o.text } satisfies StreamOutput;
        return;
      }
    }
    out.push({ output: o, index });
  });
  return out;
}

function renderStream(o: StreamOutput, ctx: RenderContext): string {
  const name = o.name === 'stderr' ? 'stderr' : 'stdout';
  const text = applyTerminal(o.text);
  const max = ctx.opts.maxStreamLines ?? DEFAULT_MAX_STREAM_LINES;
  // Find the cut without splitting the whole text into an array.
  let pos = -1;
  let lines = 0;
  while (lines < max) {
    pos = text.indexOf('\n', pos + 1);
    if (pos < 0) break;
    lines++;
  }
  if (pos < 0 || pos >= text.length - 1) {
    return `<pre class="nb-stream nb-${name}">${ansiToHtml(text)}</pre>`;
  }
  const head = text.slice(0, pos + 1);
  const rest = text.slice(pos + 1);
  let restLines = 1;
  for (let i = rest.indexOf('\n'); i >= 0 && i < rest.length - 1; i = rest.indexOf('\n', i + 1)) {
    restLines++;
  }
  const restLimit = ctx.opts.maxStreamRestChars;
  if (restLimit !== undefined && rest.length > restLimit) {
    return (
      `<pre class="nb-stream nb-${name}">${ansiToHtml(head)}</pre>` +
      `<div class="nb-stream-more nb-large-output">${largeOutputNote(
        `stream's rest (${restLines} more lines)`,
        rest.length,
        `Show all ${restLines} more lines`,
      )}</div>`
    );
  }
  return (
    `<pre class="nb-stream nb-${name}">${ansiToHtml(head)}</pre>` +
    `<details class="nb-stream-more"><summary>show all: ${restLines} more lines</summary>` +
    `<pre class="nb-stream nb-${name}">${ansiToHtml(rest)}</pre></details>`
  );
}

function renderOutput(output: Output, index: number, cell: CodeCell, ctx: RenderContext): string {
  let body: string;
  let prompt = '';
  try {
    switch (output.output_type) {
      case 'stream':
        body = renderStream(output, ctx);
        break;
      case 'error': {
        const tb = output.traceback.length
          ? output.traceback.join('\n')
          : `${output.ename}: ${output.evalue}`;
        body = `<pre class="nb-error">${ansiToHtml(applyTerminal(tb))}</pre>`;
        break;
      }
      case 'execute_result':
      case 'display_data':
        if (output.output_type === 'execute_result') {
          prompt = `Out[${output.execution_count ?? cell.execution_count ?? ' '}]:`;
        }
        body = renderBundle(output.data, {
          ctx,
          cellIndex: cell.index,
          outputIndex: index,
          metadata: output.metadata,
        });
        break;
    }
  } catch (e) {
    // One bad output (e.g. a sanitizer failure on pathological HTML) must not lose the notebook.
    body = notice(
      `This output could not be rendered: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return (
    `<div class="nb-output nb-output-${output.output_type}" data-output-index="${index}">` +
    `<div class="nb-prompt nb-output-prompt">${escapeHtml(prompt)}</div>` +
    `<div class="nb-output-area">${body}</div></div>`
  );
}

function hidden(summary: string, inner: string, cls: string): string {
  return `<details class="nb-hidden ${cls}"><summary>${escapeHtml(summary)}</summary>${inner}</details>`;
}

function cellOpen(cell: Cell, kind: string): string {
  const id = cell.id ? ` data-cell-id="${escapeAttr(cell.id)}"` : '';
  return `<div class="nb-cell nb-${kind}-cell" data-cell-index="${cell.index}" id="cell-${cell.index}"${id}>`;
}

function renderCodeCell(cell: CodeCell, ctx: RenderContext): string {
  const lang = hljsLanguage(ctx.language);
  const count = cell.execution_count ?? ' ';
  let input =
    `<div class="nb-input"><div class="nb-prompt nb-input-prompt">In [${count}]:</div>` +
    `<div class="nb-input-area"><pre class="nb-source"><code class="hljs${lang ? ` language-${lang}` : ''}">` +
    `${highlight(cell.source, ctx.language)}</code></pre></div></div>`;
  if (cell.metadata.jupyter?.source_hidden)
    input = hidden('Code hidden: show', input, 'nb-hidden-input');
  let outputs = '';
  if (cell.outputs.length) {
    outputs = mergeStreams(cell.outputs)
      .map(({ output, index }) => renderOutput(output, index, cell, ctx))
      .join('');
    outputs = `<div class="nb-outputs">${outputs}</div>`;
    if (cell.metadata.jupyter?.outputs_hidden || cell.metadata.collapsed === true) {
      const n = cell.outputs.length;
      outputs = hidden(
        `${n} output${n === 1 ? '' : 's'} hidden: show`,
        outputs,
        'nb-hidden-outputs',
      );
    }
  }
  return `${cellOpen(cell, 'code')}${input}${outputs}</div>`;
}

function renderCellIn(cell: Cell, ctx: RenderContext): string {
  try {
    switch (cell.cell_type) {
      case 'code':
        return renderCodeCell(cell, ctx);
      case 'markdown': {
        let body = `<div class="nb-markdown">${renderMarkdown(cell.source, ctx, cell.attachments, cell.index)}</div>`;
        if (cell.metadata.jupyter?.source_hidden)
          body = hidden('Markdown hidden: show', body, 'nb-hidden-input');
        return `${cellOpen(cell, 'markdown')}${body}</div>`;
      }
      case 'raw':
        // Raw cells are never HTML here: nbconvert's target formats are not ours to guess.
        return `${cellOpen(cell, 'raw')}<pre class="nb-raw">${escapeHtml(cell.source)}</pre></div>`;
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return (
      `${cellOpen(cell, cell.cell_type)}${notice(`This cell could not be rendered: ${msg}`)}` +
      `<pre class="nb-raw">${escapeHtml(cell.source)}</pre></div>`
    );
  }
}

/**
 * A renderer bound to one notebook, for progressive rendering: cells can be rendered one at a
 * time (heading slugs, KaTeX macros and the script list stay shared); `result()` gives what has
 * been collected so far.
 */
export function createNotebookRenderer(nb: Notebook, opts: RenderOptions) {
  const ctx = createContext(opts, opts.language ?? notebookLanguage(nb));
  // Made now: the renderer outlives the render, and holding `nb` would keep the whole parsed
  // notebook (and the text its strings are sliced from) alive with it.
  const rootTag = `<div class="nb-notebook" data-nbformat="${nb.nbformat}.${nb.nbformat_minor}" data-language="${escapeAttr(ctx.language)}">`;
  return {
    renderCell: (cell: Cell): string => renderCellIn(cell, ctx),
    /** The cell again with no size limits (a "Render it" press), in the same context. */
    renderCellInFull: (cell: Cell): string => {
      const { opts } = ctx;
      ctx.opts = { ...opts, maxHtmlOutputChars: undefined, maxStreamRestChars: undefined };
      try {
        return renderCellIn(cell, ctx);
      } finally {
        ctx.opts = opts;
      }
    },
    scripts: ctx.scripts,
    headings: ctx.headings,
    images: ctx.images,
    /** The root element's opening tag; close it with `</div>`. */
    rootOpen: (): string => rootTag,
  };
}

export function renderNotebook(nb: Notebook, opts: RenderOptions): RenderResult {
  const r = createNotebookRenderer(nb, opts);
  const parts = [r.rootOpen()];
  for (const cell of nb.cells) parts.push(r.renderCell(cell));
  parts.push('</div>');
  return { html: parts.join(''), css: NOTEBOOK_CSS, scripts: r.scripts, headings: r.headings };
}

/** One cell on its own (no shared state: its scripts and headings are not reported). */
export function renderCell(cell: Cell, opts: RenderOptions): string {
  return renderCellIn(cell, createContext(opts, opts.language ?? 'python'));
}

function csp(opts: RenderOptions): string {
  const img = opts.allowRemoteImages ? 'img-src data: https: http:' : 'img-src data:';
  if (!opts.trusted) {
    return `default-src 'none'; ${img}; style-src 'unsafe-inline'; font-src data:; base-uri 'none'; form-action 'none'`;
  }
  // Trusted (the user's choice): its scripts may load their libraries from the web.
  return (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval' https: http:; " +
    "style-src 'unsafe-inline' https: http:; img-src data: blob: https: http:; " +
    'font-src data: https: http:; connect-src https: http:; frame-src https: http:; ' +
    "base-uri 'none'; form-action 'none'"
  );
}

function inlineScript(code: string): string {
  // Nothing inside may end the script element early.
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/**
 * A whole self-contained HTML document (the CLI's output). Untrusted: no script at all, nothing
 * remote but images (and those only with allowRemoteImages), enforced by a CSP meta tag too.
 */
export function renderStandalonePage(
  nb: Notebook,
  opts: RenderOptions & {
    title?: string;
    /**
     * KaTeX's CSS with fonts inlined (katexInlineCss() from './katex-node' in Node). When given,
     * math uses KaTeX's HTML layout (unless mathOutput says otherwise), else MathML.
     */
    katexCss?: string;
  },
): string {
  const { katexCss } = opts;
  const mathOutput = opts.mathOutput ?? (katexCss ? 'htmlAndMathml' : 'mathml');
  const r = renderNotebook(nb, { ...opts, mathOutput });
  const css = katexCss && r.html.includes('class="katex') ? `${r.css}\n${katexCss}` : r.css;
  const title = opts.title ?? nb.metadata.title ?? 'Notebook';
  let scripts = '';
  if (opts.trusted) {
    // Trusted text/html scripts run as the page is parsed; application/javascript outputs get
    // their container as `element`, as in Jupyter.
    scripts = r.scripts
      .map((s, k) =>
        s.kind === 'javascript'
          ? `<script>(function (element) {\n${inlineScript(s.code)}\n}).call(window, document.querySelector('[data-script-index="${k}"]'));</script>`
          : '',
      )
      .join('\n');
  }
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n' +
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp(opts))}">\n` +
    '<meta name="referrer" content="no-referrer">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<meta name="generator" content="nbshield">\n' +
    `<title>${escapeHtml(title)}</title>\n<style>${css.replace(/<\/style/gi, '<\\/style')}</style>\n</head>\n` +
    `<body class="nb-page" data-trust="${opts.trusted ? 'trusted' : 'untrusted'}">\n<main>${r.html}</main>\n${scripts}</body></html>\n`
  );
}
