// The CLI against its contract (DESIGN.md "Contracts other tools rely on"), differentially against
// Debian's real nbformat (/usr/bin/python3; the python3 first on PATH may lack nbformat).
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { JSDOM } from 'jsdom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { run } from '../../src/cli/main';
import { jupyterDigestBytes } from '../../src/core/digest';
import { CORPUS_DIR, corpusFiles as listCorpus } from '../corpus';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = CORPUS_DIR;
const PY = '/usr/bin/python3';
const corpusFiles = listCorpus();

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...argv: string[]): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: work,
  });
  return { code, stdout, stderr };
}

function python(script: string, ...args: string[]): string {
  const r = spawnSync(PY, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return r.stdout;
}

/** The exact one-line failure shape of the contract. */
function expectOneLineError(r: Captured, code: number): void {
  expect(r.code).toBe(code);
  expect(r.stderr).toMatch(/^nbshield: [^\n]+\n$/);
}

// Everything Python computes, in one process: a real notebook_secret written by nbformat itself,
// the digests of every corpus notebook with it, and signature fixtures made with nbformat.
const SETUP = String.raw`
import json, os, sys, glob, hmac
import nbformat
from nbformat.sign import NotebookNotary
work, corpus = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(work, 'jupyter'))  # Jupyter's data dir exists before the notary runs
notary = NotebookNotary(data_dir=os.path.join(work, 'jupyter'))
secret = notary.secret  # first use writes <data_dir>/notebook_secret exactly as Jupyter does
out = {'secret_file': notary.secret_file, 'corpus': {}, 'fixtures': {}}
def cells_of(nb):
    if nb.nbformat >= 4:
        return len(nb.cells)
    return sum(len(ws.cells) for ws in nb.worksheets)
for p in sorted(glob.glob(os.path.join(corpus, '*.ipynb'))):
    with open(p, encoding='utf-8') as f:
        text = f.read()
    nb = nbformat.reads(text, nbformat.NO_CONVERT)
    out['corpus'][os.path.basename(p)] = {'digest': notary.compute_signature(nb), 'cells': cells_of(nb)}
# Tricky values: Python's str() of floats and ints, astral keys, booleans, null.
tricky = r'{"cells": [{"cell_type": "code", "execution_count": 1, "id": "a1", "metadata": {"x": [1.0, 1e-07, 100000.0, 1e16, -0.0, 12345678901234567890, true, null, 0.1], "\ud83d\ude00k": "\u00e9\u2028"}, "outputs": [], "source": "print(1)"}], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}'
with open(os.path.join(work, 'tricky.ipynb'), 'w', encoding='utf-8') as f:
    f.write(tricky)
out['fixtures']['tricky'] = notary.compute_signature(nbformat.reads(tricky, nbformat.NO_CONVERT))
# IPython 2 in-file signatures: sha256:<hex> of nbformat's own digest.
def embed(src, dst, value_of):
    with open(src, encoding='utf-8') as f:
        text = f.read()
    d = json.loads(text)
    d['metadata']['signature'] = value_of(nbformat.reads(text, nbformat.NO_CONVERT))
    with open(os.path.join(work, dst), 'w', encoding='utf-8') as f:
        json.dump(d, f, indent=1, ensure_ascii=False)
v3 = os.path.join(corpus, 'nbformat__test3.ipynb')
v4 = os.path.join(corpus, 'nbformat__test4.5.ipynb')
embed(v3, 'v3-sha256.ipynb', lambda nb: 'sha256:' + notary.compute_signature(nb))
embed(v4, 'v4-sha256.ipynb', lambda nb: 'sha256:' + notary.compute_signature(nb))
embed(v3, 'v3-sha256-upper.ipynb', lambda nb: 'sha256:' + notary.compute_signature(nb).upper())
md5 = NotebookNotary(secret=secret, algorithm='md5')
embed(v3, 'v3-md5.ipynb', lambda nb: 'md5:' + md5.compute_signature(nb))
other = NotebookNotary(secret=b'another secret')
embed(v3, 'v3-sha256-otherkey.ipynb', lambda nb: 'sha256:' + other.compute_signature(nb))
print(json.dumps(out))
`;

let work = '';
let secretFile = '';
let expected: {
  secret_file: string;
  corpus: Record<string, { digest: string; cells: number }>;
  fixtures: Record<string, string>;
};

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'nbshield-cli-'));
  expected = JSON.parse(python(SETUP, work, corpus)) as typeof expected;
  secretFile = expected.secret_file;
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('digest equals nbformat NotebookNotary.compute_signature', () => {
  it('uses a real Jupyter notebook_secret (base64 text with newlines) byte for byte', async () => {
    const bytes = readFileSync(secretFile);
    expect(bytes.length).toBeGreaterThan(1000);
    expect(bytes.toString('latin1')).toMatch(/^[A-Za-z0-9+/=\n]+\n$/);
    // Dropping the trailing newline changes the key: the CLI must not trim or decode the file.
    const trimmed = path.join(work, 'secret-trimmed');
    writeFileSync(trimmed, bytes.subarray(0, bytes.length - 1));
    const nb = path.join(corpus, 'nbformat__test4.5.ipynb');
    const full = await cli('digest', '--secret-file', secretFile, nb);
    const cut = await cli('digest', '--secret-file', trimmed, nb);
    expect(full.code).toBe(0);
    expect(full.stdout.trim()).toBe(expected.corpus['nbformat__test4.5.ipynb']?.digest);
    expect(cut.code).toBe(0);
    expect(cut.stdout.trim()).not.toBe(full.stdout.trim());
  });

  it.each(corpusFiles)('%s', async (name) => {
    const r = await cli('digest', '--secret-file', secretFile, path.join(corpus, name));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect(r.stdout.trim()).toBe(expected.corpus[name]?.digest);
  });

  it('matches on Python str() corner cases (floats, big ints, astral keys)', async () => {
    const r = await cli('digest', '--secret-file', secretFile, 'tricky.ipynb');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(expected.fixtures.tricky);
  });

  it('a notebook the byte scan gives up on part-way (its buffer written over) gets the exact error', async () => {
    // The scan writes over the file's own buffer; an escaped lone surrogate late in the file
    // makes it give up after most of the buffer is rewritten, so the answer must come from the
    // file read again: the string path's error, word for word, line and column included.
    const text = `{"cells": [], "metadata": {"a": "${'x\\n'.repeat(3000)}",\n "b": "\\ud800"}, "nbformat": 4, "nbformat_minor": 4}`;
    writeFileSync(path.join(work, 'lone-late.ipynb'), text);
    const core = await jupyterDigestBytes(
      new TextEncoder().encode(text),
      new Uint8Array(readFileSync(secretFile)),
    );
    expect(core.ok).toBe(false);
    const r = await cli('digest', '--secret-file', secretFile, 'lone-late.ipynb');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('lone surrogate');
    expect(r.stderr).toContain(core.ok ? '-' : core.error.message);
  });

  it('--secret-hex gives the same digest as the file holding those bytes', async () => {
    const hex = readFileSync(secretFile).toString('hex');
    const r = await cli('digest', '--secret-hex', hex, 'tricky.ipynb');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(expected.fixtures.tricky);
  });
});

