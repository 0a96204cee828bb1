// normalizeNotebook: nbformat 3 (worksheets) and 4.0–4.5 JSON -> the one typed model.
// Strict where a wrong type would break rendering (with a path in the message), lenient where real
// notebooks are sloppy (missing metadata / execution_count, unknown output types, odd widgets).

import type {
  Attachments,
  Cell,
  CellMetadata,
  JsonObject,
  JsonValue,
  MimeBundle,
  Notebook,
  NotebookError,
  NotebookMetadata,
  Output,
  Result,
  StreamOutput,
} from './model';

/** A MIME type the renderer shows as a notice (the model has no "unknown output" variant). */
export const NOTICE_MIME = 'application/x-nbshield-notice';

class NbError extends Error {
  constructor(public readonly nbError: NotebookError) {
    super(nbError.message);
  }
}

function fail(code: NotebookError['code'], path: string, message: string): never {
  // Wrong types read as `cells[3].outputs[1].output_type must be ...`; other messages stand alone.
  const text = code === 'wrong-type' && path ? `${path} ${message}` : message;
  throw new NbError(path ? { code, path, message: text } : { code, message: text });
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: JsonValue | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function wrongType(path: string, expected: string, got: JsonValue | undefined): never {
  return fail('wrong-type', path, `must be ${expected}, got ${typeName(got)}`);
}

/**
 * nbformat's multi-line string, checked: a string, or a list of strings to join without
 * separator, given as the list when its join would be at least `lazyChars` long.
 */
function lines(
  v: JsonValue | undefined,
  path: string,
  dflt: string | undefined,
  lazyChars: number,
): string | string[] {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    let chars = 0;
    for (let i = 0; i < v.length; i++) {
      const line = v[i];
      if (typeof line !== 'string') return wrongType(`${path}[${i}]`, 'a string', line);
      chars += line.length;
    }
    // One line is already the string: nothing to put off.
    if (chars >= lazyChars && v.length > 1) return v as string[];
    // One string of the joined length at once: `+=` made a tree of one node a line (each line
    // itself a node over a view of the text), larger than the text it stood for and copied
    // again anyway by the first search in it (issue 5: a 100,000-line stream, an HTML table).
    return v.length === 1 ? (v[0] as string) : v.join('');
  }
  return wrongType(path, 'a string or a list of strings', v);
}

/** nbformat's multi-line string: a string or a list of strings, joined without separator. */
function multiline(v: JsonValue | undefined, path: string, dflt?: string): string {
  const m = lines(v, path, dflt, Infinity);
  return typeof m === 'string' ? m : m.join('');
}

/** A stream output; its text, when long, joined when first read (setMultiline). */
function streamOutput(name: string, text: JsonValue | undefined, path: string): StreamOutput {
  const stream = { output_type: 'stream', name } as StreamOutput;
  setMultiline(stream as unknown as Record<string, unknown>, 'text', text, path, '');
  return stream;
}

/** Outputs whose lines add up to this many characters are joined when first read. */
const LAZY_JOIN_CHARS = 16 * 1024;

/**
 * `out[key] = multiline(v)`, except that a long output's lines are joined when the value is
 * first read: a view may never read it (the renderer's far cells wait as placeholders; an
 * untrusted view does not show a JavaScript output), and the joined copy beside its lines was
 * then only garbage in the renderer's peak heap (issue 5: bokeh-notebooks__01, 13.3 -> 9.9 MB).
 * Reading, assigning, deleting, listing, copying and JSON.stringify see a plain string property.
 */
