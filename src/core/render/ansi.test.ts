import { describe, expect, it } from 'vitest';
import { ansiToHtml, applyTerminal, stripAnsi } from './ansi';

describe('applyTerminal', () => {
  it('applies carriage returns like a terminal (progress bars keep their last state)', () => {
    expect(applyTerminal('  0%|          |\r 50%|#####     |\r100%|##########|\n')).toBe(
      '100%|##########|\n',
    );
    expect(applyTerminal('abcdef\rxy')).toBe('xycdef');
    expect(applyTerminal('a\r\nb')).toBe('a\nb');
    expect(applyTerminal('line1\nab\rc\nline3')).toBe('line1\ncb\nline3');
  });
  it('applies backspaces', () => {
    expect(applyTerminal('abc\b\bX')).toBe('aXc');
    expect(applyTerminal('\b\bz')).toBe('z');
  });
  it('keeps colour codes attached to the characters they colour', () => {
    const out = applyTerminal('old\r\x1b[31mnew\x1b[0m');
    expect(stripAnsi(out)).toBe('new');
    expect(out).toContain('\x1b[31m');
  });
  it('is a no-op without \\r or \\b', () => {
    const s = 'plain\ntext';
    expect(applyTerminal(s)).toBe(s);
  });
});

describe('ansiToHtml', () => {
  it('turns SGR colours into classes and escapes the text', () => {
    const html = ansiToHtml('\x1b[31m<b>red</b>\x1b[0m plain \x1b[1;92mbold green\x1b[0m');
    expect(html).toContain('<span class="ansi-red-fg">&lt;b&gt;red&lt;/b&gt;</span>');
    expect(html).toContain('class="ansi-bright-green-fg ansi-bold"');
    expect(html).not.toContain('\x1b');
    expect(html).not.toContain('<b>');
  });
  it('builds 256-colour and truecolour styles from numbers only', () => {
    expect(ansiToHtml('\x1b[38;5;196mx')).toContain('style="color: rgb(255, 0, 0)"');
    expect(ansiToHtml('\x1b[48;2;1;2;3mx')).toContain('style="background-color: rgb(1, 2, 3)"');
    expect(ansiToHtml('\x1b[38;5;3mx')).toContain('class="ansi-yellow-fg"');
    // Out-of-range numbers do not reach a style attribute.
    expect(ansiToHtml('\x1b[38;2;999;0;0mx')).not.toContain('999');
  });
  it('escapes plain text without escape codes', () => {
    expect(ansiToHtml('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)&gt;');
  });
});
