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

export type Rgba = [number, number, number, number];

/** A computed CSS colour (`rgb(1, 2, 3)`, `rgba(1, 2, 3, 0.5)`) as numbers; null if it is not one. */
export function parseRgb(css: string): Rgba | null {
  const m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)$/.exec(
    css.trim(),
  );
  if (m === null) return null;
  const a = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
  return [Number(m[1]), Number(m[2]), Number(m[3]), a];
}

function luminance([r, g, b]: Rgba): number {
  const lin = (v: number) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of two opaque colours (1 to 21). */
export function contrastRatio(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * Text on an author's background that is under WCAG AA (4.5:1): the dark or light text colour
 * that reads better on it; null when the inherited colour is fine.
 */
export function contrastFix(fg: Rgba, bg: Rgba): string | null {
  if (contrastRatio(fg, bg) >= 4.5) return null;
  const dark: Rgba = [31, 35, 40, 1];
  const light: Rgba = [255, 255, 255, 1];
  return contrastRatio(dark, bg) >= contrastRatio(light, bg) ? '#1f2328' : '#ffffff';
}
