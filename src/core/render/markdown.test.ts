import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import type { Cell, Notebook } from '../model';
import { createSanitizer } from '../sanitize';
import { renderNotebook } from './index';
import type { RenderOptions } from './types';

const { window } = new JSDOM('');
const sanitizer = createSanitizer(window as unknown as Window, {
  allowRemoteImages: true,
  idPrefix: 'nb-',
});
const base: RenderOptions = { trusted: false, sanitizer, allowRemoteImages: true, idPrefix: 'nb-' };

function md(source: string, extra: Partial<Cell> = {}): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{ index: 0, cell_type: 'markdown', source, metadata: {}, ...extra } as Cell],
  };
}
function render(source: string, opts: Partial<RenderOptions> = {}, extra: Partial<Cell> = {}) {
  return renderNotebook(md(source, extra), { ...base, ...opts });
}
function dom(html: string): Document {
  return new JSDOM(html).window.document;
}

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

describe('GitHub-flavoured Markdown', () => {
  it('renders tables, task lists, strikethrough and autolinks', () => {
    const { html } = render(
      '| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~gone~~ see https://example.org/x',
    );
    const d = dom(html);
    expect(d.querySelectorAll('table td')).toHaveLength(2);
    expect(d.querySelectorAll('input[type="checkbox"]')).toHaveLength(2);
    expect(d.querySelector('del')?.textContent).toBe('gone');
    expect(d.querySelector('a[href="https://example.org/x"]')).not.toBeNull();
  });
  it('highlights fenced code', () => {
    const { html } = render('```python\ndef f(): pass\n```');
    expect(dom(html).querySelector('pre code .hljs-keyword')?.textContent).toBe('def');
  });
});

describe('headings', () => {
  it('get prefixed GitHub-style slug ids, a ¶ anchor, and are listed', () => {
    const r = render('# Hello, World!\n\n## Hello, World!\n\n### Ünïcode & `code`');
    const d = dom(r.html);
    const ids = [...d.querySelectorAll('h1, h2, h3')].map((h) => h.id);
    expect(ids).toEqual(['nb-hello-world', 'nb-hello-world-1', 'nb-ünïcode--code']);
    expect(d.querySelector('h1 a.nb-anchor-link')?.getAttribute('href')).toBe('#nb-hello-world');
    expect(r.headings).toEqual([
      { level: 1, text: 'Hello, World!', id: 'nb-hello-world', cellIndex: 0 },
      { level: 2, text: 'Hello, World!', id: 'nb-hello-world-1', cellIndex: 0 },
      { level: 3, text: 'Ünïcode & code', id: 'nb-ünïcode--code', cellIndex: 0 },
    ]);
  });
  it('in-notebook links point at the prefixed ids', () => {
    const { html } = render('# Intro\n\n[go](#intro)');
    const d = dom(html);
    expect(d.querySelector('p a[href="#nb-intro"]')?.textContent).toBe('go');
    expect(d.getElementById('nb-intro')).not.toBeNull();
  });
  it('math in headings renders and gives its TeX to the slug', () => {
    const r = render('## Euler $e^{i\\pi}$');
    expect(r.headings[0]?.text).toBe('Euler e^{i\\pi}');
    expect(r.html).toContain('<math');
  });
});

describe('math', () => {
  it('renders inline, display and environments with KaTeX, no script', () => {
    const { html } = render(
      'Inline $a^2$ and \\(b\\).\n\n$$\\sum_i x_i$$\n\n\\begin{align}a &= b\\\\ c &= d\\end{align}',
    );
    const d = dom(html);
    expect(d.querySelectorAll('.katex')).toHaveLength(4);
    expect(d.querySelectorAll('math[display="block"]')).toHaveLength(2);
    expect(html).not.toMatch(/<script/i);
  });
  it('keeps markdown from mangling math (underscores, asterisks)', () => {
    const { html } = render('$a_1 * b_2 * c_3$');
    expect(html).not.toContain('<em>');
    expect(html).toContain('<msub>');
  });
  it('does not render math in code', () => {
    const { html } = render('`$x$`');
    expect(dom(html).querySelector('code')?.textContent).toBe('$x$');
  });
  it('can use KaTeX HTML output', () => {
    expect(render('$x$', { mathOutput: 'htmlAndMathml' }).html).toContain('katex-html');
  });
});

