// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { installAmd } from './cdn-loader';

type Req = ((deps: string[], cb?: (...a: unknown[]) => void, eb?: (e: Error) => void) => void) & {
  config(c: unknown): void;
  undef(n: string): void;
};
type Def = ((...a: unknown[]) => void) & { amd?: unknown };

const w = window as unknown as { require: Req; requirejs: Req; define: Def };

/** require() as a promise: resolves with the modules, rejects with the errback's error. */
function load(deps: string[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => w.require(deps, (...a) => resolve(a), reject));
}

describe('the requirejs stand-in', () => {
  installAmd();

  it('is there, as Jupyter classic has it (Altair and Plotly outputs test define.amd)', () => {
    expect(typeof w.define).toBe('function');
    expect(w.define.amd).toBeTypeOf('object');
    expect(w.requirejs).toBe(w.require);
  });

  it('named defines, with dependencies and the CommonJS form; undef forgets', async () => {
    w.define('a', [], () => 40);
    w.define('b', ['a'], (a: number) => a + 2);
    w.define('c', (_req: unknown, exports: Record<string, unknown>) => {
      exports.v = 'cjs';
    });
    expect(await load(['b', 'c'])).toEqual([42, { v: 'cjs' }]);
    w.require.undef('a');
    await expect(load(['a'])).rejects.toThrow('no module named "a" is defined');
  });

  it('a library from the web that nbshield does not have: the errback says so in words', async () => {
    w.require.config({ paths: { jquery: ['https://code.jquery.com/jquery-3.7.1.min'] } });
    await expect(load(['jquery'])).rejects.toThrow(
      /asks for jquery-3\.7\.1\.min from code\.jquery\.com; nbshield does not load scripts from the web: .* not available/,
    );
  });

  it('a bundled library at a major version it cannot stand in for is refused, not loaded', async () => {
    w.require.config({
      paths: { 'vega-embed': 'https://cdn.jsdelivr.net/npm/vega-embed@9?noext' },
    });
    await expect(load(['vega-embed'])).rejects.toThrow(
      'the bundled vega-embed is version 7, which does not read version 9',
    );
    // No script element was added for it.
    expect(document.querySelectorAll('script[src*="rich-"]')).toHaveLength(0);
  });

  it('installing again does not replace a define the page has put there since', async () => {
    const mine = () => undefined;
    const before = w.define;
    (window as unknown as { define: unknown }).define = mine;
    installAmd(); // idempotent: does not overwrite
    expect(w.define).toBe(mine);
    (window as unknown as { define: unknown }).define = before;
  });
});

describe('script elements that output code adds', () => {
  installAmd();

  it('one to the web is never inserted: it gets its error event when no bundled copy fits', async () => {
    const el = document.createElement('script');
    el.src = 'https://code.jquery.com/jquery-3.7.1.min.js';
    const outcome = new Promise<string>((resolve) => {
      el.onload = () => resolve('load');
      el.onerror = () => resolve('error');
    });
    expect(document.head.appendChild(el)).toBe(el);
    expect(await outcome).toBe('error');
    expect(el.isConnected).toBe(false);
    const other = document.createElement('script');
    other.src = 'https://cdn.bokeh.org/bokeh/release/bokeh-3.4.1.min.js';
    document.body.insertBefore(other, document.body.firstChild);
    expect(other.isConnected).toBe(false);
  });

  it('others (the extension’s own files, inline scripts, other elements) are inserted as before', () => {
    const own = document.createElement('script');
    own.src = 'rich-vega.js';
    document.head.appendChild(own);
    expect(own.isConnected).toBe(true);
    own.remove();
    const inline = document.createElement('script');
    inline.textContent = '1';
    document.body.insertBefore(inline, null);
    expect(inline.isConnected).toBe(true);
    inline.remove();
    const div = document.createElement('div');
    expect(document.body.appendChild(div)).toBe(div);
    expect(div.isConnected).toBe(true);
    div.remove();
  });
});
