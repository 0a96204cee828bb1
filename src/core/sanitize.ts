// THE one sanitizer configuration: the only path for untrusted HTML, SVG and Markdown output.
//
// DOMPurify 3.x does the parsing and the namespace/mXSS checks. On top of its defaults this
// module adds: no submitting forms, no <base>/<meta>/<link>/frames/plugins, no inline SVG or
// MathML (inline <svg> becomes an <img> of itself, which cannot run script), filtered and scoped
// CSS, ids and names prefixed against DOM clobbering (with #links rewritten to match), a strict
// URL policy for links and media, and a switch for remote images.
//
// Two DOMPurify instances per created sanitizer (one per configuration, fixed by setConfig), bound
// to the given window, with the same hooks on both, so the hooks never leak into unrelated uses of
// DOMPurify in the same realm and no call re-parses its configuration.

import createDOMPurify from 'dompurify';
import type { Config, DOMPurify } from 'dompurify';

export const sanitizerVersion: string = createDOMPurify.version;

export interface SanitizerOptions {
  /** Remote http(s) images (img, srcset, poster, CSS backgrounds). Off: a visible placeholder. */
  allowRemoteImages: boolean;
  /** Prefix for every id/name (and the #fragment links pointing at them), e.g. `nb-`. */
  idPrefix: string;
  /**
   * Optional base URL (the notebook's own URL) against which relative href/src are resolved, so
   * relative links and images point where the notebook author meant. Without it, relative URLs
   * are left as they are.
   */
  baseUrl?: string;
  /**
   * Optional: how this environment re-reads markup as a `<div>`'s innerHTML (HTML namespace,
   * no-quirks document) and serializes it back, for the stability check below. Without it, the
   * window's own DOM does it (an inert document). Node passes parse5 itself (the parser jsdom
   * runs, without jsdom's node objects: the check was as costly as DOMPurify's own parse).
   */
  reparse?: (markup: string) => string;
  /**
   * Optional: how this environment parses a text/html string into a Document, in place of the
   * window's `DOMParser` in DOMPurify's own parse (DOMPurify still decides everything else: the
   * `<remove></remove>` prefix, the body it keeps, markup without `<` left unparsed). It must
   * build the tree that `DOMParser` would (scripting disabled), as a Document of this window;
   * if it throws, the window's `DOMParser` parses that string. Node passes parse5's own tree
   * built into jsdom nodes: jsdom's parse appends text one parse5 token at a time, each append a
   * `replaceData` with its mutation record and live-range updates.
   */
  parseHtml?: (markup: string) => Document;
}

export interface Sanitizer {
  /** Untrusted output HTML (text/html of an untrusted notebook). */
  html(dirty: string): string;
  /** HTML produced by marked from a Markdown cell (always untrusted). Same policy, stricter. */
  markdownHtml(dirty: string): string;
  /** An untrusted SVG document shown as an image: `<img src="data:image/svg+xml;base64,...">`. */
  svgAsImage(svgText: string, alt?: string): string;
}

/** Class on the element every sanitized fragment is wrapped in. */
export const SANITIZED_CONTAINER_CLASS = 'nb-sanitized';

/**
 * CSS the renderer should include once: keeps absolutely positioned or z-indexed content of one
 * output inside its own box (it can neither cover other cells nor fake page UI outside it).
 */
const CONTAINER_STYLE = 'position:relative;isolation:isolate;overflow:auto;max-width:100%';
export const SANITIZED_CONTAINER_CSS = `.${SANITIZED_CONTAINER_CLASS}{${CONTAINER_STYLE}}`;

const FORBID_TAGS = [
  // Navigation / document-level effects.
  'base',
  'meta',
  'link',
  'title',
  // Forms: nothing may submit (CVE-2021-32797); inputs stay, disabled.
  'form',
  // Frames, plugins and nested browsing contexts.
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'portal',
  'fencedframe',
  // Script and rawtext elements behind DOMPurify's mXSS advisories.
  'script',
  'noscript',
  'noembed',
  'noframes',
  'xmp',
  'plaintext',
  'template',
  'selectedcontent',
  // Top-layer UI (a modal dialog could overlay the whole page).
  'dialog',
  // Foreign content: inline SVG is converted to an image before this check; MathML is dropped.
  'svg',
  'math',
];

