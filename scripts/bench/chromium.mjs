// Hook for the real-browser part of `npm run bench` (issue 5: first cell painted, whole notebook
// rendered, longest main-thread task, peak JS heap, with the extension on the fake GitHub).
// Not measured yet: whoever builds it replaces this body and keeps the signature; bench.mjs
// prints the rows it returns and stores them under `chromium` in bench-results/bench.json.
//
// @param {{ inputs: { name: string, file: string, bytes: number, kind: 'corpus' | 'generated' }[],
//           root: string, log: (line: string) => void }} ctx
// @returns {Promise<null | { rows: { name: string, bytes: number, firstCellMs: number,
//           renderedMs: number, longestTaskMs: number, peakHeapBytes: number }[] }>}
//          null when not measured.
export async function runChromiumBench(_ctx) {
  return null;
}
