// Every attack vector of test/fixtures/vectors/ against the sanitizer (and, when it exists, the
// full renderer) in Node with jsdom. Two kinds of proof per vector:
//  1. the checker (structural + the vector's regexes) finds nothing in the sanitized output;
//  2. in a jsdom page that runs scripts, every element's handler attributes get their event
//     and every javascript: URL is "navigated" as a browser would: the canary must stay silent.
// Positive controls show both proofs can fail: a no-op sanitizer is flagged on every attack
// vector, and the raw payloads do fire the canary in jsdom where jsdom can execute them.

import { JSDOM, VirtualConsole } from 'jsdom';
import { Marked } from 'marked';
import createDOMPurify from 'dompurify';
import { describe, expect, it } from 'vitest';
import { createNodeSanitizer } from '../../src/cli/node-sanitizer';
import { createSanitizer, type Sanitizer } from '../../src/core/sanitize';
import {
  ALL_VECTORS,
  VECTOR_FILES,
  findViolations,
  nodePayload,
  vectorOpts,
  type AttackVector,
} from '../fixtures/vectors/vectors';

const win = new JSDOM('<!doctype html><html><body></body></html>').window as unknown as Window;
/**
 * The DOM path (DOMPurify parses with the window's DOMParser and re-parses with its innerHTML, as
 * in the extension), and the Node path the CLI runs (parse5's tree built into jsdom nodes, the
 * re-parse by parse5: src/cli/node-sanitizer.ts).
 */
const PATHS = {
  dom: createSanitizer,
  node: createNodeSanitizer,
} as const;
type SanitizerPath = keyof typeof PATHS;
const sanitizers = new Map<string, Sanitizer>();
function sanitizerFor(v: AttackVector, path: SanitizerPath = 'dom'): Sanitizer {
  const o = vectorOpts(v);
  const key = `${path} ${JSON.stringify(o)}`;
  let s = sanitizers.get(key);
  if (!s) sanitizers.set(key, (s = PATHS[path](win, o)));
  return s;
}

const marked = new Marked({ gfm: true });
const md = (text: string) => marked.parse(text, { async: false });

/** What the sanitizer makes of a vector (markdown: marked GFM, then markdownHtml). */
function sanitizeVector(v: AttackVector, s: Sanitizer = sanitizerFor(v)): string {
  const p = nodePayload(v);
  if (v.kind === 'markdown') return s.markdownHtml(md(p));
  if (v.kind === 'svg') return s.svgAsImage(p);
  return s.html(p);
}

/** What an application without a sanitizer would insert. */
function unsanitized(v: AttackVector): string {
  const p = nodePayload(v);
  if (v.kind === 'markdown') return md(p);
  return p;
}

const URL_ATTRS = ['href', 'xlink:href', 'src', 'action', 'formaction', 'data', 'poster'];

/** Load `markup` in a script-running jsdom page, provoke it every way we can; did it fire? */
function fires(markup: string): boolean {
  const dom = new JSDOM(`<!doctype html><html><body>${markup}</body></html>`, {
    runScripts: 'dangerously',
    url: 'https://renderer.invalid/',
    pretendToBeVisual: true,
    virtualConsole: new VirtualConsole(),
  });
  const w = dom.window;
  const g = w as unknown as { __pwned?: number; eval(code: string): unknown };
  try {
    for (const el of Array.from(w.document.querySelectorAll('*'))) {
      // An event handler attribute runs when its event reaches the element: fire exactly that
      // event (on the window too for <body>/<frameset>, whose handlers are the window's).
      for (const attr of Array.from(el.attributes)) {
        if (!/^on/i.test(attr.name)) continue;
        const type = attr.name.slice(2).toLowerCase();
        el.dispatchEvent(new w.Event(type));
        if (el.localName === 'body' || el.localName === 'frameset')
          w.dispatchEvent(new w.Event(type));
      }
      // A browser navigates javascript: URLs on click/submit/load: jsdom's whatwg-url parser
      // decides, exactly as a browser's would, whether the attribute is a javascript: URL.
      for (const name of URL_ATTRS) {
        const value = el.getAttribute(name);
        if (value === null) continue;
        let url: URL;
        try {
          url = new w.URL(value, w.document.baseURI);
        } catch {
          continue;
        }
        if (url.protocol === 'javascript:') {
          try {
            g.eval(decodeURIComponent(url.href.slice('javascript:'.length)));
          } catch {
            // a syntax error is not a hit
          }
        }
      }
    }
    const refresh = w.document.querySelector('meta[http-equiv="refresh" i]');
    const target = /url\s*=\s*(.*)$/i.exec(refresh?.getAttribute('content') ?? '')?.[1];
    if (target && /^\s*javascript:/i.test(target)) {
      try {
        g.eval(decodeURIComponent(target.trim().slice('javascript:'.length)));
      } catch {
        // not a hit
      }
    }
    return g.__pwned === 1;
  } finally {
    w.close();
  }
}

/** The random per-sanitizer scope class (`nb-s<token>-<n>`) made comparable. */
const unscoped = (s: string) => s.replace(/\bnb-s[0-9a-z]+-\d+\b/g, 'nb-sSCOPE');

const check = (out: string, v: AttackVector, mode: 'sanitizer' | 'renderer' = 'sanitizer') =>
  findViolations(out, v, win, { ...vectorOpts(v), mode, regexes: mode === 'sanitizer' });