describe('sign and verify', () => {
  it('sign -o then verify exits 0; the original file is untouched', async () => {
    const src = path.join(corpus, 'pdsh__01.06-Errors-and-Debugging.ipynb');
    const signed = await cli('sign', '--secret-file', secretFile, src, '-o', 'signed.ipynb');
    expect(signed.stderr).toBe('');
    expect(signed.code).toBe(0);
    expect(signed.stdout).toContain('signed.ipynb');
    const doc = JSON.parse(readFileSync(path.join(work, 'signed.ipynb'), 'utf8')) as {
      metadata: { signature?: unknown };
    };
    expect(typeof doc.metadata.signature).toBe('string');
    expect(doc.metadata.signature).not.toMatch(/^sha256:/);
    expect(JSON.parse(readFileSync(src, 'utf8')).metadata.signature).toBeUndefined();
    const v = await cli('verify', '--secret-file', secretFile, 'signed.ipynb');
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    expect(v.stdout.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('sign without -o signs in place (v3 and v4), and the Jupyter digest is unchanged', async () => {
    for (const name of ['nbformat__test3.ipynb', 'jupyterlab__markdownCells.ipynb']) {
      const copy = path.join(work, `inplace-${name}`);
      copyFileSync(path.join(corpus, name), copy);
      chmodSync(copy, 0o644); // the corpus is read-only, and copies keep the mode
      const s = await cli('sign', '--secret-file', secretFile, copy);
      expect(s.code).toBe(0);
      expect(s.stdout).toContain(copy);
      expect((await cli('verify', '--secret-file', secretFile, copy)).code).toBe(0);
      // metadata.signature is outside nbformat's digest, so Jupyter still sees the same notebook.
      const d = await cli('digest', '--secret-file', secretFile, copy);
      expect(d.stdout.trim()).toBe(expected.corpus[name]?.digest);
    }
  });

  it('signing in place keeps the file mode, and a read-only file is refused untouched (2)', async () => {
    const priv = path.join(work, 'private.ipynb');
    copyFileSync(path.join(corpus, 'nbformat__test4.5.ipynb'), priv);
    chmodSync(priv, 0o600);
    expect((await cli('sign', '--secret-file', secretFile, priv)).code).toBe(0);
    expect(statSync(priv).mode & 0o777).toBe(0o600);
    const ro = path.join(work, 'readonly.ipynb');
    copyFileSync(path.join(corpus, 'nbformat__test4.5.ipynb'), ro);
    chmodSync(ro, 0o444);
    const before = readFileSync(ro);
    const r = await cli('sign', '--secret-file', secretFile, ro);
    expectOneLineError(r, 2);
    expect(r.stderr).toContain('read-only');
    expect(readFileSync(ro).equals(before)).toBe(true);
    expect(readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('tampering one byte of a signed notebook makes verify exit 1', async () => {
    const text = readFileSync(path.join(work, 'signed.ipynb'), 'utf8');
    // One byte inside a cell's source text, keeping the JSON valid.
    const m = /"source":\s*\[?\s*"[^a-z"\\]*[a-z]/.exec(text);
    expect(m).not.toBeNull();
    const pos = (m?.index ?? 0) + (m?.[0].length ?? 0) - 1;
    const ch = text[pos] as string;
    const tampered = text.slice(0, pos) + (ch === 'a' ? 'b' : 'a') + text.slice(pos + 1);
    expect(tampered.length).toBe(text.length);
    writeFileSync(path.join(work, 'tampered.ipynb'), tampered);
    const r = await cli('verify', '--secret-file', secretFile, 'tampered.ipynb');
    expectOneLineError(r, 1);
    expect(r.stdout).toBe('');
  });

  it('verify with another key exits 1', async () => {
    const r = await cli('verify', '--secret-hex', '00112233445566778899', 'signed.ipynb');
    expectOneLineError(r, 1);
  });

  it('an unsigned notebook fails verification with 1', async () => {
    const r = await cli(
      'verify',
      '--secret-file',
      secretFile,
      path.join(corpus, 'nbformat__test4.5.ipynb'),
    );
    expectOneLineError(r, 1);
  });

  it('sha256:<hex> made from nbformat digest verifies in nbformat 3 (0) and not in v4 (1)', async () => {
    expect((await cli('verify', '--secret-file', secretFile, 'v3-sha256.ipynb')).code).toBe(0);
    expectOneLineError(await cli('verify', '--secret-file', secretFile, 'v4-sha256.ipynb'), 1);
  });

  it('no other algorithm prefix, no case normalising, no other key for sha256: (all 1)', async () => {
    for (const f of ['v3-md5.ipynb', 'v3-sha256-upper.ipynb', 'v3-sha256-otherkey.ipynb']) {
      expectOneLineError(await cli('verify', '--secret-file', secretFile, f), 1);
    }
  });

  it('flags inside the file never make it verify (metadata.trusted, cell trusted)', async () => {
    const d = JSON.parse(readFileSync(path.join(corpus, 'nbformat__test4.5.ipynb'), 'utf8')) as {
      metadata: Record<string, unknown>;
      cells: { metadata: Record<string, unknown> }[];
    };
    d.metadata.trusted = true;
    for (const c of d.cells) c.metadata.trusted = true;
    writeFileSync(path.join(work, 'flags.ipynb'), JSON.stringify(d));
    expectOneLineError(await cli('verify', '--secret-file', secretFile, 'flags.ipynb'), 1);
  });
});

describe('bad input exits 2 with one line on stderr', () => {
  const cases: [string, () => string[]][] = [
    ['missing notebook', () => ['digest', '--secret-file', secretFile, 'nope.ipynb']],
    ['missing secret file', () => ['verify', '--secret-file', 'no-secret', 'tricky.ipynb']],
    ['no secret given', () => ['digest', 'tricky.ipynb']],
    ['empty secret file', () => ['digest', '--secret-file', 'empty', 'tricky.ipynb']],
    ['bad --secret-hex', () => ['digest', '--secret-hex', 'xyz', 'tricky.ipynb']],
    ['invalid JSON (digest)', () => ['digest', '--secret-file', secretFile, 'broken.ipynb']],
    ['invalid JSON (verify)', () => ['verify', '--secret-file', secretFile, 'broken.ipynb']],
    [
      'invalid JSON (sign)',
      () => ['sign', '--secret-file', secretFile, 'broken.ipynb', '-o', 'x.ipynb'],
    ],
    ['invalid JSON (render)', () => ['render', 'broken.ipynb', '-o', 'x.html']],
    ['not a notebook (verify)', () => ['verify', '--secret-file', secretFile, 'notnb.ipynb']],
    ['not a notebook (render)', () => ['render', 'notnb.ipynb', '-o', 'x.html']],
    ['unsupported nbformat 2', () => ['verify', '--secret-file', secretFile, 'v2.ipynb']],
    ['BOM', () => ['digest', '--secret-file', secretFile, 'bom.ipynb']],
    ['UTF-16', () => ['digest', '--secret-file', secretFile, 'utf16.ipynb']],
    ['a directory', () => ['digest', '--secret-file', secretFile, '.']],
    ['unknown command', () => ['frobnicate', 'tricky.ipynb']],
    ['unknown option', () => ['digest', '--secret-file', secretFile, '--frob', 'tricky.ipynb']],
    [
      'option of another command',
      () => ['digest', '--secret-file', secretFile, '--trusted', 'tricky.ipynb'],
    ],
    [
      'two notebooks',
      () => ['digest', '--secret-file', secretFile, 'tricky.ipynb', 'tricky.ipynb'],
    ],
    ['no notebook', () => ['verify', '--secret-file', secretFile]],
    ['render onto the notebook itself', () => ['render', 'tricky.ipynb', '-o', './tricky.ipynb']],
  ];

  beforeAll(() => {
    writeFileSync(path.join(work, 'empty'), '');
    writeFileSync(path.join(work, 'broken.ipynb'), '{"cells": [\n  {"cell_type": "code",,}\n]}');
    writeFileSync(path.join(work, 'notnb.ipynb'), '{"hello": "world"}');
    writeFileSync(
      path.join(work, 'v2.ipynb'),
      '{"nbformat": 2, "nbformat_minor": 0, "metadata": {}, "worksheets": []}',
    );
    const tricky = readFileSync(path.join(work, 'tricky.ipynb'));
    writeFileSync(
      path.join(work, 'bom.ipynb'),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), tricky]),
    );
    writeFileSync(
      path.join(work, 'utf16.ipynb'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(tricky.toString('utf8'), 'utf16le')]),
    );
  });

  it.each(cases)('%s', async (_name, argv) => {
    const r = await cli(...argv());
    expectOneLineError(r, 2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/internal error|\bat .*\.ts:\d+/);
  });

  it('no output file is left behind by a failed sign or render', () => {
    expect(existsSync(path.join(work, 'x.ipynb'))).toBe(false);
    expect(existsSync(path.join(work, 'x.html'))).toBe(false);
  });
});

describe('help and version', () => {
  it('--help and --version exit 0 on stdout', async () => {
    const h = await cli('--help');
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('nbshield verify');
    const v = await cli('--version');
    expect(v.code).toBe(0);
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(v.stdout.trim()).toBe(pkg.version);
  });

  it('no command prints usage and exits 2', async () => {
    const r = await cli();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage');
  });
});

// ---- render ----

const REMOTE = /^\s*(?:[a-z][a-z0-9+.-]*:)?\/\//i;
const CSS_URL = /url\(\s*['"]?\s*((?:[a-z][a-z0-9+.-]*:)?\/\/[^'")\s]*)/gi;
type Csp = Map<string, string[]>;

function pagePolicies(doc: Document): Csp[] {
  return Array.from(doc.querySelectorAll('meta'))
    .filter((m) => (m.getAttribute('http-equiv') ?? '').toLowerCase() === 'content-security-policy')
    .map((m) => {
      const policy: Csp = new Map();
      for (const part of (m.getAttribute('content') ?? '').split(';')) {
        const [name, ...sources] = part.trim().split(/\s+/);
        if (name && !policy.has(name.toLowerCase())) policy.set(name.toLowerCase(), sources);
      }
      return policy;
    });
}

/** Would every meta CSP of the page let `directive` fetch a remote http(s) URL? */
function cspAllowsRemote(policies: Csp[], directive: string): boolean {
  return policies.every((p) => {
    const noFallback = directive === 'form-action';
    const sources = p.get(directive) ?? (noFallback ? undefined : p.get('default-src'));
    if (sources === undefined) return true;
    return sources.some((src) => {
      const s = src.toLowerCase();
      return (
        s === '*' ||
        s === 'https:' ||
        s === 'http:' ||
        (!s.startsWith("'") && !/^(data|blob|mediastream|filesystem):$/.test(s))
      );
    });
  });
}

/**
 * Everything in a page that could run script or load something remote: script in any form always
 * counts; a remote fetch counts unless it is an image and `images` is true, or the page's own CSP
 * forbids it (the page's second defence). A link (`<a href>`) loads nothing until clicked.
 */
function hazards(html: string, images: boolean): string[] {
  const found: string[] = [];
  if (/<script/i.test(html)) found.push('"<script" in the page text');
  const doc = new JSDOM(html).window.document;
  const policies = pagePolicies(doc);
  const load = (directive: string, what: string): void => {
    if (directive === 'img-src' && images) return;
    if (cspAllowsRemote(policies, directive)) found.push(`${what} (${directive} not blocked)`);
  };
  for (const el of Array.from(doc.querySelectorAll('*'))) {
    const tag = el.tagName.toLowerCase();
    if (
      ['script', 'iframe', 'frame', 'object', 'embed', 'applet', 'base', 'portal'].includes(tag)
    ) {
      found.push(`<${tag}>`);
    }
    if (tag === 'meta' && /refresh/i.test(el.getAttribute('http-equiv') ?? ''))
      found.push('meta refresh');
    if (tag === 'style') {
      const css = el.textContent ?? '';
      if (/@import/i.test(css)) load('style-src', 'remote CSS @import in <style>');
      for (const block of css.match(/@font-face\s*\{[^}]*\}/gi) ?? []) {
        if (CSS_URL.test(block)) load('font-src', 'remote font in <style>');
        CSS_URL.lastIndex = 0;
      }
      const rest = css.replace(/@font-face\s*\{[^}]*\}/gi, '').replace(/@import[^;]*;/gi, '');
      for (const m of rest.matchAll(CSS_URL)) load('img-src', `remote url() in <style> ${m[1]}`);
    }
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      const value = attr.value;
      if (name.startsWith('on')) found.push(`${tag}[${name}] handler`);
      if (/^(?:javascript|vbscript):/i.test(value.replace(/[\s\0]/g, ''))) {
        found.push(`${tag}[${name}] script URL`);
      }
      if (name === 'srcdoc') found.push(`${tag}[srcdoc]`);
      if (name === 'style') {
        for (const m of value.matchAll(CSS_URL))
          load('img-src', `${tag}[style] remote url() ${m[1]}`);
      }
      const remote =
        name === 'srcset' || name === 'imagesrcset'
          ? value.split(',').some((part) => REMOTE.test(part.trim()))
          : REMOTE.test(value);
      if (!remote) continue;
      const what = `${tag}[${name}] remote ${value.slice(0, 60)}`;
      if ((tag === 'a' || tag === 'area') && name === 'href') continue; // navigation on click only
      if (['cite', 'title', 'alt', 'class', 'id'].includes(name) || name.startsWith('data-'))
        continue;
      if (
        tag === 'img' ||
        tag === 'picture' ||
        name === 'poster' ||
        (tag === 'input' && name === 'src')
      ) {
        load('img-src', what);
      } else if (['video', 'audio', 'source', 'track'].includes(tag)) {
        load('media-src', what);
      } else if (tag === 'link') {
        load(/stylesheet/i.test(el.getAttribute('rel') ?? '') ? 'style-src' : 'default-src', what);
      } else if (name === 'action' || name === 'formaction') {
        load('form-action', what);
      } else if (name === 'ping') {
        load('connect-src', what);
      } else if (tag === 'image' || tag === 'use' || tag === 'feimage') {
        load('img-src', what);
      } else {
        load('default-src', what);
      }
    }
  }
  return found;
}

function cellIndices(html: string): Set<string> {
  const doc = new JSDOM(html).window.document;
  return new Set(
    Array.from(doc.querySelectorAll('[data-cell-index]')).map(
      (e) => e.getAttribute('data-cell-index') ?? '',
    ),
  );
}

const ATTACK_NOTEBOOK = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  cells: [
    {
      cell_type: 'markdown',
      id: 'm1',
      metadata: {},
      source:
        '# Title\n<img src=x onerror="globalThis.pwned=1"> <script>pwned=2</script>\n' +
        '[click](javascript:alert(1)) <iframe src="https://evil.example/"></iframe>\n' +
        '<link rel="stylesheet" href="https://evil.example/x.css"><style>@import url(https://evil.example/a.css);</style>\n' +
        '![ok](https://images.example/ok.png) [site](https://example.org/)',
    },
    {
      cell_type: 'code',
      id: 'c1',
      metadata: {},
      execution_count: 1,
      source: 'display(HTML(...))',
      outputs: [
        {
          output_type: 'display_data',
          metadata: {},
          data: {
            'text/html':
              '<div style="background:url(https://evil.example/bg.png)">x</div><script>pwned=3</script>' +
              '<svg><script>pwned=4</script><a xlink:href="javascript:alert(1)"><text>t</text></a></svg>' +
              '<form action="https://evil.example/"><input name=q></form><object data="https://evil.example/o"></object>' +
              '<img src="https://images.example/plot.png">',
            'text/plain': 'HTML',
          },
        },
        {
          output_type: 'display_data',
          metadata: {},
          data: { 'application/javascript': 'globalThis.pwned = 5', 'text/plain': 'JS' },
        },
        {
          output_type: 'display_data',
          metadata: {},
          data: {
            'image/svg+xml':
              '<svg xmlns="http://www.w3.org/2000/svg" onload="pwned=6"><circle r="5"/></svg>',
          },
        },
      ],
    },
    { cell_type: 'raw', id: 'r1', metadata: {}, source: '<script>pwned=7</script>' },
  ],
};

