import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import type { Cell, CodeCell, JsonValue, Notebook, Output } from '../model';
import { createSanitizer } from '../sanitize';
import { createNotebookRenderer, renderCell, renderNotebook, renderStandalonePage } from './index';
import { katexInlineCss } from './katex-node';
import type { RenderOptions } from './types';

const { window } = new JSDOM('');
const sanitizer = createSanitizer(window as unknown as Window, {
  allowRemoteImages: true,
  idPrefix: 'nb-',
});
const untrusted: RenderOptions = {
  trusted: false,
  sanitizer,
  allowRemoteImages: true,
  idPrefix: 'nb-',
};
const trusted: RenderOptions = { ...untrusted, trusted: true };

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

function code(outputs: Output[], extra: Partial<CodeCell> = {}): CodeCell {
  return {
    index: 0,
    cell_type: 'code',
    source: 'x = 1',
    metadata: {},
    execution_count: 3,
    outputs,
    ...extra,
  };
}
function nb(cells: Cell[], metadata: Notebook['metadata'] = {}): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata,
    cells: cells.map((c, index) => ({ ...c, index })),
  };
}
function display(
  data: Record<string, JsonValue>,
  metadata: Record<string, JsonValue> = {},
): Output {
  return { output_type: 'display_data', data, metadata };
}
function dom(html: string): Document {
  return new JSDOM(html).window.document;
}
function one(outputs: Output[], opts = untrusted) {
  return renderNotebook(nb([code(outputs)]), opts);
}

describe('cells', () => {
  it('one element per cell with data-cell-index and id, prompts with execution counts', () => {
    const r = renderNotebook(
      nb([
        code([
          {
            output_type: 'execute_result',
            execution_count: 3,
            data: { 'text/plain': '1' },
            metadata: {},
          },
        ]),
        { index: 1, cell_type: 'markdown', source: '# Hi', metadata: {} },
        { index: 2, cell_type: 'raw', source: '<b>raw</b>', metadata: {} },
        code([], { execution_count: null }),
      ]),
      untrusted,
    );
    const d = dom(r.html);
    const cells = [...d.querySelectorAll('.nb-cell')];
    expect(cells.map((c) => c.getAttribute('data-cell-index'))).toEqual(['0', '1', '2', '3']);
    expect(cells.map((c) => c.id)).toEqual(['cell-0', 'cell-1', 'cell-2', 'cell-3']);
    expect(cells[0]?.classList.contains('nb-code-cell')).toBe(true);
    expect(cells[0]?.querySelector('.nb-input-prompt')?.textContent).toBe('In [3]:');
    expect(cells[0]?.querySelector('.nb-output-prompt')?.textContent).toBe('Out[3]:');
    expect(cells[3]?.querySelector('.nb-input-prompt')?.textContent).toBe('In [ ]:');
    // Raw cells are text, never HTML.
    expect(cells[2]?.querySelector('b')).toBeNull();
    expect(cells[2]?.textContent).toBe('<b>raw</b>');
    expect(r.css).toContain('.nb-notebook');
  });

  it('highlights code by the kernel language, escaped', () => {
    const r = renderNotebook(
      nb([code([], { source: 'def f():\n    return "<script>"' })], {
        language_info: { name: 'python' },
      }),
      untrusted,
    );
    const d = dom(r.html);
    expect(d.querySelector('.nb-source .hljs-keyword')?.textContent).toBe('def');
    expect(d.querySelector('script')).toBeNull();
    expect(d.querySelector('.nb-source')?.textContent).toBe('def f():\n    return "<script>"');
    const rr = renderNotebook(
      nb([code([], { source: 'x <- c(1, 2)' })], { kernelspec: { language: 'R' } }),
      untrusted,
    );
    expect(rr.html).toContain('language-r');
    const magic = renderNotebook(nb([code([], { source: '%%bash\necho hi' })]), untrusted);
    expect(dom(magic.html).querySelector('.hljs-built_in')?.textContent).toBe('echo');
  });

  it('hidden source and outputs sit behind a <details> toggle that needs no script', () => {
    const r = renderNotebook(
      nb([
        code([{ output_type: 'stream', name: 'stdout', text: 'out' }], {
          metadata: { jupyter: { source_hidden: true, outputs_hidden: true } },
        }),
        code([{ output_type: 'stream', name: 'stdout', text: 'out' }], {
          metadata: { collapsed: true },
        }),
        code([{ output_type: 'stream', name: 'stdout', text: 'out' }]),
      ]),
      untrusted,
    );
    const d = dom(r.html);
    const c0 = d.querySelector('[data-cell-index="0"]');
    expect(c0?.querySelector('details.nb-hidden-input .nb-source')).not.toBeNull();
    expect(c0?.querySelector('details.nb-hidden-outputs .nb-stream')).not.toBeNull();
    expect(c0?.querySelector('details[open]')).toBeNull();
    expect(d.querySelector('[data-cell-index="1"] details.nb-hidden-outputs')).not.toBeNull();
    expect(d.querySelector('[data-cell-index="2"] details')).toBeNull();
  });

  it('renderCell renders one cell; createNotebookRenderer shares state across cells', () => {
    const cell: Cell = { index: 7, cell_type: 'markdown', source: '# A', metadata: {} };
    expect(dom(renderCell(cell, untrusted)).querySelector('[data-cell-index="7"] h1')?.id).toBe(
      'nb-a',
    );
    const r = createNotebookRenderer(nb([]), trusted);
    r.renderCell(cell);
    r.renderCell({ ...cell, index: 8 });
    expect(r.headings.map((h) => h.id)).toEqual(['nb-a', 'nb-a-1']);
  });
});

