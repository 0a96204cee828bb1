// Big data: images in Markdown kept off the sanitizer's path (src/core/render/md-images.ts, issue
// 5). Every Markdown vector (markdown.json and markdown-images.json) and the corpus notebooks with
// Markdown images are rendered three ways, with jsdom and with the CLI's sanitizer:
//   old:      markdownImageChars Infinity (every pass sees the whole URI, as before);
//   cli:      the default (payloads over 1,024 characters swapped for a token, put back as text);
//   renderer: also largeImageChars 1,000 (an <img> of a big one gets data-nbshield-image).
// cli must equal old byte for byte (scope tokens aside); renderer must equal old once each
// data-nbshield-image is written back as its src, every image it hands over must be one that
// imageData validates, and neither may hold anything that runs or loads.

import { JSDOM } from 'jsdom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNodeSanitizer } from '../../src/cli/node-sanitizer';
import type { Attachments, Notebook } from '../../src/core/model';
import { parseNotebook } from '../../src/core/parse';
import { renderNotebook, createNotebookRenderer } from '../../src/core/render/index';
import { imageData, type ImageData } from '../../src/core/render/images';
import type { RenderOptions } from '../../src/core/render/types';
import { createSanitizer, type Sanitizer } from '../../src/core/sanitize';
import { corpusFiles, readCorpus } from '../corpus';
import {
  BIG_BASE64,
  VECTOR_FILES,
  findViolations,
  nodePayload,
  vectorOpts,
  type AttackVector,
} from '../fixtures/vectors/vectors';

const win = new JSDOM('<!doctype html><html><body></body></html>').window as unknown as Window;
const SANITIZERS: Record<string, Sanitizer> = {
  dom: createSanitizer(win, { allowRemoteImages: true, idPrefix: 'nb-' }),
  node: createNodeSanitizer(win, { allowRemoteImages: true, idPrefix: 'nb-' }),
};
const unscoped = (s: string) => s.replace(/\bnb-s[0-9a-z]+-\d+\b/g, 'nb-sSCOPE');

type Mode = 'old' | 'cli' | 'renderer';
const MODES: Record<Mode, Partial<RenderOptions>> = {
  old: { markdownImageChars: Infinity },
  cli: {},
  renderer: { largeImageChars: 1000 },
};

function markdownNotebook(source: string, attachments?: Attachments): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{ cell_type: 'markdown', index: 0, source, metadata: {}, ...{ attachments } }],
  } as unknown as Notebook;
}

function render(nb: Notebook, mode: Mode, sanitizer: Sanitizer) {
  const opts: RenderOptions = {
    trusted: false,
    sanitizer,
    allowRemoteImages: true,
    idPrefix: 'nb-',
    ...MODES[mode],
  };
  const r = createNotebookRenderer(nb, opts);
  const html = r.rootOpen() + nb.cells.map((c) => r.renderCell(c)).join('') + '</div>';
  return { html, images: [...r.images] };
}

/** Each data-nbshield-image written back as the src it stands for, in place. */
function writtenBack(html: string, images: ImageData[]): string {
  return html.replace(
    /data-nbshield-image="(\d+)"/g,
    (_m, k: string) => `src="data:${images[Number(k)]!.type};base64,${images[Number(k)]!.base64}"`,
  );
}

/** Every image handed to the renderer is what imageData makes of its own type and payload. */
function invalidImages(images: ImageData[]): string[] {
  return images
    .filter((im) => {
      const again = imageData(im.type, im.base64);
      return !again || again.type !== im.type || again.base64 !== im.base64;
    })
    .map((im) => `${im.type} ${im.base64.slice(0, 40)}`);
}

/** Elements carrying data-nbshield-image: they must all be <img>s without a src. */
function carriers(html: string): string[] {
  const host = win.document.createElement('div');
  host.innerHTML = html;
  return Array.from(host.querySelectorAll('[data-nbshield-image]')).map(
    (el) => `${el.localName}${el.hasAttribute('src') ? '[src]' : ''}`,
  );
}

