// The sanitizer as Node runs it (the CLI, and the bench that times the CLI's path): the one
// configuration of core/sanitize.ts on a jsdom window, with parse5 called directly where jsdom
// would only have wrapped it:
//
// - the stability check's re-parse (`reparse`): jsdom's innerHTML round trip is this same
//   parse5, plus jsdom's node objects (wrappers, mutation records, live ranges) for a tree that
//   is thrown away;
// - DOMPurify's own parse (`parseHtml`): jsdom's DOMParser runs parse5 with a tree adapter that
//   appends text one parse5 character token at a time (`data +=`, i.e. replaceData with its
//   mutation record and live-range updates per token: most of the cost on big HTML outputs, and
//   the Vega/Altair specs inside <script> bodies). parse5's own tree adapter builds the same tree
//   with plain objects, which is then made into jsdom nodes with one text node per run, and
//   DOMPurify's DOMParser (core/sanitize swaps only that) returns it. The output is the string path's (tests:
//   src/cli/node-sanitizer.test.ts, test/node/sanitizer-paths.test.ts), with one difference
//   where jsdom is wrong: text foster-parented out of a table goes before the table, as parse5
//   and browsers put it, not after it (jsdom#3317).
import {
  defaultTreeAdapter,
  html,
  parse,
  parseFragment,
  serialize,
  type DefaultTreeAdapterTypes as P5,
} from 'parse5';
import { createSanitizer, type Sanitizer, type SanitizerOptions } from '../core/sanitize';

// A <div> as context, as the renderer inserts outputs; parse5's fragment parser is always
// no-quirks, as an inert HTML document's innerHTML is. Scripting stays enabled (parse5's
// default), as jsdom's inert document had it: it only changes <noscript>, a forbidden tag.
const context = defaultTreeAdapter.createElement('div', html.NS.HTML, []);

/** `div.innerHTML = markup; return div.innerHTML` without a DOM. */
export function parse5Reparse(markup: string): string {
  return serialize(parseFragment(context, markup, {}));
}

/**
 * Builds `src`'s children under `dst` with the DOM API of `doc`. Throws where that API cannot
 * make exactly the node the parser made (names the DOM's creation methods reject, or a foreign
 * element name with a colon, which createElementNS would split into prefix and local name).
 * `bodies` maps the stand-ins of script bodies left out of the parse to their text (see
 * `parse5Document`); each one found is deleted from it.
 */
function build(doc: Document, src: P5.ParentNode, dst: Node, bodies: Map<string, string>): void {
  const stack: Array<[P5.ChildNode, Node]> = [];
  const push = (from: P5.ParentNode, to: Node): void => {
    for (let i = from.childNodes.length - 1; i >= 0; i--) stack.push([from.childNodes[i]!, to]);
  };
  push(src, dst);
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, parent] = item;
    if (node.nodeName === '#text') {
      parent.appendChild(doc.createTextNode((node as P5.TextNode).value));
      continue;
    }
    if (node.nodeName === '#comment') {
      parent.appendChild(doc.createComment((node as P5.CommentNode).data));
      continue;
    }
    if (node.nodeName === '#documentType') {
      const t = node as P5.DocumentType;
      parent.appendChild(doc.implementation.createDocumentType(t.name, t.publicId, t.systemId));
      continue;
    }
    const e = node as P5.Element;
    const ns = e.namespaceURI as string;
    let el: Element;
    if (ns === html.NS.HTML) {
      el = doc.createElement(e.tagName);
    } else {
      if (e.tagName.includes(':')) throw new Error('prefixed foreign element');
      el = doc.createElementNS(ns, e.tagName);
    }
    for (const a of e.attrs) {
      if (a.namespace) {
        el.setAttributeNS(a.namespace, a.prefix ? `${a.prefix}:${a.name}` : a.name, a.value);
      } else {
        el.setAttribute(a.name, a.value);
      }
    }
    if (el.localName !== e.tagName) throw new Error('the DOM changed a name');
    parent.appendChild(el);
    if (ns === html.NS.HTML && e.tagName === 'template') {
      push((e as P5.Template).content, (el as HTMLTemplateElement).content);
      continue;
    }
    const only = e.childNodes.length === 1 ? e.childNodes[0]! : null;
    if (ns === html.NS.HTML && e.tagName === 'script' && only?.nodeName === '#text') {
      const body = bodies.get((only as P5.TextNode).value);
      if (body !== undefined) {
        bodies.delete((only as P5.TextNode).value);
        el.appendChild(doc.createTextNode(body));
        continue;
      }
    }
    push(e, el);
  }
}

// Where a script element's start tag may end, and where its script data may. Only guesses at what
// the tokenizer does: parse5Document checks them.
const SCRIPT_START = /<script(?=[\t\n\f\r />])[^>]*>/gi;
const SCRIPT_END = /<\/script/gi;
/** Script bodies shorter than this are parsed as they are. */
const MIN_BODY = 512;

/** What the HTML tokenizer makes of script data without `<` (its input stream preprocessing). */
const scriptText = (raw: string): string =>
  /[\r\0]/.test(raw) ? raw.replace(/\r\n?/g, '\n').replace(/\0/g, '\ufffd') : raw;

