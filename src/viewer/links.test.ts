import { describe, expect, it } from 'vitest';
import { parseFrameMessage } from '../core/protocol';
import { readingKey } from '../core/reading';
import { deepLinkHash, linksOut } from './links';
import { rawLinkFor } from './logic';

const blob = 'https://github.com/owner/repo/blob/main/dir/my%20nb.ipynb';

describe('links out', () => {
  it('builds Colab, nbviewer, Binder and download links for a GitHub blob URL', () => {
    expect(linksOut(blob, rawLinkFor(blob))).toEqual({
      colab: 'https://colab.research.google.com/github/owner/repo/blob/main/dir/my%20nb.ipynb',
      nbviewer: 'https://nbviewer.org/github/owner/repo/blob/main/dir/my%20nb.ipynb',
      binder: 'https://mybinder.org/v2/gh/owner/repo/main?labpath=dir%2Fmy+nb.ipynb',
      download: 'https://github.com/owner/repo/raw/main/dir/my%20nb.ipynb',
    });
  });
  it('treats a raw.githubusercontent.com URL like the blob it comes from', () => {
    const raw = 'https://raw.githubusercontent.com/o/r/abc123/nb.ipynb';
    const l = linksOut(raw, raw);
    expect(l.colab).toBe('https://colab.research.google.com/github/o/r/blob/abc123/nb.ipynb');
    expect(l.nbviewer).toBe('https://nbviewer.org/github/o/r/blob/abc123/nb.ipynb');
    expect(l.binder).toBe('https://mybinder.org/v2/gh/o/r/abc123?labpath=nb.ipynb');
    expect(l.download).toBe(raw);
  });
  it('gists: Colab, nbviewer and Binder by user and id', () => {
    const g = 'https://gist.github.com/alice/0123456789abcdef0123';
    expect(linksOut(g, null)).toEqual({
      colab: 'https://colab.research.google.com/gist/alice/0123456789abcdef0123',
      nbviewer: 'https://nbviewer.org/gist/alice/0123456789abcdef0123',
      binder: 'https://mybinder.org/v2/gist/alice/0123456789abcdef0123/HEAD',
    });
  });
  it('offers nothing for file://, other hosts, non-notebook GitHub pages or odd input', () => {
    expect(linksOut('file:///home/u/nb.ipynb', 'file:///home/u/nb.ipynb')).toEqual({});
    expect(linksOut('https://example.com/nb.ipynb', null)).toEqual({});
    expect(linksOut('https://github.com/owner/repo', null)).toEqual({});
    expect(linksOut('https://github.com/owner/repo/tree/main/x', null)).toEqual({});
    expect(linksOut('not a url', null)).toEqual({});
    expect(linksOut('http://github.com/o/r/blob/main/nb.ipynb', null)).toEqual({});
    expect(linksOut('https://gist.github.com/alice/not-an-id', null)).toEqual({});
  });
});

describe('deep links and keys', () => {
  it('accepts a plain fragment only', () => {
    expect(deepLinkHash('#cell-12')).toBe('#cell-12');
    expect(deepLinkHash('#Intro-1')).toBe('#Intro-1');
    expect(deepLinkHash(null)).toBeNull();
    expect(deepLinkHash('#')).toBeNull();
    expect(deepLinkHash('cell-1')).toBeNull();
    expect(deepLinkHash('#a b')).toBeNull();
    expect(deepLinkHash(`#${'x'.repeat(600)}`)).toBeNull();
  });
  it('t, j, k unless typing or with a modifier', () => {
    const k = (key: string, over: Partial<Parameters<typeof readingKey>[0]> = {}) =>
      readingKey({
        key,
        altKey: false,
        ctrlKey: false,
        metaKey: false,
        targetTag: 'DIV',
        editable: false,
        ...over,
      });
    expect(k('t')).toBe('toc');
    expect(k('j')).toBe('next');
    expect(k('k')).toBe('prev');
    expect(k('x')).toBeNull();
    expect(k('J')).toBeNull();
    expect(k('j', { ctrlKey: true })).toBeNull();
    expect(k('t', { metaKey: true })).toBeNull();
    expect(k('j', { targetTag: 'input' })).toBeNull();
    expect(k('j', { targetTag: 'TEXTAREA' })).toBeNull();
    expect(k('k', { editable: true })).toBeNull();
  });
});

describe('reading messages (strictly validated)', () => {
  const base = { nbshield: 1 };
  it('command: one of the known commands, nothing else', () => {
    for (const c of ['toc', 'code', 'lines', 'next', 'prev'])
      expect(parseFrameMessage({ ...base, type: 'command', command: c })).not.toBeNull();
    expect(parseFrameMessage({ ...base, type: 'command', command: 'trust' })).toBeNull();
    expect(parseFrameMessage({ ...base, type: 'command', command: 'toc', x: 1 })).toBeNull();
    expect(parseFrameMessage({ ...base, type: 'command' })).toBeNull();
    // `focus`: the command came from the keyboard; a boolean only.
    expect(
      parseFrameMessage({ ...base, type: 'command', command: 'toc', focus: true }),
    ).not.toBeNull();
    expect(parseFrameMessage({ ...base, type: 'command', command: 'toc', focus: 1 })).toBeNull();
  });
  it('hash: a plain fragment of the page URL, nothing else', () => {
    expect(parseFrameMessage({ ...base, type: 'hash', hash: '#cell-12' })).not.toBeNull();
    expect(parseFrameMessage({ ...base, type: 'hash', hash: '#Deeper-part' })).not.toBeNull();
    for (const bad of ['cell-12', '#', '#a b', '#a#b', `#${'x'.repeat(513)}`, 12, undefined])
      expect(parseFrameMessage({ ...base, type: 'hash', hash: bad })).toBeNull();
    expect(parseFrameMessage({ ...base, type: 'hash', hash: '#x', scroll: true })).toBeNull();
  });
  it('copy: a string of bounded size; copied and reading: booleans', () => {
    expect(parseFrameMessage({ ...base, type: 'copy', text: 'print(1)' })).not.toBeNull();
    expect(parseFrameMessage({ ...base, type: 'copy', text: 5 })).toBeNull();
    expect(parseFrameMessage({ ...base, type: 'copy', text: 'x'.repeat(1_000_001) })).toBeNull();
    expect(parseFrameMessage({ ...base, type: 'copy', text: 'a', html: '<b>' })).toBeNull();
    expect(parseFrameMessage({ ...base, type: 'copied', ok: true })).not.toBeNull();
    expect(parseFrameMessage({ ...base, type: 'copied', ok: 'yes' })).toBeNull();
    const st = { ...base, type: 'reading', toc: true, codeHidden: false, lines: false };
    expect(parseFrameMessage(st)).not.toBeNull();
    expect(parseFrameMessage({ ...st, lines: 1 })).toBeNull();
    expect(parseFrameMessage({ ...st, trusted: true })).toBeNull();
  });
  it('render: hash is an optional plain fragment', () => {
    const r = {
      ...base,
      type: 'render',
      text: '{}',
      trusted: false,
      allowRemoteImages: true,
      theme: 'light',
    };
    expect(parseFrameMessage({ ...r, hash: '#cell-3' })).not.toBeNull();
    expect(parseFrameMessage({ ...r, hash: 'javascript:alert(1)' })).toBeNull();
    expect(parseFrameMessage({ ...r, hash: '#a b' })).toBeNull();
    expect(parseFrameMessage({ ...r, hash: 3 })).toBeNull();
  });
});
