// Does parse5 foster-parent text out of a table in this markup? There jsdom puts the text
// elsewhere (jsdom#3317), so the tests that compare the parse5 path with jsdom's allow a difference.
import { defaultTreeAdapter, parse } from 'parse5';

export function parse5Fosters(markup: string): boolean {
  let seen = false;
  const treeAdapter: typeof defaultTreeAdapter = {
    ...defaultTreeAdapter,
    insertTextBefore(parent, text, ref) {
      seen = true;
      defaultTreeAdapter.insertTextBefore(parent, text, ref);
    },
  };
  parse(markup, { treeAdapter, scriptingEnabled: false });
  return seen;
}
