import hljsCore from 'highlight.js/lib/core';
import { describe, expect, it } from 'vitest';
import { KNOWN_LANGUAGES, highlight, hljsLanguage } from './highlight';

// highlight.ts registers a language on first use, from tables that say what the definitions
// declare. These tests run the definitions and compare.

type Mode = Record<string, unknown>;

/** Every `subLanguage` a definition's modes name (modes nest through contains, variants, starts). */
function embedsOf(def: Mode): string[] {
  const out = new Set<string>();
  const seen = new Set<unknown>();
  const walk = (m: unknown): void => {
    if (m === null || typeof m !== 'object' || seen.has(m)) return;
    seen.add(m);
    if (Array.isArray(m)) {
      m.forEach(walk);
      return;
    }
    const mode = m as Mode;
    const sub = mode.subLanguage;
    for (const s of Array.isArray(sub) ? sub : sub === undefined ? [] : [sub])
      if (typeof s === 'string') out.add(s);
    for (const k of ['contains', 'variants', 'starts', 'end', 'begin'] as const) walk(mode[k]);
  };
  walk(def);
  return [...out].sort();
}

/** What the definitions declare, restricted to the languages we ship. */
function declared(): { aliases: Record<string, string>; embeds: Record<string, string[]> } {
  const hljs = hljsCore.newInstance();
  const aliases: Record<string, string> = {};
  const embeds: Record<string, string[]> = {};
  for (const [name, fn] of Object.entries(KNOWN_LANGUAGES.definitions)) {
    const def = fn(hljs) as unknown as Mode;
    for (const a of (def.aliases as string[] | undefined) ?? []) aliases[a.toLowerCase()] = name;
    const e = embedsOf(def).filter((l) => l in KNOWN_LANGUAGES.definitions && l !== name);
    if (e.length) embeds[name] = e;
  }
  return { aliases, embeds };
}

const sortedEmbeds = (t: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(t).map(([k, v]) => [k, [...v].sort()]));

describe('lazy language registration', () => {
  // First in the file: nothing is registered yet, so this is the lazy path (xml pulls in css
  // and javascript for its <style> and <script>).
  const samples: Array<[string, string]> = [
    ['html', '<style>a { color: red }</style>\n<script>let x = 1 + "s";</script>\n<p>hi</p>'],
    ['markdown', '# T\n\n<b>bold</b> and `code`'],
    ['yaml', 'a: 1\nb: <%= ruby_call(2) %>\n'],
    ['jsx', 'const a = <div className="x">{1}</div>;'],
    ['python', 'def f(x):\n    return x ** 2  # sq\n'],
    ['tsx', 'let s: string = `a${b}`;'],
  ];
  it('gives what eager registration of every language gives', () => {
    const eager = hljsCore.newInstance();
    for (const [name, fn] of Object.entries(KNOWN_LANGUAGES.definitions))
      eager.registerLanguage(name, fn);
    for (const [lang, code] of samples) {
      const want = eager.highlight(code, { language: lang, ignoreIllegals: true }).value;
      expect(highlight(code, lang), lang).toBe(want);
    }
  });

  it('positive control: without the embedded language the output differs', () => {
    const partial = hljsCore.newInstance();
    partial.registerLanguage('xml', KNOWN_LANGUAGES.definitions.xml!);
    const [, code] = samples[0]!;
    const full = highlight(code, 'html');
    expect(partial.highlight(code, { language: 'xml', ignoreIllegals: true }).value).not.toBe(full);
  });

  it('the alias and embed tables match the definitions', () => {
    const d = declared();
    expect(KNOWN_LANGUAGES.aliases).toEqual(d.aliases);
    expect(sortedEmbeds(KNOWN_LANGUAGES.embeds)).toEqual(sortedEmbeds(d.embeds));
    // The comparison can fail: a table missing one alias or one embed is caught.
    const { svg: _svg, ...fewer } = KNOWN_LANGUAGES.aliases;
    expect(fewer).not.toEqual(d.aliases);
    expect(sortedEmbeds({ ...KNOWN_LANGUAGES.embeds, yaml: [] })).not.toEqual(
      sortedEmbeds(d.embeds),
    );
  });

  it('resolves kernel names, definition aliases and unknown names as before', () => {
    expect(hljsLanguage('Python3')).toBe('python');
    expect(hljsLanguage('jsx')).toBe('jsx');
    expect(hljsLanguage('h++')).toBe('h++');
    expect(hljsLanguage('text')).toBeUndefined();
    // Object.prototype's keys are not languages (they were looked up in plain objects).
    for (const n of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      expect(hljsLanguage(n)).toBeUndefined();
    expect(highlight('a < b', 'constructor')).toBe('a &lt; b');
  });
});
