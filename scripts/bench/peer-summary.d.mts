// Types for peer-summary.mjs (plain JS, as the rest of the bench), for test/node/bench-peer.test.ts.

export interface PeerRow {
  name: string;
  kind: 'corpus' | 'generated';
  bytes: number;
  trusted?: boolean;
  error?: string;
  peerError?: string;
  peerSkipped?: string;
  renderedMs?: number;
  renderedAfterBytesMs?: number;
  peakHeapBytes?: number;
  retainedHeapBytes?: number;
  peerRenderedMs?: number;
  peerAfterBytesMs?: number;
  peerPeakHeapBytes?: number;
  peerRetainedHeapBytes?: number;
  renderedVsPeer?: number;
  afterBytesVsPeer?: number;
  heapVsPeer?: number;
  retainedVsPeer?: number;
}

export interface PeerStat {
  n: number;
  median: number;
  worst: number;
  worstName: string | null;
  over: { name: string; ratio: number }[];
}

export interface PeerGroup {
  rows: number;
  renderedVsPeer: PeerStat;
  afterBytesVsPeer: PeerStat;
  heapVsPeer: PeerStat;
  heapVsPeerOver1MB: PeerStat;
  retainedVsPeer: PeerStat;
}

export interface PeerSummary {
  corpus: PeerGroup;
  generated: PeerGroup;
  generatedTrusted: PeerGroup;
  failures: { name: string; error: string }[];
  skipped: { name: string; why: string }[];
}

export declare function ratio(ours: number | undefined, theirs: number | undefined): number;
export declare function peerRatios(row: PeerRow): {
  renderedVsPeer: number;
  afterBytesVsPeer: number;
  heapVsPeer: number;
  retainedVsPeer: number;
};
export declare function peerSummary(rows: PeerRow[]): PeerSummary;
export declare function peerLines(
  summary: PeerSummary,
  peerName?: string,
): { kind: 'peer'; pass: null; target: string; detail: string }[];