describe('streams', () => {
  it('merges consecutive streams of the same name and applies \\r', () => {
    const r = one([
      { output_type: 'stream', name: 'stdout', text: 'a\n' },
      { output_type: 'stream', name: 'stdout', text: ' 10%\r100%\n' },
      { output_type: 'stream', name: 'stderr', text: 'warn\n' },
      { output_type: 'stream', name: 'stdout', text: 'b\n' },
    ]);
    const streams = [...dom(r.html).querySelectorAll('.nb-stream')];
    expect(streams.map((s) => s.textContent)).toEqual(['a\n100%\n', 'warn\n', 'b\n']);
    expect(streams[1]?.classList.contains('nb-stderr')).toBe(true);
  });
  it('colours ANSI in streams and tracebacks', () => {
    const r = one([
      { output_type: 'stream', name: 'stdout', text: '\x1b[32mok\x1b[0m' },
      {
        output_type: 'error',
        ename: 'ValueError',
        evalue: 'x',
        traceback: ['\x1b[0;31mValueError\x1b[0m: x'],
      },
    ]);
    const d = dom(r.html);
    expect(d.querySelector('.nb-stream .ansi-green-fg')?.textContent).toBe('ok');
    expect(d.querySelector('.nb-error .ansi-red-fg')?.textContent).toBe('ValueError');
    expect(r.html).not.toContain('\x1b');
  });
  it('clips long streams behind a "show all" toggle', () => {
    const text = Array.from({ length: 12 }, (_, i) => `line ${i}\n`).join('');
    const r = renderNotebook(nb([code([{ output_type: 'stream', name: 'stdout', text }])]), {
      ...untrusted,
      maxStreamLines: 5,
    });
    const d = dom(r.html);
    expect(d.querySelector('.nb-stream')?.textContent?.split('\n').length).toBe(6);
    expect(d.querySelector('details.nb-stream-more summary')?.textContent).toContain(
      '7 more lines',
    );
    expect(d.querySelector('details.nb-stream-more .nb-stream')?.textContent).toContain('line 11');
  });
});