function setMultiline(
  out: Record<string, unknown>,
  key: string,
  v: JsonValue | undefined,
  path: string,
  dflt?: string,
): void {
  const m = lines(v, path, dflt, LAZY_JOIN_CHARS);
  if (typeof m === 'string' || key === '__proto__') {
    out[key] = typeof m === 'string' ? m : m.join('');
    return;
  }
  const settle = (value: unknown): void => {
    Object.defineProperty(out, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  };
  Object.defineProperty(out, key, {
    enumerable: true,
    configurable: true,
    get(): string {
      const joined = m.join('');
      settle(joined);
      return joined;
    },
    set: settle,
  });
}

function optionalObject(v: JsonValue | undefined, path: string): JsonObject {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) wrongType(path, 'an object', v);
  return v;
}

/** JSON MIME types keep their parsed value; every other MIME type is joined text. */
export function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || /\+json$/i.test(mime);
}

function mimeBundle(v: JsonValue | undefined, path: string): MimeBundle {
  const obj = optionalObject(v, path);
  const out: MimeBundle = {};
  for (const [mime, value] of Object.entries(obj)) {
    const p = `${path}[${JSON.stringify(mime)}]`;
    if (isJsonMime(mime)) {
      // JSON data written as a string (old nbformat) stays a string; the renderer copes.
      out[mime] = value;
    } else {
      setMultiline(out, mime, value, p);
    }
  }
  return out;
}

function executionCount(v: JsonValue | undefined, path: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return wrongType(path, 'an integer or null', v);
}

function cellMetadata(v: JsonValue | undefined, path: string): CellMetadata {
  const m = optionalObject(v, path);
  const out: CellMetadata = { ...m };
  // Keep only well-typed rendering flags; a stray type is dropped, not fatal.
  if (m.collapsed !== undefined && typeof m.collapsed !== 'boolean') delete out.collapsed;
  if (m.scrolled !== undefined && typeof m.scrolled !== 'boolean' && m.scrolled !== 'auto')
    delete out.scrolled;
  if (m.jupyter !== undefined) {
    if (isObject(m.jupyter)) {
      const j: { source_hidden?: boolean; outputs_hidden?: boolean } = {};
      if (typeof m.jupyter.source_hidden === 'boolean') j.source_hidden = m.jupyter.source_hidden;
      if (typeof m.jupyter.outputs_hidden === 'boolean')
        j.outputs_hidden = m.jupyter.outputs_hidden;
      out.jupyter = j;
    } else delete out.jupyter;
  }
  if (m.tags !== undefined) {
    if (Array.isArray(m.tags)) out.tags = m.tags.filter((t): t is string => typeof t === 'string');
    else delete out.tags;
  }
  return out;
}

function attachments(v: JsonValue | undefined, path: string): Attachments | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) wrongType(path, 'an object', v);
  const out: Attachments = {};
  for (const [name, bundle] of Object.entries(v)) {
    out[name] = mimeBundle(bundle, `${path}[${JSON.stringify(name)}]`);
  }
  return out;
}

function noticeOutput(message: string): Output {
  return { output_type: 'display_data', data: { [NOTICE_MIME]: message }, metadata: {} };
}

const V4_OUTPUT_TYPES = ['stream', 'display_data', 'execute_result', 'error'];

function outputV4(v: JsonValue | undefined, path: string): Output {
  if (!isObject(v)) return wrongType(path, 'an object', v);
  const ot = v.output_type;
  if (typeof ot !== 'string') {
    return fail(
      'wrong-type',
      `${path}.output_type`,
      `must be one of ${V4_OUTPUT_TYPES.join(', ')}`,
    );
  }
  switch (ot) {
    case 'stream': {
      const name = v.name === undefined ? 'stdout' : v.name;
      if (typeof name !== 'string') wrongType(`${path}.name`, 'a string', name);
      return streamOutput(name, v.text, `${path}.text`);
    }
    case 'display_data':
      return {
        output_type: 'display_data',
        data: mimeBundle(v.data, `${path}.data`),
        metadata: optionalObject(v.metadata, `${path}.metadata`),
      };
    case 'execute_result':
      return {
        output_type: 'execute_result',
        execution_count: executionCount(v.execution_count, `${path}.execution_count`),
        data: mimeBundle(v.data, `${path}.data`),
        metadata: optionalObject(v.metadata, `${path}.metadata`),
      };
    case 'error':
      return errorOutput(v, path);
    default:
      // Real notebooks carry odd output types (from old tools or extensions): show, don't fail.
      return noticeOutput(`Output type "${ot}" is not a known nbformat output type; not shown.`);
  }
}

