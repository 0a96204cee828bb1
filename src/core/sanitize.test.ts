import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { JSDOM } from 'jsdom';
import { Marked } from 'marked';
import createDOMPurify from 'dompurify';
import { describe, expect, it } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- test-only: where the shared corpus is
import { CORPUS_DIR } from '../../test/corpus';
import {
  HTML_PURIFY_CONFIG,
  MARKDOWN_PURIFY_CONFIG,
  SANITIZED_CONTAINER_CLASS,
  SANITIZED_CONTAINER_CSS,
  createSanitizer,
  sanitizerVersion,
} from './sanitize';

const win = new JSDOM('<!doctype html><body></body>').window as unknown as Window;
const s = createSanitizer(win, { allowRemoteImages: true, idPrefix: 'nb-' });
const strict = createSanitizer(win, { allowRemoteImages: false, idPrefix: 'nb-' });

/** Parse sanitized markup the way the renderer page will. */
function parse(html: string): HTMLElement {
  const div = win.document.createElement('div');
  div.innerHTML = html;
  return div;
}

function scopeOf(out: string): string {
  const cls = parse(out).firstElementChild?.className.split(' ') ?? [];
  expect(cls[0]).toBe(SANITIZED_CONTAINER_CLASS);
  return cls[1]!;
}

const fromBase64 = (b: string) => Buffer.from(b, 'base64').toString('utf8');

