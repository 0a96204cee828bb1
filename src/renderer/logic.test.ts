import { describe, expect, it } from 'vitest';
import type { CodeCell, Notebook } from '../core/model';
import {
  detached,
  hasActiveOutputs,
  mayWaitBesideScripts,
  linkAction,
  nextChunkEnd,
  outputsHeightEstimate,
  pendingOutputText,
  placeholderHtml,
} from './logic';

describe('linkAction', () => {
  it('fragment links scroll inside the frame, prefixed id first', () => {
    expect(linkAction('#Intro', 'nb-')).toEqual({ kind: 'fragment', ids: ['nb-Intro', 'Intro'] });
    expect(linkAction('#nb-intro', 'nb-')).toEqual({ kind: 'fragment', ids: ['nb-intro'] });
    expect(linkAction('#caf%C3%A9', 'nb-')).toEqual({ kind: 'fragment', ids: ['nb-café', 'café'] });
    expect(linkAction('#', 'nb-')).toEqual({ kind: 'none' });
  });
  it('web links go to the viewer', () => {
    expect(linkAction(' https://example.org/x ', 'nb-')).toEqual({
      kind: 'external',
      href: 'https://example.org/x',
    });
  });
  it.each([
    'javascript:alert(1)',
    'data:text/html,x',
    'vbscript:x',
    'relative/path',
    'blob:null/x',
  ])('nothing for %s', (href) => expect(linkAction(href, 'nb-')).toEqual({ kind: 'none' }));
});

describe('nextChunkEnd', () => {
  it('renders at least one cell per call and stops at the budget', () => {
    let t = 0;
    const done: number[] = [];
    const now = () => t;
    const one = (i: number) => {
      done.push(i);
      t += 5;
    };
    expect(nextChunkEnd(10, 0, 12, now, one)).toBe(3); // 5, 10, 15 >= 12
    expect(nextChunkEnd(10, 3, 0, now, one)).toBe(4);
    expect(nextChunkEnd(10, 4, 1000, now, one)).toBe(10);
    expect(done).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(nextChunkEnd(10, 10, 1000, now, one)).toBe(10);
  });
  it('stops before a cell that cannot be rendered yet', () => {
    const done: number[] = [];
    const wait = (i: number) => (i === 2 ? false : void done.push(i));
    expect(nextChunkEnd(5, 0, 1000, () => 0, wait)).toBe(2);
    expect(nextChunkEnd(5, 2, 1000, () => 0, wait)).toBe(2);
    expect(done).toEqual([0, 1]);
  });
});

