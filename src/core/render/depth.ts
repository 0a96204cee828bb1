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
  let depth = 0;
  const re = /<(\/?)([a-zA-Z][^\s/>]*)[^>]*?(\/?)>/g;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    const name = (m[2] ?? '').toLowerCase();
    if (VOID.has(name) || OPTIONAL_END.has(name) || m[3]) continue;
    if (m[1]) depth = Math.max(0, depth - 1);
    else if (++depth > limit) return true;
  }
  return false;
}
