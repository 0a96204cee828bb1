// The reading comforts' DOM-free decisions (table of contents, cell navigation), testable in Node.
import type { HeadingEntry } from '../core/render/types';

/** j/k: the cell to focus next, from the focused one (-1: none yet). Stays inside [0, count). */
export function stepCell(current: number, count: number, dir: 1 | -1): number {
  if (count <= 0) return -1;
  if (current < 0) return dir === 1 ? 0 : count - 1;
  return Math.min(count - 1, Math.max(0, current + dir));
}

export interface TocEntry {
  level: number;
  text: string;
  href: string;
  /** Nesting depth below the shallowest heading level used (0 = top). */
  depth: number;
}

/** The table of contents: every heading, indented relative to the shallowest level present. */
export function tocEntries(headings: readonly HeadingEntry[]): TocEntry[] {
  const top = headings.reduce((m, h) => Math.min(m, h.level), 6);
  return headings.map((h) => ({
    level: h.level,
    text: h.text.trim() === '' ? '(untitled)' : h.text,
    href: `#${h.id}`,
    depth: Math.max(0, Math.min(5, h.level - top)),
  }));
}

/** Line numbers for a code cell's source: "1\n2\n…" (a trailing newline adds no line). */
export function lineNumbers(source: string): string {
  const n = source === '' ? 1 : source.replace(/\n$/, '').split('\n').length;
  return Array.from({ length: n }, (_, i) => String(i + 1)).join('\n');
}