describe('lazy cells', () => {
  const code = (over: Partial<CodeCell> = {}): CodeCell => ({
    cell_type: 'code',
    index: 3,
    source: 'x = "<b>&"',
    metadata: {},
    execution_count: 7,
    outputs: [],
    ...over,
  });
  const nb = (outputs: CodeCell['outputs']): Notebook => ({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [code({ outputs })],
  });
  const display = (data: Record<string, string>) => ({
    output_type: 'display_data' as const,
    data,
    metadata: {},
  });

  it('a placeholder is the cell box with the source as escaped text', () => {
    const h = placeholderHtml(code({ id: 'a"b' }));
    expect(h).toContain('data-cell-index="3" id="cell-3" data-cell-id="a&quot;b"');
    expect(h).toContain('class="nb-cell nb-code-cell nb-pending"');
    expect(h).toContain('x = &quot;&lt;b&gt;&amp;&quot;');
    expect(h).not.toContain('<b>');
    expect(h).toContain('In [7]:');
    expect(h).toContain('nb-lazy-probe');
  });
  it('a placeholder holds the text its outputs will show as text, for find-in-page', () => {
    const outputs: CodeCell['outputs'] = [
      { output_type: 'stream', name: 'stdout', text: '\u001b[31mred\u001b[0m line\n' },
      {
        output_type: 'error',
        ename: 'ValueError',
        evalue: 'bad <value>',
        traceback: ['tb'],
      },
      display({ 'text/plain': 'only text' }),
      display({ 'text/plain': 'beside html', 'text/html': '<b>x</b>' }),
    ];
    expect(pendingOutputText(code({ outputs }))).toBe(
      'red line\n\nValueError: bad <value>\nonly text',
    );
    const h = placeholderHtml(code({ outputs }));
    expect(h).toContain('<pre class="nb-pending-text">red line');
    expect(h).toContain('ValueError: bad &lt;value&gt;');
    expect(h).not.toContain('beside html');
    const huge = { output_type: 'stream' as const, name: 'stdout', text: 'x'.repeat(100_000) };
    expect(pendingOutputText(code({ outputs: [huge] }))).toHaveLength(20_000);
    expect(
      placeholderHtml(code({ outputs, metadata: { jupyter: { outputs_hidden: true } } })),
    ).not.toContain('nb-pending-text');
  });

  it('hidden code stays hidden in a placeholder', () => {
    const h = placeholderHtml(code({ metadata: { jupyter: { source_hidden: true } } }));
    expect(h).toContain('<details class="nb-hidden nb-hidden-input">');
  });
  it('estimates room for outputs', () => {
    const stream = { output_type: 'stream' as const, name: 'stdout', text: 'a\nb\nc\n' };
    expect(outputsHeightEstimate(code())).toBe(0);
    expect(outputsHeightEstimate(code({ outputs: [stream] }))).toBe(17 * 3 + 10);
    expect(outputsHeightEstimate(code({ outputs: [display({ 'image/png': 'AAAA' })] }))).toBe(300);
    expect(outputsHeightEstimate(code({ outputs: [stream], metadata: { collapsed: true } }))).toBe(
      30,
    );
  });
  it('only static outputs let a trusted notebook render lazily', () => {
    expect(hasActiveOutputs(nb([]).cells)).toBe(false);
    expect(
      hasActiveOutputs(
        nb([display({ 'text/html': '<b>x</b>', 'image/png': 'AAAA', 'text/plain': 'x' })]).cells,
      ),
    ).toBe(false);
    expect(hasActiveOutputs(nb([display({ 'text/html': '<p><SCRIPT>x()</script>' })]).cells)).toBe(
      true,
    );
    expect(hasActiveOutputs(nb([display({ 'application/javascript': 'x()' })]).cells)).toBe(true);
    expect(
      hasActiveOutputs(nb([display({ 'application/vnd.jupyter.widget-view+json': '{}' })]).cells),
    ).toBe(true);
  });
  it('beside scripts, only cells a script cannot need may wait', () => {
    const one = (...outputs: Parameters<typeof display>[0][]) =>
      nb([...outputs.map((d) => display(d))]).cells[0];
    const waits = (cell: ReturnType<typeof one>): boolean =>
      cell?.cell_type === 'code' && mayWaitBesideScripts(cell);
    expect(waits(code())).toBe(true);
    expect(waits(one({ 'image/png': 'AAAA', 'text/plain': 'fig' }))).toBe(true);
    expect(waits(one({ 'text/plain': '42' }))).toBe(true);
    expect(waits(one({ 'application/vnd.plotly.v1+json': '{}' }))).toBe(true);
    // Markup a script may look for, or a script itself: rendered before the scripts run.
    expect(waits(one({ 'text/html': '<div id="target"></div>' }))).toBe(false);
    expect(waits(one({ 'image/svg+xml': '<svg id="s"></svg>' }))).toBe(false);
    expect(waits(one({ 'text/markdown': '**x**' }))).toBe(false);
    expect(waits(one({ 'application/javascript': 'x()' }))).toBe(false);
    expect(waits(one({ 'application/vnd.jupyter.widget-view+json': '{}' }))).toBe(false);
    expect(waits(one({ 'image/png': 'AAAA' }, { 'text/html': '<b>x</b>' }))).toBe(false);
  });
  it('plots drawn from their own data do not hold a trusted notebook to full order', () => {
    const active = (data: Record<string, string>): boolean =>
      hasActiveOutputs(nb([display(data)]).cells);
    expect(active({ 'application/vnd.plotly.v1+json': '{}' })).toBe(false);
    expect(active({ 'application/vnd.vegalite.v4+json': '{}', 'text/plain': 'chart' })).toBe(false);
    expect(active({ 'application/vnd.vega.v5+json': '{}' })).toBe(false);
    // Only the type a trusted render shows counts: Altair's HTML with its vegaEmbed script
    // beside the Vega-Lite JSON never renders.
    expect(
      active({
        'application/vnd.vegalite.v4+json': '{}',
        'text/html': '<div id="v"></div><script>vegaEmbed("#v", {})</script>',
      }),
    ).toBe(false);
    // ... but the HTML with script is what renders when no plot type is there.
    expect(active({ 'text/html': '<script>x()</script>', 'image/png': 'AAAA' })).toBe(true);
    // A type nothing renders runs nothing ("no renderer" note).
    expect(active({ 'application/x-nobody-knows': '{}' })).toBe(false);
    // A plot beside script elsewhere in the notebook: still in order.
    expect(
      hasActiveOutputs(
        nb([
          display({ 'application/vnd.plotly.v1+json': '{}' }),
          display({ 'application/javascript': 'x()' }),
        ]).cells,
      ),
    ).toBe(true);
  });
});

describe('detached', () => {
  it('is the same text, short or long, astral and lone surrogates included', () => {
    for (const s of [
      '',
      'short',
      'x'.repeat(40),
      'a\u2013b\n"q"\\ \u{1f917}'.repeat(5),
      '\ud800 lone',
    ]) {
      expect(detached(s)).toBe(s);
    }
  });
});
