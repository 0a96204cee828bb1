// Big images in Markdown kept off the sanitizer's path (issue 5: renderer heap). A 977 KB
// `![](data:image/png;base64,…)` was copied by removeMath, marked's tokens and HTML, DOMPurify's
// tree and output, the stability re-parse, the heading scan and the cell's HTML. Here each
// validated payload is swapped for a short token before any of that, and put back at the end.
//
// Only the payload is swapped, never the `data:image/…;base64,` before it, and the token is made
// of base64 letters and digits, so every pass (marked, DOMPurify and its URL rules, the CSS
// filter, the stability check) treats the token exactly as it treated the payload: whatever
// context the URI lands in (an <img src>, a link the sanitizer drops, a code span, an alt text),
// the output is today's with the token in the payload's place. The put-back then writes the
// payload (base64 letters only: nothing it contains can leave a text or attribute context) in the
// token's place, or, for an image over `largeImageChars` left by the sanitizer as an <img src>
// of exactly its placeholder, swaps that attribute for `data-nbshield-image` (the renderer's
// route for big output images: a blob: URL, the base64 never parsed as HTML).
//
// The token is random per Markdown render, so a notebook cannot name one; a text that happens to
// contain it is rendered the old way.

import type { Attachments } from '../model';
import { imageData, type ImageData } from './images';
import type { MathSpan } from './math';
import { RAW_TEXT } from './math';

/** Default RenderOptions.markdownImageChars: below it the token would save nothing. */
export const MARKDOWN_IMAGE_CHARS = 1024;

// `data:<type>;base64,` and the longest run of base64 characters after it (so a token can
// replace exactly that run); imageData then checks the type and the base64 strictly.
const DATA_IMAGE = /(data:([a-zA-Z0-9.+-]+\/[a-zA-Z0-9.+-]+);base64,)([A-Za-z0-9+/=]+)/g;

// The CSS filter drops a declaration whose value says `behavior`, even inside a data: URI: a
// payload with those letters is left in place, so that a style attribute holding it is dropped
// as before.
const CSS_WORD = /behavior/i;

interface Entry {
  image: ImageData;
  /** What stood before the payload in the text: `data:<type>;base64,`. */
  prefix: string;
}

export interface MarkdownImages {
  /** The text with every extracted payload replaced by its token. */
  readonly text: string;
  /** An `attachment:` image: the URI to write (a placeholder when it is big), or undefined. */
  attachment(ref: string): string | undefined;
  /** `s` with every token back to its payload (heading text, math source). */
  restore(s: string): string;
  /** Math spans whose source held a token get it back (math is rendered from the original). */
  restoreMath(math: MathSpan[]): void;
  /**
   * The sanitized HTML with the payloads back: a big image the sanitizer left as an `<img>`
   * whose src is exactly its placeholder gets `data-nbshield-image` (index into `images`)
   * instead of a src; every other token becomes its payload again.
   */
  putBack(html: string, images: ImageData[], largeImageChars: number | undefined): string;
}

function randomToken(): string {
  const words = crypto.getRandomValues(new Uint32Array(3));
  // Letters and digits only, and it ends in a letter so the index that follows is delimited.
  return `nbImg${Array.from(words, (w) => w.toString(36)).join('z')}Q`;
}

/** Attachment names as Markdown writes them: raw or percent-encoded. */
function findAttachment(att: Attachments, ref: string): ImageData | undefined {
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
    const image = imageData(mime, bundle[mime]);
    if (image) return image;
  }
  return undefined;
}

/** Takes the big data: images out of `source` (see the header). */
export function extractMarkdownImages(
  source: string,
  attachments: Attachments | undefined,
  minChars: number = MARKDOWN_IMAGE_CHARS,
): MarkdownImages {
  const token = randomToken();
  const entries: Entry[] = [];
  // A text that already holds the token (it cannot know it; a fixed RNG could) keeps its images.
  const usable = !source.includes(token);
  const text =
    usable && source.includes('data:')
      ? source.replace(DATA_IMAGE, (m: string, prefix: string, mime: string, payload: string) => {
          if (payload.length < minChars || CSS_WORD.test(payload)) return m;
          const image = imageData(mime, payload);
          // A payload that is not strict base64 (or not an allowed image type) stays as it is.
          if (!image || image.base64 !== payload) return m;
          entries.push({ image, prefix });
          return prefix + token + String(entries.length - 1);
        })
      : source;
  const TOKEN_RE = new RegExp(`${token}(\\d+)`, 'g');
  const payloadOf = (k: string): string | undefined => entries[Number(k)]?.image.base64;
  const restore = (s: string): string =>
    entries.length === 0 || !s.includes(token)
      ? s
      : s.replace(TOKEN_RE, (m: string, k: string) => payloadOf(k) ?? m);

  return {
    text,
    attachment(ref) {
      if (!attachments) return undefined;
      const image = findAttachment(attachments, ref);
      if (!image) return undefined;
      const prefix = `data:${image.type};base64,`;
      if (!usable || image.base64.length < minChars) return prefix + image.base64;
      entries.push({ image, prefix });
      return prefix + token + String(entries.length - 1);
    },
    restore,
    restoreMath(math) {
      if (entries.length === 0) return;
      for (const span of math) {
        span.source = restore(span.source);
        span.tex = restore(span.tex);
      }
    },
    putBack(html, images, largeImageChars) {
      if (entries.length === 0) return html;
      const out =
        largeImageChars !== undefined &&
        entries.some((e) => e.image.base64.length > largeImageChars)
          ? bigImagesOut(html, token, entries, images, largeImageChars)
          : html;
      return restore(out);
    },
  };
}

// Tags as whole tokens (quoted values included), comments, as in math.ts: a `<` in sanitized
// HTML outside a tag is always escaped, so a match is a real tag of the serialized tree.
const TAGS = /<!--[\s\S]*?-->|<(\/?)([a-zA-Z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
// The serializer writes every attribute as name="value" (a `"` in a value as &quot;), or a bare
// name: read them in order, so nothing inside one value is taken for another attribute.
const ATTR = /\s+([^\s"'>/=]+)(?:="([^"]*)")?/gy;
/** The <img>s whose src is exactly a big image's placeholder: src -> data-nbshield-image. */
function bigImagesOut(
  html: string,
  token: string,
  entries: Entry[],
  images: ImageData[],
  largeImageChars: number,
): string {
  let rawUntil: string | null = null;
  return html.replace(TAGS, (m: string, close: string, name: string | undefined, attrs: string) => {
    const lower = name?.toLowerCase();
    if (lower === undefined) return m;
    if (rawUntil) {
      if (close && lower === rawUntil) rawUntil = null;
      return m;
    }
    if (!close && RAW_TEXT.has(lower)) {
      rawUntil = lower;
      return m;
    }
    if (close || lower !== 'img' || !attrs.includes(token)) return m;
    ATTR.lastIndex = 0;
    for (let a = ATTR.exec(attrs); a !== null; a = ATTR.exec(attrs)) {
      if (a[1]!.toLowerCase() !== 'src') continue;
      const value = a[2] ?? '';
      const at = value.indexOf(token);
      const k = at > 0 ? value.slice(at + token.length) : '';
      const entry = /^\d+$/.test(k) ? entries[Number(k)] : undefined;
      if (!entry || value !== entry.prefix + token + k) return m;
      if (entry.image.base64.length <= largeImageChars) return m;
      const j = images.push(entry.image) - 1;
      const before = attrs.slice(0, a.index);
      const after = attrs.slice(a.index + a[0].length);
      return `<${name}${before} data-nbshield-image="${j}"${after}>`;
    }
    return m;
  });
}