describe('attachments', () => {
  it('resolves attachment: images to data URIs (Markdown and raw HTML)', () => {
    const { html } = render(
      '![pic](attachment:a.png)\n\n<img src="attachment:b%20c.png" alt="raw">',
      {},
      { attachments: { 'a.png': { 'image/png': PNG }, 'b c.png': { 'image/png': PNG } } },
    );
    const imgs = [...dom(html).querySelectorAll('img')];
    expect(imgs.map((i) => i.getAttribute('src'))).toEqual([
      `data:image/png;base64,${PNG}`,
      `data:image/png;base64,${PNG}`,
    ]);
  });
  it('a missing attachment is a visible broken image, not a crash', () => {
    const { html } = render('![pic](attachment:nope.png)', {}, { attachments: {} });
    const img = dom(html).querySelector('img');
    expect(img?.getAttribute('alt')).toContain('missing attachment: nope.png');
  });
  it('invalid base64 in an attachment is not used', () => {
    const { html } = render(
      '![pic](attachment:a.png)',
      {},
      { attachments: { 'a.png': { 'image/png': 'AAAA" onerror="alert(1)' } } },
    );
    expect(html).not.toMatch(/onerror/);
    expect(html).toContain('missing attachment');
  });
});

describe('Markdown is never trusted', () => {
  const payload =
    '<img src=x onerror="alert(1)"> <script>alert(2)</script> [a](javascript:alert(3))';
  it('is sanitized even in a trusted notebook', () => {
    for (const trusted of [false, true]) {
      const { html } = render(payload, { trusted });
      const d = dom(html);
      expect(d.querySelector('[onerror]')).toBeNull();
      expect(d.querySelector('script')).toBeNull();
      expect(d.querySelector('a[href^="javascript"]')).toBeNull();
    }
  });
  it('positive control: the payload survives a pass-through sanitizer', () => {
    const passThrough = { ...sanitizer, markdownHtml: (s: string) => s };
    const { html } = render(payload, { sanitizer: passThrough, trusted: true });
    expect(dom(html).querySelector('[onerror]')).not.toBeNull();
  });
  it('a math placeholder in an attribute cannot inject markup', () => {
    const { html } = render(
      '![$x" onerror="alert(1)$](https://example.org/a.png "$t" onload="x$")',
    );
    const d = dom(html);
    expect(d.querySelector('[onerror], [onload]')).toBeNull();
    expect(d.querySelector('img')?.getAttribute('alt')).toBe('$x" onerror="alert(1)$');
  });
});

describe('pathological Markdown', () => {
  it('2,000 nested quotes and 5,000 nested list markers: shown as text with a notice', () => {
    for (const src of ['>'.repeat(2000) + ' deep', '- '.repeat(5000) + 'deep']) {
      const t0 = Date.now();
      const { html } = render(src);
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(html).toContain('nested too deeply');
      expect(html).toContain('nb-markdown-source');
    }
  });
  it('moderate nesting still renders as Markdown', () => {
    const { html } = render('> '.repeat(20) + 'x');
    expect(dom(html).querySelectorAll('blockquote').length).toBe(20);
  });
});

describe('post-sanitize processing respects tag boundaries', () => {
  // Older serializers leave < and > unescaped inside attribute values; heading anchors and math
  // must never be inserted there (the quotes in our markup would end the attribute).
  const rawSerializer = { ...sanitizer, markdownHtml: (s: string) => s };
  it('a heading inside an attribute value is not rewritten', () => {
    const src = '<span title="<h2><img src=x onerror=alert(1)></h2>">a</span>\n\n## Real';
    const r = render(src, { sanitizer: rawSerializer });
    const d = dom(r.html);
    expect(d.querySelector('[onerror]')).toBeNull();
    expect(d.querySelector('span')?.getAttribute('title')).toBe(
      '<h2><img src=x onerror=alert(1)></h2>',
    );
    expect(r.headings.map((h) => h.id)).toEqual(['nb-real']);
  });
});
