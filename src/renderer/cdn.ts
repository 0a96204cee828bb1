// Outputs of trusted notebooks that load their plotting library from a CDN (Altair's HTML, Plotly's
// `init_notebook_mode`, Bokeh's loader). The renderer never loads script from the web (CSP), so
// each such request is answered here, without the DOM: with the copy bundled in the extension when
// its major version fits, else with a visible "not available" note. cdn-loader.ts acts on it.

/** Library modules nbshield bundles, by the names outputs ask for (npm / requirejs names). */
export type BundledModule = 'vega' | 'vega-lite' | 'vega-embed' | 'plotly' | 'bokeh' | 'bokeh3';
/** Stands for "the BokehJS a Bokeh plot's script waits for" (it names no URL itself). */
const BOKEH_PLOT = 'bokeh:plot';

/** Which rich bundle (src/renderer/rich/LIBRARY.entry.ts) holds each module. */
export const BUNDLE_OF: Record<BundledModule, 'vega' | 'plotly' | 'bokeh' | 'bokeh3'> = {
  vega: 'vega',
  'vega-lite': 'vega',
  'vega-embed': 'vega',
  plotly: 'plotly',
  bokeh: 'bokeh',
  bokeh3: 'bokeh3',
};

/**
 * Majors of the bundled copies (package.json; cdn.test.ts checks them against node_modules), and
 * the older majors each reads well enough to stand in for: Vega-Lite 6 compiles the v4 and v5
 * specs Altair 4/5 wrote, Vega 6 and vega-embed 7 keep Vega 5's and vega-embed 6's API, plotly.js
 * 4 draws figures written for 1-3 (plotly.py has used the current attribute names since 4.0).
 * BokehJS 2.4 reads Bokeh 1.x documents once adapted (rich/bokeh-docs.ts: the reference form and
 * the properties 2.0 removed); Bokeh 3 changed the document format, so BokehJS 3.10 serves 3.x.
 * A request for a newer major, or for anything else, is not served.
 */
export const BUNDLED: Record<BundledModule, { major: number; reads: number[]; label: string }> = {
  vega: { major: 6, reads: [5], label: 'vega' },
  'vega-lite': { major: 6, reads: [4, 5], label: 'vega-lite' },
  'vega-embed': { major: 7, reads: [6], label: 'vega-embed' },
  plotly: { major: 4, reads: [1, 2, 3], label: 'plotly.js' },
  bokeh: { major: 2, reads: [1], label: 'BokehJS' },
  bokeh3: { major: 3, reads: [], label: 'BokehJS' },
};

/** Modules with a bundled copy per major, newest last: the first that fits serves a request. */
const COPIES: Partial<Record<string, BundledModule[]>> = { bokeh: ['bokeh', 'bokeh3'] };

export interface ScriptRequest {
  url: string;
  host: string;
  /** What the URL names, as outputs name it (`vega-lite`, `plotly`, `bokeh`, `requirejs`), if known. */
  module: string | null;
  /** The version in the URL (`6`, `4.0.2`, `latest`), if any. */
  version: string | null;
}

const NPM_CDN =
  /^(?:cdn\.jsdelivr\.net\/npm|unpkg\.com|esm\.sh|cdn\.skypack\.dev)\/+((?:@[^/@?]+\/)?[^/@?]+)(?:@([^/?]+))?/i;
const CDNJS = /^cdnjs\.cloudflare\.com\/ajax\/libs\/([^/]+)\/([^/]+)\//i;
const PLOTLY_CDN = /^cdn\.plot\.ly\/plotly-(?:[a-z]+-)?(latest|\d+(?:\.\d+)*)(?:\.min)?(?:\.js)?$/i;
const BOKEH_CDN =
  /^cdn\.(?:bokeh\.org|pydata\.org)\/bokeh\/(?:release|dev)\/bokeh(?:-[a-z0-9]+)?-(\d+\.\d+\.\d+[^/]*?)(?:\.min)?\.js$/i;

/** npm / cdnjs package names to the module names outputs use. */
const ALIASES: Record<string, string> = {
  vega: 'vega',
  'vega-lib': 'vega',
  'vega-lite': 'vega-lite',
  'vega-embed': 'vega-embed',
  'plotly.js': 'plotly',
  'plotly.js-dist': 'plotly',
  'plotly.js-dist-min': 'plotly',
  'plotly.js-basic-dist': 'plotly',
  'plotly.js-basic-dist-min': 'plotly',
  plotly: 'plotly',
  requirejs: 'requirejs',
  'require.js': 'requirejs',
  bokeh: 'bokeh',
  '@bokeh/bokehjs': 'bokeh',
};

