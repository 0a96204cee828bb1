// renderer-katex.js: KaTeX for the sandboxed renderer, loaded by ./engines.ts only for a notebook
// with math (issue 5: it is half of what the frame would otherwise parse and keep at start-up).
import katex from 'katex';

(window as Window & { __nbshieldKatex?: typeof katex }).__nbshieldKatex = katex;
