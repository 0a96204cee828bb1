import katex from 'katex';
import { describe, expect, it } from 'vitest';
import {
  hasKatexEngine,
  hasMath,
  removeMath,
  renderLatexText,
  renderTex,
  replaceMath,
  setKatexEngine,
} from './math';

setKatexEngine(katex);

describe('without KaTeX installed', () => {
  it('says so instead of rendering math as an error', () => {
    setKatexEngine(null);
    try {
      expect(hasKatexEngine()).toBe(false);
      expect(() => renderTex('x', false, o())).toThrow(/not loaded/);
      // HTML without math spans needs no engine.
      expect(replaceMath('<p>a</p>', [], o())).toBe('<p>a</p>');
    } finally {
      setKatexEngine(katex);
    }
    expect(renderTex('x', false, o())).toContain('<math');
  });
});

describe('hasMath', () => {
  it('is true for every delimiter removeMath knows and false without one', () => {
    for (const t of ['a $x$', '$$y$$', '\\(z\\)', '\\[w\\]', '\\begin{align}a\\end{align}'])
      expect(hasMath(t), t).toBe(true);
    for (const t of ['no math', 'a price of $5', 'C:\\path', '`$x$` in code', '@@1@@', ''])
      expect(hasMath(t), t).toBe(false);
  });
  it('agrees with removeMath on the cells it skips', () => {
    // The shortcut (no `$` and no backslash: no math) must never hide a span removeMath finds.
    for (const t of ['x', '@@0@@ and @@1@@', '\n', 'a\nb'])
      expect(hasMath(t)).toBe(removeMath(t).math.some((s) => !s.literal));
  });
});

const o = () => ({ output: 'mathml' as const, macros: {} });

describe('removeMath', () => {
  it('finds the Jupyter delimiters', () => {
    const { text, math } = removeMath(
      'a $x$ b $$y$$ c \\(z\\) d \\[w\\]\n\n\\begin{equation}e=mc^2\\end{equation}',
    );
    expect(text).toBe('a @@0@@ b @@1@@ c @@2@@ d @@3@@\n\n@@4@@');
    expect(math.map((m) => [m.tex, m.display])).toEqual([
      ['x', false],
      ['y', true],
      ['z', false],
      ['w', true],
      ['\\begin{equation}e=mc^2\\end{equation}', true],
    ]);
  });
  it('accepts doubled backslashes as Jupyter does', () => {
    const { text, math } = removeMath('a \\\\(x\\\\) b \\\\[y\\\\]');
    expect(text).toBe('a @@0@@ b @@1@@');
    expect(math.map((m) => [m.tex, m.display])).toEqual([
      ['x', false],
      ['y', true],
    ]);
    // A LaTeX line break with spacing inside display math is not a delimiter.
    expect(removeMath('$$a \\\\[2pt] b$$').math.map((m) => m.tex)).toEqual(['a \\\\[2pt] b']);
  });
  it('leaves code spans, fenced code, escaped dollars and lone dollars alone', () => {
    expect(removeMath('cost `$5 and $6` ok').math).toHaveLength(0);
    expect(removeMath('```\na $b$ c\n```\n').math).toHaveLength(0);
    expect(removeMath('price \\$5 and \\$6').math).toHaveLength(0);
    expect(removeMath('just $5').math).toHaveLength(0);
    // Math does not run over a blank line.
    expect(removeMath('$a\n\nb$').math).toHaveLength(0);
  });
  it('keeps user text that looks like a placeholder as text', () => {
    const { text, math } = removeMath('@@0@@ and $x$');
    const html = replaceMath(text, math, o());
    expect(html.startsWith('@@0@@ and ')).toBe(true);
    expect(html).toContain('<math');
  });
  it('balances braces', () => {
    expect(removeMath('$\\text{a $b$ c}$').math[0]?.tex).toBe('\\text{a $b$ c}');
  });
});

describe('replaceMath', () => {
  it('renders in text context only', () => {
    const { math } = removeMath('$x$');
    const html = replaceMath(
      '<p>@@0@@</p><img alt="@@0@@"><code>@@0@@</code><style>@@0@@</style>',
      math,
      o(),
    );
    expect(html).toMatch(/^<p><span class="katex"><math/);
    expect(html).toContain('<img alt="$x$">');
    expect(html).toContain('<code>$x$</code>');
    expect(html).toContain('<style>$x$</style>');
  });
  it('escapes sources that land in attributes', () => {
    const { math } = removeMath('$x" onerror="alert(1)$');
    const html = replaceMath('<img alt="@@0@@">', math, o());
    expect(html).toBe('<img alt="$x&quot; onerror=&quot;alert(1)$">');
  });
});

describe('renderTex', () => {
  it('renders with KaTeX', () => {
    expect(renderTex('\\frac{a}{b}', true, o())).toContain('<mfrac>');
    expect(renderTex('x', false, { output: 'htmlAndMathml', macros: {} })).toContain('katex-html');
  });
  it('keeps \\newcommand across calls sharing macros', () => {
    const m = o();
    renderTex('\\newcommand{\\myset}{\\mathbb{Q}}', false, m);
    expect(renderTex('\\myset', false, m)).toContain('mathvariant="double-struck"');
    // Control: without the shared macros the command is unknown.
    expect(renderTex('\\myset', false, o())).toContain('#cc0000');
  });
  it('does not hang on recursive macros and shows errors inline', () => {
    const t0 = Date.now();
    const html = renderTex('\\def\\a{\\a\\a}\\a', false, o());
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(html.length).toBeGreaterThan(0);
    expect(renderTex('\\frac{', false, o())).toContain('katex-error');
  });
  it('trust is off: no ids, classes, links or styles from TeX (positive control with trust on)', () => {
    const tex = '\\htmlId{canary}{x}\\href{javascript:alert(1)}{y}';
    const html = renderTex(tex, false, o());
    expect(html).not.toContain('id="canary"');
    expect(html).not.toMatch(/href=/);
    // Control: the same TeX with trust on does produce the id, so the test can fail.
    const trusted = katex.renderToString(tex, {
      trust: true,
      throwOnError: false,
      strict: 'ignore',
    });
    expect(trusted).toContain('id="canary"');
    expect(trusted).toMatch(/href=/);
  });
});

describe('renderLatexText', () => {
  it('renders delimited math and escapes the rest', () => {
    const html = renderLatexText('<b>Result</b>: $x^2$', o());
    expect(html).toMatch(/^&lt;b&gt;Result&lt;\/b&gt;: <span class="katex">/);
  });
  it('treats undelimited LaTeX as display math', () => {
    expect(renderLatexText('\\begin{bmatrix}1 & 2\\end{bmatrix}', o())).toContain(
      'display="block"',
    );
  });
});