describe('outputs too large to render at once (maxHtmlOutputChars, maxStreamRestChars)', () => {
  const big = `<table>${'<tr><td>cell</td></tr>'.repeat(200)}</table><img src=x onerror=alert(1)>`;
  const limits = { maxHtmlOutputChars: 1000, maxStreamRestChars: 100 };

  it('a large HTML output is a note with a button and its plain text, until rendered in full', () => {
    for (const base of [untrusted, trusted]) {
      const book = nb([code([display({ 'text/html': big, 'text/plain': '<DataFrame 200x1>' })])]);
      const r = createNotebookRenderer(book, { ...base, ...limits });
      const cell = book.cells[0] as Cell;
      const d = dom(r.renderCell(cell));
      expect(d.querySelector('.nb-large-note')?.textContent).toContain('large (0.0 MB)');
      expect(d.querySelector('button.nb-large-show')?.textContent).toBe('Render it');
      expect(d.querySelector('.nb-large-output pre')?.textContent).toBe('<DataFrame 200x1>');
      expect(d.querySelectorAll('td').length).toBe(0);
      // In full: the same path as any HTML output, sanitized when untrusted.
      const full = dom(r.renderCellInFull(cell));
      expect(full.querySelectorAll('td').length).toBe(200);
      expect(full.querySelector('.nb-large-show')).toBeNull();
      expect(full.querySelector('[onerror]') === null).toBe(!base.trusted);
      // The limits apply again afterwards.
      expect(dom(r.renderCell(cell)).querySelector('.nb-large-show')).not.toBeNull();
    }
    // Control: under the limit, or without limits, it renders at once.
    const small = nb([code([display({ 'text/html': big })])]);
    expect(dom(renderNotebook(small, untrusted).html).querySelectorAll('td').length).toBe(200);
    const under = renderNotebook(small, { ...untrusted, maxHtmlOutputChars: big.length });
    expect(dom(under.html).querySelectorAll('td').length).toBe(200);
    // Without text/plain the preview is the escaped start of the HTML.
    const bare = dom(renderNotebook(small, { ...untrusted, ...limits }).html);
    expect(bare.querySelector('.nb-large-output pre')?.textContent).toContain('<table><tr>');
    expect(bare.querySelector('img')).toBeNull();
  });

  it('a large image leaves its data: URI out of the HTML, for the renderer to set', () => {
    const big = 'A'.repeat(400);
    const book = nb([code([display({ 'image/png': big }), display({ 'image/png': PNG })])]);
    const r = createNotebookRenderer(book, { ...untrusted, largeImageChars: 300 });
    const d = dom(r.renderCell(book.cells[0] as Cell));
    const imgs = Array.from(d.querySelectorAll('img.nb-image'));
    expect(imgs.map((i) => i.getAttribute('data-nbshield-image'))).toEqual(['0', null]);
    expect(imgs[0]?.hasAttribute('src')).toBe(false);
    expect(imgs[1]?.getAttribute('src')).toBe(`data:image/png;base64,${PNG}`);
    expect(r.images).toEqual([{ type: 'image/png', base64: big }]);
    // Control: without the option every image is inline.
    expect(one([display({ 'image/png': big })]).html).toContain(`base64,${big}"`);
  });

  it('an output cannot set data-nbshield-image itself (the renderer would fill it)', () => {
    const html = '<img data-nbshield-image="0" alt="x"><b data-nbshield-image="1">b</b>';
    const d = dom(one([display({ 'text/html': html })], { ...untrusted, largeImageChars: 1 }).html);
    expect(d.querySelector('[data-nbshield-image]')).toBeNull();
    expect(d.querySelector('.nb-html-output b')?.textContent).toBe('b');
  });

  it('trusted HTML with scripts is never deferred (its scripts keep their order)', () => {
    const html = `${big}<script>window.x = 1</script>`;
    const r = one([display({ 'text/html': html })], { ...trusted, ...limits });
    expect(r.html).not.toContain('nb-large-show');
    expect(r.scripts.map((x) => x.kind)).toEqual(['html-script']);
  });

  it('a clipped stream whose hidden rest is large gets a button instead of the rest', () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join('');
    const book = nb([code([{ output_type: 'stream', name: 'stdout', text }])]);
    const r = createNotebookRenderer(book, { ...untrusted, maxStreamLines: 5, ...limits });
    const cell = book.cells[0] as Cell;
    const d = dom(r.renderCell(cell));
    expect(d.querySelector('.nb-stream')?.textContent).toContain('line 4');
    expect(d.body.textContent).not.toContain('line 99');
    expect(d.querySelector('.nb-stream-more button.nb-large-show')?.textContent).toBe(
      'Show all 95 more lines',
    );
    const full = dom(r.renderCellInFull(cell));
    expect(full.querySelector('details.nb-stream-more')?.textContent).toContain('line 99');
  });
});