/** All three modes of one notebook, checked against each other (see the header). */
function checkModes(nb: Notebook, sanitizer: Sanitizer, v?: AttackVector) {
  const old = render(nb, 'old', sanitizer);
  const cli = render(nb, 'cli', sanitizer);
  const ren = render(nb, 'renderer', sanitizer);
  expect(unscoped(cli.html)).toBe(unscoped(old.html));
  expect(cli.images).toEqual([]);
  expect(unscoped(writtenBack(ren.html, ren.images))).toBe(unscoped(old.html));
  expect(invalidImages(ren.images)).toEqual([]);
  expect(carriers(ren.html)).toEqual(ren.images.map(() => 'img'));
  if (v) {
    const o = { ...vectorOpts(v), mode: 'renderer' as const, regexes: false };
    expect(findViolations(cli.html, v, win, o), 'cli').toEqual([]);
    expect(findViolations(ren.html, v, win, o), 'renderer').toEqual([]);
  }
  return { old, cli, ren };
}

const MARKDOWN_VECTORS = [
  ...VECTOR_FILES['markdown.json']!,
  ...VECTOR_FILES['markdown-images.json']!,
];
const byId = (id: string) => VECTOR_FILES['markdown-images.json']!.find((v) => v.id === id)!;

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(Object.keys(SANITIZERS))('Markdown vectors, three ways (%s sanitizer)', (path) => {
  const s = SANITIZERS[path]!;
  it.each(MARKDOWN_VECTORS.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    checkModes(markdownNotebook(nodePayload(v)), s, v);
  });
});

