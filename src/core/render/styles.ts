// The notebook's CSS: a clean notebook look, light and dark (prefers-color-scheme, or
// data-theme="dark" / "light" on the root or any ancestor), print styles, highlight.js and ANSI
// colours. Self-contained: no fonts or images are loaded.
//
// KaTeX: by default math is KaTeX MathML output, which needs no CSS or fonts. For KaTeX's HTML
// output (mathOutput: 'htmlAndMathml'), the extension build must ship `katex/dist/katex.min.css`
// (KATEX_CSS_MODULE) and the files of `katex/dist/fonts/`; katexCssWithFonts() points the CSS's
// font URLs at wherever the build put them.

import { SANITIZED_CONTAINER_CSS } from '../sanitize';
import { ANSI_NAMES } from './ansi';

export const KATEX_CSS_MODULE = 'katex/dist/katex.min.css';

/** Rewrite katex.min.css's `url(fonts/...)` to `fontBase` (e.g. an extension URL ending in /). */
export function katexCssWithFonts(katexCss: string, fontBase: string): string {
  return katexCss.replace(/url\(fonts\//g, `url(${fontBase}`);
}

const LIGHT = `
  --nb-fg: #1f2328; --nb-bg: #ffffff; --nb-muted: #59636e; --nb-border: #d1d9e0;
  --nb-code-bg: #f6f8fa; --nb-in: #303f9f; --nb-out: #bf360c; --nb-link: #0969da;
  --nb-stderr-bg: #fff5f5; --nb-error-bg: #fff0f0; --nb-note-bg: #fff8c5; --nb-note-border: #d4a72c;
  --hl-keyword: #cf222e; --hl-string: #0a3069; --hl-number: #0550ae; --hl-comment: #59636e;
  --hl-title: #8250df; --hl-built: #953800; --hl-meta: #116329; --hl-attr: #0550ae;
  --ansi-black: #3e424d; --ansi-red: #e75c58; --ansi-green: #00a250; --ansi-yellow: #ddb62b;
  --ansi-blue: #208ffb; --ansi-magenta: #d160c4; --ansi-cyan: #60c6c8; --ansi-white: #c5c1b4;
  --ansi-bright-black: #282c36; --ansi-bright-red: #b22b31; --ansi-bright-green: #007427;
  --ansi-bright-yellow: #b27d12; --ansi-bright-blue: #0065ca; --ansi-bright-magenta: #a03196;
  --ansi-bright-cyan: #258f8f; --ansi-bright-white: #a1a6b2;
`;

const DARK = `
  --nb-fg: #e6edf3; --nb-bg: #0d1117; --nb-muted: #9198a1; --nb-border: #3d444d;
  --nb-code-bg: #151b23; --nb-in: #8c9eff; --nb-out: #ff8a65; --nb-link: #4493f8;
  --nb-stderr-bg: #2d1517; --nb-error-bg: #3c1618; --nb-note-bg: #3b2e00; --nb-note-border: #9e6a03;
  --hl-keyword: #ff7b72; --hl-string: #a5d6ff; --hl-number: #79c0ff; --hl-comment: #8b949e;
  --hl-title: #d2a8ff; --hl-built: #ffa657; --hl-meta: #7ee787; --hl-attr: #79c0ff;
  --ansi-black: #6e7681; --ansi-red: #ff7b72; --ansi-green: #3fb950; --ansi-yellow: #d29922;
  --ansi-blue: #58a6ff; --ansi-magenta: #bc8cff; --ansi-cyan: #39c5cf; --ansi-white: #b1bac4;
  --ansi-bright-black: #8b949e; --ansi-bright-red: #ffa198; --ansi-bright-green: #56d364;
  --ansi-bright-yellow: #e3b341; --ansi-bright-blue: #79c0ff; --ansi-bright-magenta: #d2a8ff;
  --ansi-bright-cyan: #56d4dd; --ansi-bright-white: #ffffff;
`;

const ANSI_CSS = ANSI_NAMES.map(
  (n) =>
    `.nb-notebook .ansi-${n}-fg { color: var(--ansi-${n}); }\n` +
    `.nb-notebook .ansi-${n}-bg { background-color: var(--ansi-${n}); }`,
).join('\n');

export const NOTEBOOK_CSS = `
.nb-notebook { ${LIGHT}
  color: var(--nb-fg); background: var(--nb-bg);
  font: 15px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif;
  max-width: 1100px; margin: 0 auto; padding: 16px; box-sizing: border-box; overflow-wrap: break-word;
}
@media (prefers-color-scheme: dark) {
  .nb-notebook:not([data-theme="light"]):not([data-theme="light"] *) { ${DARK} }
}
[data-theme="dark"] .nb-notebook, .nb-notebook[data-theme="dark"] { ${DARK} }
body.nb-page { margin: 0; background: var(--nb-bg, #fff); }
@media (prefers-color-scheme: dark) { body.nb-page { background: #0d1117; } }
.nb-notebook *, .nb-notebook *::before, .nb-notebook *::after { box-sizing: border-box; }
.nb-notebook a { color: var(--nb-link); }
.nb-notebook pre, .nb-notebook code {
  font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 13px;
}
.nb-cell { position: relative; margin: 0 0 12px; padding: 4px 0; }
.nb-input, .nb-output { display: flex; align-items: flex-start; gap: 8px; min-width: 0; }
.nb-prompt {
  flex: 0 0 80px; text-align: right; font-family: ui-monospace, Menlo, Consolas, monospace;
  font-size: 12px; line-height: 21px; padding-top: 6px; user-select: none; white-space: nowrap;
}
.nb-input-prompt { color: var(--nb-in); }
.nb-output-prompt { color: var(--nb-out); }
.nb-input-area, .nb-output-area { flex: 1 1 auto; min-width: 0; overflow-x: auto; }
.nb-source {
  margin: 0; padding: 8px 10px; background: var(--nb-code-bg); border: 1px solid var(--nb-border);
  border-radius: 6px; overflow-x: auto; white-space: pre; line-height: 1.45;
}
.nb-output-area { padding: 4px 0; }
.nb-output-area > pre, .nb-stream, .nb-text-output, .nb-error, .nb-raw, .nb-markdown-source {
  margin: 0; padding: 2px 10px; white-space: pre-wrap; word-break: break-word; line-height: 1.4;
}
.nb-stderr { background: var(--nb-stderr-bg); }
.nb-error { background: var(--nb-error-bg); }
.nb-raw { background: var(--nb-code-bg); border: 1px dashed var(--nb-border); border-radius: 6px; padding: 8px 10px; }
.nb-markdown-cell { padding-left: 88px; }
.nb-markdown { min-width: 0; }
.nb-markdown h1, .nb-markdown h2 { border-bottom: 1px solid var(--nb-border); padding-bottom: .3em; }
.nb-markdown h1, .nb-markdown h2, .nb-markdown h3, .nb-markdown h4, .nb-markdown h5, .nb-markdown h6 {
  margin: 1em 0 .5em; line-height: 1.25; font-weight: 600;
}
.nb-markdown p, .nb-markdown ul, .nb-markdown ol, .nb-markdown blockquote, .nb-markdown table, .nb-markdown pre {
  margin: 0 0 .8em;
}
.nb-markdown blockquote { padding: 0 1em; color: var(--nb-muted); border-left: .25em solid var(--nb-border); }
.nb-markdown pre { padding: 8px 10px; background: var(--nb-code-bg); border-radius: 6px; overflow-x: auto; }
.nb-markdown :not(pre) > code { padding: .1em .35em; background: var(--nb-code-bg); border-radius: 4px; }
.nb-markdown table, .nb-html-output table { border-collapse: collapse; }
.nb-markdown th, .nb-markdown td { border: 1px solid var(--nb-border); padding: 4px 10px; }
.nb-markdown img, .nb-html-output img { max-width: 100%; }
.nb-markdown li.task-list-item, .nb-markdown input[type="checkbox"] { list-style: none; }
.nb-anchor-link { margin-left: .3em; text-decoration: none; opacity: 0; font-weight: normal; }
h1:hover > .nb-anchor-link, h2:hover > .nb-anchor-link, h3:hover > .nb-anchor-link,
h4:hover > .nb-anchor-link, h5:hover > .nb-anchor-link, h6:hover > .nb-anchor-link,
.nb-anchor-link:focus { opacity: .7; }
.nb-html-output { overflow-x: auto; }
/* pandas DataFrames */
.nb-html-output table.dataframe, .nb-html-output .dataframe { font-size: 12px; border: none; }
.nb-html-output .dataframe th, .nb-html-output .dataframe td {
  padding: 4px 8px; border: none; border-bottom: 1px solid var(--nb-border); text-align: right;
}
.nb-html-output .dataframe thead th { border-bottom: 1px solid var(--nb-fg); }
.nb-html-output .dataframe tbody tr:nth-child(odd) { background: var(--nb-code-bg); }
.nb-image { max-width: 100%; height: auto; display: block; }
.nb-output-area img { background: #fff; }
.nb-rich-output { max-width: 100%; overflow-x: auto; }
/* Plotly figures keep their own (light) template colours: on a light card in the dark theme too. */
.nb-rich-output[data-rich="plotly"] > .nb-rich-target, .nb-html-output .plotly-graph-div { background: #fff; color-scheme: light; }
.nb-json { margin: 0; }
.nb-json > summary { cursor: pointer; color: var(--nb-muted); font-size: 12px; }
.nb-json > pre { margin: 0; padding: 4px 10px; white-space: pre-wrap; }
.nb-placeholder, .nb-notice {
  margin: 4px 0; padding: 6px 10px; font-size: 13px; color: var(--nb-fg); background: var(--nb-note-bg);
  border: 1px solid var(--nb-note-border); border-radius: 6px;
}
.nb-hidden > summary, .nb-stream-more > summary {
  cursor: pointer; color: var(--nb-muted); font-size: 13px; padding: 2px 0 2px 88px;
}
.nb-stream-more > summary { padding-left: 10px; }
.nb-large-show { margin-left: 6px; padding: 1px 10px; font: inherit; cursor: pointer; }
.katex-display { display: block; margin: .8em 0; text-align: center; overflow-x: auto; overflow-y: hidden; }
.nb-notebook math[display="block"] { display: block math; margin: .5em 0; }
.nb-math-error { color: var(--ansi-red); }
.nb-latex-output { padding: 2px 10px; overflow-x: auto; }
/* highlight.js */
.hljs-keyword, .hljs-selector-tag, .hljs-literal, .hljs-doctag, .hljs-type { color: var(--hl-keyword); }
.hljs-string, .hljs-regexp, .hljs-template-tag, .hljs-char.escape_ { color: var(--hl-string); }
.hljs-number, .hljs-symbol, .hljs-bullet, .hljs-variable.constant_ { color: var(--hl-number); }
.hljs-comment, .hljs-quote { color: var(--hl-comment); font-style: italic; }
.hljs-title, .hljs-title.function_, .hljs-title.class_, .hljs-section { color: var(--hl-title); }
.hljs-built_in, .hljs-params { color: var(--hl-built); }
.hljs-meta, .hljs-tag, .hljs-name { color: var(--hl-meta); }
.hljs-attr, .hljs-attribute, .hljs-property, .hljs-variable { color: var(--hl-attr); }
.hljs-emphasis { font-style: italic; } .hljs-strong { font-weight: bold; }
.hljs-addition { color: var(--ansi-green); } .hljs-deletion { color: var(--ansi-red); }
/* ANSI */
${ANSI_CSS}
.nb-notebook .ansi-bold { font-weight: bold; }
.nb-notebook .ansi-dim { opacity: .7; }
.nb-notebook .ansi-italic { font-style: italic; }
.nb-notebook .ansi-underline { text-decoration: underline; }
.nb-notebook .ansi-strikethrough { text-decoration: line-through; }
.nb-notebook .ansi-hidden { visibility: hidden; }
.nb-notebook .ansi-inverse { color: var(--nb-bg); background-color: var(--nb-fg); }
@media (max-width: 640px) {
  .nb-prompt { display: none; }
  .nb-markdown-cell, .nb-hidden > summary { padding-left: 0; }
}
${SANITIZED_CONTAINER_CSS}
@media print {
  .nb-notebook { ${LIGHT} max-width: none; padding: 0; font-size: 11pt; }
  .nb-cell { break-inside: avoid-page; }
  .nb-source, .nb-output-area > pre { white-space: pre-wrap; overflow: visible; }
  .nb-input-area, .nb-output-area { overflow: visible; }
  .nb-anchor-link { display: none; }
  .nb-image { break-inside: avoid; }
}
`;
