// The `nbshield` command-line tool: digest, sign, verify and render notebooks with the same core
// the extension uses. `run()` is in-process (tests call it directly); `main()` wires it to a process.
//
// Exit codes (a contract, see DESIGN.md): 0 ok, 1 verification failed, 2 bad input. Every failure
// prints exactly one line, `nbshield: <reason>`, on stderr.
import { chmod, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { JSDOM } from 'jsdom';

import { version } from '../../package.json';
import type { NotebookError } from '../core/model';
import { jupyterDigestBytes, jupyterDigestScratchBytes } from '../core/digest';
import { decodeNotebookBytes } from '../core/json';
import { nodeHmacSha256 } from './node-hmac';
import { createNodeSanitizer } from './node-sanitizer';
import { hexToBytes, keyFingerprint, keyFromJupyterSecretFile } from '../core/secret';
import { parseNotebook } from '../core/parse';
import { signNotebookText, verifyEmbedded, type TrustKey } from '../core/trust';
import { renderStandalonePage } from '../core/render/index';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Base for relative paths; defaults to process.cwd(). */
  cwd?: string;
}

export const EXIT_OK = 0;
export const EXIT_VERIFY_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

const HELP = `nbshield ${version}: read Jupyter notebooks safely

Usage:
  nbshield digest (--secret-file F | --secret-hex HEX) NB
      Print the notebook's Jupyter digest (64 hex digits, equal to nbformat's
      NotebookNotary.compute_signature with that secret).
  nbshield sign (--secret-file F | --secret-hex HEX) NB [-o OUT]
      Write nbshield's own versioned signature into metadata.signature,
      in place unless -o OUT is given (use -o - for stdout).
  nbshield verify (--secret-file F | --secret-hex HEX) NB
      Exit 0 if the embedded signature is valid for the secret (nbshield's
      form, or "sha256:<hex>" in an nbformat 3 file), 1 if missing or invalid.
  nbshield render NB [-o OUT.html] [--trusted] [--secret-file F] [--no-remote-images] [--title T]
      Write a self-contained HTML page (default: NB with .html). Untrusted
      notebooks get a page with no script at all that loads nothing remote
      but images. The page is trusted only with --trusted, or when
      --secret-file/--secret-hex is given and the embedded signature verifies.

Options:
  --secret-file F   the HMAC key is this file's bytes exactly as stored (Jupyter's
                    notebook_secret, base64 text and newline included)
  --secret-hex HEX  the HMAC key as hex
  -h, --help        show this help
  -v, --version     show the version

Exit codes: 0 ok, 1 verification failed, 2 bad input (one-line reason on stderr).
`;

/** A failure carrying its exit code; the message is the one line printed after `nbshield: `. */
class CliError extends Error {
  constructor(
    message: string,
    readonly code: number = EXIT_BAD_INPUT,
  ) {
    super(message);
  }
}

interface Options {
  'secret-file'?: string;
  'secret-hex'?: string;
  output?: string;
  trusted?: boolean;
  'no-remote-images'?: boolean;
  title?: string;
  help?: boolean;
  version?: boolean;
}