const FORBID_ATTR = [
  // Form submission and targets.
  'action',
  'formaction',
  'formmethod',
  'formenctype',
  'formtarget',
  'formnovalidate',
  'form',
  'method',
  // Declarative top-layer / invoker UI that works without script.
  'popover',
  'popovertarget',
  'popovertargetaction',
  'command',
  'commandfor',
  'interestfor',
  // Focus stealing, side requests, downloads, nested documents.
  'autofocus',
  'accesskey',
  'ping',
  'download',
  'srcdoc',
  'http-equiv',
  'manifest',
  'dynsrc',
  'lowsrc',
  'is',
  'shadowroot',
  'shadowrootmode',
  'nonce',
  'integrity',
];

/** DOMPurify configuration for untrusted output HTML (documented; hooks add the rest). */
export const HTML_PURIFY_CONFIG: Readonly<Config> = Object.freeze({
  FORBID_TAGS,
  FORBID_ATTR,
  ADD_FORBID_CONTENTS: ['svg', 'math', 'dialog'],
  // Only http(s), mailto, fragments and relative URLs (no scheme before the first / ? #).
  ALLOWED_URI_REGEXP: /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i,
  // A leading <style> (pandas Styler) would otherwise be parsed into <head> and lost.
  FORCE_BODY: true,
  ALLOW_DATA_ATTR: true,
  ALLOW_ARIA_ATTR: true,
  SAFE_FOR_XML: true,
  SANITIZE_DOM: true,
  // Our own prefix (opts.idPrefix) is applied by the hook, which also rewrites #links.
  SANITIZE_NAMED_PROPS: false,
  KEEP_CONTENT: true,
  WHOLE_DOCUMENT: false,
  RETURN_DOM: false,
  RETURN_DOM_FRAGMENT: false,
});

/** Markdown cells: same policy, and no <style> blocks or interactive controls beyond task lists. */
export const MARKDOWN_PURIFY_CONFIG: Readonly<Config> = Object.freeze({
  ...HTML_PURIFY_CONFIG,
  FORBID_TAGS: [...FORBID_TAGS, 'style', 'button', 'select', 'option', 'textarea', 'datalist'],
  ADD_FORBID_CONTENTS: ['svg', 'math', 'dialog', 'style', 'textarea'],
});

const SVG_NS = 'http://www.w3.org/2000/svg';
const HTML_NS = 'http://www.w3.org/1999/xhtml';

/** Attributes holding ids or id lists that must carry the prefix. */
const ID_REF_ATTRS = new Set([
  'id',
  'name',
  'for',
  'list',
  'headers',
  'itemref',
  'aria-labelledby',
  'aria-describedby',
  'aria-controls',
  'aria-owns',
  'aria-activedescendant',
  'aria-details',
  'aria-errormessage',
  'aria-flowto',
]);

/** data-* attributes an output must not set: app commands, and nbshield's own test contract. */
const FORBIDDEN_DATA_ATTR =
  /^data-(?:commandlinker-|nbshield|cell-index$|trust$|state$|jp-|jupyter-)/i;

const IMAGE_DATA_URI = /^data:image\/(?:png|jpe?g|gif|webp|bmp|avif|svg\+xml)[;,]/i;
const MEDIA_DATA_URI = /^data:(?:image|video|audio)\/[a-z0-9.+-]+[;,]/i;

// ---------------------------------------------------------------------------------------------
// URLs

/** What a browser does to a URL attribute before parsing: trim C0/space, drop tab/CR/LF. */
function cleanUrl(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
}

function schemeOf(url: string): string | null {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url);
  return m ? m[1]!.toLowerCase() : null;
}

type UrlKind = 'link' | 'image' | 'media';

/** Fragments naming the renderer's cell anchors (`id="cell-N"`), left as they are. */
const CELL_ANCHOR = /^#cell-\d+$/;

export interface UrlPolicy {
  allowRemoteImages: boolean;
  baseUrl: string | undefined;
  idPrefix: string;
}

