// Fidelity on real notebooks (../shared/corpus beside the repository): every notebook parses and
// renders, untrusted and trusted, with every cell, image, heading and formula present, and no
// script or event handler in the untrusted render. Prints render times (not asserted).

import { JSDOM } from 'jsdom';
import { afterAll, describe, expect, it } from 'vitest';
import type { Cell, Notebook } from '../../src/core/model';
import { parseNotebook } from '../../src/core/parse';
import { renderNotebook } from '../../src/core/render/index';
import { removeMath } from '../../src/core/render/math';
import type { RenderOptions } from '../../src/core/render/types';
import { CORPUS_DIR, corpusFiles, readCorpus } from '../corpus';
import { untrustedOptions } from './jsdom-render';

const files = corpusFiles();
const base: RenderOptions = untrustedOptions;

const IMAGE_MIMES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/bmp',
  'image/svg+xml',
];
// Safe types ranked above images: when present they are shown instead (as in JupyterLab).
const ABOVE_IMAGES = ['text/html', 'text/markdown', 'text/latex'];

/** ATX and setext headings of Markdown source outside fenced code, counted independently. */
function countHeadings(source: string): number {
  let n = 0;
  let fence: string | null = null;
  const lines = source.split('\n');
  lines.forEach((line, i) => {
    const f = /^\s{0,3}(```|~~~)/.exec(line);
    if (f) {
      fence = fence === null ? (f[1] ?? null) : fence === f[1] ? null : fence;
      return;
    }
    if (fence !== null) return;
    if (/^\s{0,3}#{1,6}(\s+|$)\S/.test(line) || /^\s{0,3}#{1,6}\s+\S/.test(line)) n++;
    else if (/^\s{0,3}(=+|-+)\s*$/.test(line) && i > 0 && /\S/.test(lines[i - 1] ?? '')) {
      // setext underline under a paragraph line (a `---` after a blank line is a rule)
      if (/^\s{0,3}=+\s*$/.test(line) || !/^\s{0,3}([-*_]\s*){3,}$/.test(lines[i - 1] ?? '')) {
        if (
          !/^\s*([-*+]|\d+[.)])\s/.test(lines[i - 1] ?? '') &&
          !/^\s*[|>]/.test(lines[i - 1] ?? '')
        )
          n++;
      }
    }
  });
  return n;
}

function expectedImages(cell: Cell, trusted: boolean): Array<{ output: number; valid: boolean }> {
  if (cell.cell_type !== 'code') return [];
  const out: Array<{ output: number; valid: boolean }> = [];
  cell.outputs.forEach((o, j) => {
    if (o.output_type !== 'display_data' && o.output_type !== 'execute_result') return;
    const mimes = Object.keys(o.data);
    if (!mimes.some((m) => IMAGE_MIMES.includes(m))) return;
    if (mimes.some((m) => ABOVE_IMAGES.includes(m))) return;
    if (trusted && mimes.includes('application/javascript')) return;
    const img = mimes.find((m) => IMAGE_MIMES.includes(m)) ?? '';
    const data = o.data[img];
    const valid =
      typeof data === 'string' &&
      (img === 'image/svg+xml'
        ? data.trim() !== ''
        : /^[A-Za-z0-9+/]+={0,2}$/.test(data.replace(/\s+/g, '')));
    out.push({ output: j, valid });
  });
  return out;
}

const times: Array<{ file: string; ms: number; bytes: number }> = [];

describe('corpus fidelity', () => {
  it('finds the corpus beside the repository', () => {
    expect(files.length, `no notebooks in ${CORPUS_DIR}`).toBeGreaterThanOrEqual(40);
  });

  let mathTotal = 0;
  let imgTotal = 0;
  let headingTotal = 0;
  let mathErrors = 0;

  describe.each(files)('%s', (file) => {
    const text = readCorpus(file);
    let nb: Notebook | undefined;

    it('parses', () => {
      const r = parseNotebook(text);
      expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
      if (r.ok) nb = r.value;
    });

    for (const trusted of [false, true]) {
      it(`renders ${trusted ? 'trusted' : 'untrusted'} with every cell, image, heading and formula`, () => {
        if (!nb) throw new Error('did not parse');
        const t0 = performance.now();
        const r = renderNotebook(nb, { ...base, trusted });
        const ms = performance.now() - t0;
        if (!trusted) times.push({ file, ms, bytes: text.length });
        const doc = new JSDOM(r.html).window.document;

        // Exactly one element per cell, in order.
        const cells = [...doc.querySelectorAll('[data-cell-index]')];
        expect(cells.map((c) => c.getAttribute('data-cell-index'))).toEqual(
          nb.cells.map((_c, i) => String(i)),
        );

        nb.cells.forEach((cell, i) => {
          const el = cells[i];
          if (!el) throw new Error(`cell ${i} missing`);
          for (const { output, valid } of expectedImages(cell, trusted)) {
            const out = el.querySelector(`[data-output-index="${output}"]`);
            if (valid) {
              expect(
                out?.querySelector('img'),
                `${file} cell ${i} output ${output}: image not shown`,
              ).not.toBeNull();
              imgTotal++;
            } else {
              // Empty or corrupt image data: a visible note instead of a broken <img>.
              expect(
                out?.querySelector('.nb-placeholder'),
                `${file} cell ${i} output ${output}`,
              ).not.toBeNull();
            }
          }
          if (cell.cell_type === 'markdown') {
            const expected = countHeadings(cell.source);
            const got = el.querySelectorAll('h1, h2, h3, h4, h5, h6').length;
            expect(got, `${file} cell ${i}: headings`).toBeGreaterThanOrEqual(expected);
            headingTotal += expected;
            for (const h of el.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
              expect(h.id, `${file} cell ${i}: heading without id`).not.toBe('');
            }
            // Math inside HTML comments is not shown by anyone.
            const visible = cell.source.replace(/<!--[\s\S]*?-->/g, '');
            const math = removeMath(visible).math.filter((m) => !m.literal).length;
            const inCode = [...el.querySelectorAll('code, pre')].reduce(
              (n, c) => n + removeMath(c.textContent ?? '').math.length,
              0,
            );
            // KaTeX errors (unsupported commands) are shown in place, in red, and counted apart.
            const rendered = el.querySelectorAll('.katex, .katex-error, .nb-math-error').length;
            if (!trusted) mathErrors += el.querySelectorAll('.katex-error, .nb-math-error').length;
            expect(rendered, `${file} cell ${i}: formulas rendered`).toBeGreaterThanOrEqual(
              math - inCode,
            );
            if (!trusted) mathTotal += rendered;
          }
          if (cell.cell_type === 'markdown' && cell.attachments && !trusted) {
            for (const name of Object.keys(cell.attachments)) {
              if (!cell.source.includes(`attachment:${name}`)) continue;
              const imgs = [...el.querySelectorAll('img')].filter((im) =>
                (im.getAttribute('src') ?? '').startsWith('data:image/'),
              );
              expect(imgs.length, `${file} cell ${i}: attachment ${name}`).toBeGreaterThan(0);
            }
          }
        });

        expect(r.headings.length).toBe(
          doc.querySelectorAll('.nb-markdown-cell :is(h1,h2,h3,h4,h5,h6)').length,
        );
        if (!trusted) {
          expect(r.html).not.toMatch(/<script/i);
          expect(r.html).not.toMatch(/<[^>]+\son[a-z]+\s*=/i);
          expect(doc.querySelector('script, iframe, object, embed, base, form, meta')).toBeNull();
          expect(r.scripts).toEqual([]);
        }
      });
    }
  });

  it('positive control: the script checks fire on trusted renders that have scripts', () => {
    const load = (prefix: string) => {
      const file = files.find((f) => f.startsWith(prefix));
      const r = parseNotebook(readCorpus(file ?? ''));
      if (!r.ok) throw new Error(r.error.message);
      return renderNotebook(r.value, { ...base, trusted: true });
    };
    // Altair: text/html with <script> passed through in trusted mode.
    expect(load('altair-tutorial__01').html).toMatch(/<script/i);
    // Bokeh: application/javascript outputs listed for the sandbox.
    expect(load('bokeh-notebooks__').scripts.some((s) => s.kind === 'javascript')).toBe(true);
  });

  afterAll(() => {
    const sorted = [...times].sort((a, b) => a.ms - b.ms);
    const total = sorted.reduce((s, t) => s + t.ms, 0);
    const median = sorted[Math.floor(sorted.length / 2)]?.ms ?? 0;
    const max = sorted[sorted.length - 1];
    const mb = sorted.reduce((s, t) => s + t.bytes, 0) / 1e6;
    console.log(
      `corpus render (untrusted, Node+jsdom sanitizer): ${sorted.length} notebooks, ${mb.toFixed(1)} MB, ` +
        `total ${total.toFixed(0)} ms, median ${median.toFixed(1)} ms, max ${max?.ms.toFixed(0)} ms (${max?.file}); ` +
        `${imgTotal} images, ${headingTotal} headings, ${mathTotal} formulas checked (${mathErrors} shown as KaTeX errors)`,
    );
  });
});
