// Math in Markdown: protected from marked first (a port of Jupyter's remove_math/replace_math),
// then rendered with KaTeX and put back AFTER the Markdown HTML has been sanitized. KaTeX output is
// ours (trust: false, limits on expansion and size), so it is inserted only in text context: a
// placeholder that ended up inside a tag, a raw-text element or code gets the escaped TeX source.
//
// KaTeX itself is not imported here: it is half of the sandboxed renderer's bundle and of its
// start-up heap, and most notebooks have no math (issue 5). `./index` installs it for Node, the
// CLI and tests; the renderer frame loads it on demand (src/renderer/engines.ts) before it renders
// a cell for which `cellNeedsMath` (./base) is true.

import type { KatexOptions } from 'katex';
import { escapeHtml } from './escape';

/** What we use of KaTeX: `katex` itself, or the copy the renderer loaded. */
export interface KatexEngine {
  renderToString(tex: string, options: KatexOptions): string;
}

let engine: KatexEngine | null = null;

export function setKatexEngine(k: KatexEngine | null): void {
  engine = k;
}

export function hasKatexEngine(): boolean {
  return engine !== null;
}

/**
 * Whether rendering `text` as Markdown would call KaTeX: it has a math span. Without `$` or `\`
 * there can be none (every delimiter has one), which skips the split for most cells.
 */
export function hasMath(text: string): boolean {
  if (!text.includes('$') && !text.includes('\\')) return false;
  return removeMath(text).math.some((s) => !s.literal);
}

export interface MathSpan {
  /** The TeX source with its delimiters, as the user wrote it. */
  source: string;
  /** The TeX for KaTeX (delimiters stripped, environments kept). */
  tex: string;
  display: boolean;
  /** A literal `@@N@@` the user wrote: restored as text. */
  literal?: boolean;
}

const MATHSPLIT =
  /(\$\$?|\\(?:begin|end)\{[a-z]*\*?\}|\\[{}$]|[{}]|(?:\n\s*)+|@@\d+@@|\\{1,2}[()[\]])/i;

