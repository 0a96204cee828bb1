// A cheap nesting-depth scan of untrusted HTML, run before it is handed to the sanitizer: DOM
// implementations recurse over deep trees (jsdom overflows its stack near 5,000 levels, and a
// 100,000-deep document takes minutes), and nothing that deep is a real output.

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);
// Elements whose end tag is optional: not counted, so `<li>a<li>b...` is not mistaken for depth.
const OPTIONAL_END = new Set([
  'p',
  'li',
  'dt',
  'dd',
  'tr',
  'td',
  'th',
  'option',
  'optgroup',
  'thead',
  'tbody',
  'tfoot',
  'colgroup',
  'rb',
  'rt',
  'rp',
  'rtc',
]);

/** Browsers' parsers stop nesting around 512 levels; DOMPurify drops content beyond 255. */
export const MAX_HTML_DEPTH = 512;

export function exceedsDepth(html: string, limit = MAX_HTML_DEPTH): boolean {
  if (html.length < limit * 3) return false;
  // By hand, the same tags as /<(\/?)([a-zA-Z][^\s/>]*)[^>]*?(\/?)>/g: a RegExp match per tag
  // (an array and four strings) was most of what rendering a 2.4 MB table allocated (issue 5:
  // the frame's peak heap). Only names short enough to be in the sets are cut out.
  const n = html.length;
  let depth = 0;
  for (let i = html.indexOf('<'); i >= 0; i = html.indexOf('<', i + 1)) {
    let j = i + 1;
    const closing = html.charCodeAt(j) === 0x2f;
    if (closing) j += 1;
    if (!isAsciiLetter(html.charCodeAt(j))) continue;
    const nameStart = j;
    while (j < n && !endsName(html.charCodeAt(j))) j += 1;
    const gt = html.indexOf('>', j);
    if (gt < 0) return false;
    i = gt;
    // `/>` (the name itself holds no `/`).
    if (html.charCodeAt(gt - 1) === 0x2f) continue;
    if (j - nameStart <= MAX_LISTED_NAME) {
      const name = html.slice(nameStart, j).toLowerCase();
      if (VOID.has(name) || OPTIONAL_END.has(name)) continue;
    }
    if (closing) depth = Math.max(0, depth - 1);
    else if (++depth > limit) return true;
  }
  return false;
}

/** The longest name in VOID and OPTIONAL_END. */
const MAX_LISTED_NAME = Math.max(...[...VOID, ...OPTIONAL_END].map((t) => t.length));

function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** `/`, `>` or what RegExp's \s matches: the end of a tag name. */
function endsName(c: number): boolean {
  return (
    c === 0x2f ||
    c === 0x3e ||
    c === 0x20 ||
    (c >= 0x09 && c <= 0x0d) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}
