import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BUNDLED,
  bokehNeeds,
  decide,
  noteText,
  parseScriptUrl,
  requestForPath,
  type BundledModule,
} from './cdn';

const pkg = (name: string) =>
  JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string };

describe('CDN script URLs', () => {
  it('names what the corpus outputs ask for', () => {
    const cases: Array<[string, string | null, string | null, string]> = [
      ['https://cdn.jsdelivr.net/npm/vega@6?noext', 'vega', '6', 'cdn.jsdelivr.net'],
      [
        'https://cdn.jsdelivr.net/npm//vega-lite@4.0.2?noext',
        'vega-lite',
        '4.0.2',
        'cdn.jsdelivr.net',
      ],
      ['https://cdn.jsdelivr.net/npm/vega-embed@7', 'vega-embed', '7', 'cdn.jsdelivr.net'],
      [
        'https://cdn.jsdelivr.net/npm/vega@5.20.2/build/vega.min.js',
        'vega',
        '5.20.2',
        'cdn.jsdelivr.net',
      ],
      ['https://unpkg.com/vega-lite@5', 'vega-lite', '5', 'unpkg.com'],
      ['https://cdn.plot.ly/plotly-latest.min', 'plotly', 'latest', 'cdn.plot.ly'],
      ['https://cdn.plot.ly/plotly-2.35.2.min.js', 'plotly', '2.35.2', 'cdn.plot.ly'],
      ['//cdn.plot.ly/plotly-basic-1.58.5.min.js', 'plotly', '1.58.5', 'cdn.plot.ly'],
      [
        'https://cdn.jsdelivr.net/npm/plotly.js-dist-min@3.0.1/plotly.min.js',
        'plotly',
        '3.0.1',
        'cdn.jsdelivr.net',
      ],
      [
        'https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js',
        'requirejs',
        '2.3.6',
        'cdnjs.cloudflare.com',
      ],
      [
        'https://cdn.pydata.org/bokeh/release/bokeh-1.4.0.min.js',
        'bokeh',
        '1.4.0',
        'cdn.pydata.org',
      ],
      [
        'https://cdn.bokeh.org/bokeh/release/bokeh-widgets-3.4.1.min.js',
        'bokeh',
        '3.4.1',
        'cdn.bokeh.org',
      ],
      ['https://code.jquery.com/jquery-3.7.1.min.js', null, null, 'code.jquery.com'],
    ];
    for (const [url, module, version, host] of cases) {
      expect(parseScriptUrl(url), url).toEqual({ url, host, module, version });
    }
  });

  it('leaves scripts that are not on the web alone', () => {
    for (const url of [
      'rich-vega.js',
      '/static/require.js',
      './x.js',
      'data:text/javascript,1',
      'javascript:1',
    ])
      expect(parseScriptUrl(url), url).toBeNull();
  });
});

describe('version fit', () => {
  const d = (url: string) => decide(parseScriptUrl(url)!);

  it('the bundled majors are the installed ones', () => {
    const installed: Record<BundledModule, string> = {
      vega: pkg('vega').version,
      'vega-lite': pkg('vega-lite').version,
      'vega-embed': pkg('vega-embed').version,
      plotly: pkg('plotly.js-dist-min').version,
      bokeh: pkg('@bokeh/bokehjs2').version,
      bokeh3: pkg('@bokeh/bokehjs3').version,
    };
    for (const [m, v] of Object.entries(installed))
      expect(BUNDLED[m as BundledModule].major, m).toBe(Number(v.split('.')[0]));
  });

  it('same major: bundled; older majors it reads: bundled, flagged; others: not available', () => {
    expect(d('https://cdn.jsdelivr.net/npm/vega@6?noext')).toMatchObject({
      kind: 'bundled',
      module: 'vega',
      newerMajor: false,
    });
    expect(d('https://cdn.jsdelivr.net/npm/vega-lite@4.0.2?noext')).toMatchObject({
      kind: 'bundled',
      module: 'vega-lite',
      newerMajor: true,
    });
    expect(d('https://cdn.plot.ly/plotly-latest.min')).toMatchObject({
      kind: 'bundled',
      newerMajor: false,
    });
    expect(d('https://cdn.jsdelivr.net/npm/vega@7')).toMatchObject({ kind: 'unavailable' });
    expect(d('https://cdn.jsdelivr.net/npm/vega-lite@3.4.0')).toMatchObject({
      kind: 'unavailable',
    });
    expect(d('https://cdn.plot.ly/plotly-5.0.0.min.js')).toMatchObject({ kind: 'unavailable' });
    // BokehJS 2.4 stands in for Bokeh 1 and 2; Bokeh 3 wrote another document format, which
    // the bundled BokehJS 3 reads.
    expect(d('https://cdn.pydata.org/bokeh/release/bokeh-1.4.0.min.js')).toMatchObject({
      kind: 'bundled',
      module: 'bokeh',
      newerMajor: true,
    });
    expect(d('https://cdn.bokeh.org/bokeh/release/bokeh-widgets-2.4.3.min.js')).toMatchObject({
      kind: 'bundled',
      module: 'bokeh',
      newerMajor: false,
    });
    expect(d('https://cdn.bokeh.org/bokeh/release/bokeh-3.4.1.min.js')).toMatchObject({
      kind: 'bundled',
      module: 'bokeh3',
      newerMajor: false,
    });
    expect(d('https://cdn.pydata.org/bokeh/release/bokeh-0.12.16.min.js')).toMatchObject({
      kind: 'unavailable',
      reason: 'the bundled BokehJS are versions 2 and 3, which do not read version 0',
    });
    expect(d('https://cdn.bokeh.org/bokeh/dev/bokeh-4.0.0.dev1.min.js')).toMatchObject({
      kind: 'unavailable',
      reason: 'the bundled BokehJS are versions 2 and 3, which do not read version 4',
    });
    expect(d('https://code.jquery.com/jquery-3.7.1.min.js').kind).toBe('unavailable');
    expect(d('https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js').kind).toBe(
      'builtin',
    );
  });

  it('requirejs paths name the module even when the URL does not', () => {
    expect(
      requestForPath('vega-embed', 'https://cdn.jsdelivr.net/npm/vega-embed@6?noext'),
    ).toMatchObject({
      module: 'vega-embed',
      version: '6',
    });
    expect(requestForPath('plotly', 'https://example.org/js/p')).toMatchObject({
      module: 'plotly',
    });
    expect(requestForPath('plotly', null)).toBeNull();
    expect(requestForPath('plotly', 'static/plotly')).toBeNull();
  });
});

