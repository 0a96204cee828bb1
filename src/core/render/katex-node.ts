// Node only (the CLI): KaTeX's CSS with its woff2 fonts inlined as data: URIs, for
// renderStandalonePage({ katexCss }) — a self-contained page with KaTeX's HTML math layout, which
// looks better than MathML where the system has no math font (stretchy brackets, matrices).

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

let cached: string | undefined;

export function katexInlineCss(): string {
  if (cached !== undefined) return cached;
  const require = createRequire(import.meta.url);
  const cssPath = require.resolve('katex/dist/katex.min.css');
  const fonts = path.join(path.dirname(cssPath), 'fonts');
  const css = fs.readFileSync(cssPath, 'utf8');
  // Keep only the woff2 source of each @font-face (every current browser reads woff2).
  cached = css.replace(
    /src:url\(fonts\/([\w-]+)\.woff2\) format\("woff2"\)[^;}]*/g,
    (_m, name: string) =>
      `src:url(data:font/woff2;base64,${fs.readFileSync(path.join(fonts, `${name}.woff2`)).toString('base64')}) format("woff2")`,
  );
  return cached;
}