const OPTION_SPEC = {
  'secret-file': { type: 'string' },
  'secret-hex': { type: 'string' },
  output: { type: 'string', short: 'o' },
  trusted: { type: 'boolean' },
  'no-remote-images': { type: 'boolean' },
  title: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** Which options each command accepts; anything else is a usage error, not silently ignored. */
const ALLOWED: Record<string, (keyof Options)[]> = {
  digest: ['secret-file', 'secret-hex'],
  sign: ['secret-file', 'secret-hex', 'output'],
  verify: ['secret-file', 'secret-hex'],
  render: ['secret-file', 'secret-hex', 'output', 'trusted', 'no-remote-images', 'title'],
};

/** One line, whatever the reason text holds (paths and JSON excerpts can contain newlines). */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function describe(error: NotebookError): string {
  let where = '';
  if (error.line !== undefined) where = ` (line ${error.line}, column ${error.column ?? '?'})`;
  else if (error.path) where = ` (at ${error.path})`;
  // The core's messages usually say where already; do not repeat it.
  const msg = error.message;
  if (where && (msg.includes('line ') || (error.path && msg.includes(error.path)))) where = '';
  return `${msg}${where}`;
}

function errnoReason(err: unknown, what: string, file: string): string {
  const code = (err as { code?: string } | null)?.code;
  if (code === 'ENOENT') return `${what} not found: ${file}`;
  if (code === 'EISDIR') return `${what} is a directory: ${file}`;
  if (code === 'EACCES' || code === 'EPERM')
    return `${what} not readable (permission denied): ${file}`;
  return `cannot read ${what} ${file}: ${err instanceof Error ? err.message : String(err)}`;
}

async function readBytes(file: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (err) {
    throw new CliError(errnoReason(err, what, file));
  }
}

/** The file's bytes in the buffer readFile made for them (no copy), when it owns that buffer. */
async function readOwnBytes(file: string, what: string): Promise<Uint8Array> {
  try {
    const b = await readFile(file);
    // A Buffer from Node's shared pool holds other data around it: copied, as readBytes does.
    if (b.byteOffset !== 0 || b.byteLength !== b.buffer.byteLength) return new Uint8Array(b);
    return new Uint8Array(b.buffer, 0, b.byteLength);
  } catch (err) {
    throw new CliError(errnoReason(err, what, file));
  }
}

/** Notebook files are UTF-8 JSON without BOM; the core says clearly what else it found. */
async function readNotebookText(file: string, shown: string): Promise<string> {
  const text = decodeNotebookBytes(await readBytes(file, 'notebook'));
  if (!text.ok) throw new CliError(`${shown}: ${describe(text.error)}`);
  return text.value;
}

/** The key id is the core's fingerprint: the same for the same bytes, so sign and verify agree. */
async function keyFromBytes(bytes: Uint8Array, name: string): Promise<TrustKey> {
  return { id: await keyFingerprint(bytes), name, bytes };
}

async function loadKey(
  opts: Options,
  cwd: string,
  required: boolean,
): Promise<TrustKey | undefined> {
  const file = opts['secret-file'];
  const hex = opts['secret-hex'];
  if (file !== undefined && hex !== undefined) {
    throw new CliError('give either --secret-file or --secret-hex, not both');
  }
  if (file !== undefined) {
    // Used exactly as stored: Jupyter's HMAC key is the base64 text itself, newline included.
    const key = keyFromJupyterSecretFile(await readBytes(path.resolve(cwd, file), 'secret file'));
    if (!key.ok) throw new CliError(`${file}: ${key.error.message}`);
    return keyFromBytes(key.value, path.basename(file));
  }
  if (hex !== undefined) {
    const clean = hex.trim();
    if (clean.length === 0 || clean.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(clean)) {
      throw new CliError('--secret-hex must be a non-empty, even number of hex digits');
    }
    return keyFromBytes(hexToBytes(clean), 'hex secret');
  }
  if (required) throw new CliError('a secret is needed: --secret-file F (or --secret-hex HEX)');
  return undefined;
}

/**
 * Write via a temporary file and rename, so an interrupted run never leaves half a file. A file
 * that is replaced keeps its permissions (a private 0600 notebook stays private), and a
 * read-only one is refused even for root: its owner meant it not to change.
 */
async function writeAtomic(file: string, data: string): Promise<void> {
  let mode: number | undefined;
  try {
    mode = (await stat(file)).mode & 0o7777;
  } catch {
    mode = undefined; // a new file: the umask decides, as for any other tool
  }
  if (mode !== undefined && (mode & 0o222) === 0) {
    throw new CliError(`${file} is read-only; not replacing it (write elsewhere with -o OUT)`);
  }
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.nbshield-${process.pid}.tmp`);
  try {
    await writeFile(tmp, data, { encoding: 'utf8', flag: 'wx', mode: mode ?? 0o666 });
    if (mode !== undefined) await chmod(tmp, mode);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    const code = (err as { code?: string } | null)?.code;
    throw new CliError(`cannot write ${file}${code ? ` (${code})` : ''}`);
  }
}

function onlyNotebook(positionals: string[], command: string): string {
  if (positionals.length === 0) throw new CliError(`${command}: which notebook? (nbshield --help)`);
  if (positionals.length > 1) {
    throw new CliError(`${command}: one notebook at a time (got ${positionals.length})`);
  }
  return positionals[0] as string;
}

async function cmdDigest(nbPath: string, opts: Options, io: CliIo, cwd: string): Promise<number> {
  const key = (await loadKey(opts, cwd, true)) as TrustKey;
  // From the file's bytes: a decoding error reads as readNotebookText's would.
  const file = path.resolve(cwd, nbPath);
  // The file's own buffer is written over (no copy of it); read again only if that gave no answer.
  const own = await readOwnBytes(file, 'notebook');
  const digest =
    (await jupyterDigestScratchBytes(own, key.bytes, undefined, nodeHmacSha256)) ??
    (await jupyterDigestBytes(
      await readBytes(file, 'notebook'),
      key.bytes,
      undefined,
      nodeHmacSha256,
    ));
  if (!digest.ok) throw new CliError(`${nbPath}: ${describe(digest.error)}`);
  io.stdout(`${digest.value}\n`);
  return EXIT_OK;
}

async function cmdSign(nbPath: string, opts: Options, io: CliIo, cwd: string): Promise<number> {
  const key = (await loadKey(opts, cwd, true)) as TrustKey;
  const source = path.resolve(cwd, nbPath);
  const text = await readNotebookText(source, nbPath);
  const parsed = parseNotebook(text);
  if (!parsed.ok) throw new CliError(`${nbPath}: ${describe(parsed.error)}`);
  const signed = await signNotebookText(text, key);
  if (!signed.ok) throw new CliError(`${nbPath}: ${describe(signed.error)}`);
  const out = opts.output;
  if (out === '-') {
    io.stdout(signed.value);
    return EXIT_OK;
  }
  const target = out === undefined ? source : path.resolve(cwd, out);
  await writeAtomic(target, signed.value);
  io.stdout(`signed: ${out === undefined ? nbPath : out}\n`);
  return EXIT_OK;
}

async function cmdVerify(nbPath: string, opts: Options, io: CliIo, cwd: string): Promise<number> {
  const key = (await loadKey(opts, cwd, true)) as TrustKey;
  const text = await readNotebookText(path.resolve(cwd, nbPath), nbPath);
  // Bad input (2) must be told apart from a missing or wrong signature (1).
  const parsed = parseNotebook(text);
  if (!parsed.ok) throw new CliError(`${nbPath}: ${describe(parsed.error)}`);
  const result = await verifyEmbedded(text, [key]);
  if (!result.valid) {
    throw new CliError(`${nbPath}: ${result.message}`, EXIT_VERIFY_FAILED);
  }
  io.stdout(`${nbPath}: ${oneLine(result.message)}\n`);
  return EXIT_OK;
}

// One prefix for sanitizer and renderer, so in-notebook #links keep matching their targets.
const ID_PREFIX = 'nb-';

function defaultHtmlPath(nbPath: string): string {
  return nbPath.toLowerCase().endsWith('.ipynb') ? `${nbPath.slice(0, -6)}.html` : `${nbPath}.html`;
}

async function cmdRender(nbPath: string, opts: Options, io: CliIo, cwd: string): Promise<number> {
  const key = await loadKey(opts, cwd, false);
  const text = await readNotebookText(path.resolve(cwd, nbPath), nbPath);
  const parsed = parseNotebook(text);
  if (!parsed.ok) throw new CliError(`${nbPath}: ${describe(parsed.error)}`);

  // Trusted only by an explicit choice of the user: the flag, or a signature that verifies with
  // the user's own secret. Flags inside the file never count.
  let trusted = opts.trusted === true;
  let why = trusted ? '--trusted' : 'no secret given';
  if (!trusted && key) {
    const result = await verifyEmbedded(text, [key]);
    trusted = result.valid;
    // The verdict line says "Trusted: ..." / "Not trusted: ..."; the label below says it already.
    why = oneLine(result.message).replace(/^(?:not )?trusted:\s*/i, '');
  }

  const allowRemoteImages = opts['no-remote-images'] !== true;
  const dom = new JSDOM('<!DOCTYPE html><html><head></head><body></body></html>');
  try {
    const window = dom.window as unknown as Window;
    const sanitizer = createNodeSanitizer(window, { allowRemoteImages, idPrefix: ID_PREFIX });
    const title = opts.title ?? parsed.value.metadata.title ?? path.basename(nbPath);
    const html = renderStandalonePage(parsed.value, {
      trusted,
      sanitizer,
      allowRemoteImages,
      idPrefix: ID_PREFIX,
      title,
    });
    const out = opts.output ?? defaultHtmlPath(nbPath);
    if (out === '-') {
      io.stdout(html);
      return EXIT_OK;
    }
    if (path.resolve(cwd, out) === path.resolve(cwd, nbPath)) {
      throw new CliError(`render: -o ${out} would overwrite the notebook itself`);
    }
    await writeAtomic(path.resolve(cwd, out), html);
    io.stdout(`rendered: ${out} (${trusted ? 'trusted' : 'untrusted'}; ${why})\n`);
    return EXIT_OK;
  } finally {
    dom.window.close();
  }
}

/** Runs one command line (without `node` and the script) and returns the exit code. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        options: OPTION_SPEC,
        allowPositionals: true,
        strict: true,
      });
    } catch (err) {
      throw new CliError(oneLine(err instanceof Error ? err.message : String(err)));
    }
    const opts = parsed.values as Options;
    const [command, ...rest] = parsed.positionals;
    if (opts.help) {
      io.stdout(HELP);
      return EXIT_OK;
    }
    if (opts.version) {
      io.stdout(`${version}\n`);
      return EXIT_OK;
    }
    if (command === undefined) {
      io.stderr(HELP);
      return EXIT_BAD_INPUT;
    }
    if (command === 'help') {
      io.stdout(HELP);
      return EXIT_OK;
    }
    const allowed = ALLOWED[command];
    if (!allowed) throw new CliError(`unknown command "${command}" (nbshield --help)`);
    for (const name of Object.keys(opts) as (keyof Options)[]) {
      if (!allowed.includes(name))
        throw new CliError(`${command}: option --${name} does not apply`);
    }
    const nb = onlyNotebook(rest, command);
    switch (command) {
      case 'digest':
        return await cmdDigest(nb, opts, io, cwd);
      case 'sign':
        return await cmdSign(nb, opts, io, cwd);
      case 'verify':
        return await cmdVerify(nb, opts, io, cwd);
      default:
        return await cmdRender(nb, opts, io, cwd);
    }
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`nbshield: ${oneLine(err.message)}\n`);
      return err.code;
    }
    // A bug of ours, not the user's input; still one line, and never a stack trace on stderr.
    const msg = err instanceof Error ? err.message : String(err);
    io.stderr(`nbshield: internal error: ${oneLine(msg)}\n`);
    return EXIT_BAD_INPUT;
  }
}

/** Process entry: what bin/nbshield.mjs calls. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const code = await run(argv, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  });
  process.exitCode = code;
}

// Run when executed directly (dist/cli/nbshield.mjs carries a shebang); importing has no effect.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  void main();
}
