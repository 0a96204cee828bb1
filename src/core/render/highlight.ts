// Syntax highlighting with highlight.js core and a fixed set of common notebook languages only
// (keeps the bundle small). hljs escapes its input; its output is spans with hljs-* classes.

import type { LanguageFn } from 'highlight.js';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import haskell from 'highlight.js/lib/languages/haskell';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import julia from 'highlight.js/lib/languages/julia';
import kotlin from 'highlight.js/lib/languages/kotlin';
import latex from 'highlight.js/lib/languages/latex';
import markdown from 'highlight.js/lib/languages/markdown';
import matlab from 'highlight.js/lib/languages/matlab';
import python from 'highlight.js/lib/languages/python';
import r from 'highlight.js/lib/languages/r';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import scala from 'highlight.js/lib/languages/scala';
import sql from 'highlight.js/lib/languages/sql';
import stata from 'highlight.js/lib/languages/stata';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { escapeHtml } from './escape';

const LANGS: Record<string, LanguageFn> = {
  bash,
  c,
  cpp,
  csharp,
  css,
  diff,
  go,
  haskell,
  java,
  javascript,
  json,
  julia,
  kotlin,
  latex,
  markdown,
  matlab,
  python,
  r,
  ruby,
  rust,
  scala,
  sql,
  stata,
  typescript,
  xml,
  yaml,
};

// Registering a language runs its definition (tens of objects and regexes each): done on first
// use, not at start-up (issue 5: the renderer frame's start-up and baseline heap). The two tables
// below say without running them what the definitions declare (highlight.test.ts checks that):
// their own aliases, and the languages they embed (`subLanguage`), which must be registered too
// or the embedded part would come out plain.
const LANGUAGE_ALIASES: Record<string, string> = {
  sh: 'bash',
  zsh: 'bash',
  h: 'c',
  cc: 'cpp',
  'c++': 'cpp',
  'h++': 'cpp',
  hpp: 'cpp',
  hh: 'cpp',
  hxx: 'cpp',
  cxx: 'cpp',
  cs: 'csharp',
  'c#': 'csharp',
  patch: 'diff',
  golang: 'go',
  hs: 'haskell',
  jsp: 'java',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsonc: 'json',
  json5: 'json',
  kt: 'kotlin',
  kts: 'kotlin',
  ktm: 'kotlin',
  ktx: 'kotlin',
  tex: 'latex',
  md: 'markdown',
  mkdown: 'markdown',
  mkd: 'markdown',
  py: 'python',
  gyp: 'python',
  ipython: 'python',
  rb: 'ruby',
  gemspec: 'ruby',
  podspec: 'ruby',
  thor: 'ruby',
  irb: 'ruby',
  rs: 'rust',
  do: 'stata',
  ado: 'stata',
  ts: 'typescript',
  tsx: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  html: 'xml',
  xhtml: 'xml',
  rss: 'xml',
  atom: 'xml',
  xjb: 'xml',
  xsd: 'xml',
  xsl: 'xml',
  plist: 'xml',
  wsf: 'xml',
  svg: 'xml',
  yml: 'yaml',
};
const EMBEDS: Record<string, string[]> = {
  javascript: ['xml', 'css'],
  typescript: ['xml', 'css'],
  markdown: ['xml'],
  xml: ['css', 'javascript'],
  yaml: ['ruby'],
};

/** table[key] for the table's own keys only: a notebook's language may be `constructor`. */
function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function ensureRegistered(name: string): void {
  if (hljs.getLanguage(name)) return;
  const def = own(LANGS, name);
  if (def === undefined) return;
  hljs.registerLanguage(name, def);
  for (const dep of own(EMBEDS, name) ?? []) ensureRegistered(dep);
}

/** The language names and aliases the tables above know, for tests. */
export const KNOWN_LANGUAGES = { definitions: LANGS, aliases: LANGUAGE_ALIASES, embeds: EMBEDS };

// Kernel language names and magics -> highlight.js names.
const ALIASES: Record<string, string> = {
  python2: 'python',
  python3: 'python',
  ipython: 'python',
  ipython3: 'python',
  py: 'python',
  'c++': 'cpp',
  'c++11': 'cpp',
  'c++14': 'cpp',
  'c++17': 'cpp',
  'c++20': 'cpp',
  cxx: 'cpp',
  'c#': 'csharp',
  js: 'javascript',
  node: 'javascript',
  nodejs: 'javascript',
  ts: 'typescript',
  sh: 'bash',
  shell: 'bash',
  zsh: 'bash',
  script: 'bash',
  html: 'xml',
  svg: 'xml',
  tex: 'latex',
  octave: 'matlab',
  ir: 'r',
  md: 'markdown',
};

export function hljsLanguage(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const lower = name.toLowerCase().trim();
  const resolved = own(ALIASES, lower) ?? lower;
  if (own(LANGS, resolved) !== undefined) return resolved;
  // As hljs.getLanguage would: a definition's own alias (`html` -> xml); the name it gives back
  // is the alias, as before, since highlight() resolves it again.
  return own(LANGUAGE_ALIASES, resolved) !== undefined ? resolved : undefined;
}

/** Highlight limit: beyond this a source is shown escaped only (highlighting is linear but slow). */
const MAX_HIGHLIGHT = 200_000;

/** Escaped, highlighted HTML for `code` (no wrapper element). */
export function highlight(code: string, language: string | undefined): string {
  let lang = hljsLanguage(language);
  let body = code;
  let magic = '';
  // A cell magic (%%bash, %%sql, %%javascript, ...) switches the language of the rest of the cell.
  const m = /^(%%([A-Za-z+#]+)[^\n]*\n)/.exec(code);
  if (m && m[1] && m[2]) {
    const cellLang = hljsLanguage(m[2]);
    if (cellLang) {
      magic = `<span class="hljs-meta">${escapeHtml(m[1])}</span>`;
      body = code.slice(m[1].length);
      lang = cellLang;
    }
  }
  if (!lang || body.length > MAX_HIGHLIGHT) return magic + escapeHtml(body);
  ensureRegistered(own(LANGUAGE_ALIASES, lang) ?? lang);
  try {
    return magic + hljs.highlight(body, { language: lang, ignoreIllegals: true }).value;
  } catch {
    return magic + escapeHtml(body);
  }
}
