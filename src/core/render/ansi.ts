// Terminal text: `\r` / `\b` applied as a terminal does, ANSI SGR colours -> spans with classes.
// Colours from untrusted input become class names from a fixed list; 256-colour and truecolour
// become an inline style built here from validated numbers only.

import Anser from 'anser';
import { escapeHtml } from './escape';

/* eslint-disable no-control-regex */
const TOKEN =
  /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?|[\s\S]/gu;
/* eslint-enable no-control-regex */

function applyLine(line: string): string {
  const buf: string[] = [];
  let col = 0;
  let pending = '';
  for (const m of line.matchAll(TOKEN)) {
    const t = m[0];
    if (t === '\r') col = 0;
    else if (t === '\b') col = Math.max(0, col - 1);
    else if (t.charCodeAt(0) === 0x1b) {
      if (t === '\x1b[K' || t === '\x1b[0K')
        buf.length = col; // erase to end of line
      else if (t.endsWith('m')) pending += t; // colours stay attached to the next character
    } else {
      buf[col] = pending + t;
      pending = '';
      col++;
    }
  }
  for (let i = 0; i < buf.length; i++) if (buf[i] === undefined) buf[i] = ' ';
  return buf.join('') + pending;
}

/** Apply carriage returns and backspaces line by line (progress bars keep their last state). */
export function applyTerminal(text: string): string {
  if (!/[\r\b]/.test(text)) return text;
  const norm = text.replace(/\r+\n/g, '\n');
  if (!/[\r\b]/.test(norm)) return norm;
  return norm
    .split('\n')
    .map((l) => (/[\r\b]/.test(l) ? applyLine(l) : l))
    .join('\n');
}

/** The 16 named terminal colours, in palette order; styles.ts gives each a CSS variable. */
export const ANSI_NAMES = [
  'black',
  'red',
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyan',
  'white',
  'bright-black',
  'bright-red',
  'bright-green',
  'bright-yellow',
  'bright-blue',
  'bright-magenta',
  'bright-cyan',
  'bright-white',
] as const;
const NAMED = new Set<string>(ANSI_NAMES);
const BASE16: readonly string[] = ANSI_NAMES;

function paletteRgb(n: number): [number, number, number] | string {
  if (n < 16) return BASE16[n] ?? 'white';
  if (n < 232) {
    const i = n - 16;
    const level = (v: number) => (v === 0 ? 0 : 55 + v * 40);
    return [level(Math.floor(i / 36)), level(Math.floor(i / 6) % 6), level(i % 6)];
  }
  const g = 8 + (n - 232) * 10;
  return [g, g, g];
}

function parseRgb(s: string | null): [number, number, number] | undefined {
  if (!s) return undefined;
  const parts = s.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    return undefined;
  }
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
}

/** Class or style for one colour from anser; only known names and checked numbers get through. */
function colour(
  name: string | null,
  truecolor: string | null,
  layer: 'fg' | 'bg',
  classes: string[],
  styles: string[],
): void {
  if (!name) return;
  const prop = layer === 'fg' ? 'color' : 'background-color';
  let c: string | [number, number, number] | undefined;
  if (name === 'ansi-truecolor') c = parseRgb(truecolor);
  else if (name.startsWith('ansi-palette-')) {
    const n = Number(name.slice('ansi-palette-'.length));
    if (Number.isInteger(n) && n >= 0 && n <= 255) c = paletteRgb(n);
  } else if (name.startsWith('ansi-') && NAMED.has(name.slice(5))) c = name.slice(5);
  if (typeof c === 'string') classes.push(`ansi-${c}-${layer}`);
  else if (c) styles.push(`${prop}: rgb(${c[0]}, ${c[1]}, ${c[2]})`);
}

const DECORATIONS = new Set([
  'bold',
  'dim',
  'italic',
  'underline',
  'blink',
  'hidden',
  'strikethrough',
]);

/** Terminal text (already with \r/\b applied) -> escaped HTML with colour spans. */
export function ansiToHtml(text: string): string {
  if (!text.includes('\x1b')) return escapeHtml(text);
  const parts = Anser.ansiToJson(text, { use_classes: true, remove_empty: true });
  let out = '';
  for (const part of parts) {
    const p = part as typeof part & { isInverted?: boolean };
    const content = escapeHtml(p.content);
    const classes: string[] = [];
    const styles: string[] = [];
    const fg = p.isInverted ? p.bg : p.fg;
    const bg = p.isInverted ? p.fg : p.bg;
    const fgT = p.isInverted ? p.bg_truecolor : p.fg_truecolor;
    const bgT = p.isInverted ? p.fg_truecolor : p.bg_truecolor;
    colour(fg, fgT, 'fg', classes, styles);
    colour(bg, bgT, 'bg', classes, styles);
    if (p.isInverted && !fg && !bg) classes.push('ansi-inverse');
    for (const d of p.decorations ?? []) if (DECORATIONS.has(d)) classes.push(`ansi-${d}`);
    if (!classes.length && !styles.length) {
      out += content;
      continue;
    }
    const cls = classes.length ? ` class="${classes.join(' ')}"` : '';
    const st = styles.length ? ` style="${styles.join('; ')}"` : '';
    out += `<span${cls}${st}>${content}</span>`;
  }
  return out;
}

/** Strip escape sequences, for plain text (e.g. a summary line). */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g, '');
}