function regexSplit(text: string, re: RegExp): string[] {
  // String.split with a capture group alternates text and delimiters, like Jupyter's regex_split.
  return text.split(new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g'));
}

export function removeMath(text: string): { text: string; math: MathSpan[] } {
  const math: MathSpan[] = [];
  let deTilde = (t: string) => t;
  // Dollars inside code spans and fenced code are not math.
  if (/`/.test(text)) {
    text = text
      .replace(/~/g, '~T')
      .replace(/^(```|~T~T~T)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, (m) => m.replace(/\$/g, '~D'))
      .replace(/(^|[^\\])(`+)([^\n]*?[^`\n])\2(?!`)/gm, (m) => m.replace(/\$/g, '~D'));
    deTilde = (t) => t.replace(/~([TD])/g, (_m, c: string) => (c === 'T' ? '~' : '$'));
  }
  let blocks = regexSplit(text.replace(/\r\n?/g, '\n'), MATHSPLIT);
  let start: number | null = null;
  let end: string | null = null;
  let last: number | null = null;
  let braces = 0;

  const processMath = (i: number, j: number) => {
    const source = deTilde(blocks.slice(i, j + 1).join(''));
    const open = blocks[i] ?? '';
    let tex = source;
    let display = true;
    if (open === '$') {
      tex = source.slice(1, -1);
      display = false;
    } else if (open === '$$') tex = source.slice(2, -2);
    else if (open === '\\(' || open === '\\\\(') {
      tex = source.slice(open.length, -open.length);
      display = false;
    } else if (open === '\\[' || open === '\\\\[') tex = source.slice(open.length, -open.length);
    for (let k = j; k > i; k--) blocks[k] = '';
    blocks[i] = `@@${math.length}@@`;
    math.push({ source, tex, display });
  };

  for (let i = 1, m = blocks.length; i < m; i += 2) {
    const block = blocks[i] ?? '';
    if (block.charAt(0) === '@') {
      blocks[i] = `@@${math.length}@@`;
      math.push({ source: block, tex: block, display: false, literal: true });
    } else if (start !== null) {
      if (block === end) {
        if (braces) last = i;
        else {
          processMath(start, i);
          start = end = last = null;
        }
      } else if (/\n.*\n/.test(block)) {
        if (last !== null) {
          i = last;
          processMath(start, i);
        }
        start = end = last = null;
        braces = 0;
      } else if (block === '{') braces++;
      else if (block === '}' && braces) braces--;
    } else if (block === '$' || block === '$$') {
      start = i;
      end = block;
      braces = 0;
    } else if (/^\\{1,2}[([]$/.test(block)) {
      // \( \[ and, as Jupyter also accepts (Markdown eats one backslash), \\( \\[
      start = i;
      end = block.slice(0, -1) + (block.endsWith('(') ? ')' : ']');
      braces = 0;
    } else if (block.slice(1, 6) === 'begin') {
      start = i;
      end = '\\end' + block.slice(6);
      braces = 0;
    }
  }
  if (last !== null && start !== null) processMath(start, last);
  blocks = blocks.map((b) => b);
  return { text: deTilde(blocks.join('')), math };
}

export interface MathOptions {
  output: 'mathml' | 'htmlAndMathml';
  /** Shared by the cells of one notebook, so \newcommand in one cell works in the next. */
  macros: Record<string, string>;
}

export function renderTex(tex: string, display: boolean, o: MathOptions): string {
  const html = katexOrFallback(tex, display, o);
  // `$\begin{align}..\end{align}$` is common in notebooks (MathJax allows it): retry as display.
  if (!display && html.includes('katex-error') && /\\begin\{/.test(tex)) {
    const again = katexOrFallback(tex, true, o);
    if (!again.includes('katex-error')) return again;
  }
  return html;
}

function katexOrFallback(tex: string, display: boolean, o: MathOptions): string {
  // Outside the try: a missing engine is our bug, not the TeX's; the cell shows it as a notice.
  const katex = engine;
  if (katex === null) throw new Error('the math renderer (KaTeX) is not loaded');
  try {
    return katex.renderToString(tex, {
      displayMode: display,
      output: o.output,
      throwOnError: false,
      trust: false,
      strict: 'ignore',
      maxExpand: 1000,
      maxSize: 50,
      macros: o.macros,
      globalGroup: true,
    });
  } catch {
    // KaTeX errors are rendered inline (throwOnError: false); anything else (e.g. too many
    // expansions) shows the source.
    return `<code class="nb-math-error">${escapeHtml(tex)}</code>`;
  }
}

export const RAW_TEXT = new Set([
  'style',
  'script',
  'textarea',
  'title',
  'xmp',
  'iframe',
  'noembed',
  'noframes',
  'noscript',
  'plaintext',
]);
const NO_MATH = new Set(['code', 'pre', 'kbd', 'samp']);

const TOKENS = /<!--[\s\S]*?-->|<(\/?)([a-zA-Z][^\s/>]*)(?:[^>"']|"[^"]*"|'[^']*')*>|@@(\d+)@@/g;

/** Put rendered math back into sanitized HTML, in text context only. */
export function replaceMath(html: string, math: MathSpan[], o: MathOptions): string {
  if (!math.length) return html;
  let rawUntil: string | null = null;
  let noMath = 0;
  return html.replace(TOKENS, (m: string, close: string, name: string | undefined, n: string) => {
    const lower = name?.toLowerCase();
    if (lower !== undefined) {
      if (rawUntil) {
        if (close && lower === rawUntil) rawUntil = null;
      } else if (!close && RAW_TEXT.has(lower)) rawUntil = lower;
      else if (NO_MATH.has(lower)) noMath = Math.max(0, noMath + (close ? -1 : 1));
      // Inside a tag: a placeholder can only sit in a quoted attribute value; give its source.
      return m.replace(/@@(\d+)@@/g, (_p, k: string) => escapeHtml(math[Number(k)]?.source ?? ''));
    }
    if (n === undefined)
      return m.replace(/@@(\d+)@@/g, (_p, k: string) => escapeHtml(math[Number(k)]?.source ?? ''));
    const span = math[Number(n)];
    if (!span) return m;
    if (span.literal || rawUntil || noMath > 0) return escapeHtml(span.source);
    return renderTex(span.tex, span.display, o);
  });
}

/** text/latex output: math segments rendered, the rest escaped; no delimiters = display math. */
export function renderLatexText(text: string, o: MathOptions): string {
  const { text: rest, math } = removeMath(text);
  if (!math.some((s) => !s.literal)) return renderTex(text.trim(), true, o);
  return replaceMath(escapeHtml(rest), math, o);
}