describe('MIME bundles', () => {
  it('prefers HTML, sanitizes it when untrusted, passes it through when trusted', () => {
    const data = {
      'text/html': '<b>bold</b><script>window.x=1</script><img src=x onerror=alert(1)>',
      'text/plain': 'plain',
    };
    const u = dom(one([display(data)]).html);
    expect(u.querySelector('.nb-html-output b')?.textContent).toBe('bold');
    expect(u.querySelector('script, [onerror]')).toBeNull();
    expect(u.body.textContent).not.toContain('plain');
    expect(u.querySelector('.nb-placeholder')?.textContent).toContain(
      'this HTML output has scripts',
    );
    expect(
      dom(one([display({ 'text/html': '<b>x</b>' })]).html).querySelector('.nb-placeholder'),
    ).toBeNull();
    const t = one([display(data)], trusted);
    expect(dom(t.html).querySelector('.nb-html-output script')).not.toBeNull();
    expect(t.scripts).toEqual([
      { cellIndex: 0, outputIndex: 0, code: 'window.x=1', kind: 'html-script' },
    ]);
    expect(dom(t.html).querySelector('.nb-html-output[data-script-index="0"]')).not.toBeNull();
  });

  it('trusted HTML with stray end tags stays inside its cell when a document is given', () => {
    const notebook = nb([code([display({ 'text/html': '<b>x</div></div></div><p>y' })]), code([])]);
    const d = dom(renderNotebook(notebook, { ...trusted, document: window.document }).html);
    expect(d.querySelectorAll('.nb-notebook > .nb-cell')).toHaveLength(2);
    expect(d.querySelector('[data-cell-index="0"] .nb-html-output p')?.textContent).toBe('y');
    // Control: passed through byte for byte, the stray tags close the cell and the notebook.
    const raw = dom(renderNotebook(notebook, trusted).html);
    expect(raw.querySelectorAll('.nb-notebook > .nb-cell')).not.toHaveLength(2);
  });

  it('application/javascript: placeholder plus safe fallback when untrusted, listed in scripts when trusted', () => {
    const data = {
      'application/javascript': 'element.textContent = 1',
      'text/plain': '<IPython.Javascript>',
    };
    const u = one([display(data)]);
    const d = dom(u.html);
    expect(d.querySelector('.nb-placeholder')?.textContent).toContain(
      'not run: notebook not trusted',
    );
    expect(d.querySelector('.nb-text-output')?.textContent).toBe('<IPython.Javascript>');
    expect(u.scripts).toEqual([]);
    const t = one([display(data)], trusted);
    expect(t.scripts).toEqual([
      { cellIndex: 0, outputIndex: 0, code: 'element.textContent = 1', kind: 'javascript' },
    ]);
    expect(dom(t.html).querySelector('.nb-js-output[data-script-index="0"]')).not.toBeNull();
    expect(t.html).not.toContain('element.textContent');
  });

  it('trusted JavaScript keeps the HTML it draws into (Bokeh-style bundles)', () => {
    const data = {
      'text/html': '<div class="bk-root" id="plot-1"></div>',
      'application/javascript': 'Bokeh.embed()',
      'application/vnd.bokehjs_exec.v0+json': '',
    };
    const t = one([display(data)], trusted);
    expect(
      dom(t.html).querySelector('.nb-js-output[data-script-index="0"] #plot-1'),
    ).not.toBeNull();
    const u = dom(one([display(data)]).html);
    expect(u.querySelector('.nb-placeholder')?.textContent).toContain('Bokeh, JavaScript');
    expect(u.querySelector('.nb-js-output')).toBeNull();
  });

  it('widgets and plotly/vega/bokeh: placeholder when untrusted, fallback shown', () => {
    const widget = {
      'application/vnd.jupyter.widget-view+json': { model_id: 'abc', version_major: 2 },
      'text/plain': 'IntSlider(value=3)',
    };
    const u = dom(one([display(widget)]).html);
    expect(u.querySelector('.nb-placeholder')?.textContent).toContain(
      'not run: notebook not trusted',
    );
    expect(u.querySelector('.nb-text-output')?.textContent).toBe('IntSlider(value=3)');
    // Trusted: a box for the bundled widget library, holding the fallback until it draws.
    const tr = one([display(widget)], trusted);
    const t = dom(tr.html);
    const box = t.querySelector('.nb-rich-output[data-rich="widgets"][data-script-index="0"]');
    expect(box?.querySelector('.nb-rich-fallback .nb-text-output')?.textContent).toBe(
      'IntSlider(value=3)',
    );
    expect(tr.scripts[0]?.kind).toBe('rich');
    expect(tr.scripts[0]?.rich?.value).toEqual({ model_id: 'abc', version_major: 2 });
    expect(t.querySelector('.nb-placeholder')).toBeNull();
    // Untrusted renders list nothing to run.
    expect(one([display(widget)]).scripts).toHaveLength(0);

    const plot = { 'application/vnd.plotly.v1+json': { data: [] }, 'image/png': PNG };
    const p = dom(one([display(plot)]).html);
    expect(p.querySelector('.nb-placeholder')?.textContent).toContain('Plotly');
    expect(p.querySelector('img')?.getAttribute('src')).toBe(`data:image/png;base64,${PNG}`);
    const altair = {
      'application/vnd.vegalite.v4+json': {},
      'text/html': '<div id="vis"></div><script>vegaEmbed("#vis")</script>',
    };
    expect(dom(one([display(altair)]).html).querySelectorAll('.nb-placeholder')).toHaveLength(1);
    const vegaOnly = dom(one([display({ 'application/vnd.vegalite.v4+json': {} })]).html);
    expect(vegaOnly.querySelector('.nb-placeholder')?.textContent).toContain('trust this notebook');
    const tp = one([display(plot)], trusted);
    const pbox = dom(tp.html).querySelector('.nb-rich-output[data-rich="plotly"]');
    expect(pbox?.querySelector('.nb-rich-fallback img')?.getAttribute('src')).toBe(
      `data:image/png;base64,${PNG}`,
    );
    expect(tp.scripts.map((x) => x.rich?.library)).toEqual(['plotly']);
    for (const mime of ['application/vnd.vegalite.v5+json', 'application/vnd.vega.v5+json']) {
      const tv = one([display({ [mime]: { $schema: 'x' } })], trusted);
      expect(tv.scripts.map((x) => [x.rich?.library, x.rich?.mime])).toEqual([['vega', mime]]);
    }
  });

  it('images: data URIs with validated base64 and size from metadata', () => {
    const r = one([
      display({ 'image/png': PNG + '\n' }, { 'image/png': { width: 320, height: 200.4 } }),
      display({ 'image/jpeg': '/9j/4AAQ' }, { width: 'evil"' }),
      display({ 'image/gif': 'R0lGOD" onerror="alert(1)' }),
    ]);
    const d = dom(r.html);
    const imgs = [...d.querySelectorAll('img')];
    expect(imgs).toHaveLength(2);
    expect(imgs[0]?.getAttribute('width')).toBe('320');
    expect(imgs[0]?.getAttribute('height')).toBe('200');
    // The payload as the notebook holds it: a data: URL skips the line break (no cleaned copy).
    expect(imgs[0]?.getAttribute('src')).toBe(`data:image/png;base64,${PNG}\n`);
    expect(imgs[1]?.getAttribute('width')).toBeNull();
    expect(d.querySelector('[onerror]')).toBeNull();
    expect(d.body.textContent).toContain('Invalid image/gif data');
  });

  it('SVG is shown as an image, never inline', () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><circle r="5"/></svg>';
    for (const opts of [untrusted, trusted]) {
      const d = dom(one([display({ 'image/svg+xml': svg, 'text/plain': 'fig' })], opts).html);
      expect(d.querySelector('svg, script')).toBeNull();
      expect(d.querySelector('img')?.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    }
  });

  it('markdown, latex, json, plain text', () => {
    const d = dom(
      one(
        [
          display({ 'text/markdown': '**b** $x$ <img src=x onerror=alert(1)>' }),
          display({ 'text/latex': '$$\\alpha$$' }),
          display({ 'application/json': { a: [1, 2] } }),
          display({ 'text/plain': '<tag> & "q"' }),
        ],
        trusted,
      ).html,
    );
    expect(d.querySelector('.nb-markdown-output strong')?.textContent).toBe('b');
    expect(d.querySelector('.nb-markdown-output .katex')).not.toBeNull();
    expect(d.querySelector('[onerror]')).toBeNull();
    expect(d.querySelector('.nb-latex-output math')).not.toBeNull();
    expect(d.querySelector('details.nb-json pre')?.textContent).toBe(
      '{\n  "a": [\n    1,\n    2\n  ]\n}',
    );
    expect(d.querySelector('.nb-text-output')?.textContent).toBe('<tag> & "q"');
  });

  it('unknown types and notices are visible, not blank', () => {
    const d = dom(
      one([
        display({ 'application/x-unknown': 'zzz' }),
        display({ 'application/x-nbshield-notice': 'odd output' }),
      ]).html,
    );
    const notes = [...d.querySelectorAll('.nb-placeholder, .nb-notice')].map((n) => n.textContent);
    expect(notes[0]).toContain('application/x-unknown');
    expect(notes[1]).toBe('odd output');
  });

  it('100,000 nested <div>s in an untrusted output neither hang nor crash', () => {
    const deep = '<div>'.repeat(100_000) + 'x' + '</div>'.repeat(100_000);
    const t0 = Date.now();
    const r = one([display({ 'text/html': deep })]);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.html).toContain('data-output-index="0"');
    expect(r.html).toContain('nested more than 512 levels');
    // Ordinary nesting is sanitized and shown as HTML.
    const ok = one([display({ 'text/html': '<div>'.repeat(50) + 'y' + '</div>'.repeat(50) })]).html;
    expect(dom(ok).querySelectorAll('.nb-html-output div').length).toBeGreaterThanOrEqual(50);
  });
});

