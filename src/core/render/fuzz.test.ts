// Property test: whatever Markdown or output text is built from dangerous pieces, the untrusted
// render carries no script, no event handler and no javascript: link. Our own post-sanitize steps
// (math, heading anchors, attachments) are what this exercises beyond the sanitizer.

import fc from 'fast-check';
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
const opts: RenderOptions = { trusted: false, sanitizer, allowRemoteImages: true, idPrefix: 'nb-' };

const PIECES = [
  '$',
  '$$',
  '\\(',
  '\\)',
  '\\[',
  '\\]',
  '\\begin{equation}',
  '\\end{equation}',
  '@@0@@',
  '@@1@@',
  '`',
  '```\n',
  '\n\n',
  '# ',
  '## ',
  '<h2>',
  '</h2>',
  '"',
  "'",
  '<',
  '>',
  ' onerror=alert(1) ',
  '<img src=x onerror="alert(1)">',
  '<svg onload=alert(1)>',
  '<script>alert(1)</script>',
  '[a](javascript:alert(1))',
  '![',
  '](attachment:a.png)',
  '](x "',
  '<a title="',
  '<style>',
  '</style>',
  '<!--',
  '-->',
  'x',
  ' ',
  '\\href{javascript:alert(1)}{y}',
  '\\htmlId{z}{w}',
];

const source = fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }).map((a) => a.join(''));

function check(html: string): void {
  const d = new JSDOM(html).window.document;
  expect(d.querySelector('script')).toBeNull();
  for (const el of d.querySelectorAll('*')) {
    for (const a of el.attributes) {
      expect(a.name.startsWith('on'), `${a.name} on <${el.localName}>`).toBe(false);
      if (a.name === 'href' || a.name === 'src') {
        expect(a.value.replace(/\s/g, '').toLowerCase().startsWith('javascript:')).toBe(false);
      }
    }
  }
}

describe('untrusted render of random dangerous input', () => {
  it('Markdown cells (with attachments) and text/markdown, text/latex, text/plain outputs', () => {
    fc.assert(
      fc.property(source, source, (md, out) => {
        const cells: Cell[] = [
          {
            index: 0,
            cell_type: 'markdown',
            source: md,
            metadata: {},
            attachments: { 'a.png': { 'image/png': 'AAAA' } },
          },
          {
            index: 1,
            cell_type: 'code',
            source: out,
            metadata: {},
            execution_count: 1,
            outputs: [
              { output_type: 'display_data', data: { 'text/markdown': out }, metadata: {} },
              { output_type: 'display_data', data: { 'text/latex': out }, metadata: {} },
              { output_type: 'stream', name: 'stdout', text: out },
            ],
          },
        ];
        const nb: Notebook = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells };
        const r = renderNotebook(nb, opts);
        check(r.html);
        expect(r.scripts).toEqual([]);
      }),
      { numRuns: 100, seed: 20261201 },
    );
  }, 180_000);

  it('positive control: the check does catch an event handler', () => {
    expect(() => check('<img src=x onerror="alert(1)">')).toThrow();
    expect(() => check('<a href=" javascript:alert(1)">x</a>')).toThrow();
  });
});