function errorOutput(v: JsonObject, path: string): Output {
  const ename = v.ename === undefined ? '' : v.ename;
  const evalue = v.evalue === undefined ? '' : v.evalue;
  if (typeof ename !== 'string') wrongType(`${path}.ename`, 'a string', ename);
  if (typeof evalue !== 'string') wrongType(`${path}.evalue`, 'a string', evalue);
  const tb = v.traceback === undefined ? [] : v.traceback;
  if (!Array.isArray(tb)) return wrongType(`${path}.traceback`, 'a list of strings', tb);
  const traceback = tb.map((line, i) => {
    if (typeof line !== 'string') wrongType(`${path}.traceback[${i}]`, 'a string', line);
    return line;
  });
  return { output_type: 'error', ename, evalue, traceback };
}

function outputs(v: JsonValue | undefined, path: string, conv: typeof outputV4): Output[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return wrongType(path, 'a list', v);
  return v.map((o, i) => conv(o, `${path}[${i}]`));
}

function cellV4(v: JsonValue | undefined, index: number): Cell {
  const path = `cells[${index}]`;
  if (!isObject(v)) return wrongType(path, 'an object', v);
  const ct = v.cell_type;
  const source = multiline(v.source, `${path}.source`, '');
  const metadata = cellMetadata(v.metadata, `${path}.metadata`);
  const base = { index, source, metadata } as {
    index: number;
    source: string;
    metadata: CellMetadata;
    id?: string;
  };
  if (typeof v.id === 'string') base.id = v.id;
  switch (ct) {
    case 'code':
      return {
        ...base,
        cell_type: 'code',
        execution_count: executionCount(v.execution_count, `${path}.execution_count`),
        outputs: outputs(v.outputs, `${path}.outputs`, outputV4),
      };
    case 'markdown':
    case 'raw': {
      const att = attachments(v.attachments, `${path}.attachments`);
      return att ? { ...base, cell_type: ct, attachments: att } : { ...base, cell_type: ct };
    }
    default:
      return fail('wrong-type', `${path}.cell_type`, 'must be one of code, markdown, raw');
  }
}

// nbformat 3 output keys -> MIME types (nbformat/v3/nbbase.py and v4/convert.py).
const V3_MIME: Record<string, string> = {
  text: 'text/plain',
  html: 'text/html',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpeg: 'image/jpeg',
  latex: 'text/latex',
  json: 'application/json',
  javascript: 'application/javascript',
  pdf: 'application/pdf',
  markdown: 'text/markdown',
};
const V3_OUTPUT_TYPES = ['stream', 'display_data', 'pyout', 'pyerr'];

function v3Bundle(v: JsonObject, path: string): MimeBundle {
  const out: MimeBundle = {};
  for (const [key, value] of Object.entries(v)) {
    if (key === 'output_type' || key === 'prompt_number' || key === 'metadata') continue;
    const mime = V3_MIME[key] ?? (key.includes('/') ? key : undefined);
    if (!mime) continue;
    const p = `${path}.${key}`;
    if (isJsonMime(mime)) {
      // v3 kept JSON output as a string; parse it when it is valid JSON.
      if (typeof value === 'string') {
        try {
          out[mime] = JSON.parse(value) as JsonValue;
        } catch {
          out[mime] = value;
        }
      } else out[mime] = value;
    } else out[mime] = multiline(value, p);
  }
  return out;
}

