// The sanitizer as Node runs it (the CLI, and the bench that times the CLI's path): the one
// configuration of core/sanitize.ts on a jsdom window, with the stability check's re-parse done by
// parse5 directly. jsdom parses with this same parse5, so the markup it gives back is the same;
// only jsdom's node objects (wrappers, mutation records, live ranges) are skipped, which made the
// check cost as much as DOMPurify's own parse.
import { defaultTreeAdapter, html, parseFragment, serialize } from 'parse5';
import { createSanitizer, type Sanitizer, type SanitizerOptions } from '../core/sanitize';

// A <div> as context, as the renderer inserts outputs; parse5's fragment parser is always
// no-quirks, as an inert HTML document's innerHTML is. Scripting stays enabled (parse5's
// default), as jsdom's inert document had it: it only changes <noscript>, a forbidden tag.
const context = defaultTreeAdapter.createElement('div', html.NS.HTML, []);

/** `div.innerHTML = markup; return div.innerHTML` without a DOM. */
export function parse5Reparse(markup: string): string {
  return serialize(parseFragment(context, markup, {}));
}

export function createNodeSanitizer(
  win: Window,
  opts: Omit<SanitizerOptions, 'reparse'>,
): Sanitizer {
  return createSanitizer(win, { ...opts, reparse: parse5Reparse });
}