describe('notes', () => {
  const dec = (url: string) => decide(parseScriptUrl(url)!);

  it('says what was asked for, where from, and what is used instead', () => {
    const t = noteText(
      [
        dec('https://cdn.jsdelivr.net/npm/vega@6?noext'),
        dec('https://cdn.jsdelivr.net/npm/vega-lite@6.1.0?noext'),
        dec('https://cdn.jsdelivr.net/npm/vega-embed@7?noext'),
      ],
      { vega: '6.4.0', 'vega-lite': '6.4.3', 'vega-embed': '7.3.0' },
    );
    expect(t).toBe(
      'This output asks for vega@6, vega-lite@6.1.0 and vega-embed@7 from cdn.jsdelivr.net; ' +
        'nbshield does not load scripts from the web: using the bundled vega 6.4.0, vega-lite 6.4.3 and vega-embed 7.3.0.',
    );
    const old = noteText([dec('https://cdn.jsdelivr.net/npm//vega-lite@4.0.2?noext')]);
    expect(old).toContain('vega-lite@4.0.2');
    expect(old).toContain('using the bundled vega-lite 6.x (a newer major version than asked for');
  });

  it('a library nbshield does not have: not available, and what the reader sees instead', () => {
    const b = dec('https://cdn.pydata.org/bokeh/release/bokeh-0.12.16.min.js');
    expect(noteText([b])).toBe(
      'This output asks for bokeh 0.12.16 from cdn.pydata.org; nbshield does not load scripts from the web: ' +
        'bokeh 0.12.16 not available (the bundled BokehJS are versions 2 and 3, which do not read version 0), so this output cannot be drawn here.',
    );
    expect(noteText([b], {}, true)).toContain('so shown below is the saved fallback.');
    expect(noteText([dec('https://cdn.jsdelivr.net/npm/vega@7')])).toContain(
      'the bundled vega is version 6, which does not read version 7',
    );
    expect(noteText([])).toBe('');
  });

  it('Bokeh output scripts: the loader names its CDN files, a plot the docs version', () => {
    const loader = `var js_urls = ["https://cdn.pydata.org/bokeh/release/bokeh-1.4.0.min.js", "https://cdn.pydata.org/bokeh/release/bokeh-widgets-1.4.0.min.js"];`;
    expect(bokehNeeds(loader).map((x) => x.request.version)).toEqual(['1.4.0']);
    expect(noteText(bokehNeeds(loader), { bokeh: '2.4.3' })).toBe(
      'This output asks for bokeh 1.4.0 from cdn.pydata.org; nbshield does not load scripts from the web: using the bundled BokehJS 2.4.3 (a newer major version than asked for: most outputs draw the same).',
    );
    const plot = `var docs_json = {"x":{"roots":{},"title":"Bokeh Application","version":"1.4.0"}}; root.Bokeh.embed.embed_items_notebook(docs_json, render_items);`;
    expect(bokehNeeds(plot)).toMatchObject([
      { kind: 'bundled', module: 'bokeh', newerMajor: true, request: { version: '1.4.0' } },
    ]);
    expect(noteText(bokehNeeds(plot), { bokeh: '2.4.3' })).toBe(
      'This Bokeh plot needs BokehJS 1.4.0, which the notebook loads from cdn.bokeh.org; nbshield does not load scripts from the web: using the bundled BokehJS 2.4.3 (a newer major version than asked for: most outputs draw the same).',
    );
    // Bokeh 3 documents (also as escaped JSON text): the bundled BokehJS 3.
    const plot3 = `const docs_json = '{\\"x\\":{\\"version\\":\\"3.4.1\\"}}'; root.Bokeh.embed.embed_items_notebook(docs_json, render_items);`;
    expect(noteText(bokehNeeds(plot3), { bokeh3: '3.10.0' })).toBe(
      'This Bokeh plot needs BokehJS 3.4.1, which the notebook loads from cdn.bokeh.org; nbshield does not load scripts from the web: using the bundled BokehJS 3.10.0.',
    );
    const plot0 = plot.replace('1.4.0', '0.12.16');
    expect(noteText(bokehNeeds(plot0))).toBe(
      'This Bokeh plot needs BokehJS 0.12.16, which the notebook loads from cdn.bokeh.org; nbshield does not load scripts from the web, and no bundled copy fits (the bundled BokehJS are versions 2 and 3, which do not read version 0), so this plot cannot be drawn here.',
    );
    expect(bokehNeeds('console.log(1)')).toEqual([]);
  });
});