/** Returns the URL to keep, or null to drop the attribute (or mark the image blocked). */
function checkUrl(
  raw: string,
  kind: UrlKind,
  p: UrlPolicy,
): { url: string; remote: boolean } | null {
  let url = cleanUrl(raw);
  if (url === '') return null;
  // In-notebook anchors point at prefixed ids.
  if (url.startsWith('#')) {
    if (kind !== 'link') return null;
    // `#cell-N` points at the renderer's own cell anchors (no output can own that id: every
    // output id is prefixed), so deep links to cells keep working.
    if (url.length === 1 || CELL_ANCHOR.test(url)) return { url, remote: false };
    return { url: '#' + p.idPrefix + url.slice(1), remote: false };
  }
  let scheme = schemeOf(url);
  // No valid scheme but a colon before any path: browsers read it as a relative path, but it is
  // an obfuscated scheme (java\uFFFDscript:) and nothing legitimate looks like it.
  if (scheme === null && /^[^/?#]*:/.test(url)) return null;
  if (scheme === null) {
    // Backslashes and protocol-relative URLs are remote in disguise.
    if (/^[\\/]{2}/.test(url)) {
      url = 'https:' + url.replace(/^[\\/]{2}/, '//');
      scheme = 'https';
    } else if (p.baseUrl) {
      try {
        url = new URL(url, p.baseUrl).href;
      } catch {
        return null;
      }
      scheme = schemeOf(url);
    } else {
      return { url, remote: false };
    }
  }
  if (scheme === 'http' || scheme === 'https') return { url, remote: true };
  if (kind === 'link') return scheme === 'mailto' ? { url, remote: false } : null;
  if (scheme === 'data') {
    const ok = kind === 'image' ? IMAGE_DATA_URI.test(url) : MEDIA_DATA_URI.test(url);
    return ok ? { url, remote: false } : null;
  }
  // blob: URLs cannot be minted by static HTML; attachment: must be resolved by the renderer.
  return null;
}

/** srcset: every candidate must pass the image policy, else the whole attribute goes. */
function checkSrcset(raw: string, p: UrlPolicy): { value: string; remote: boolean } | null {
  const parts = raw.split(/,(?=\s|[^,]*$)/);
  const out: string[] = [];
  let remote = false;
  for (const part of parts) {
    const t = part.trim();
    if (!t) continue;
    const m = /^(\S+)(\s+[\d.]+[wxh])?\s*$/.exec(t);
    if (!m) return null;
    const r = checkUrl(m[1]!, 'image', p);
    if (!r) return null;
    remote ||= r.remote;
    out.push(r.url + (m[2] ?? ''));
  }
  return out.length ? { value: out.join(', '), remote } : null;
}

// ---------------------------------------------------------------------------------------------
// CSS

export interface CssPolicy extends UrlPolicy {
  /** Class every selector of a <style> block is scoped under. */
  scopeClass: string;
}

const IMAGE_PROPS =
  /^(?:background|background-image|list-style|list-style-image|border-image|border-image-source|content|cursor|mask|mask-image|-webkit-mask|-webkit-mask-image|--[\w-]+)$/;

/** Resolve CSS escapes (\41, \"), so checks see what the CSS engine sees. */
function decodeCssEscapes(s: string): string {
  return s.replace(
    /\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|([\s\S]))/g,
    (_m, hex?: string, ch?: string) => {
      if (hex) {
        const cp = parseInt(hex, 16);
        return cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)
          ? '\ufffd'
          : String.fromCodePoint(cp);
      }
      return ch === '\n' ? '' : (ch ?? '');
    },
  );
}