describe('untrusted output never carries script (canary in a script-running DOM)', () => {
  const payloads = [
    '<script>window.parent.canary = 1</script>',
    '<img src="data:image/png;base64,AAAA" onerror="window.canary=2">',
    '<svg><script>window.canary=3</script></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror="window.canary=4">',
    '<a href="javascript:window.canary=5">x</a>',
    '<iframe srcdoc="<script>parent.canary=6</script>"></iframe>',
  ];
  const notebook = nb([
    code(payloads.map((p) => display({ 'text/html': p }))),
    code([display({ 'application/javascript': 'window.canary = 7' })]),
    { index: 2, cell_type: 'markdown', source: payloads.join('\n\n'), metadata: {} },
  ]);
  function run(html: string): unknown {
    const w = new JSDOM(`<!DOCTYPE html><body>${html}</body>`, { runScripts: 'dangerously' })
      .window;
    for (const a of w.document.querySelectorAll('a')) a.click();
    return (w as unknown as { canary?: unknown }).canary;
  }
  it('untrusted: no <script, no on*= attributes, and the canary stays silent', () => {
    const { html, scripts } = renderNotebook(notebook, untrusted);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(scripts).toEqual([]);
    expect(run(html)).toBeUndefined();
  });
  it('positive control: the trusted render does run the canary', () => {
    const { html } = renderNotebook(notebook, trusted);
    expect(run(html)).toBeDefined();
  });
});