describe('createSanitizer', () => {
  it('keeps a pandas Styler table working: ids prefixed, selectors rewritten and scoped', () => {
    const out = s.html(
      '<style type="text/css">#T_1_row0_col0 { background-color: #ff0000; position: fixed }' +
        ' #T_1 th { text-align: left }</style>' +
        '<table id="T_1" class="dataframe"><tr><th>a</th><td id="T_1_row0_col0">1</td></tr></table>',
    );
    const scope = scopeOf(out);
    const root = parse(out);
    expect(root.querySelector('table')?.id).toBe('nb-T_1');
    expect(root.querySelector('td')?.id).toBe('nb-T_1_row0_col0');
    const css = root.querySelector('style')?.textContent ?? '';
    expect(css).toContain(`.${scope} #nb-T_1_row0_col0 {`);
    expect(css).toContain(`.${scope} #nb-T_1 th {`);
    expect(css).toContain('background-color: #ff0000');
    expect(css).toContain('position: absolute');
    expect(css).not.toMatch(/fixed/);
  });

  it('wraps every output in a positioned, isolated, clipping container', () => {
    const wrapper = parse(
      s.html('<div style="position:absolute;top:-500px">x</div>'),
    ).firstElementChild;
    expect(wrapper?.getAttribute('style')).toMatch(
      /position:relative;isolation:isolate;overflow:auto/,
    );
    expect(SANITIZED_CONTAINER_CSS).toContain('position:relative');
  });

  it('gives every call its own scope, so one output cannot style another', () => {
    const a = scopeOf(s.html('<style>p{color:red}</style><p>a</p>'));
    const b = scopeOf(s.html('<style>p{color:blue}</style><p>b</p>'));
    expect(a).not.toBe(b);
  });

  it('filters stylesheets: drops @import, @font-face, remote url(), keeps @media and @keyframes', () => {
    const out = strict.html(
      '<style>@import url(https://x.test/a.css); @font-face { font-family: f; src: url(https://x.test/f.woff) }' +
        ' @media (max-width: 600px) { .a { color: red } } @keyframes spin { from { opacity: 0 } to { opacity: 1 } }' +
        ' .b { background: url(https://x.test/i.png); color: green } .c::before { content: "\\2014" }' +
        ' } .stray { color: red } </style>',
    );
    const scope = scopeOf(out);
    const css = parse(out).querySelector('style')?.textContent ?? '';
    expect(css).not.toMatch(/@import|@font-face|x\.test/);
    expect(css).toMatch(
      new RegExp(`@media \\(max-width: 600px\\) \\{\\s*\\.${scope} \\.a \\{ color: red \\}`),
    );
    expect(css).toContain('@keyframes spin');
    expect(css).toContain(`.${scope} .b { color: green }`);
    expect(css).toContain('content: "\\2014"');
    expect(css).toContain(`.${scope} .stray { color: red }`);
  });

  it('drops a declaration whose string never ends (it would swallow the rest)', () => {
    const css = parse(s.html('<style>p { color: red; content: "abc }</style>')).querySelector(
      'style',
    )?.textContent;
    expect(css).toMatch(/p \{ color: red \}$/);
  });

  it('filters style attributes: expression, javascript:, escapes hiding url(), fixed/sticky', () => {
    const root = parse(
      s.html(
        '<p style="color: red; width: expression(alert(1)); background: url(javascript:alert(1))">a</p>' +
          '<p style="background: u\\72l(https://x.test/a.png); position: sticky; top: 0">b</p>' +
          '<p style="background-image: url(data:image/png;base64,iVBORw0KGgo=)">c</p>',
      ),
    );
    const [a, b, c] = Array.from(root.querySelectorAll('p'));
    expect(a?.getAttribute('style')).toBe('color: red');
    expect(b?.getAttribute('style')).toBe('position: absolute; top: 0');
    expect(c?.getAttribute('style')).toContain('url(data:image/png;base64,');
  });

  it('rewrites in-notebook links to the prefixed ids and hardens external links', () => {
    const root = parse(
      s.html(
        '<h2 id="intro">Intro</h2><a href="#intro">a</a><a href="https://example.com/" target="_self" rel="opener">b</a>' +
          '<a href="mailto:a@example.com">c</a><a href="javascript:alert(1)">d</a><a href="ftp://x.test/">e</a>',
      ),
    );
    const links = Array.from(root.querySelectorAll('a'));
    expect(root.querySelector('h2')?.id).toBe('nb-intro');
    expect(links[0]?.getAttribute('href')).toBe('#nb-intro');
    expect(links[0]?.hasAttribute('target')).toBe(false);
    expect(links[1]?.getAttribute('target')).toBe('_blank');
    expect(links[1]?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(links[2]?.getAttribute('href')).toBe('mailto:a@example.com');
    expect(links[3]?.hasAttribute('href')).toBe(false);
    expect(links[4]?.hasAttribute('href')).toBe(false);
  });

  it("leaves links to the renderer's cell anchors (#cell-N) alone; no output can own that id", () => {
    const root = parse(s.html('<a href="#cell-12">cell 12</a><p id="cell-12">fake</p>'));
    expect(root.querySelector('a')?.getAttribute('href')).toBe('#cell-12');
    expect(root.querySelector('p')?.id).toBe('nb-cell-12');
  });

  it('resolves relative URLs against baseUrl, then applies the remote-image setting', () => {
    const b = createSanitizer(win, {
      allowRemoteImages: false,
      idPrefix: 'nb-',
      baseUrl: 'https://github.com/o/r/blob/main/nb/x.ipynb',
    });
    const root = parse(
      b.html('<a href="02-next.ipynb">next</a><img src="img/plot.png" alt="plot">'),
    );
    expect(root.querySelector('a')?.getAttribute('href')).toBe(
      'https://github.com/o/r/blob/main/nb/02-next.ipynb',
    );
    const img = root.querySelector('img');
    expect(img?.hasAttribute('src')).toBe(false);
    expect(img?.getAttribute('alt')).toBe('[remote image blocked: plot]');
    expect(img?.getAttribute('title')).toContain(
      'https://github.com/o/r/blob/main/nb/img/plot.png',
    );
  });

  it('follows the remote-image setting for img, srcset, picture, poster and CSS', () => {
    const markup =
      '<img src="https://x.test/a.png" srcset="https://x.test/a2.png 2x"><picture><source srcset="https://x.test/b.webp"></picture>' +
      '<video poster="https://x.test/p.png"></video><p style="background:url(https://x.test/c.png)">t</p>';
    const on = s.html(markup);
    const off = strict.html(markup);
    expect(on.match(/x\.test/g)?.length).toBe(5);
    expect(off).not.toMatch(/(?:src|srcset|poster|style)="[^"]*x\.test/);
    expect(parse(off).querySelector('img')?.getAttribute('alt')).toBe('[remote image blocked]');
  });

  it('names images that have no alt (by file), keeps an author alt, even an empty one', () => {
    const root = parse(
      s.html(
        '<img src="https://x.test/img/Sales%20plot.png?v=2"><img src="data:image/png;base64,AAAA">' +
          '<img src="a.png" alt=""><img src="b.png" alt="chart">',
      ),
    );
    const alts = Array.from(root.querySelectorAll('img')).map((i) => i.getAttribute('alt'));
    expect(alts).toEqual(['Image: Sales plot.png', 'Image', '', 'chart']);
    // The name is an attribute value, never markup.
    const odd = parse(s.html('<img src="https://x.test/%22%3E%3Cb%3Ex.png">'));
    expect(odd.querySelector('img')?.getAttribute('alt')).toBe('Image: "><b>x.png');
    expect(odd.querySelector('b')).toBeNull();
  });

  it('makes forms inert: no <form>, inputs and buttons disabled, no submit', () => {
    const root = parse(
      s.html(
        '<form action="https://x.test/"><input name="q"><input type="submit"><button>go</button></form>',
      ),
    );
    expect(root.querySelector('form')).toBeNull();
    const inputs = Array.from(root.querySelectorAll('input, button'));
    expect(inputs).toHaveLength(3);
    for (const el of inputs) expect(el.hasAttribute('disabled')).toBe(true);
    expect(root.querySelector('button')?.getAttribute('type')).toBe('button');
    expect(root.querySelectorAll('input')[1]?.getAttribute('type')).toBe('button');
    expect(root.querySelector('input')?.getAttribute('name')).toBe('nb-q');
  });

  it('keeps ordinary data-* attributes but drops command linkers and nbshield contract attributes', () => {
    const el = parse(
      s.html(
        '<div data-foo="1" data-commandlinker-command="x" data-nbshield-action="trust" data-cell-index="3">a</div>',
      ),
    ).querySelector('.nb-sanitized > div');
    expect(el?.getAttribute('data-foo')).toBe('1');
    expect(el?.getAttributeNames().sort()).toEqual(['data-foo']);
  });

  it('shows inline SVG in HTML as an image of itself', () => {
    const img = parse(
      s.html('<p>x</p><svg width="5" height="5"><circle r="2" onload="alert(1)"/></svg>'),
    ).querySelector('img');
    const src = img?.getAttribute('src') ?? '';
    expect(src).toMatch(/^data:image\/svg\+xml;base64,/);
    const svg = fromBase64(src.split(',')[1]!);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('<circle');
  });

  it('svgAsImage returns one <img> whose data URI decodes to the SVG (xmlns added if missing)', () => {
    const svg = '<svg width="3" height="3"><rect width="3" height="3"/></svg>';
    const out = s.svgAsImage(svg, 'a "plot" <x>');
    const root = parse(out);
    expect(root.children).toHaveLength(1);
    const img = root.querySelector('img');
    expect(img?.getAttribute('alt')).toBe('a "plot" <x>');
    expect(fromBase64(img!.getAttribute('src')!.split(',')[1]!)).toBe(
      '<svg xmlns="http://www.w3.org/2000/svg" width="3" height="3"><rect width="3" height="3"/></svg>',
    );
    const unicode = '<svg xmlns="http://www.w3.org/2000/svg"><text>π ✓ 𝔸</text></svg>';
    expect(fromBase64(s.svgAsImage(unicode).match(/base64,([^"]+)/)![1]!)).toBe(unicode);
  });

  it('markdownHtml is stricter: no <style> or buttons; GFM task lists stay (disabled)', () => {
    const html = new Marked({ gfm: true }).parse(
      '- [x] done\n\n<style>p{color:red}</style>\n\n<button>b</button>',
      { async: false },
    );
    const root = parse(s.markdownHtml(html));
    expect(root.querySelector('style')).toBeNull();
    expect(root.querySelector('button')).toBeNull();
    const box = root.querySelector('input');
    expect(box?.getAttribute('type')).toBe('checkbox');
    expect(box?.hasAttribute('disabled')).toBe(true);
  });

  it('keeps the two configurations apart when html and markdownHtml alternate', () => {
    // Each configuration is set once on its own DOMPurify instance: neither may see the other's
    // allow-lists, whichever ran last (and a fresh sanitizer's first call may be either).
    const dirty = '<style>p{color:red}</style><button>b</button><textarea>TXT</textarea><p>x</p>';
    const fresh = createSanitizer(win, { allowRemoteImages: true, idPrefix: 'nb-' });
    for (let i = 0; i < 3; i++) {
      for (const [mode, out] of [
        ['markdown', parse(fresh.markdownHtml(dirty))],
        ['html', parse(fresh.html(dirty))],
        ['markdown', parse(fresh.markdownHtml(dirty))],
        ['markdown', parse(fresh.markdownHtml(dirty))],
        ['html', parse(fresh.html(dirty))],
        ['html', parse(fresh.html(dirty))],
      ] as const) {
        const md = mode === 'markdown';
        expect(out.querySelector('p')?.textContent).toBe('x');
        expect(out.querySelector('style') === null).toBe(md);
        expect(out.querySelector('button') === null).toBe(md);
        expect(out.querySelector('textarea') === null).toBe(md);
        // Markdown drops a textarea with its content; HTML keeps the (disabled) control.
        expect(out.textContent?.includes('TXT')).toBe(!md);
      }
    }
  });

  it('applies the attribute rules before DOMPurify checks, on the values it reads', () => {
    // A <form> whose controls shadow attributes and removeAttribute: the form goes (forbidden),
    // the rules still reach its controls and the elements after it.
    const form = parse(
      s.html(
        '<form onclick="x"><input name="attributes"><input name="removeAttributeNode"></form>' +
          '<a id="q" href="javascript:x" onclick="y">q</a>',
      ),
    );
    expect(form.querySelector('form')).toBeNull();
    expect([...form.querySelectorAll('input')].map((i) => i.getAttribute('name'))).toEqual([
      'nb-attributes',
      'nb-removeAttributeNode',
    ]);
    expect(form.querySelector('a')?.outerHTML).toBe('<a id="nb-q">q</a>');
    // Several blocked URLs on one element: the first attribute's, as when DOMPurify's own loop
    // (last attribute first) ran the rules.
    const img = parse(
      strict.html('<img src="https://e.test/a.png" background="https://e.test/b.png">'),
    ).querySelector('img');
    expect(img?.getAttribute('title')).toBe('Remote image not loaded: https://e.test/a.png');
    // A URL whose C0 control cleanUrl strips leaves U+00A0 at its start: kept as it was checked
    // (DOMPurify itself would trim it), and dropped where DOMPurify rejects that value.
    expect(
      parse(s.html('<a href="&#1;&#160;x">a</a>')).querySelector('a')?.getAttribute('href'),
    ).toBe('\u00a0x');
    expect(
      parse(s.html('<a href="&#1;&#160;">a</a>')).querySelector('a')?.hasAttribute('href'),
    ).toBe(false);
  });

  it('keeps its hooks on its own DOMPurify instance', () => {
    const other = createDOMPurify(win as unknown as Parameters<typeof createDOMPurify>[0]);
    const plain = parse(other.sanitize('<a id="x" href="#y">a</a>')).querySelector('a');
    expect(plain?.id).toBe('x');
    expect(plain?.getAttribute('href')).toBe('#y');
    const p2 = createSanitizer(win, { allowRemoteImages: true, idPrefix: 'cell7-' });
    expect(p2.html('<a id="x">a</a>')).toContain('id="cell7-x"');
    expect(s.html('<a id="x">a</a>')).toContain('id="nb-x"');
  });

  it('rejects an idPrefix that is not a CSS identifier', () => {
    expect(() => createSanitizer(win, { allowRemoteImages: true, idPrefix: '1"x' })).toThrow(
      /idPrefix/,
    );
  });

  it('exports its configuration and DOMPurify version', () => {
    const pkg = JSON.parse(
      readFileSync(join(process.cwd(), 'node_modules/dompurify/package.json'), 'utf8'),
    ) as { version: string };
    expect(sanitizerVersion).toBe(pkg.version);
    expect(Object.isFrozen(HTML_PURIFY_CONFIG)).toBe(true);
    expect(HTML_PURIFY_CONFIG.FORBID_TAGS).toEqual(
      expect.arrayContaining(['form', 'base', 'meta', 'link', 'iframe', 'svg', 'math']),
    );
    expect(MARKDOWN_PURIFY_CONFIG.FORBID_TAGS).toEqual(expect.arrayContaining(['style', 'button']));
  });
});

it('in jsdom, sanitizing adds no listeners to the window (per call they made the cost quadratic)', () => {
  // jsdom 27 gave every Document, so every DOMPurify parse, a selector engine that added
  // listeners to the window for good: each addEventListener scans the list, so a render's
  // cost grew with the number of outputs sanitized before it in the same window.
  const w = new JSDOM('<!doctype html><body></body>').window;
  let added = 0;
  const real = w.addEventListener.bind(w);
  w.addEventListener = ((...args: Parameters<typeof real>) => {
    added++;
    real(...args);
  }) as typeof w.addEventListener;
  const local = createSanitizer(w as unknown as Window, {
    allowRemoteImages: true,
    idPrefix: 'nb-',
  });
  for (let i = 0; i < 20; i++) {
    local.html(`<div class="c${i}" style="color: red"><a href="#x${i}" id="x${i}">${i}</a></div>`);
    local.markdownHtml(`<p title="t${i}">p <em>${i}</em></p>`);
  }
  expect(added).toBe(0);
  // Positive control: the spy does see the selector engine's listeners when one is created.
  new w.DOMParser().parseFromString('<p>x</p>', 'text/html').querySelector('p');
  expect(added).toBeGreaterThan(0);
  w.close();
});

describe('fidelity and speed on the real corpus', () => {
  const dir = CORPUS_DIR;
  const htmlOutputs: string[] = [];
  const markdownCells: string[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ipynb'))) {
    const nb = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
      cells?: Cell[];
      worksheets?: { cells: Cell[] }[];
    };
    type Cell = {
      cell_type: string;
      source?: string | string[];
      outputs?: { data?: Record<string, unknown>; html?: unknown }[];
    };
    const join2 = (x: unknown) => (Array.isArray(x) ? x.join('') : typeof x === 'string' ? x : '');
    for (const c of nb.cells ?? nb.worksheets?.flatMap((w) => w.cells) ?? []) {
      if (c.cell_type === 'markdown') markdownCells.push(join2(c.source));
      for (const o of c.outputs ?? []) {
        const h = join2(o.data?.['text/html'] ?? o.html);
        if (h) htmlOutputs.push(h);
      }
    }
  }

  it('sanitizes every HTML output and Markdown cell; dataframes keep their tables and cells', () => {
    expect(htmlOutputs.length).toBeGreaterThan(20);
    const t0 = performance.now();
    for (const h of htmlOutputs) {
      const out = s.html(h);
      if (/<table[^>]*class="dataframe"/.test(h)) {
        const a = parse(h);
        const b = parse(out);
        expect(b.querySelectorAll('table').length).toBe(a.querySelectorAll('table').length);
        expect(b.querySelectorAll('td').length).toBe(a.querySelectorAll('td').length);
      }
    }
    const marked = new Marked({ gfm: true });
    for (const m of markdownCells) s.markdownHtml(marked.parse(m, { async: false }));
    const ms = performance.now() - t0;
    console.log(
      `corpus: ${htmlOutputs.length} HTML outputs + ${markdownCells.length} Markdown cells sanitized in ${ms.toFixed(0)} ms`,
    );
  }, 300_000);

  it('sanitizes a large pandas table (2,000 rows x 10 columns) in reasonable time', () => {
    const row = (i: number) =>
      `<tr><th>${i}</th>${Array.from({ length: 10 }, (_, j) => `<td id="T_r${i}c${j}">${i * j}</td>`).join('')}</tr>`;
    const html =
      '<style>#T_r0c0 { color: red }</style><table class="dataframe"><tbody>' +
      Array.from({ length: 2000 }, (_, i) => row(i)).join('') +
      '</tbody></table>';
    const t0 = performance.now();
    const out = s.html(html);
    const ms = performance.now() - t0;
    expect(parse(out).querySelectorAll('td')).toHaveLength(20000);
    console.log(`2,000 x 10 table (${(html.length / 1024).toFixed(0)} KiB): ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(60_000);
  }, 300_000);
});