/** Split on a separator at nesting level 0, outside strings. */
function splitTopLevel(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (quote) {
      if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[') depth++;
    else if ((c === ')' || c === ']') && depth > 0) depth--;
    else if (c === sep && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

const FORBIDDEN_CSS_VALUE =
  /expression\s*\(|javascript:|vbscript:|livescript:|-moz-binding|behavior|@import|image-set\s*\(|(?:^|[^\w-])src\s*\(|-moz-element|element\s*\(|paint\s*\(|<|\\/i;

/** An unterminated string would swallow what we append after the declaration. */
function hasUnclosedString(s: string): boolean {
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') i++;
    else if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
  }
  return quote !== '';
}

function sanitizeDeclaration(decl: string, p: CssPolicy): string | null {
  const colon = decl.indexOf(':');
  if (colon < 0) return null;
  const prop = decl.slice(0, colon).trim().toLowerCase();
  let value = decl.slice(colon + 1).trim();
  if (!/^(?:-?[a-z][a-z0-9-]*|--[\w-]+)$/.test(prop)) return null;
  if (/^(?:behavior|-moz-binding|binding|-ms-behavior)$/.test(prop)) return null;
  if (value === '') return null;
  const decoded = decodeCssEscapes(value);
  // Escapes are only tolerated where they change nothing that matters (e.g. content: "\2014").
  // Also without whitespace: comments became spaces, and old engines ignored them inside words.
  const bare = decoded.replace(/\\/g, '');
  if (FORBIDDEN_CSS_VALUE.test(bare) || FORBIDDEN_CSS_VALUE.test(bare.replace(/\s+/g, ''))) {
    return null;
  }
  if (value.includes('\\') && /url\s*\(|[()]/.test(decoded) && /url/i.test(decoded)) return null;
  if (/[<>]/.test(value) || hasUnclosedString(value)) return null;
  // url(): only image data URIs, and remote images when allowed, in image properties.
  const urlRe = /url\s*\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)/gi;
  const urls = [...decoded.matchAll(urlRe)];
  const urlCount = (decoded.match(/url\s*\(/gi) ?? []).length;
  if (urlCount !== urls.length) return null;
  for (const m of urls) {
    const u = m[1] ?? m[2] ?? m[3] ?? '';
    const c = cleanUrl(u);
    if (IMAGE_DATA_URI.test(c)) continue;
    if (!IMAGE_PROPS.test(prop)) return null;
    if (/^https?:\/\//i.test(c) && p.allowRemoteImages) continue;
    return null;
  }
  if (prop === 'position' && /fixed|sticky/i.test(decoded)) {
    value = 'absolute' + (/!\s*important/i.test(decoded) ? ' !important' : '');
  }
  return `${prop}: ${value}`;
}

/** Filter a `style=""` attribute or the body of one rule. */
export function sanitizeCssDeclarations(text: string, p: CssPolicy): string {
  const out: string[] = [];
  for (const d of splitTopLevel(stripCssComments(text), ';')) {
    if (!d.trim()) continue;
    const s = sanitizeDeclaration(d, p);
    if (s) out.push(s);
  }
  return out.join('; ');
}

function stripCssComments(s: string): string {
  let out = '';
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      out += c + s[i + 1];
      i++;
      continue;
    }
    if (quote) {
      if (c === quote || c === '\n') quote = '';
      out += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      out += c;
    } else if (c === '/' && s[i + 1] === '*') {
      const end = s.indexOf('*/', i + 2);
      if (end < 0) break;
      i = end + 1;
      out += ' ';
    } else out += c;
  }
  return out;
}

interface CssBlock {
  prelude: string;
  body: string | null;
}

/** Top-level statements of a stylesheet: `prelude { body }` or `prelude ;`. Braces balanced. */
function splitStatements(s: string): CssBlock[] {
  const out: CssBlock[] = [];
  let i = 0;
  let start = 0;
  let quote = '';
  let paren = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (quote) {
      if (c === quote || c === '\n') quote = '';
      i++;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(') paren++;
    else if (c === ')' && paren > 0) paren--;
    else if (c === ';' && paren === 0) {
      out.push({ prelude: s.slice(start, i).trim(), body: null });
      start = i + 1;
    } else if (c === '}' && paren === 0) {
      // Stray closing brace: drop what came before it (cannot close anything of ours).
      start = i + 1;
    } else if (c === '{') {
      const prelude = s.slice(start, i).trim();
      let depth = 1;
      let j = i + 1;
      let q = '';
      for (; j < s.length && depth > 0; j++) {
        const d = s[j]!;
        if (d === '\\') {
          j++;
          continue;
        }
        if (q) {
          if (d === q || d === '\n') q = '';
          continue;
        }
        if (d === '"' || d === "'") q = d;
        else if (d === '{') depth++;
        else if (d === '}') depth--;
      }
      const body = s.slice(i + 1, depth === 0 ? j - 1 : j);
      out.push({ prelude, body });
      i = j;
      start = j;
      paren = 0;
      continue;
    }
    i++;
  }
  return out;
}

function scopeSelector(sel: string, p: CssPolicy): string | null {
  let s = sel.trim();
  if (!s) return null;
  // A leading sibling combinator, nesting or braces would reach outside the scope element.
  if (/[{}<&]|^[+~|]/.test(s)) return null;
  // :root/html/body mean the scope element itself.
  s = s.replace(/^(?::root|html|body)(?=$|[\s>.#:[])/i, '');
  // #id selectors refer to prefixed ids.
  let out = '';
  let quote = '';
  let bracket = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      out += c + (s[i + 1] ?? '');
      i++;
      continue;
    }
    if (quote) {
      if (c === quote) quote = '';
      out += c;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[') bracket++;
    else if (c === ']' && bracket > 0) bracket--;
    if (c === '#' && bracket === 0) {
      out += '#' + p.idPrefix;
      continue;
    }
    out += c;
  }
  out = out.trim();
  return out ? `.${p.scopeClass} ${out}` : `.${p.scopeClass}`;
}

const NESTED_AT_RULES = /^@(?:media|supports|container|layer)\b/i;
const KEYFRAMES = /^@(?:-webkit-|-moz-)?keyframes\s+[\w-]+$/i;

function sanitizeStatements(text: string, p: CssPolicy, depth: number): string {
  const out: string[] = [];
  for (const { prelude, body } of splitStatements(text)) {
    if (prelude.startsWith('@')) {
      // @import, @font-face (remote fonts), @namespace, @charset, @page, @property, @scope ... go.
      if (body === null || depth > 8) continue;
      if (/[<\\]|url\s*\(/i.test(prelude)) continue;
      if (NESTED_AT_RULES.test(prelude)) {
        const inner = sanitizeStatements(body, p, depth + 1);
        if (inner) out.push(`${prelude} {\n${inner}\n}`);
      } else if (KEYFRAMES.test(prelude)) {
        const frames: string[] = [];
        for (const f of splitStatements(body)) {
          if (
            f.body === null ||
            !/^(?:from|to|[\d.]+%)(?:\s*,\s*(?:from|to|[\d.]+%))*$/i.test(f.prelude)
          )
            continue;
          if (f.body.includes('{')) continue;
          frames.push(`${f.prelude} { ${sanitizeCssDeclarations(f.body, p)} }`);
        }
        out.push(`${prelude} {\n${frames.join('\n')}\n}`);
      }
      continue;
    }
    if (body === null) continue;
    // Nested style rules are not supported: the rule goes.
    if (body.includes('{')) continue;
    const selectors = splitTopLevel(prelude, ',')
      .map((s) => scopeSelector(s, p))
      .filter((s): s is string => s !== null);
    if (!selectors.length) continue;
    out.push(`${selectors.join(', ')} { ${sanitizeCssDeclarations(body, p)} }`);
  }
  return out.join('\n');
}

/** Filter a whole `<style>` block and scope every rule under `.scopeClass`. */
export function sanitizeStylesheet(text: string, p: CssPolicy): string {
  // `<` never has a meaning in CSS we keep; dropping it means the text can never close </style>.
  return sanitizeStatements(stripCssComments(text), p, 0).replace(/</g, '\\3c ');
}

// ---------------------------------------------------------------------------------------------
// SVG as image

function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += abc[n >> 18]! + abc[(n >> 12) & 63]! + abc[(n >> 6) & 63]! + abc[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += abc[n >> 18]! + abc[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += abc[n >> 18]! + abc[(n >> 12) & 63]! + abc[(n >> 6) & 63]! + '=';
  }
  return out;
}

function escapeAttr(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** SVG text -> data URI. An image context runs no script and loads nothing external. */
export function svgDataUri(svgText: string): string {
  let t = svgText.replace(/^\ufeff/, '').trim();
  // Standalone SVG needs its namespace, or the image is broken (not unsafe).
  t = t.replace(/<svg\b(?![^>]*\sxmlns\s*=)/i, `<svg xmlns="${SVG_NS}"`);
  return 'data:image/svg+xml;base64,' + base64Utf8(t);
}

// ---------------------------------------------------------------------------------------------
// The sanitizer

let scopeCounter = 0;

/**
 * `win` as DOMPurify sees it, except its `DOMParser`, which parses text/html with `parseHtml`
 * (and anything else, or whatever `parseHtml` fails on, with the window's own DOMParser).
 */
function withHtmlParser(win: Window, parseHtml: (markup: string) => Document): Window {
  const Native = (win as unknown as { DOMParser: typeof DOMParser }).DOMParser;
  class HtmlParser {
    parseFromString(markup: string, type: DOMParserSupportedType): Document {
      if (type === 'text/html') {
        try {
          return parseHtml(markup);
        } catch {
          // The window's own parser below.
        }
      }
      return new Native().parseFromString(markup, type);
    }
  }
  return new Proxy(win, {
    get: (target, key) => (key === 'DOMParser' ? HtmlParser : Reflect.get(target, key)),
  });
}

export function createSanitizer(win: Window, opts: SanitizerOptions): Sanitizer {
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(opts.idPrefix)) {
    throw new Error(
      `idPrefix must be a CSS identifier (letters, digits, _ or -): ${opts.idPrefix}`,
    );
  }
  const purifyWin = (opts.parseHtml
    ? withHtmlParser(win, opts.parseHtml)
    : win) as unknown as Parameters<typeof createDOMPurify>[0];
  // One instance per configuration, each set once: sanitize(dirty, cfg) would re-parse cfg on
  // every call (a clone of it and of its sets: about a tenth of a Markdown cell's sanitizing).
  const purifyFor = (cfg: Readonly<Config>): DOMPurify => {
    const p = createDOMPurify(purifyWin);
    if (!p.isSupported) throw new Error('DOMPurify is not supported by this window');
    p.setConfig(cfg as Config);
    return p;
  };
  const htmlPurify = purifyFor(HTML_PURIFY_CONFIG);
  const markdownPurify = purifyFor(MARKDOWN_PURIFY_CONFIG);
  const addHook: DOMPurify['addHook'] = ((...args: Parameters<DOMPurify['addHook']>) => {
    htmlPurify.addHook(...args);
    markdownPurify.addHook(...args);
  }) as DOMPurify['addHook'];
  const policy: UrlPolicy = {
    allowRemoteImages: opts.allowRemoteImages,
    baseUrl: opts.baseUrl,
    idPrefix: opts.idPrefix,
  };
  const instanceToken = Math.floor(Math.random() * 0x100000).toString(36);
  // State of the current sanitize() call, read by the hooks.
  let scopeClass = '';
  let prefixIds = true;
  const css = (): CssPolicy => ({ ...policy, scopeClass });
  const blocked = new WeakMap<Element, string>();

  // beforeSanitizeElements, not uponSanitizeElement: while any uponSanitizeElement hook is set,
  // DOMPurify copies its whole tag allow-list on every call. The only check DOMPurify makes
  // between the two is for a clobbered <form>, which this hook leaves alone (its real nodeName is
  // FORM, and a clobbered property reads as an element, never as the strings compared here).
  addHook('beforeSanitizeElements', (node) => {
    if (node.nodeType !== 1) return;
    const el = node as Element;
    const name = el.nodeName;
    if (typeof name !== 'string') return;
    // What DOMPurify's data.tagName would be (lower-cased nodeName).
    const tagName = name.toLowerCase();
    if (tagName === 'svg' && el.namespaceURI === SVG_NS && el.parentNode) {
      // Inline SVG in untrusted HTML: shown as an image of itself, never as live markup.
      const doc = el.ownerDocument;
      const img = doc.createElement('img');
      const xml = new (
        win as unknown as { XMLSerializer: typeof XMLSerializer }
      ).XMLSerializer().serializeToString(el);
      img.setAttribute('src', svgDataUri(xml));
      img.setAttribute('alt', 'SVG image');
      img.setAttribute('class', 'nb-svg-image');
      el.parentNode.insertBefore(img, el);
      el.parentNode.removeChild(el);
      return;
    }
    if (tagName === 'style' && el.namespaceURI === HTML_NS) {
      el.textContent = sanitizeStylesheet(el.textContent ?? '', css());
    }
  });

  /**
   * One attribute by our rules, as DOMPurify will see it (`name` lower-cased, `value` trimmed
   * unless the attribute is `value`): its new value, or null to remove it. DOMPurify's own checks
   * run on the result.
   */
  const rewriteAttribute = (el: Element, name: string, value: string): string | null => {
    const tag = el.localName;
    if (/^on/i.test(name)) return null;
    if (name.startsWith('data-') && FORBIDDEN_DATA_ATTR.test(name)) return null;
    if (ID_REF_ATTRS.has(name)) {
      if (prefixIds && value !== '') {
        return name === 'id' || name === 'name' || name === 'for' || name === 'list'
          ? opts.idPrefix + value
          : value
              .split(/\s+/)
              .filter(Boolean)
              .map((t) => opts.idPrefix + t)
              .join(' ');
      }
      return value;
    }
    if (name === 'usemap') {
      const v = value.trim();
      if (!v.startsWith('#')) return null;
      return prefixIds ? '#' + opts.idPrefix + v.slice(1) : value;
    }
    if (name === 'style') return sanitizeCssDeclarations(value, css()) || null;
    if (name === 'href' || name === 'xlink:href' || name === 'cite' || name === 'longdesc') {
      if (name === 'href' && prefixIds === false && value.startsWith('#')) return value;
      return checkUrl(value, 'link', policy)?.url ?? null;
    }
    if (name === 'src' || name === 'poster' || name === 'background') {
      const kind: UrlKind = tag === 'img' || name !== 'src' || tag === 'input' ? 'image' : 'media';
      const r = checkUrl(value, kind, policy);
      if (!r) return null;
      if (r.remote && !opts.allowRemoteImages) {
        blocked.set(el, r.url);
        return null;
      }
      return r.url;
    }
    if (name === 'srcset' || name === 'imagesrcset') {
      const r = checkSrcset(value, policy);
      return !r || (r.remote && !opts.allowRemoteImages) ? null : r.value;
    }
    // Set by us after the attributes are checked.
    if (name === 'target' || name === 'rel') return null;
    return value;
  };

  // The DOM as DOMPurify reads it, never through the element's own properties (a <form> can
  // shadow `attributes`, `removeAttribute` and the rest with its named controls).
  const dom = win as unknown as { Node: typeof Node; Element: typeof Element; Attr: typeof Attr };
  const getterOf = (proto: object, key: string): ((this: unknown) => unknown) => {
    const get = Object.getOwnPropertyDescriptor(proto, key)?.get;
    if (!get) throw new Error(`DOMPurify is not supported by this window (no ${key} getter)`);
    return get;
  };
  const nodeTypeGet = getterOf(dom.Node.prototype, 'nodeType');
  const nodeNameGet = getterOf(dom.Node.prototype, 'nodeName');
  const parentNodeGet = getterOf(dom.Node.prototype, 'parentNode');
  const attributesGet = getterOf(dom.Element.prototype, 'attributes');
  const attrNameGet = getterOf(dom.Attr.prototype, 'name');
  const attrValueGet = getterOf(dom.Attr.prototype, 'value');
  const attrOwnerGet = getterOf(dom.Attr.prototype, 'ownerElement');
  const attrValueSet = Object.getOwnPropertyDescriptor(dom.Attr.prototype, 'value')?.set;
  const removeAttributeNode = dom.Element.prototype.removeAttributeNode;
  if (!attrValueSet) throw new Error('DOMPurify is not supported by this window (no Attr value)');
  // Values put back after DOMPurify's loop (below), for the element being sanitized.
  let restore: { el: Element; attrs: Array<[Attr, string]> } | null = null;

  // beforeSanitizeAttributes, not uponSanitizeAttribute: while any uponSanitizeAttribute hook is
  // set, DOMPurify copies its whole attribute allow-list on every call (~25 KB). This hook
  // rewrites or removes the element's attributes by the rules above, exactly as the attribute
  // event did, and DOMPurify's own loop then checks what is left. Not for the nodes DOMPurify
  // skips there: non-elements, and elements it has already removed (detached), such as a
  // forbidden or clobbered <form>. Last attribute first, as DOMPurify walks them (`blocked` keeps
  // the URL of the last one set).
  addHook('beforeSanitizeAttributes', function (this: DOMPurify, node: Node) {
    restore = null;
    if (nodeTypeGet.call(node) !== 1 || parentNodeGet.call(node) === null) return;
    const el = node as Element;
    const attrs = Array.from(attributesGet.call(el) as NamedNodeMap);
    for (let i = attrs.length - 1; i >= 0; i--) {
      const attr = attrs[i]!;
      const name = attrNameGet.call(attr) as string;
      const raw = attrValueGet.call(attr) as string;
      // DOMPurify's own reading: transformCaseFunc is toLowerCase for text/html (SVG and MathML
      // names too, e.g. viewBox), and only `value` keeps its whitespace.
      const value = name === 'value' ? raw : raw.trim();
      const next = rewriteAttribute(el, name.toLowerCase(), value);
      if (next === null) {
        removeAttributeNode.call(el, attr);
      } else if (next === value) {
        // Unchanged: DOMPurify trims it itself.
      } else if (next === next.trim()) {
        attrValueSet.call(attr, next);
      } else if (this.isValidAttribute(nodeNameGet.call(el) as string, name, next)) {
        // A URL that cleanUrl left with whitespace at an end (a C0 control beside U+00A0, say):
        // DOMPurify would trim what we write and check that instead. Its own check of this very
        // value passed, so DOMPurify's loop sees a placeholder it keeps as it is, and the value
        // goes back in afterSanitizeAttributes, as the attribute event's value was written.
        attrValueSet.call(attr, '#');
        restore ??= { el, attrs: [] };
        restore.attrs.push([attr, next]);
      } else {
        removeAttributeNode.call(el, attr);
      }
    }
  });

  addHook('afterSanitizeAttributes', (el) => {
    if (restore !== null && restore.el === el) {
      for (const [attr, value] of restore.attrs) {
        if (attrOwnerGet.call(attr) === el) attrValueSet.call(attr, value);
      }
    }
    restore = null;
    const tag = el.localName;
    if (tag === 'a' || tag === 'area') {
      const href = el.getAttribute('href');
      if (href !== null && !href.startsWith('#')) {
        el.setAttribute('target', '_blank');
        el.setAttribute('rel', 'noopener noreferrer');
      }
    }
    if (tag === 'input' || tag === 'button' || tag === 'select' || tag === 'textarea') {
      el.setAttribute('disabled', '');
      if (tag === 'button') el.setAttribute('type', 'button');
      if (tag === 'input' && /^(?:submit|image|reset)$/i.test(el.getAttribute('type') ?? '')) {
        el.setAttribute('type', 'button');
      }
    }
    const blockedUrl = blocked.get(el);
    if (blockedUrl !== undefined) {
      // A visible placeholder: an <img> without src shows its alt text.
      if (tag === 'img') {
        const alt = el.getAttribute('alt');
        el.setAttribute('alt', `[remote image blocked${alt ? ': ' + alt : ''}]`);
        el.setAttribute('title', `Remote image not loaded: ${blockedUrl}`);
        el.setAttribute('class', ((el.getAttribute('class') ?? '') + ' nb-remote-blocked').trim());
      }
    }
    // An image with no alt at all is unnamed for screen readers (which fall back to reading the
    // URL): name it by its file. An explicit alt, even empty (decorative), is the author's choice.
    if (tag === 'img' && !el.hasAttribute('alt')) el.setAttribute('alt', imageAlt(el));
  });

  let inert: Document | undefined;
  const reparse =
    opts.reparse ??
    ((markup: string): string => {
      inert ??= win.document.implementation.createHTMLDocument('');
      const div = inert.createElement('div');
      div.innerHTML = markup;
      return div.innerHTML;
    });

  /** The browser re-parses our output: it must parse back to exactly the same markup. */
  function isStable(markup: string): boolean {
    return reparse(markup) === markup;
  }

  function run(dirty: string, purify: DOMPurify): string {
    scopeClass = `${opts.idPrefix}s${instanceToken}-${++scopeCounter}`;
    prefixIds = true;
    let out = purify.sanitize(String(dirty));
    // Defence in depth against mutation XSS: if serialisation is not a fixed point, sanitize
    // again (without re-prefixing); give up to plain text if it never settles.
    for (let round = 0; !isStable(out); round++) {
      if (round >= 2) {
        out = `<pre>${escapeAttr(dirty)}</pre>`;
        break;
      }
      prefixIds = false;
      out = purify.sanitize(out);
    }
    prefixIds = true;
    // DOMPurify keeps what it removed (a whole <script> with its text, say) until this
    // instance's next call; nothing here reads it.
    purify.removed = [];
    // The containment is inline too, so it holds whatever the page's CSS says (and if a CSP
    // blocks inline styles, the output's own style attributes are blocked as well).
    return `<div class="${SANITIZED_CONTAINER_CLASS} ${scopeClass}" style="${CONTAINER_STYLE}">${out}</div>`;
  }

  return {
    html: (dirty) => run(dirty, htmlPurify),
    markdownHtml: (dirty) => run(dirty, markdownPurify),
    svgAsImage: (svgText, alt = 'SVG image') =>
      `<img class="nb-svg-image" src="${svgDataUri(svgText)}" alt="${escapeAttr(alt)}">`,
  };
}

/** A readable name for an image the author gave no alt: "Image: plot.png", or just "Image". */
export function imageAlt(img: Element): string {
  const src = (img.getAttribute('src') ?? '').trim();
  if (src === '' || /^(?:data|blob):/i.test(src)) return 'Image';
  const path = src.split(/[?#]/)[0] ?? '';
  let name = path.slice(path.lastIndexOf('/') + 1);
  try {
    name = decodeURIComponent(name);
  } catch {
    // A malformed escape: keep it as written.
  }
  name = name.replace(/\s+/g, ' ').trim().slice(0, 100);
  return name === '' ? 'Image' : `Image: ${name}`;
}
