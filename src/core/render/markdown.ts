// Markdown cells and text/markdown outputs: GFM via marked, math protected then rendered with
// KaTeX, `attachment:` images resolved, ALWAYS sanitized (even in a trusted notebook), headings
// given slug ids (prefixed) and a ¶ anchor after sanitizing.

import { Marked, type Tokens } from 'marked';
import type { Attachments } from '../model';
import { exceedsDepth } from './depth';
import { decodeEntities, escapeAttr, escapeHtml } from './escape';
import { highlight, hljsLanguage } from './highlight';
import { removeMath, replaceMath, type MathOptions, type MathSpan } from './math';
import { imageDataUri } from './images';
import type { HeadingEntry, RenderContext } from './types';

// marked is synchronous, so the attachments of the cell being parsed can live here.
let currentAttachments: Attachments | undefined;

function resolveAttachment(ref: string): string | undefined {
  const att = currentAttachments;
  if (!att) return undefined;
  const raw = ref.slice('attachment:'.length);
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // keep raw
  }
  const bundle = att[raw] ?? att[decoded];
  if (!bundle) return undefined;
  for (const mime of Object.keys(bundle)) {
    const uri = imageDataUri(mime, bundle[mime]);
    if (uri) return uri;
  }
  return undefined;
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    image({ href, title, text }: Tokens.Image): string {
      let src = href;
      let alt = text;
      if (href.startsWith('attachment:')) {
        const uri = resolveAttachment(href);
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

const HEADING = /<h([1-6])(\s[^>]*)?>([\s\S]*?)<\/h\1>/gi;

function addHeadingAnchors(
  html: string,
  math: MathSpan[],
  ctx: RenderContext,
  cellIndex: number | undefined,
): string {
  return html.replace(HEADING, (_m, lvl: string, attrs: string | undefined, inner: string) => {
    const text = decodeEntities(
      inner
        .replace(/<[^>]*>/g, '')
        .replace(/@@(\d+)@@/g, (_p, k: string) => math[Number(k)]?.tex ?? ''),
    )
      .replace(/\s+/g, ' ')
      .trim();
    const existing = /\sid="([^"]*)"/.exec(attrs ?? '');
    let id: string;
    let open: string;
    if (existing && existing[1]) {
      id = decodeEntities(existing[1]);
      open = `<h${lvl}${attrs ?? ''}>`;
    } else {
      const base = slugify(text);
      const n = ctx.slugs.get(base) ?? 0;
      ctx.slugs.set(base, n + 1);
      id = ctx.opts.idPrefix + (n ? `${base}-${n}` : base);
      open = `<h${lvl} id="${escapeAttr(id)}"${attrs ?? ''}>`;
    }
    if (cellIndex !== undefined) {
      const entry: HeadingEntry = { level: Number(lvl), text, id, cellIndex };
      ctx.headings.push(entry);
    }
    const anchor = `<a class="nb-anchor-link" href="#${escapeAttr(id)}" aria-label="Link to this heading">¶</a>`;
    return `${open}${inner}${anchor}</h${lvl}>`;
  });
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
  const { text, math } = removeMath(source);
  currentAttachments = attachments;
  let html: string | undefined;
  try {
    html = markdownToHtml(text);
    if (html !== undefined && attachments) {
      html = html.replace(RAW_ATTACHMENT, (m, pre: string, _q: string, ref: string) => {
        const uri = resolveAttachment(decodeEntities(ref));
        return uri ? `${pre}"${uri}"` : m;
      });
    }
  } finally {
    currentAttachments = undefined;
  }
  if (html === undefined || exceedsDepth(html)) {
    return (
      '<div class="nb-notice">This Markdown is nested too deeply to render; shown as text.</div>' +
      `<pre class="nb-markdown-source">${escapeHtml(source)}</pre>`
    );
  }
  const clean = ctx.opts.sanitizer.markdownHtml(html);
  const anchored = addHeadingAnchors(clean, math, ctx, cellIndex);
  return replaceMath(anchored, math, mathOptions(ctx));
}
