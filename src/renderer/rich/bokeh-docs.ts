// Bokeh 1.x documents for the bundled BokehJS 2.4 (rich-bokeh.js). Bokeh 1 and 2 share the
// document JSON ({roots: {references, root_ids}, version}), with two differences that make 2.4
// refuse a 1.x document outright:
// - a reference to another model is `{"id": "1011", "type": "LinearAxis"}` in 1.x; 2.4 takes only
//   `{"id": "1011"}` as a reference (anything else is a plain dict), so every link breaks;
// - a few properties were removed in 2.0 (`callback` on data sources and ranges, replaced by
//   js_on_change); 2.4 throws on a property its model does not have;
// - 1.x wrote every visual property as `{"value": "black"}`; in 2.4 some (a BoxAnnotation's line,
//   a Plot's background) are plain properties that take only `"black"`;
// - 1.x's marker glyphs (Square, Triangle, …) are one `Scatter` glyph with a `marker` in 2.4;
// - 1.x wrote base64 arrays without a byte `order` (always little-endian); 2.4 byte-swaps those;
// - 1.x's render items have no `root_ids`: 2.4 then draws the plot at the end of the page.
// The adaptation fixes each of these, and leaves out unknown properties, saying which. Bokeh 2
// documents are passed through as they are.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** What BokehJS 2.4 says of a property it has. */
export interface PropertyInfo {
  /** For a plain property (not a spec, which takes `{"value": x}` too): whether it takes v. */
  valid?: (v: unknown) => boolean;
}

/**
 * BokehJS 2.4's property `attr` of model `type`: null when the model has no such property,
 * undefined when the type itself is unknown.
 */
export type DescribeProperty = (type: string, attr: string) => PropertyInfo | null | undefined;

export interface Adapted {
  docsJson: unknown;
  /** `Type.attr` of each property left out, once each, sorted. */
  dropped: string[];
}

/** Bokeh 1.x marker glyphs, as the `marker` of 2.4's Scatter (Circle stayed a glyph of its own). */
const MARKERS: Record<string, string> = {
  Asterisk: 'asterisk',
  CircleCross: 'circle_cross',
  CircleX: 'circle_x',
  Cross: 'cross',
  Dash: 'dash',
  Diamond: 'diamond',
  DiamondCross: 'diamond_cross',
  Hex: 'hex',
  InvertedTriangle: 'inverted_triangle',
  Square: 'square',
  SquareCross: 'square_cross',
  SquareX: 'square_x',
  Triangle: 'triangle',
  X: 'x',
};

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The major version a document says it was written by (`"version": "1.4.0"`), if any. */
export function docMajor(doc: unknown): number | null {
  const v = isObject(doc) ? doc.version : undefined;
  const m = typeof v === 'string' ? /^(\d+)\./.exec(v) : null;
  return m ? Number(m[1]) : null;
}

/**
 * The versions the documents say they were written by: `docs_json` is an object, or (Bokeh 3, and
 * standalone HTML) the same as JSON text.
 */
export function docsVersions(docsJson: unknown): string[] {
  if (typeof docsJson === 'string')
    return [...docsJson.matchAll(/"version"\s*:\s*"([^"]+)"/g)].map((m) => m[1] ?? '');
  if (!isObject(docsJson)) return [];
  return Object.values(docsJson).flatMap((d) =>
    isObject(d) && typeof d.version === 'string' ? [d.version] : [],
  );
}

/** A 1.x reference: exactly id and type, maybe subtype. */
function isOldRef(v: JsonObject): boolean {
  const keys = Object.keys(v);
  return (
    typeof v.id === 'string' &&
    typeof v.type === 'string' &&
    keys.every((k) => k === 'id' || k === 'type' || k === 'subtype') &&
    (keys.length === 2 || (keys.length === 3 && 'subtype' in v))
  );
}

function newRefs(v: Json): Json {
  if (Array.isArray(v)) return v.map(newRefs);
  if (!isObject(v)) return v;
  if (isOldRef(v)) return { id: v.id as string };
  if (typeof v.__ndarray__ === 'string' && !('order' in v)) return { ...v, order: 'little' };
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) out[k] = newRefs(x);
  return out;
}

/** `{"value": x}` as x, when the property takes x and not the wrapper. */
function unwrapped(v: Json, info: PropertyInfo): Json {
  if (!info.valid || !isObject(v) || Object.keys(v).length !== 1 || !('value' in v)) return v;
  const x = v.value as Json;
  return !info.valid(v) && info.valid(x) ? x : v;
}

function adaptDoc(doc: JsonObject, describe: DescribeProperty, dropped: Set<string>): JsonObject {
  const roots = doc.roots;
  if (!isObject(roots) || !Array.isArray(roots.references)) return doc;
  const references = roots.references.map((ref) => {
    if (!isObject(ref) || !isObject(ref.attributes) || typeof ref.type !== 'string') return ref;
    const marker = MARKERS[ref.type];
    const type = marker ? 'Scatter' : ref.type;
    const attributes: JsonObject = marker ? { marker } : {};
    for (const [k, v] of Object.entries(ref.attributes)) {
      const info = describe(type, k);
      // An unknown type is left whole: BokehJS then says which type it lacks.
      if (info === null) dropped.add(`${type}.${k}`);
      else attributes[k] = info ? unwrapped(newRefs(v), info) : newRefs(v);
    }
    return { ...ref, type, attributes };
  });
  return { ...doc, roots: { ...roots, references } };
}

/**
 * `docs_json` ({docid: doc}) as BokehJS 2.4 reads it: 1.x documents adapted, others unchanged
 * (the same object). Nothing is changed in place (the parsed notebook is shared).
 */
export function adaptDocsJson(docsJson: unknown, describe: DescribeProperty): Adapted {
  if (!isObject(docsJson)) return { docsJson, dropped: [] };
  const docs = Object.values(docsJson);
  if (!docs.some((d) => docMajor(d) === 1)) return { docsJson, dropped: [] };
  const dropped = new Set<string>();
  const out: JsonObject = {};
  for (const [id, doc] of Object.entries(docsJson)) {
    out[id] = isObject(doc) && docMajor(doc) === 1 ? adaptDoc(doc, describe, dropped) : doc;
  }
  return { docsJson: out, dropped: [...dropped].sort() };
}

/** One document (`Bokeh.embed.embed_item(item)` carries `item.doc`), as adaptDocsJson does. */
export function adaptDocJson(doc: unknown, describe: DescribeProperty): Adapted {
  const r = adaptDocsJson({ doc }, describe);
  return { docsJson: (r.docsJson as { doc: unknown }).doc, dropped: r.dropped };
}

type RenderItem = { roots?: unknown; root_ids?: unknown; docid?: unknown };

/**
 * 1.x render items (`{docid, roots: {modelId: elementId}}`) with the `root_ids` 2.4 needs to find
 * the elements, in the document's root order (2.4 pairs them by position).
 */
export function adaptRenderItems(items: unknown, docsJson: unknown): unknown {
  if (!Array.isArray(items)) return items;
  return items.map((item: unknown) => {
    if (!isObject(item) || !isObject(item.roots) || 'root_ids' in item) return item;
    const mine = Object.keys(item.roots);
    const doc =
      isObject(docsJson) && typeof item.docid === 'string' ? docsJson[item.docid] : undefined;
    const order = isObject(doc) && isObject(doc.roots) ? doc.roots.root_ids : undefined;
    const root_ids = Array.isArray(order)
      ? order.filter((id): id is string => typeof id === 'string' && mine.includes(id))
      : mine;
    return { ...(item as RenderItem), root_ids };
  });
}
