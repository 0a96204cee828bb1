import { describe, expect, it } from 'vitest';
import { checkSpec, dataUrls, geoJsonSpec, vegaMode } from './vega-spec';

describe('vega specs before drawing', () => {
  it('mode from the MIME type', () => {
    expect(vegaMode('application/vnd.vegalite.v4+json')).toBe('vega-lite');
    expect(vegaMode('application/vnd.vega.v5+json')).toBe('vega');
  });

  it('finds data URLs anywhere a data source can be, not image URLs', () => {
    const spec = {
      data: { url: 'https://a.example/cars.json' },
      layer: [
        { data: { url: 'data/local.csv' }, mark: 'line' },
        {
          transform: [
            { lookup: 'id', from: { data: { url: 'https://b.example/x.json' }, key: 'id' } },
          ],
          mark: 'image',
          encoding: { url: { value: 'https://img.example/i.png' } },
        },
      ],
      vconcat: [
        {
          data: [
            { name: 't', url: 'https://c.example/t.csv' },
            { name: 'v', values: [] },
          ],
        },
      ],
    };
    expect(dataUrls(spec).sort()).toEqual([
      'data/local.csv',
      'https://a.example/cars.json',
      'https://b.example/x.json',
      'https://c.example/t.csv',
    ]);
    expect(dataUrls({ data: { values: [{ url: 'not a source' }] }, mark: 'point' })).toEqual([]);
    // Cycles (shared objects) do not loop.
    const a: Record<string, unknown> = { data: { values: [] } };
    a.self = a;
    expect(dataUrls(a)).toEqual([]);
  });

  it('a spec at a URL or with remote data cannot draw here, and says why', () => {
    expect(checkSpec('https://raw.githubusercontent.com/vega/x.vl.json')).toEqual({
      ok: false,
      message:
        'its specification is at https://raw.githubusercontent.com/vega/x.vl.json, and nbshield does not fetch anything from the web',
    });
    expect(
      checkSpec({ data: { url: 'https://a/b.csv' }, layer: [{ data: { url: 'c' } }] }),
    ).toEqual({
      ok: false,
      message:
        'its data is at https://a/b.csv (and 1 more), and nbshield does not fetch data from the web',
    });
    expect(checkSpec([1, 2])).toEqual({
      ok: false,
      message: 'the specification is not a JSON object',
    });
    const fine = { data: { values: [{ a: 1 }] }, mark: 'bar' };
    expect(checkSpec(fine)).toEqual({ ok: true, spec: fine });
  });
});

describe('GeoJSON as a Vega-Lite spec', () => {
  const square = {
    type: 'Polygon',
    coordinates: [
      [
        [0, 0],
        [10, 0],
        [10, 10],
        [0, 10],
        [0, 0],
      ],
    ],
  };
  it('a FeatureCollection, a Feature and a bare geometry become geoshape features', () => {
    const feature = { type: 'Feature', properties: { name: 'a' }, geometry: square };
    for (const [value, n] of [
      [{ type: 'FeatureCollection', features: [feature, feature] }, 2],
      [feature, 1],
      [square, 1],
    ] as const) {
      const r = geoJsonSpec(value);
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.spec.mark).toMatchObject({ type: 'geoshape' });
      const values = (r.spec.data as { values: Array<{ type: string }> }).values;
      expect(values).toHaveLength(n);
      expect(values.every((f) => f.type === 'Feature')).toBe(true);
    }
  });
  it('what is not GeoJSON gets a message', () => {
    expect(geoJsonSpec('x')).toMatchObject({ ok: false });
    expect(geoJsonSpec({ type: 'Topology' })).toEqual({
      ok: false,
      message: 'GeoJSON of type "Topology" cannot be drawn',
    });
    expect(geoJsonSpec({ type: 'FeatureCollection', features: [] })).toMatchObject({ ok: false });
  });
});
