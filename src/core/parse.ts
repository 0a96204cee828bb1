// parseNotebook(text) = strict JSON parse (json.ts: line/column errors, duplicate keys, NaN,
// lone surrogates, size and depth limits) + normalizeNotebook.

import { parseJson, type JsonLimits } from './json';
import type { Notebook, Result } from './model';
import { normalizeNotebook } from './notebook';

export function parseNotebook(text: string, limits?: JsonLimits): Result<Notebook> {
  const json = parseJson(text, limits);
  if (!json.ok) return json;
  return normalizeNotebook(json.value);
}
