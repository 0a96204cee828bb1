// The sandboxed renderer loads KaTeX only for a notebook with math, and holds back a cell until it
// is loaded only when cellNeedsMath says so (issue 5). So cellNeedsMath must never say no for a
// cell whose rendering calls KaTeX: checked here on every corpus notebook with a KaTeX that counts
// its calls.

import katex from 'katex';
import { describe, expect, it } from 'vitest';
import type { Cell, Notebook } from '../../src/core/model';
import { parseNotebook } from '../../src/core/parse';
import { cellNeedsMath, createNotebookRenderer, setKatexEngine } from '../../src/core/render/base';
import type { RenderOptions } from '../../src/core/render/types';
import { corpusFiles, readCorpus } from '../corpus';
import { untrustedOptions } from './jsdom-render';

const files = corpusFiles();
const opts: RenderOptions = untrustedOptions;

let calls = 0;
setKatexEngine({
  renderToString: (tex, o) => {
    calls += 1;
    return katex.renderToString(tex, o);
  },
});

/** Per cell: whether cellNeedsMath said yes, and how many KaTeX calls its rendering made. */
function audit(nb: Notebook): Array<{ cell: Cell; needs: boolean; calls: number }> {
  const r = createNotebookRenderer(nb, opts);
  return nb.cells.map((cell) => {
    const before = calls;
    r.renderCell(cell);
    return { cell, needs: cellNeedsMath(cell), calls: calls - before };
  });
}

// Distributes over the cell kinds, so each literal is checked against its own kind.
type NewCell = Cell extends infer C ? (C extends Cell ? Omit<C, 'index'> : never) : never;

function notebook(cells: NewCell[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: cells.map((c, index) => ({ ...c, index }) as Cell),
  };
}

describe('cellNeedsMath', () => {
  it('says yes for every kind of cell that calls KaTeX, no for plain ones', () => {
    const rows = audit(
      notebook([
        { cell_type: 'markdown', source: 'Euler: $e^{i\\pi}+1=0$', metadata: {} },
        { cell_type: 'markdown', source: 'Costs $5, and `$x$` is code', metadata: {} },
        { cell_type: 'markdown', source: '# Plain', metadata: {} },
        {
          cell_type: 'code',
          source: 'x',
          metadata: {},
          execution_count: 1,
          outputs: [
            {
              output_type: 'display_data',
              data: { 'text/latex': '\\frac{1}{2}', 'text/plain': '1/2' },
              metadata: {},
            },
          ],
        },
        {
          cell_type: 'code',
          source: 'print("$x$")',
          metadata: {},
          execution_count: 2,
          outputs: [
            {
              output_type: 'execute_result',
              execution_count: 2,
              data: { 'text/markdown': 'see $\\alpha$' },
              metadata: {},
            },
            { output_type: 'stream', name: 'stdout', text: '$x$\n' },
          ],
        },
        { cell_type: 'raw', source: '$x$', metadata: {} },
      ]),
    );
    expect(rows.map((r) => r.needs)).toEqual([true, false, false, true, true, false]);
    expect(rows.map((r) => r.calls > 0)).toEqual([true, false, false, true, true, false]);
  });

  it('never says no for a corpus cell that calls KaTeX', () => {
    const missed: string[] = [];
    let mathCells = 0;
    let over = 0;
    for (const f of files) {
      const parsed = parseNotebook(readCorpus(f));
      if (!parsed.ok) continue;
      for (const row of audit(parsed.value)) {
        if (row.calls > 0 && !row.needs) missed.push(`${f} cell ${row.cell.index}`);
        if (row.calls > 0) mathCells += 1;
        if (row.needs && row.calls === 0) over += 1;
      }
    }
    expect(missed).toEqual([]);
    // The check had something to catch: many corpus cells do call KaTeX.
    expect(mathCells).toBeGreaterThan(100);
    // Saying yes without math only costs a wait; it should stay rare.
    expect(over).toBeLessThan(mathCells / 4);
  });
});