/**
 * `new DOMParser().parseFromString(markup, 'text/html')` (scripting disabled, as jsdom's
 * DOMParser documents are), parsed by parse5's own tree adapter and built into `doc` (emptied
 * first), one DOM node per parse5 node. Throws where the DOM API cannot build that tree (the
 * sanitizer then uses the window's DOMParser).
 *
 * Long script bodies (Altair and Vega outputs carry their chart as JSON in one: 6.1 of the 8.6
 * MB of HTML the corpus sanitizes) are not tokenized character by character: each is replaced by
 * a short stand-in before the parse and put back as the script's text after. That is exact when
 * the stand-in comes out as the whole text of an HTML `<script>` element: the tokenizer was then
 * in the script data state from its first character until the `</script` after it. In that
 * state a `<` is text and leads back to the same state unless `<!` or `</script` follows, and
 * the body holds neither, so the original body is consumed in the same state, character for
 * character, and nothing before or after it is parsed differently. Script data text is the
 * input as it stands, but for CR/CRLF read as LF and NUL as U+FFFD. If any stand-in is found
 * anywhere else, the markup is parsed again as it is.
 */
export function parse5Document(doc: Document, markup: string): Document {
  const bodies = new Map<string, string>();
  const text = markup.length > MIN_BODY ? withoutScriptBodies(markup, bodies) : markup;
  clear(doc);
  build(doc, parse(text, { scriptingEnabled: false }), doc, bodies);
  if (bodies.size === 0) return doc;
  // A stand-in was not a script's whole text: a guess was wrong; parse the markup as it is.
  clear(doc);
  build(doc, parse(markup, { scriptingEnabled: false }), doc, new Map());
  return doc;
}

function clear(doc: Document): void {
  while (doc.lastChild) doc.removeChild(doc.lastChild);
}

/** A new HTML document with no children (and so no <title>) for parse5Document. */
export function newDocument(win: Window): Document {
  const doc = win.document.implementation.createHTMLDocument();
  clear(doc);
  return doc;
}

/**
 * Documents for parse5Document, each used for this many parses (a jsdom Document costs about as
 * much to make as a Markdown cell to parse). Not one for good: jsdom keeps every NodeIterator
 * made on a document (DOMPurify makes one per call) in a weak set that it walks on every node
 * removal, and within one synchronous render none of them can be collected yet (a WeakRef's
 * target lives until the job ends), so one document would make a render quadratic.
 */
const PARSES_PER_DOCUMENT = 16;

/**
 * `markup` with each long script body replaced by a stand-in (recorded in `bodies` with the
 * text the tokenizer would make of the body). A body runs from the end of a `<script>` start
 * tag to the next `</script`; it is left as it is if it holds a `<!` (`<!--` would start the
 * script data escaped states). The stand-ins contain no `<` and appear nowhere in `markup`.
 */
export function withoutScriptBodies(markup: string, bodies: Map<string, string>): string {
  SCRIPT_START.lastIndex = 0;
  let m = SCRIPT_START.exec(markup);
  if (m === null) return markup;
  const tag = `nbshield-script-${Math.random().toString(36).slice(2)}-`;
  if (markup.includes(tag)) return markup;
  const parts: string[] = [];
  let done = 0;
  for (; m !== null; m = SCRIPT_START.exec(markup)) {
    const start = m.index + m[0].length;
    SCRIPT_END.lastIndex = start;
    const end = SCRIPT_END.exec(markup)?.index ?? -1;
    if (end < 0) break;
    SCRIPT_START.lastIndex = end;
    if (end - start < MIN_BODY) continue;
    const body = markup.slice(start, end);
    if (body.includes('<!')) continue;
    const stand = tag + bodies.size;
    bodies.set(stand, scriptText(body));
    parts.push(markup.slice(done, start), stand);
    done = end;
  }
  if (parts.length === 0) return markup;
  parts.push(markup.slice(done));
  return parts.join('');
}

export interface NodeSanitizerOptions extends Omit<SanitizerOptions, 'reparse' | 'parseHtml'> {
  /**
   * `'parse5'` (the default): DOMPurify is given parse5's tree as jsdom nodes; `'string'`: it
   * parses the markup itself with jsdom's DOMParser (the reference the tests compare with).
   */
  parser?: 'parse5' | 'string';
}

export function createNodeSanitizer(win: Window, opts: NodeSanitizerOptions): Sanitizer {
  const { parser = 'parse5', ...rest } = opts;
  let doc: Document | undefined;
  let uses = 0;
  // DOMPurify is done with the document its previous call parsed into once that call returns
  // (it keeps nothing but the string), and the calls never nest: the next parse may empty it.
  const parseHtml = (markup: string): Document => {
    if (doc === undefined || ++uses > PARSES_PER_DOCUMENT) {
      doc = newDocument(win);
      uses = 1;
    }
    return parse5Document(doc, markup);
  };
  return createSanitizer(win, {
    ...rest,
    reparse: parse5Reparse,
    ...(parser === 'parse5' ? { parseHtml } : {}),
  });
}
