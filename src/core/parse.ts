// parseNotebook(text) = strict JSON parse + normalizeNotebook.

import type { JsonValue, Notebook, Result } from './model';
import { normalizeNotebook } from './notebook';

// TEMPORARY fallback until src/core/json.ts (parseJson) lands: JSON.parse with a position
// translated to line/column. It does not reject duplicate keys / lone surrogates.
function fallbackParseJson(text: string): Result<JsonValue> {
  if (text.charCodeAt(0) === 0xfeff) {
    return { ok: false, error: { code: 'encoding', message: 'The file starts with a BOM.' } };
  }
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /position (\d+)/.exec(msg);
    const error: { code: 'not-json'; message: string; line?: number; column?: number } = {
      code: 'not-json',
      message: `Not valid JSON: ${msg}`,
    };
    if (m) {
      const pos = Number(m[1]);
      const before = text.slice(0, pos);
      error.line = before.split('\n').length;
      error.column = pos - before.lastIndexOf('\n');
    }
    return { ok: false, error };
  }
}

export function parseNotebook(text: string): Result<Notebook> {
  const json = fallbackParseJson(text);
  if (!json.ok) return json;
  return normalizeNotebook(json.value);
}
