// The bench's comparison with its Chromium peer (scripts/bench/peer-summary.mjs): ratios per row
// and the medians, worst cases, failures and skips over the rows.
import { describe, expect, it } from 'vitest';

import {
  peerLines,
  peerRatios,
  peerSummary,
  ratio,
  type PeerRow,
} from '../../scripts/bench/peer-summary.mjs';

const MB = 1024 * 1024;

function row(name: string, over: Partial<PeerRow>): PeerRow {
  const r: PeerRow = { name, kind: 'corpus', bytes: 1000, ...over };
  return { ...r, ...peerRatios(r) };
}

describe('bench peer ratios', () => {
  it('divides nbshield by the peer, NaN when either side is missing or the peer is 0', () => {
    expect(ratio(300, 100)).toBe(3);
    expect(ratio(50, 200)).toBe(0.25);
    expect(ratio(300, undefined)).toBeNaN();
    expect(ratio(undefined, 100)).toBeNaN();
    expect(ratio(300, 0)).toBeNaN();
    expect(ratio(NaN, 100)).toBeNaN();
  });

  it('gives each figure against its like', () => {
    const r = peerRatios({
      name: 'a',
      kind: 'corpus',
      bytes: 1,
      renderedMs: 600,
      peerRenderedMs: 200,
      renderedAfterBytesMs: 100,
      peerAfterBytesMs: 400,
      peakHeapBytes: 10,
      peerPeakHeapBytes: 20,
      retainedHeapBytes: 9,
      peerRetainedHeapBytes: 3,
    });
    expect(r).toEqual({
      renderedVsPeer: 3,
      afterBytesVsPeer: 0.25,
      heapVsPeer: 0.5,
      retainedVsPeer: 3,
    });
  });
});

describe('bench peer summary', () => {
  const rows: PeerRow[] = [
    row('a.ipynb', {
      renderedMs: 300,
      peerRenderedMs: 100,
      peakHeapBytes: 4,
      peerPeakHeapBytes: 8,
    }),
    row('b.ipynb', {
      renderedMs: 200,
      peerRenderedMs: 100,
      peakHeapBytes: 9,
      peerPeakHeapBytes: 6,
    }),
    row('c.ipynb', {
      bytes: 2 * MB,
      renderedMs: 50,
      peerRenderedMs: 100,
      peakHeapBytes: 30,
      peerPeakHeapBytes: 10,
    }),
    // The peer failed: no ratio, one failure.
    row('d.ipynb', { renderedMs: 100, peakHeapBytes: 5, peerError: 'notebookjs threw: x' }),
    // The extension failed: no ratio either (its failure is counted elsewhere).
    row('e.ipynb', { error: 'not rendered', peerRenderedMs: 100, peerPeakHeapBytes: 3 }),
    row('generated-5MB.ipynb', {
      kind: 'generated',
      bytes: 5 * MB,
      renderedMs: 900,
      peerRenderedMs: 600,
      peakHeapBytes: 15,
      peerPeakHeapBytes: 20,
    }),
    row('generated-5MB-trusted.ipynb', {
      kind: 'generated',
      trusted: true,
      bytes: 5 * MB,
      renderedMs: 1200,
      peerRenderedMs: 600,
      peakHeapBytes: 16,
      peerPeakHeapBytes: 20,
    }),
    row('generated-100MB.ipynb', {
      kind: 'generated',
      bytes: 100 * MB,
      renderedMs: 9000,
      peakHeapBytes: 160,
      peerSkipped: 'too big',
    }),
  ];
  const s = peerSummary(rows);

  it('takes medians and the worst (highest) ratio per group', () => {
    expect(s.corpus.rows).toBe(5);
    expect(s.corpus.renderedVsPeer.n).toBe(3);
    expect(s.corpus.renderedVsPeer.median).toBe(2);
    expect(s.corpus.renderedVsPeer.worst).toBe(3);
    expect(s.corpus.renderedVsPeer.worstName).toBe('a.ipynb');
    expect(s.corpus.heapVsPeer.median).toBe(1.5);
    expect(s.corpus.heapVsPeer.worst).toBe(3);
    expect(s.corpus.heapVsPeer.worstName).toBe('c.ipynb');
    expect(s.corpus.heapVsPeerOver1MB.n).toBe(1);
    // No after-bytes figures in these rows: nothing compared.
    expect(s.corpus.afterBytesVsPeer.n).toBe(0);
    expect(s.corpus.afterBytesVsPeer.median).toBeNaN();
  });

  it('names the inputs where nbshield is worse, worst first', () => {
    expect(s.corpus.renderedVsPeer.over).toEqual([
      { name: 'a.ipynb', ratio: 3 },
      { name: 'b.ipynb', ratio: 2 },
    ]);
    expect(s.corpus.heapVsPeer.over.map((o) => o.name)).toEqual(['c.ipynb', 'b.ipynb']);
  });

  it('keeps unsigned and signed generated inputs apart', () => {
    expect(s.generated.rows).toBe(2);
    expect(s.generated.renderedVsPeer.n).toBe(1);
    expect(s.generated.renderedVsPeer.median).toBe(1.5);
    expect(s.generated.heapVsPeer.over).toEqual([]);
    expect(s.generatedTrusted.renderedVsPeer.median).toBe(2);
  });

  it('counts the peer failures and skips', () => {
    expect(s.failures).toEqual([{ name: 'd.ipynb', error: 'notebookjs threw: x' }]);
    expect(s.skipped).toEqual([{ name: 'generated-100MB.ipynb', why: 'too big' }]);
    const lines = peerLines(s, 'notebookjs 0.8.3');
    expect(lines.every((l) => l.kind === 'peer' && l.pass === null)).toBe(true);
    const last = lines.at(-1);
    expect(last?.detail).toMatch(/^1 failed \(d\.ipynb: notebookjs threw: x\); 1 skipped/);
    const rendered = lines.find((l) => l.target.includes('corpus: navigation -> rendered'));
    expect(rendered?.detail).toContain('median 2.00x, worst 3.00x (a.ipynb)');
    expect(rendered?.detail).toContain('over 1: a 3.00, b 2.00');
  });
});
