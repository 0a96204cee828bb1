// Markdown cells and text/markdown outputs: GFM via marked, math protected then rendered with
// KaTeX, `attachment:` images resolved, ALWAYS sanitized (even in a trusted notebook), headings
// given slug ids (prefixed) and a ¶ anchor after sanitizing.

import { Marked, type Tokens } from 'marked';
import type { Attachments } from '../model';
import { exceedsDepth } from './depth';
import { decodeEntities, escapeAttr, escapeHtml } from './escape';
import { highlight, hljsLanguage } from './highlight';
import { RAW_TEXT, removeMath, replaceMath, type MathOptions, type MathSpan } from './math';
import { extractMarkdownImages, type MarkdownImages } from './md-images';
import type { HeadingEntry, RenderContext } from './types';

// marked is synchronous, so the images of the cell being parsed can live here.
let currentImages: MarkdownImages | undefined;

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    image({ href, title, text }: Tokens.Image): string {
      let src = href;
      let alt = text;
      if (href.startsWith('attachment:')) {
        const uri = currentImages?.attachment(href);
        if (uri) src = uri;
        else {
          // No src: the browser shows the alt text as a broken image.
          src = '';
          alt = `[missing attachment: ${href.slice('attachment:'.length)}] ${text}`.trim();
        }
      }
      const t = title ? ` title="${escapeAttr(title)}"` : '';
      return `<img src="${escapeAttr(src)}" alt="${escapeAttr(alt)}"${t}>`;
    },
    code({ text, lang }: Tokens.Code): string {
      const l = hljsLanguage((lang ?? '').split(/\s/)[0]);
      const cls = l ? ` class="hljs language-${l}"` : '';
      return `<pre><code${cls}>${highlight(text.replace(/\n$/, ''), l)}</code></pre>\n`;
    },
  },
});

// Raw HTML <img src="attachment:..."> in Markdown, resolved before sanitizing.
const RAW_ATTACHMENT = /(<img\b[^>]*?\ssrc\s*=\s*)(["']?)(attachment:[^"'\s>]*)\2/gi;

// marked overflows the stack at ~2,000 nested quotes / 5,000 nested list markers: refuse earlier.
const DEEP_QUOTES = /^(?:[ \t]*>){100}/m;
const DEEP_LISTS = /^(?:[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+){100}/m;

function markdownToHtml(source: string): string | undefined {
  if (DEEP_QUOTES.test(source) || DEEP_LISTS.test(source)) return undefined;
  try {
    return marked.parse(source, { async: false });
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

function slugify(text: string): string {
  const s = text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
    .replace(/\s/g, '-');
  return s || 'section';
}

// Tags as whole tokens (quoted attribute values included), so nothing inside an attribute value
// or a raw-text element is ever taken for a heading.
const TAG = /<!--[\s\S]*?-->|<(\/?)([a-zA-Z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;

function addHeadingAnchors(
  html: string,
  math: MathSpan[],
  ctx: RenderContext,
  cellIndex: number | undefined,
  restore: (s: string) => string,
): string {
  let out = '';
  let last = 0;
  let rawUntil: string | null = null;
  let open: { level: number; attrs: string; tagStart: number; innerStart: number } | null = null;
  for (const m of html.matchAll(TAG)) {
    const name = m[2]?.toLowerCase();
    if (name === undefined) continue; // a comment
    const closing = m[1] === '/';
    if (rawUntil) {
      if (closing && name === rawUntil) rawUntil = null;
      continue;
    }
    if (!closing && RAW_TEXT.has(name)) {
      rawUntil = name;
      continue;
    }
    if (!/^h[1-6]$/.test(name)) continue;
    const level = Number(name[1]);
    if (!closing && !open) {
      open = { level, attrs: m[3] ?? '', tagStart: m.index, innerStart: m.index + m[0].length };
    } else if (closing && open && level === open.level) {
      const inner = html.slice(open.innerStart, m.index);
      out += html.slice(last, open.tagStart) + heading(open.level, open.attrs, inner);
      last = m.index + m[0].length;
      open = null;
    }
  }
  return last === 0 ? html : out + html.slice(last);

  function heading(level: number, attrs: string, inner: string): string {
    const text = decodeEntities(
      restore(inner)
        .replace(/<[^>]*>/g, '')
        .replace(/@@(\d+)@@/g, (_p, k: string) => math[Number(k)]?.tex ?? ''),
    )
      .replace(/\s+/g, ' ')
      .trim();
    const existing = /\sid="([^"]*)"/.exec(attrs);
    let id: string;
    let openTag: string;
    if (existing && existing[1]) {
      id = decodeEntities(restore(existing[1]));
      openTag = `<h${level}${attrs}>`;
    } else {
      const base = slugify(text);
      const n = ctx.slugs.get(base) ?? 0;
      ctx.slugs.set(base, n + 1);
      id = ctx.opts.idPrefix + (n ? `${base}-${n}` : base);
      openTag = `<h${level} id="${escapeAttr(id)}"${attrs}>`;
    }
    if (cellIndex !== undefined) {
      const entry: HeadingEntry = { level, text, id, cellIndex };
      ctx.headings.push(entry);
    }
    const anchor = `<a class="nb-anchor-link" href="#${escapeAttr(id)}" aria-label="Link to this heading">¶</a>`;
    return `${openTag}${inner}${anchor}</h${level}>`;
  }
}

export function mathOptions(ctx: RenderContext): MathOptions {
  return { output: ctx.opts.mathOutput ?? 'mathml', macros: ctx.macros };
}

/** Markdown -> sanitized HTML with math and heading anchors. */
export function renderMarkdown(
  source: string,
  ctx: RenderContext,
  attachments?: Attachments,
  cellIndex?: number,
): string {
  // Big data: images leave the text here and come back after sanitizing (md-images.ts).
  const images = extractMarkdownImages(source, attachments, ctx.opts.markdownImageChars);
  const { text, math } = removeMath(images.text);
  images.restoreMath(math);
  currentImages = images;
  let html: string | undefined;
  try {
    html = markdownToHtml(text);
    if (html !== undefined && attachments) {
      html = html.replace(RAW_ATTACHMENT, (m, pre: string, _q: string, ref: string) => {
        const uri = images.attachment(decodeEntities(ref));
        return uri ? `${pre}"${uri}"` : m;
      });
    }
  } finally {
    currentImages = undefined;
  }
  if (html === undefined || exceedsDepth(html)) {
    return (
      '<div class="nb-notice">This Markdown is nested too deeply to render; shown as text.</div>' +
      `<pre class="nb-markdown-source">${escapeHtml(source)}</pre>`
    );
  }
  const clean = ctx.opts.sanitizer.markdownHtml(html);
  const anchored = addHeadingAnchors(clean, math, ctx, cellIndex, images.restore);
  const out = replaceMath(anchored, math, mathOptions(ctx));
  return images.putBack(out, ctx.images, ctx.opts.largeImageChars);
}
