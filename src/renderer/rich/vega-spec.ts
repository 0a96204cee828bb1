// DOM-free checks on a Vega / Vega-Lite spec before the bundled library draws it. The renderer
// has no network (CSP connect-src 'none'), so a spec that loads its data, or is itself, at a URL
// cannot draw: say so plainly instead of drawing empty axes.

export type VegaMode = 'vega' | 'vega-lite';

export function vegaMode(mime: string): VegaMode {
  return /^application\/vnd\.vegalite\./i.test(mime) ? 'vega-lite' : 'vega';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The data URLs a spec would load: `url` of any data source (`data: {url}`, `data: [{url}]`,
 * lookup's `from: {data: {url}}`, in any layer, facet or concat). Image marks' `url` encodings are
 * images, which may load, so they are not listed.
 */
export function dataUrls(spec: unknown): string[] {
  const out = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (v: unknown, underData: boolean): void => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) visit(x, underData);
      return;
    }
    const o = v as Record<string, unknown>;
    if (underData && typeof o.url === 'string') out.add(o.url);
    for (const [k, x] of Object.entries(o)) visit(x, k === 'data');
  };
  visit(spec, false);
  return [...out];
}

export type SpecCheck =
  { ok: true; spec: Record<string, unknown> } | { ok: false; message: string };

/** Whether the bundled library can draw this output's value here, and if not, why (for a reader). */
export function checkSpec(value: unknown): SpecCheck {
  if (typeof value === 'string') {
    return {
      ok: false,
      message: `its specification is at ${value}, and nbshield does not fetch anything from the web`,
    };
  }
  if (!isObject(value)) return { ok: false, message: 'the specification is not a JSON object' };
  const urls = dataUrls(value);
  if (urls.length > 0) {
    const more = urls.length > 1 ? ` (and ${urls.length - 1} more)` : '';
    return {
      ok: false,
      message: `its data is at ${urls[0]}${more}, and nbshield does not fetch data from the web`,
    };
  }
  return { ok: true, spec: value };
}

const GEO_TYPES = new Set([
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
  'GeometryCollection',
]);

/**
 * A GeoJSON output (`application/geo+json`) as a Vega-Lite spec: its features drawn as shapes on
 * a Mercator projection fitted to them. JupyterLab draws it over web map tiles; here there is no
 * network, so shapes only.
 */
export function geoJsonSpec(value: unknown): SpecCheck {
  if (!isObject(value) || typeof value.type !== 'string') {
    return { ok: false, message: 'this is not GeoJSON (no "type")' };
  }
  let features: unknown[];
  if (value.type === 'FeatureCollection' && Array.isArray(value.features)) {
    features = value.features;
  } else if (value.type === 'Feature') {
    features = [value];
  } else if (GEO_TYPES.has(value.type)) {
    features = [{ type: 'Feature', properties: {}, geometry: value }];
  } else {
    return { ok: false, message: `GeoJSON of type "${value.type}" cannot be drawn` };
  }
  if (features.length === 0) return { ok: false, message: 'this GeoJSON has no features' };
  return {
    ok: true,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 600,
      height: 360,
      data: { values: features },
      projection: { type: 'mercator' },
      mark: {
        type: 'geoshape',
        fill: '#4c78a8',
        fillOpacity: 0.35,
        stroke: '#1f4e79',
        strokeWidth: 1,
      },
    },
  };
}