function outputV3(v: JsonValue | undefined, path: string): Output {
  if (!isObject(v)) return wrongType(path, 'an object', v);
  const ot = v.output_type;
  if (typeof ot !== 'string') {
    return fail(
      'wrong-type',
      `${path}.output_type`,
      `must be one of ${V3_OUTPUT_TYPES.join(', ')}`,
    );
  }
  switch (ot) {
    case 'stream': {
      const name = v.stream === undefined ? (v.name ?? 'stdout') : v.stream;
      if (typeof name !== 'string') wrongType(`${path}.stream`, 'a string', name);
      return streamOutput(name, v.text, `${path}.text`);
    }
    case 'display_data':
      return {
        output_type: 'display_data',
        data: v3Bundle(v, path),
        metadata: optionalObject(v.metadata, `${path}.metadata`),
      };
    case 'pyout':
      return {
        output_type: 'execute_result',
        execution_count: executionCount(v.prompt_number, `${path}.prompt_number`),
        data: v3Bundle(v, path),
        metadata: optionalObject(v.metadata, `${path}.metadata`),
      };
    case 'pyerr':
      return errorOutput(v, path);
    default:
      // A v4-shaped output inside a v3 file happens with hand-edited files: accept it.
      if (V4_OUTPUT_TYPES.includes(ot)) return outputV4(v, path);
      return noticeOutput(`Output type "${ot}" is not a known nbformat 3 output type; not shown.`);
  }
}

function cellV3(
  v: JsonValue | undefined,
  path: string,
  index: number,
): { cell: Cell; language?: string } {
  if (!isObject(v)) return wrongType(path, 'an object', v);
  const metadata = cellMetadata(v.metadata, `${path}.metadata`);
  if (typeof v.collapsed === 'boolean') metadata.collapsed = v.collapsed;
  const ct = v.cell_type;
  switch (ct) {
    case 'code': {
      const language = typeof v.language === 'string' ? v.language : undefined;
      const cell: Cell = {
        index,
        cell_type: 'code',
        source: multiline(v.input, `${path}.input`, ''),
        metadata,
        execution_count: executionCount(v.prompt_number, `${path}.prompt_number`),
        outputs: outputs(v.outputs, `${path}.outputs`, outputV3),
      };
      return language ? { cell, language } : { cell };
    }
    case 'heading': {
      const raw = v.level === undefined ? 1 : v.level;
      if (typeof raw !== 'number') wrongType(`${path}.level`, 'a number', raw);
      const level = Math.min(6, Math.max(1, Math.floor(raw)));
      const text = multiline(v.source, `${path}.source`, '').replace(/\s*\n\s*/g, ' ');
      return {
        cell: { index, cell_type: 'markdown', source: `${'#'.repeat(level)} ${text}`, metadata },
      };
    }
    case 'markdown':
    case 'raw':
    case 'html': // an early v3 alias for markdown
      return {
        cell: {
          index,
          cell_type: ct === 'raw' ? 'raw' : 'markdown',
          source: multiline(v.source, `${path}.source`, ''),
          metadata,
        },
      };
    default:
      return fail('wrong-type', `${path}.cell_type`, 'must be one of code, markdown, raw, heading');
  }
}

function notebookMetadata(v: JsonValue | undefined): NotebookMetadata {
  const m = optionalObject(v, 'metadata');
  const out: NotebookMetadata = { ...m };
  // Sub-objects the renderer reads must have the right shape; otherwise they are dropped.
  for (const key of ['kernelspec', 'language_info'] as const) {
    const sub = m[key];
    if (sub === undefined) continue;
    if (!isObject(sub)) {
      delete out[key];
      continue;
    }
    const clean: Record<string, string> = {};
    for (const [k, val] of Object.entries(sub)) if (typeof val === 'string') clean[k] = val;
    out[key] = clean;
  }
  if (m.title !== undefined && typeof m.title !== 'string') delete out.title;
  if (m.signature !== undefined && typeof m.signature !== 'string') delete out.signature;
  // metadata.widgets is kept as is (often malformed, e.g. Colab's flat state); issue 6 reads it.
  return out;
}