describe('renderStandalonePage', () => {
  const notebook = nb([
    code([
      display({ 'application/javascript': 'element.textContent = "ran"', 'text/plain': 'js' }),
    ]),
    code([display({ 'text/html': '<p>hi</p><script>1</script>' })]),
  ]);
  it('untrusted: a whole document, no script at all, CSP forbids everything but images and inline style', () => {
    const page = renderStandalonePage(notebook, { ...untrusted, title: 'T <x>' });
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).not.toMatch(/<script/i);
    const d = dom(page);
    expect(d.title).toBe('T <x>');
    const csp = d
      .querySelector('meta[http-equiv="Content-Security-Policy"]')
      ?.getAttribute('content');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('img-src data: https: http:');
    expect(csp).not.toContain('script-src');
    expect(d.querySelector('style')?.textContent).toContain('.nb-notebook');
    expect(d.querySelectorAll('.nb-cell')).toHaveLength(2);
    const noRemote = renderStandalonePage(notebook, { ...untrusted, allowRemoteImages: false });
    expect(noRemote).toContain('img-src data:;');
  });
  it('trusted: output scripts run, bound to their element', () => {
    const page = renderStandalonePage(notebook, trusted);
    const w = new JSDOM(page, { runScripts: 'dangerously' }).window;
    expect(w.document.querySelector('.nb-js-output')?.textContent).toBe('ran');
  });
  it('can inline KaTeX CSS with its fonts (HTML math layout, still self-contained)', () => {
    const math = nb([
      {
        index: 0,
        cell_type: 'markdown',
        source: '$$\\begin{pmatrix}1\\\\2\\end{pmatrix}$$',
        metadata: {},
      },
    ]);
    const page = renderStandalonePage(math, { ...untrusted, katexCss: katexInlineCss() });
    expect(page).toContain('katex-html');
    expect(page).toContain('src:url(data:font/woff2;base64,');
    expect(page).not.toMatch(/url\(fonts\//);
    expect(page).not.toMatch(/<script/i);
    // Without math, the KaTeX CSS is left out.
    expect(
      renderStandalonePage(nb([]), { ...untrusted, katexCss: katexInlineCss() }),
    ).not.toContain('KaTeX_AMS');
  });
  it('a script body cannot end its element early', () => {
    const evil = nb([
      code([
        display({ 'application/javascript': 'var s = "</script><img src=x onerror=alert(1)>";' }),
      ]),
    ]);
    const d = dom(renderStandalonePage(evil, trusted));
    expect(d.querySelector('img')).toBeNull();
  });
});

describe('deep HTML in Markdown', () => {
  it('100,000 nested <div>s in a Markdown cell: shown as text, quickly', () => {
    const deep = '<div>'.repeat(100_000) + 'x' + '</div>'.repeat(100_000);
    const t0 = Date.now();
    const r = renderNotebook(
      nb([{ index: 0, cell_type: 'markdown', source: deep, metadata: {} }]),
      untrusted,
    );
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.html).toContain('nested too deeply');
  });
});
