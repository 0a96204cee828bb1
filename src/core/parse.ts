// parseNotebook(text) = strict JSON parse (json.ts: line/column errors, duplicate keys, NaN,
// lone surrogates, size and depth limits) + normalizeNotebook.

import { parseJson, parseJsonSteps, type JsonLimits } from './json';
import type { Notebook, Result } from './model';
import { normalizeNotebook } from './notebook';

export function parseNotebook(text: string, limits?: JsonLimits): Result<Notebook> {
  const json = parseJson(text, limits);
  if (!json.ok) return json;
  return normalizeNotebook(json.value);
}

/**
 * parseNotebook in steps (see parseJsonSteps): `step()` gives null while the JSON is still being
 * read, then parseNotebook's result. The renderer uses it so a large notebook's parse is many
 * short tasks, not one long one.
 */
export function parseNotebookSteps(
  text: string,
  shouldPause: () => boolean,
  limits?: JsonLimits,
): { step(): Result<Notebook> | null } {
  const json = parseJsonSteps(text, shouldPause, limits);
  let done: Result<Notebook> | null = null;
  return {
    step(): Result<Notebook> | null {
      if (done !== null) return done;
      const r = json.step();
      if (r === null) return null;
      done = r.ok ? normalizeNotebook(r.value) : r;
      return done;
    },
  };
}