describe('render', () => {
  beforeAll(() => {
    writeFileSync(path.join(work, 'attack.ipynb'), JSON.stringify(ATTACK_NOTEBOOK, null, 1));
  });

  it('the hazard check fires on what a naive renderer would write (positive control)', () => {
    const cells = ATTACK_NOTEBOOK.cells as {
      source: string;
      outputs?: { data: Record<string, string> }[];
    }[];
    const naive = cells
      .flatMap((c) => [c.source, ...(c.outputs ?? []).map((o) => o.data['text/html'] ?? '')])
      .join('\n');
    const found = hazards(`<!DOCTYPE html><html><body>${naive}</body></html>`, true).join('\n');
    for (const kind of [
      '<script>',
      'img[onerror] handler',
      'remote CSS @import in <style>',
      '<iframe>',
      '<object>',
      'form[action] remote',
      'link[href] remote',
      'script URL',
    ]) {
      expect(found).toContain(kind);
    }
    // Remote images (and CSS background images) are the one allowed exception, unless blocked.
    expect(found).not.toContain('img[src] remote');
    expect(found).not.toContain('div[style] remote url()');
    expect(hazards('<img src="https://images.example/p.png">', false).join()).toContain(
      'img[src] remote',
    );
    // A remote video counts, unless the page's CSP stops it.
    const video = '<video src="https://media.example/v.mp4"></video>';
    expect(hazards(`<html><head></head><body>${video}</body></html>`, true).join()).toContain(
      'video[src] remote',
    );
    const withCsp = `<html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data: https:"></head><body>${video}</body></html>`;
    expect(hazards(withCsp, true)).toEqual([]);
    expect(
      hazards(withCsp.replace("default-src 'none'", 'default-src https:'), true).join(),
    ).toContain('video[src] remote');
  });

  it('untrusted: the attack notebook renders with no script and nothing remote but images', async () => {
    const r = await cli('render', 'attack.ipynb', '-o', 'attack.html');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('attack.html');
    expect(r.stdout).toContain('untrusted');
    const html = readFileSync(path.join(work, 'attack.html'), 'utf8');
    expect(hazards(html, true)).toEqual([]);
    expect([...cellIndices(html)].sort()).toEqual(['0', '1', '2']);
    // The allowed remote image is still there (users expect it), the JS output is a visible notice.
    expect(html).toContain('https://images.example/plot.png');
    expect(html).not.toContain('globalThis.pwned = 5');
  });

  it('--no-remote-images leaves no remote image either', async () => {
    const r = await cli('render', 'attack.ipynb', '-o', 'attack-noimg.html', '--no-remote-images');
    expect(r.code).toBe(0);
    const html = readFileSync(path.join(work, 'attack-noimg.html'), 'utf8');
    expect(hazards(html, false)).toEqual([]);
    // Not only blocked by the CSP: no remote image is asked for at all.
    const doc = new JSDOM(html).window.document;
    const srcs = Array.from(doc.querySelectorAll('img')).map(
      (i) => `${i.getAttribute('src')} ${i.getAttribute('srcset')}`,
    );
    expect(srcs.join('\n')).not.toContain('https://images.example/');
    expect(srcs.length).toBeGreaterThan(0);
  });

  it('a signed notebook is trusted with the key and untrusted without it', async () => {
    const withKey = await cli(
      'render',
      'signed.ipynb',
      '--secret-file',
      secretFile,
      '-o',
      'signed-k.html',
    );
    expect(withKey.code).toBe(0);
    expect(withKey.stdout).toMatch(/\(trusted/);
    const without = await cli('render', 'signed.ipynb', '-o', 'signed-nok.html');
    expect(without.code).toBe(0);
    expect(without.stdout).toMatch(/\(untrusted/);
    const tampered = await cli(
      'render',
      'tampered.ipynb',
      '--secret-file',
      secretFile,
      '-o',
      'tampered.html',
    );
    expect(tampered.stdout).toMatch(/\(untrusted/);
  });

  it('--trusted renders the JS output instead of the not-trusted notice; Markdown stays sanitized', async () => {
    const r = await cli('render', 'attack.ipynb', '-o', 'attack-trusted.html', '--trusted');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\(trusted/);
    const trusted = readFileSync(path.join(work, 'attack-trusted.html'), 'utf8');
    const untrusted = readFileSync(path.join(work, 'attack.html'), 'utf8');
    expect(trusted).not.toBe(untrusted);
    expect(trusted).toContain('pwned = 5');
    // Markdown is never trusted: its handler and script URL are gone even here.
    expect(trusted).not.toMatch(/onerror="globalThis\.pwned=1"/);
    expect(trusted).not.toMatch(/pwned=2/);
  });

  it('writes NB.html beside the notebook when -o is not given', async () => {
    copyFileSync(path.join(corpus, 'nbconvert__rawtest.ipynb'), path.join(work, 'raw.ipynb'));
    const r = await cli('render', 'raw.ipynb');
    expect(r.code).toBe(0);
    expect(existsSync(path.join(work, 'raw.html'))).toBe(true);
  });

  it.each(corpusFiles)(
    'corpus %s: every cell, no script, nothing remote but images',
    async (name) => {
      const out = `corpus-${name}.html`;
      const r = await cli('render', path.join(corpus, name), '-o', out);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const html = readFileSync(path.join(work, out), 'utf8');
      expect(hazards(html, true)).toEqual([]);
      const cells = expected.corpus[name]?.cells ?? -1;
      const want = Array.from({ length: cells }, (_, i) => String(i));
      expect([...cellIndices(html)].sort()).toEqual(want.sort());
    },
  );
});

describe('bin/nbshield.mjs', () => {
  it('runs the built CLI, or says to build it first', () => {
    const built = existsSync(path.join(root, 'dist/cli/nbshield.mjs'));
    const r = spawnSync(
      process.execPath,
      [
        path.join(root, 'bin/nbshield.mjs'),
        'digest',
        '--secret-file',
        secretFile,
        path.join(work, 'tricky.ipynb'),
      ],
      { encoding: 'utf8' },
    );
    if (built) {
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe(expected.fixtures.tricky);
    } else {
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^nbshield: .*npm run build first\n$/);
    }
  });
});
