// The one typed notebook model every part of nbshield renders from.
// nbformat 3 (worksheets) and 4.0–4.5 are normalised into it by `normalizeNotebook`.

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A MIME bundle: text types joined to one string, JSON types kept as parsed. */
export type MimeBundle = Record<string, JsonValue>;

export interface CellMetadata {
  collapsed?: boolean;
  scrolled?: boolean | 'auto';
  jupyter?: { source_hidden?: boolean; outputs_hidden?: boolean };
  tags?: string[];
  [key: string]: JsonValue | undefined;
}

/** `attachments` of a Markdown or raw cell: name -> MIME bundle. */
export type Attachments = Record<string, MimeBundle>;

interface BaseCell {
  /** Position in the notebook, as carried by `data-cell-index`. */
  index: number;
  id?: string;
  /** Multi-line sources (lists of lines) are joined. */
  source: string;
  metadata: CellMetadata;
}

export interface MarkdownCell extends BaseCell {
  cell_type: 'markdown';
  attachments?: Attachments;
}

export interface RawCell extends BaseCell {
  cell_type: 'raw';
  attachments?: Attachments;
}

export interface CodeCell extends BaseCell {
  cell_type: 'code';
  execution_count: number | null;
  outputs: Output[];
}

export type Cell = MarkdownCell | RawCell | CodeCell;

export interface StreamOutput {
  output_type: 'stream';
  name: string;
  text: string;
}

export interface DisplayDataOutput {
  output_type: 'display_data';
  data: MimeBundle;
  metadata: Record<string, JsonValue>;
}

export interface ExecuteResultOutput {
  output_type: 'execute_result';
  execution_count: number | null;
  data: MimeBundle;
  metadata: Record<string, JsonValue>;
}

export interface ErrorOutput {
  output_type: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}

export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface NotebookMetadata {
  kernelspec?: { name?: string; display_name?: string; language?: string };
  language_info?: { name?: string; pygments_lexer?: string; file_extension?: string };
  title?: string;
  widgets?: JsonValue;
  signature?: string;
  [key: string]: JsonValue | undefined;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: NotebookMetadata;
  cells: Cell[];
}

/** Every failure to read a notebook, with where it happened. */
export interface NotebookError {
  code:
    | 'too-large'
    | 'too-deep'
    | 'encoding'
    | 'not-json'
    | 'duplicate-key'
    | 'non-finite-number'
    | 'lone-surrogate'
    | 'not-a-notebook'
    | 'unsupported-version'
    | 'wrong-type';
  /** One line a user can read: what is wrong and where. */
  message: string;
  /** 1-based position in the text, for JSON syntax errors. */
  line?: number;
  column?: number;
  /** Path inside the document, e.g. `cells[3].outputs[1].output_type`. */
  path?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: NotebookError };