function normalize(value: JsonValue): Notebook {
  if (!isObject(value)) {
    fail(
      'not-a-notebook',
      '',
      `Not a notebook: the document is ${typeName(value)}, not an object.`,
    );
  }
  const nbformat = value.nbformat;
  if (nbformat === undefined) {
    if (Array.isArray(value.cells) || Array.isArray(value.worksheets)) {
      fail('not-a-notebook', 'nbformat', 'Not a notebook: "nbformat" is missing.');
    }
    fail('not-a-notebook', '', 'Not a notebook: no "nbformat" and no "cells".');
  }
  if (typeof nbformat !== 'number' || !Number.isInteger(nbformat)) {
    return wrongType('nbformat', 'an integer', nbformat);
  }
  const minorRaw = value.nbformat_minor ?? 0;
  if (typeof minorRaw !== 'number' || !Number.isInteger(minorRaw) || minorRaw < 0) {
    return wrongType('nbformat_minor', 'a non-negative integer', minorRaw);
  }
  if (nbformat !== 3 && nbformat !== 4) {
    fail(
      'unsupported-version',
      'nbformat',
      `Unsupported notebook format ${nbformat}.${minorRaw}: nbshield reads nbformat 3 and 4.0–4.5.`,
    );
  }
  const metadata = notebookMetadata(value.metadata);
  if (nbformat === 4) {
    if (!Array.isArray(value.cells)) {
      if (value.cells === undefined)
        fail('not-a-notebook', 'cells', 'Not a notebook: "cells" is missing.');
      return wrongType('cells', 'a list', value.cells);
    }
    const cells = value.cells.map((c, i) => cellV4(c, i));
    return { nbformat, nbformat_minor: minorRaw, metadata, cells };
  }
  // nbformat 3: cells live in worksheets (normally exactly one).
  const ws = value.worksheets ?? [];
  if (!Array.isArray(ws)) return wrongType('worksheets', 'a list', ws);
  const cells: Cell[] = [];
  let language: string | undefined;
  ws.forEach((w, wi) => {
    const wpath = `worksheets[${wi}]`;
    if (!isObject(w)) wrongType(wpath, 'an object', w);
    const wc = w.cells ?? [];
    if (!Array.isArray(wc)) wrongType(`${wpath}.cells`, 'a list', wc);
    wc.forEach((c, ci) => {
      const r = cellV3(c, `${wpath}.cells[${ci}]`, cells.length);
      cells.push(r.cell);
      language ??= r.language;
    });
  });
  if (typeof metadata.language === 'string') language = metadata.language;
  if (language && !metadata.language_info?.name) {
    metadata.language_info = { ...(metadata.language_info ?? {}), name: language };
  }
  return { nbformat, nbformat_minor: minorRaw, metadata, cells };
}

export function normalizeNotebook(value: JsonValue): Result<Notebook> {
  try {
    return { ok: true, value: normalize(value) };
  } catch (e) {
    if (e instanceof NbError) return { ok: false, error: e.nbError };
    throw e;
  }
}

/**
 * One nbformat 4 cell, as normalizeNotebook makes `cells[index]` (for a parse that hands cells
 * over one by one; the notebook-level checks stay with normalizeNotebook).
 */
export function normalizeCellV4(value: JsonValue, index: number): Result<Cell> {
  try {
    return { ok: true, value: cellV4(value, index) };
  } catch (e) {
    if (e instanceof NbError) return { ok: false, error: e.nbError };
    throw e;
  }
}

/** The kernel language of a notebook, lower-case, for syntax highlighting. */
export function notebookLanguage(nb: Notebook): string {
  const m = nb.metadata;
  const name = m.language_info?.name ?? m.kernelspec?.language ?? m.kernelspec?.name ?? 'python';
  return name.toLowerCase();
}