describe('where the big payload goes', () => {
  const s = SANITIZERS.dom!;
  const images = (id: string) =>
    render(markdownNotebook(nodePayload(byId(id))), 'renderer', s).images.map((im) => im.type);

  it('an image in Markdown or raw <img> syntax never reaches the sanitizer; the renderer gets it', () => {
    const seen: string[] = [];
    const spy: Sanitizer = { ...s, markdownHtml: (d) => (seen.push(d), s.markdownHtml(d)) };
    for (const id of ['md-bigimg-inline', 'md-bigimg-raw-img']) {
      const { html, images: list } = render(
        markdownNotebook(nodePayload(byId(id))),
        'renderer',
        spy,
      );
      expect(html).not.toContain(BIG_BASE64.slice(0, 200));
      expect(list.map((im) => im.base64)).toEqual([BIG_BASE64]);
    }
    expect(seen).toHaveLength(2);
    for (const d of seen) expect(d).not.toContain(BIG_BASE64.slice(0, 200));
    // The CLI's page has no script: there the payload is back in the src.
    const cli = render(markdownNotebook(nodePayload(byId('md-bigimg-inline'))), 'cli', s).html;
    expect(cli).toContain(`src="data:image/png;base64,${BIG_BASE64}"`);
  });

  it('code, raw text, other attributes and failed validation keep it where it was, as text', () => {
    for (const id of [
      'md-bigimg-code-span',
      'md-bigimg-code-block',
      'md-bigimg-raw-text',
      'md-bigimg-other-attrs',
      'md-bigimg-invalid',
      'md-bigimg-heading-math',
      'md-bigimg-javascript-src',
    ]) {
      expect(images(id), id).toEqual([]);
    }
    const code = render(markdownNotebook(nodePayload(byId('md-bigimg-code-span'))), 'renderer', s);
    expect(code.html).toContain(`&lt;img src="data:image/png;base64,${BIG_BASE64}"`);
  });

  it('an SVG payload goes to an <img> (never markup); a forged token gets no image', () => {
    expect(images('md-bigimg-svg')).toEqual(['image/svg+xml']);
    expect(images('md-bigimg-svg-raw')).toEqual(['image/svg+xml']);
    for (const id of ['md-bigimg-svg', 'md-bigimg-svg-raw']) {
      const { html } = render(markdownNotebook(nodePayload(byId(id))), 'cli', s);
      expect(html).not.toMatch(/<svg|onload|<script/i);
    }
    // Only the real image of the three.
    expect(images('md-bigimg-forged-token')).toEqual(['image/png']);
    expect(images('md-bigimg-linked-javascript')).toEqual(['image/png']);
  });

  it('a text that holds the very token (a guessed one: the RNG fixed) renders the old way', () => {
    // Zeros make the token nbImg0z0z0Q, the one md-bigimg-forged-token writes.
    vi.spyOn(crypto, 'getRandomValues').mockImplementation((a) => {
      if (a instanceof Uint32Array) a.fill(0);
      return a;
    });
    const v = byId('md-bigimg-forged-token');
    const { ren } = checkModes(markdownNotebook(nodePayload(v)), s, v);
    expect(ren.images).toEqual([]);
    // Control: the same RNG, without the guessed token in the text, does extract.
    const plain = render(markdownNotebook(nodePayload(byId('md-bigimg-inline'))), 'renderer', s);
    expect(plain.images).toHaveLength(1);
  });

  it('attachments, their names with quotes, resolved and missing, in both syntaxes', () => {
    const png = { 'image/png': BIG_BASE64 };
    const attachments: Attachments = {
      'a".png': png,
      "b' onerror='top.__pwned=1.png": png,
      'ok.png': png,
      'svg.svg': {
        'image/svg+xml': `<svg xmlns="http://www.w3.org/2000/svg" onload="top.__pwned=1"><!--${'x'.repeat(900)}--></svg>`,
      },
      'bad.png': { 'image/png': `${BIG_BASE64}"><script>top.__pwned=1</script>` },
    };
    const source = [
      '![ok](attachment:ok.png) ![q](attachment:a".png) ![e](attachment:a%22.png)',
      "![s](attachment:b'%20onerror='top.__pwned=1.png) ![svg](attachment:svg.svg)",
      '![bad](attachment:bad.png) ![gone](attachment:missing.png)',
      '<img src="attachment:ok.png" alt="raw"> <img src=\'attachment:a".png\' alt="rq">',
      '<img src="attachment:b\' onerror=\'top.__pwned=1.png" alt="rs"> <img src=attachment:ok.png>',
      '`![code](attachment:ok.png)`',
    ].join('\n\n');
    const v: AttackVector = {
      id: 'attachments',
      kind: 'markdown',
      payload: source,
      expect: { noScript: true, mustNotContain: [], mustContain: [] },
      source: 'test',
    };
    const { ren, cli } = checkModes(markdownNotebook(source, attachments), s, v);
    expect(cli.html).not.toMatch(/onload|<script|onerror="/i);
    const types = ren.images.map((im) => im.type);
    expect(types.filter((t) => t === 'image/png').length).toBeGreaterThanOrEqual(3);
    expect(types).toContain('image/svg+xml');
    expect(ren.html).toContain('[missing attachment: missing.png]');
  });
});

describe('corpus notebooks with Markdown images', () => {
  const files = corpusFiles().filter((f) => {
    const t = readCorpus(f);
    return t.includes('attachment:') || t.includes('](data:image/');
  });
  it('finds them (nucleotide and the attachment notebooks)', () => {
    if (corpusFiles().length === 0) return;
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(files.some((f) => f.includes('nucleotide'))).toBe(true);
  });
  it.each(files)('%s: the three ways agree', (f) => {
    const parsed = parseNotebook(readCorpus(f));
    if (!parsed.ok) throw new Error(parsed.error.message);
    const nb = parsed.value;
    const { ren } = checkModes(nb, SANITIZERS.node!);
    if (f.includes('nucleotide')) expect(ren.images.length).toBeGreaterThanOrEqual(1);
    // The whole-notebook render (the CLI's) is the cli way.
    expect(unscoped(renderNotebook(nb, { ...untrusted(), ...MODES.cli }).html)).toBe(
      unscoped(render(nb, 'old', SANITIZERS.node!).html),
    );
  });
});

function untrusted(): RenderOptions {
  return { trusted: false, sanitizer: SANITIZERS.node!, allowRemoteImages: true, idPrefix: 'nb-' };
}