describe('attack vector data', () => {
  it('has at least 120 vectors with unique ids, each well-formed', () => {
    expect(ALL_VECTORS.length).toBeGreaterThanOrEqual(120);
    const ids = ALL_VECTORS.map((v) => v.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const v of ALL_VECTORS) {
      expect(['html', 'markdown', 'svg']).toContain(v.kind);
      expect(typeof v.payload).toBe('string');
      expect(v.source.length).toBeGreaterThan(3);
      for (const r of [...v.expect.mustNotContain, ...v.expect.mustContain]) new RegExp(r, 'i');
    }
    for (const [file, list] of Object.entries(VECTOR_FILES))
      expect(list.length, file).toBeGreaterThan(10);
  });
});

describe.each(
  Object.keys(VECTOR_FILES).flatMap((file) =>
    (Object.keys(PATHS) as SanitizerPath[]).map((path) => [file, path] as const),
  ),
)('sanitizer against %s (%s path)', (file, path) => {
  const vectors = VECTOR_FILES[file]!;
  it.each(vectors.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const out = sanitizeVector(v, sanitizerFor(v, path));
    expect(check(out, v), out.slice(0, 400)).toEqual([]);
    // The Node path's output, when it is the DOM path's byte for byte (the scope token aside),
    // was run in jsdom by the DOM path's own test.
    if (path === 'node' && unscoped(out) === unscoped(sanitizeVector(v))) return;
    expect(fires(out), 'canary fired for sanitized output').toBe(false);
  });
});

describe('positive controls (the checks can fail)', () => {
  it('a no-op sanitizer is flagged on every attack vector', () => {
    const missed: string[] = [];
    for (const v of ALL_VECTORS) {
      if (v.benign || v.defendedBy) continue;
      const noop =
        v.kind === 'svg' ? nodePayload(v) : `<div class="nb-sanitized">${unsanitized(v)}</div>`;
      if (check(noop, v).length === 0) missed.push(v.id);
    }
    expect(missed).toEqual([]);
  }, 300_000);

  it('the raw payloads fire the canary in jsdom where jsdom can run them', () => {
    const fired = ALL_VECTORS.filter((v) => !v.benign && fires(unsanitized(v))).map((v) => v.id);
    // jsdom runs inline scripts, HTML event handler attributes and (emulated) javascript: URL
    // navigation, not SVG/animation events or CSS: well over a third of the attacks qualify.
    expect(fired.length).toBeGreaterThanOrEqual(100);
    for (const id of [
      'script-inline',
      'handler-img-onerror',
      'jsurl-a-hex-entity-j',
      'jsurl-a-tab-entity',
      'mxss-cve-2021-32798-select-iframe',
      'md-link-javascript',
      'md-raw-img-onerror',
    ]) {
      expect(fired).toContain(id);
    }
    console.log(`raw payloads firing in jsdom: ${fired.length}/${ALL_VECTORS.length}`);
  }, 300_000);

  it("DOMPurify's defaults alone miss what this configuration adds", () => {
    const plain = createDOMPurify(win as unknown as Parameters<typeof createDOMPurify>[0]);
    const missedByDefaults = ALL_VECTORS.filter((v) => {
      if (v.benign || v.kind === 'svg') return false;
      const p = v.kind === 'markdown' ? md(nodePayload(v)) : nodePayload(v);
      const out = `<div class="nb-sanitized">${plain.sanitize(p)}</div>`;
      return check(out, v).length > 0;
    }).map((v) => v.id);
    // Forms, <style> imports and overlays, clobbering, command linkers, popovers, remote images...
    expect(missedByDefaults.length).toBeGreaterThanOrEqual(40);
    expect(missedByDefaults).toContain('doc-form-action-remote');
    expect(missedByDefaults).toContain('css-fixed-overlay-attr');
    expect(missedByDefaults).toContain('clobber-name-cookie');
    console.log(`vectors DOMPurify defaults alone fail: ${missedByDefaults.length}`);
  }, 300_000);
});

// The full renderer (src/core/render/index.ts, another engineer's part), when it exists.
const RENDER_MODULE = '../../src/core/render/index';

describe('full renderer against every vector (untrusted notebook)', () => {
  it('renders every vector with no script, handler, javascript: URL or canary load', async () => {
    const mod = await (
      import(/* @vite-ignore */ RENDER_MODULE) as Promise<Record<string, unknown>>
    ).catch(() => null);
    const renderNotebook = mod?.renderNotebook;
    if (typeof renderNotebook !== 'function') {
      console.warn('renderNotebook not exported yet: renderer half of the suite did not run');
      return;
    }
    const failures: string[] = [];
    for (const v of ALL_VECTORS) {
      const p = nodePayload(v);
      const o = vectorOpts(v);
      const data =
        v.kind === 'svg' ? { 'image/svg+xml': p } : { 'text/html': p, 'text/plain': 'fallback' };
      const cell =
        v.kind === 'markdown'
          ? { cell_type: 'markdown', index: 0, source: p, metadata: {} }
          : {
              cell_type: 'code',
              index: 0,
              source: 'display(x)',
              metadata: {},
              execution_count: 1,
              outputs: [{ output_type: 'display_data', data, metadata: {} }],
            };
      const nb = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [cell] };
      const result = (renderNotebook as (nb: unknown, opts: unknown) => { html: string })(nb, {
        trusted: false,
        sanitizer: sanitizerFor(v),
        allowRemoteImages: o.allowRemoteImages,
        idPrefix: o.idPrefix,
      });
      const html = typeof result === 'string' ? result : result.html;
      const problems = findViolations(html, v, win, { ...o, mode: 'renderer', regexes: false });
      if (/hit\?id=/.test(html)) problems.push('canary URL survives');
      if (fires(html)) problems.push('canary fired');
      if (problems.length) failures.push(`${v.id}: ${problems.join('; ')}`);
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
