// Pure helpers for the notebookjs peer of the Chromium bench (scripts/bench/peer.mjs): the
// per-row ratios and the summary over the rows. No I/O, so test/node/bench-peer.test.ts can
// check them.

const MB = 1024 * 1024;

function median(xs) {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * nbshield's figure over the peer's, measured in the same run: above 1, nbshield is slower or
 * uses more heap. NaN when either side is missing (a failure, a skip) or the peer's is not > 0.
 */
export function ratio(ours, theirs) {
  return Number.isFinite(ours) && Number.isFinite(theirs) && theirs > 0 ? ours / theirs : NaN;
}

/**
 * The ratios of one Chromium row: navigation -> rendered, the bytes in hand -> rendered (the
 * extension's bytes in the renderer frame, the peer's fetch's text), peak and kept heap.
 */
export function peerRatios(row) {
  return {
    renderedVsPeer: ratio(row.renderedMs, row.peerRenderedMs),
    afterBytesVsPeer: ratio(row.renderedAfterBytesMs, row.peerAfterBytesMs),
    heapVsPeer: ratio(row.peakHeapBytes, row.peerPeakHeapBytes),
    retainedVsPeer: ratio(row.retainedHeapBytes, row.peerRetainedHeapBytes),
  };
}

function stat(rows, k) {
  const xs = rows.filter((r) => Number.isFinite(r[k]));
  const worst = xs.reduce((a, r) => (a && a[k] >= r[k] ? a : r), null);
  return {
    n: xs.length,
    median: median(xs.map((r) => r[k])),
    worst: worst ? worst[k] : NaN,
    worstName: worst ? worst.name : null,
    // The inputs where nbshield is worse than the peer (ratio over 1), worst first.
    over: xs
      .filter((r) => r[k] > 1)
      .sort((a, b) => b[k] - a[k])
      .map((r) => ({ name: r.name, ratio: r[k] })),
  };
}

/**
 * Medians and worst (highest) ratios over the corpus rows and the generated rows (unsigned and
 * signed apart), the peer's failures and skips. Rows where the extension itself failed have no
 * ratio and are left out of the ratios (they count as the extension's failures elsewhere).
 */
export function peerSummary(rows) {
  const groups = {
    corpus: rows.filter((r) => r.kind === 'corpus'),
    generated: rows.filter((r) => r.kind === 'generated' && !r.trusted),
    generatedTrusted: rows.filter((r) => r.kind === 'generated' && r.trusted),
  };
  const out = { failures: [], skipped: [] };
  for (const [g, xs] of Object.entries(groups)) {
    out[g] = {
      rows: xs.length,
      renderedVsPeer: stat(xs, 'renderedVsPeer'),
      afterBytesVsPeer: stat(xs, 'afterBytesVsPeer'),
      heapVsPeer: stat(xs, 'heapVsPeer'),
      // Over 1 MB only, as the extension's own heap verdicts.
      heapVsPeerOver1MB: stat(
        xs.filter((r) => r.bytes >= MB),
        'heapVsPeer',
      ),
      retainedVsPeer: stat(xs, 'retainedVsPeer'),
    };
  }
  for (const r of rows) {
    if (r.peerError) out.failures.push({ name: r.name, error: r.peerError });
    else if (r.peerSkipped) out.skipped.push({ name: r.name, why: r.peerSkipped });
  }
  return out;
}

const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');

/** The summary as verdict-like lines (pass: null, kind: 'peer': a comparison, not a target). */
export function peerLines(summary, peerName = 'notebookjs') {
  const lines = [];
  const names = (over) =>
    over.length === 0
      ? 'none'
      : over
          .slice(0, 8)
          .map((o) => `${o.name.replace(/\.ipynb$/, '')} ${f2(o.ratio)}`)
          .join(', ') + (over.length > 8 ? `, ... (${over.length})` : '');
  const one = (label, s) =>
    `${label}: ${s.n} compared, median ${f2(s.median)}x, worst ${f2(s.worst)}x (${s.worstName ?? '-'}); over 1: ${names(s.over)}`;
  for (const [g, title] of [
    ['corpus', 'corpus'],
    ['generated', 'generated'],
    ['generatedTrusted', 'generated, signed (trusted on load)'],
  ]) {
    const s = summary[g];
    if (!s || s.rows === 0) continue;
    lines.push({
      kind: 'peer',
      pass: null,
      target: `nbshield vs ${peerName}, ${title}: navigation -> rendered (renderedVsPeer)`,
      detail: one('ratio', s.renderedVsPeer),
    });
    lines.push({
      kind: 'peer',
      pass: null,
      target: `nbshield vs ${peerName}, ${title}: bytes in hand -> rendered (afterBytesVsPeer)`,
      detail: one('ratio', s.afterBytesVsPeer),
    });
    lines.push({
      kind: 'peer',
      pass: null,
      target: `nbshield vs ${peerName}, ${title}: peak JS heap (heapVsPeer; renderer frame's isolate vs the peer page's)`,
      detail: `${one('all', s.heapVsPeer)}; inputs >= 1 MB: median ${f2(s.heapVsPeerOver1MB.median)}x of ${s.heapVsPeerOver1MB.n}`,
    });
    lines.push({
      kind: 'peer',
      pass: null,
      target: `nbshield vs ${peerName}, ${title}: heap kept after a forced GC (retainedVsPeer)`,
      detail: one('ratio', s.retainedVsPeer),
    });
  }
  lines.push({
    kind: 'peer',
    pass: null,
    target: `${peerName} failures and skips`,
    detail:
      `${summary.failures.length} failed` +
      (summary.failures.length
        ? ` (${summary.failures.map((x) => `${x.name}: ${x.error}`).join('; ')})`
        : '') +
      `; ${summary.skipped.length} skipped` +
      (summary.skipped.length
        ? ` (${summary.skipped.map((x) => `${x.name}: ${x.why}`).join('; ')})`
        : ''),
  });
  return lines;
}