/**
 * What a script URL asks for, or null when it is not on the web (a relative or extension URL is
 * left to the page as before). Protocol-relative URLs count as web URLs.
 */
export function parseScriptUrl(src: string): ScriptRequest | null {
  const m = /^(?:https?:)?\/\/([^/?#]+)(.*)$/i.exec(src.trim());
  if (!m) return null;
  const host = (m[1] ?? '').toLowerCase();
  const rest = `${host}${(m[2] ?? '').replace(/[?#].*$/, '')}`;
  const found = (module: string | null, version: string | null): ScriptRequest => ({
    url: src,
    host,
    module,
    version,
  });
  let x = NPM_CDN.exec(rest);
  if (x) return found(ALIASES[(x[1] ?? '').toLowerCase()] ?? null, x[2] ?? null);
  x = CDNJS.exec(rest);
  if (x) return found(ALIASES[(x[1] ?? '').toLowerCase()] ?? null, x[2] ?? null);
  x = PLOTLY_CDN.exec(rest);
  if (x) return found('plotly', (x[1] ?? '').toLowerCase());
  x = BOKEH_CDN.exec(rest);
  if (x) return found('bokeh', x[1] ?? null);
  return found(null, null);
}

export type Decision =
  | { kind: 'bundled'; module: BundledModule; request: ScriptRequest; newerMajor: boolean }
  /** require.js itself: nbshield's own small require() stands in for it. */
  | { kind: 'builtin'; request: ScriptRequest }
  | { kind: 'unavailable'; request: ScriptRequest; reason: string };

function majorOf(version: string | null): number | null {
  const m = /^v?(\d+)/.exec(version ?? '');
  return m ? Number(m[1]) : null;
}

/** Whether the bundled copy may stand in for what the URL asks for. */
export function decide(request: ScriptRequest): Decision {
  const mod = request.module;
  if (mod === 'requirejs') return { kind: 'builtin', request };
  if (mod === null || !(mod in BUNDLED)) {
    return { kind: 'unavailable', request, reason: 'nbshield has no bundled copy of it' };
  }
  const copies = COPIES[mod] ?? [mod as BundledModule];
  const major = majorOf(request.version);
  // No version, or "latest": whatever the author had then; the newest bundled copy is the best guess.
  if (major === null) {
    return { kind: 'bundled', module: copies.at(-1)!, request, newerMajor: false };
  }
  for (const m of copies) {
    const b = BUNDLED[m];
    if (major === b.major) return { kind: 'bundled', module: m, request, newerMajor: false };
    if (b.reads.includes(major)) return { kind: 'bundled', module: m, request, newerMajor: true };
  }
  const b = BUNDLED[copies[0]!];
  const versions = list(copies.map((m) => String(BUNDLED[m].major)));
  const are = copies.length > 1 ? `are versions ${versions}` : `is version ${versions}`;
  return {
    kind: 'unavailable',
    request,
    reason: `the bundled ${b.label} ${are}, which do${copies.length > 1 ? '' : 'es'} not read version ${major}`,
  };
}

/** `vega-lite@4.0.2`, `plotly-latest`, `bokeh 1.4.0`, or the URL's file for an unknown script. */
export function requestLabel(r: ScriptRequest): string {
  if (r.module === null) {
    const file =
      r.url
        .replace(/[?#].*$/, '')
        .split('/')
        .filter(Boolean)
        .pop() ?? r.url;
    return file;
  }
  if (r.module === 'plotly' && r.host === 'cdn.plot.ly') return `plotly-${r.version ?? 'latest'}`;
  if (r.module === 'bokeh') return `bokeh ${r.version ?? ''}`.trim();
  return r.version ? `${r.module}@${r.version}` : r.module;
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function usingBundled(
  bundled: Array<Extract<Decision, { kind: 'bundled' }>>,
  versions: Partial<Record<BundledModule, string>>,
): string {
  const mods = [...new Set(bundled.map((d) => d.module))];
  const names = mods.map((m) => `${BUNDLED[m].label} ${versions[m] ?? `${BUNDLED[m].major}.x`}`);
  const newer = bundled.some((d) => d.newerMajor)
    ? ' (a newer major version than asked for: most outputs draw the same)'
    : '';
  return `using the bundled ${list(names)}${newer}`;
}

/**
 * The note shown on an output for what it asked for. `versions` holds the bundled copies' exact
 * versions once loaded (`{vega: '6.4.0'}`); `fallback` says whether the output has a saved
 * static form shown below the note.
 */
export function noteText(
  decisions: Decision[],
  versions: Partial<Record<BundledModule, string>> = {},
  fallback = false,
): string {
  if (decisions.length === 0) return '';
  const plot = decisions.find((d) => d.request.url === BOKEH_PLOT);
  if (plot && decisions.length === 1) {
    // A plot's script names no URL: it waits for the BokehJS its loader output brought.
    const v = plot.request.version ? ` ${plot.request.version}` : '';
    const head = `This Bokeh plot needs BokehJS${v}, which the notebook loads from cdn.bokeh.org; nbshield does not load scripts from the web`;
    if (plot.kind === 'bundled') return `${head}: ${usingBundled([plot], versions)}.`;
    const why = plot.kind === 'unavailable' ? ` (${plot.reason})` : '';
    const then = fallback ? 'shown below is the saved fallback' : 'this plot cannot be drawn here';
    return `${head}, and no bundled copy fits${why}, so ${then}.`;
  }
  const hosts = [...new Set(decisions.map((d) => d.request.host))];
  const asked = list([...new Set(decisions.map((d) => requestLabel(d.request)))]);
  const head = `This output asks for ${asked} from ${list(hosts)}; nbshield does not load scripts from the web:`;
  const bundled = decisions.filter(
    (d): d is Extract<Decision, { kind: 'bundled' }> => d.kind === 'bundled',
  );
  const missing = decisions.filter(
    (d): d is Extract<Decision, { kind: 'unavailable' }> => d.kind === 'unavailable',
  );
  const parts: string[] = [];
  if (bundled.length > 0) parts.push(usingBundled(bundled, versions));
  if (decisions.some((d) => d.kind === 'builtin') && bundled.length === 0 && missing.length === 0) {
    parts.push('its own small require() stands in for require.js');
  }
  if (missing.length > 0) {
    const what = list([...new Set(missing.map((d) => requestLabel(d.request)))]);
    const why = [...new Set(missing.map((d) => d.reason))].join('; ');
    const then = fallback
      ? 'shown below is the saved fallback'
      : 'this output cannot be drawn here';
    parts.push(`${what} not available (${why}), so ${then}`);
  }
  return `${head} ${parts.join('; ')}.`;
}

/** The module name a requirejs path (`paths: {"vega-embed": "https://…/vega-embed@6?noext"}`) asks for. */
export function requestForPath(name: string, path: string | null): ScriptRequest | null {
  if (path === null) return null;
  // requirejs appends ".js"; Altair adds "?noext" to stop it.
  const r = parseScriptUrl(path);
  if (r === null) return null;
  return r.module === null && name in BUNDLED ? { ...r, module: name } : r;
}

/**
 * What a Bokeh output's script needs from the web: its loader lists BokehJS files from
 * cdn.bokeh.org (`js_urls`), and each plot waits for `Bokeh.embed` from them. The docs carry the
 * version they were written for (`"version":"1.4.0"`).
 */
export function bokehNeeds(code: string): Decision[] {
  const out: Decision[] = [];
  const seen = new Set<string>();
  for (const m of code.matchAll(/["'](https?:\/\/cdn\.(?:bokeh|pydata)\.org\/[^"']+\.js)["']/gi)) {
    const r = parseScriptUrl(m[1] ?? '');
    if (r && !seen.has(r.url) && seen.size < 1) {
      // One file names the version; the rest (widgets, tables, gl) add nothing to the note.
      seen.add(r.url);
      out.push(decide(r));
    }
  }
  if (out.length === 0 && /Bokeh\.embed\.embed_items/.test(code)) {
    const v = /\\?"version\\?"\s*:\s*\\?"(\d+\.\d+\.\d+[^"\\]*)\\?"/.exec(code)?.[1] ?? null;
    const request: ScriptRequest = {
      url: BOKEH_PLOT,
      host: 'cdn.bokeh.org',
      module: 'bokeh',
      version: v,
    };
    out.push(decide(request));
  }
  return out;
}
