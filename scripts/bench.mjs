#!/usr/bin/env node
// `npm run bench`: nbshield's core against Debian's nbformat/nbconvert, in the same run.
//
// For every corpus notebook (../shared/corpus) and generated 5, 20 and 100 MB notebooks:
//  (a) parse + Jupyter digest vs nbformat.reads(NO_CONVERT) + NotebookNotary.compute_signature,
//      vs raw HMAC-SHA256 of the same bytes (the floor). Ours is timed as `nbshield digest`
//      runs it: core jupyterDigestBytes from the file's bytes (UTF-8 checking included; Python
//      is given the decoded str) with Node's HMAC. Also timed, not compared: jupyterDigest from
//      the decoded text with the core's own HMAC (WebCrypto / @noble), as the extension has it;
//  (b) core render (parseNotebook + renderStandalonePage, untrusted, the CLI's jsdom sanitizer) vs
//      nbconvert HTMLExporter (reads + from_notebook_node).
// Python runs in one long-lived process that times itself (perf_counter), so start-up never
// counts. Medians over an adaptive number of runs. Prints a table and verdicts, writes
// bench-results/bench.json. Options: --quick (small budgets, 5 MB only), --sizes 5,20,100,
// --no-render, --filter SUBSTRING, --chromium-only (only the real-browser part, scripts/bench/
// chromium.mjs; keeps the Node rows already in bench.json), --no-chromium.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { runChromiumBench } from './bench/chromium.mjs';
import { generateBigOutputs } from './bench/big-outputs.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpusDir = path.resolve(root, '../shared/corpus');
const PYTHON = '/usr/bin/python3'; // Debian's, with nbformat 5.5 and nbconvert 6.5
const MB = 1024 * 1024;

// ---------- options ----------
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
};
const quick = flag('--quick');
const sizesMb = value('--sizes', quick ? '5' : '5,20,100')
  .split(',')
  .filter(Boolean)
  .map(Number);
const doRender = !flag('--no-render');
const filter = value('--filter', '');
const chromiumOnly = flag('--chromium-only');
const noChromium = flag('--no-chromium');
// One huge output per notebook (stream, HTML, image; scripts/bench/big-outputs.mjs).
const bigOutputs = !quick && !flag('--no-big-outputs');
// Time spent per measurement (one notebook, one side); the whole bench stays at a few minutes.
const BUDGET = quick
  ? { digest: 60, render: 200, minRuns: 1, maxRuns: 3 }
  : { digest: 300, render: 800, minRuns: 3, maxRuns: 25 };
/** Generated notebooks above this size are not rendered (one render of 20 MB takes minutes). */
const RENDER_LARGE_MAX_MB = 5;

const log = (line) => process.stderr.write(`${line}\n`);

// ---------- helpers ----------
function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Warm-up calls, then samples until the budget is spent (at least minRuns, at most maxRuns).
 * Each sample is `inner` calls divided by `inner`, so sub-millisecond work is not clock noise.
 */
async function timeRuns(fn, budgetMs, minRuns, maxRuns, warmup = 1, inner = 1) {
  let result;
  for (let i = 0; i < warmup; i++) result = await fn();
  const times = [];
  const start = performance.now();
  // A first sample longer than the whole budget is not repeated: slow cases stay one run.
  while (
    times.length < maxRuns &&
    (times.length < (times[0] > budgetMs ? 1 : minRuns) || performance.now() - start < budgetMs)
  ) {
    const t0 = performance.now();
    for (let k = 0; k < inner; k++) result = await fn();
    times.push((performance.now() - t0) / inner);
  }
  return { result, times };
}

/** How many calls make one sample of at least ~5 ms, from one timed probe call. */
async function innerCount(fn) {
  const t0 = performance.now();
  await fn();
  const t = performance.now() - t0;
  return Math.max(1, Math.min(1000, Math.ceil(5 / Math.max(t, 0.001))));
}

/**
 * Our samples and Python's, interleaved in `rounds` rounds, so a load spike on this shared
 * 2-core machine hits both sides alike. Each round: at least one sample per side.
 */
async function interleaved(
  py,
  { fn, pyReq, budgetMs, maxRuns, inner = 1, warm = 1, rounds = 3, fixed = false },
) {
  const ours = [];
  const theirs = [];
  let result;
  let pyResult;
  let pyError;
  const perRound = Math.max(1, Math.ceil(maxRuns / rounds));
  for (let r = 0; r < rounds; r++) {
    const a = await timeRuns(
      fn,
      fixed ? 0 : budgetMs / rounds,
      1,
      fixed ? 1 : perRound,
      r === 0 ? warm : 0,
      inner,
    );
    ours.push(...a.times);
    result = a.result;
    if (pyError) continue;
    const b = await py.ask({
      ...pyReq,
      runs: 1,
      max_runs: fixed ? 1 : perRound,
      budget_ms: fixed ? 0 : budgetMs / rounds,
      warmup: r === 0 ? warm : 0,
      inner,
    });
    if (b.ok) {
      theirs.push(...b.times);
      pyResult = b;
    } else {
      pyError = b.error;
    }
  }
  return { ours, theirs, result, pyResult, pyError };
}

/** A Jupyter-like secret: the base64 text of 1024 random bytes, used as bytes. */
function benchKey() {
  return new Uint8Array(
    Buffer.from(
      randomBytes(1024)
        .toString('base64')
        .replace(/(.{76})/g, '$1\n') + '\n',
    ),
  );
}

async function buildCore(outDir) {
  const { build } = await import('vite');
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    publicDir: false,
    build: {
      outDir,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      sourcemap: false,
      reportCompressedSize: false,
      ssr: path.join(root, 'scripts/bench/core-entry.ts'),
      rollupOptions: { output: { format: 'es', entryFileNames: 'core.mjs' } },
    },
  });
  return import(pathToFileURL(path.join(outDir, 'core.mjs')).href);
}

class PythonWorker {
  constructor() {
    this.proc = spawn(PYTHON, [path.join(root, 'scripts/bench/nbformat_worker.py')], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.waiting = [];
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      const w = this.waiting.shift();
      if (w) w.resolve(JSON.parse(line));
    });
    this.proc.on('exit', (code) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`python worker exited (${code})`));
    });
  }
  ask(req) {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.proc.stdin.write(`${JSON.stringify(req)}\n`);
    });
  }
  close() {
    this.proc.stdin.end();
  }
}

// ---------- inputs ----------
function corpusInputs() {
  return readdirSync(corpusDir)
    .filter((f) => f.endsWith('.ipynb'))
    .sort()
    .map((f) => ({ name: f, file: path.join(corpusDir, f), kind: 'corpus' }));
}

/** Real cells with images or tables (and the Markdown around them), from the v4 corpus notebooks. */
function cellPool() {
  const pool = [];
  for (const f of readdirSync(corpusDir)
    .filter((x) => x.endsWith('.ipynb'))
    .sort()) {
    const nb = JSON.parse(readFileSync(path.join(corpusDir, f), 'utf8'));
    if (nb.nbformat !== 4 || !Array.isArray(nb.cells)) continue;
    const rich = (c) =>
      (c.outputs ?? []).some((o) => {
        const d = o.data ?? {};
        const html = Array.isArray(d['text/html'])
          ? d['text/html'].join('')
          : String(d['text/html'] ?? '');
        return 'image/png' in d || html.includes('<table');
      });
    if (!nb.cells.some(rich)) continue;
    // nbconvert 6.5's clean_html (lxml) raises on an SVG with an XML encoding declaration, so
    // such cells would leave nbconvert nothing to compare against.
    const nbconvertChokes = (c) =>
      (c.outputs ?? []).some((o) => {
        const svg = o.data?.['image/svg+xml'];
        return /^\s*<\?xml[^>]*encoding=/.test(
          Array.isArray(svg) ? svg.join('') : String(svg ?? ''),
        );
      });
    for (const c of nb.cells) {
      if ((c.cell_type === 'markdown' || rich(c)) && !nbconvertChokes(c)) {
        const { id: _id, ...rest } = c; // repeated cells must not repeat ids
        pool.push(rest);
      }
    }
  }
  return pool;
}

function generateLarge(dir, sizes) {
  const pool = cellPool();
  const sized = pool.map((c) => ({ c, bytes: Buffer.byteLength(JSON.stringify(c, null, 1)) }));
  return sizes.map((mb) => {
    const cells = [];
    let total = 0;
    for (let i = 0; total < mb * MB * 0.97; i++) {
      const { c, bytes } = sized[i % sized.length];
      cells.push(c);
      total += bytes + 4 * (bytes / 40); // nesting adds about one indent per line
    }
    const nb = {
      cells,
      metadata: {
        kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' },
        language_info: { name: 'python' },
      },
      nbformat: 4,
      nbformat_minor: 4,
    };
    const file = path.join(dir, `generated-${mb}MB.ipynb`);
    writeFileSync(file, `${JSON.stringify(nb, null, 1)}\n`);
    return { name: `generated-${mb}MB.ipynb`, file, kind: 'generated', cells: cells.length };
  });
}

/**
 * Signed copies of the generated notebooks, for the Chromium part only: issue 5's first-cell
 * target is for every notebook, and a trusted one takes another path in the renderer. Signed
 * with nbshield's own signature (core's signNotebookText) and `keyHex`, which the Chromium part
 * sets as the user's key, so the extension trusts them on load.
 */
async function trustedCopies(dir, generated, core, keyBytes) {
  const key = { id: 'bench', name: 'Bench key', bytes: keyBytes };
  const out = [];
  for (const g of generated) {
    const name = g.name.replace(/\.ipynb$/, '-trusted.ipynb');
    if (name.includes(filter)) {
      const signed = await core.signNotebookText(readFileSync(g.file, 'utf8'), key);
      if (!signed.ok) throw new Error(`bench: could not sign ${g.name}: ${signed.error.message}`);
      const file = path.join(dir, name);
      writeFileSync(file, signed.value);
      out.push({ name, file, kind: 'generated', cells: g.cells, trusted: true });
    }
    if (g.name !== 'generated-20MB.ipynb') continue;
    // And one with a script (a setup cell's JavaScript output, as Plotly's init_notebook_mode
    // leaves): a trusted notebook with scripts renders the cells they may need in order.
    const jsName = g.name.replace(/\.ipynb$/, '-trusted-js.ipynb');
    if (!jsName.includes(filter)) continue;
    const nb = JSON.parse(readFileSync(g.file, 'utf8'));
    const first = nb.cells.find((c) => c.cell_type === 'code');
    first.outputs.unshift({
      output_type: 'display_data',
      metadata: {},
      data: { 'application/javascript': 'window.__benchSetup = 1;', 'text/plain': 'setup' },
    });
    const withJs = await core.signNotebookText(JSON.stringify(nb, null, 1), key);
    if (!withJs.ok) throw new Error(`bench: could not sign ${jsName}: ${withJs.error.message}`);
    const jsFile = path.join(dir, jsName);
    writeFileSync(jsFile, withJs.value);
    out.push({ name: jsName, file: jsFile, kind: 'generated', cells: g.cells, trusted: true });
  }
  return out;
}

// ---------- measurements ----------
async function benchOne(input, ctx) {
  const { core, py, key, keyHex, window } = ctx;
  const bytes = readFileSync(input.file);
  const text = bytes.toString('utf8');
  const large = input.kind === 'generated';
  const mbSize = bytes.length / MB;
  const row = { name: input.name, kind: input.kind, bytes: bytes.length };
  const budget = { ...BUDGET };
  if (large) Object.assign(budget, { minRuns: quick ? 1 : 3, maxRuns: quick ? 1 : 5 });

  // (a) digest: nbshield, nbformat, raw HMAC
  const digestFn = () => core.jupyterDigestBytes(bytes, key, undefined, core.nodeHmacSha256);
  const inner = large ? 1 : await innerCount(digestFn);
  row.digestInner = inner;
  const dg = await interleaved(py, {
    fn: digestFn,
    pyReq: { op: 'digest', path: input.file, secret_hex: keyHex },
    budgetMs: budget.digest,
    maxRuns: budget.maxRuns,
    inner,
    warm: large ? 0 : 1,
    fixed: large,
  });
  row.nbshieldDigestMs = median(dg.ours);
  row.nbshieldDigestMinMs = Math.min(...dg.ours);
  row.nbshieldDigestRuns = dg.ours.length;
  if (!dg.result.ok) row.nbshieldError = dg.result.error.message;
  if (dg.pyError) {
    row.nbformatError = dg.pyError;
  } else {
    row.nbformatDigestMs = median(dg.theirs);
    row.nbformatDigestMinMs = Math.min(...dg.theirs);
    row.nbformatDigestRuns = dg.theirs.length;
    row.digestsEqual = dg.result.ok && dg.result.value === dg.pyResult.digest;
  }
  const pyj = await py.ask({
    op: 'digest_json',
    path: input.file,
    secret_hex: keyHex,
    runs: budget.minRuns,
    max_runs: budget.maxRuns,
    budget_ms: budget.digest,
    warmup: large ? 0 : 1,
    inner,
  });
  if (pyj.ok) row.pythonJsonDigestMs = median(pyj.times);
  const hmacFn = () => createHmac('sha256', key).update(bytes).digest('hex');
  const hm = await timeRuns(
    hmacFn,
    budget.digest / 4,
    3,
    large ? 5 : 25,
    1,
    await innerCount(hmacFn),
  );
  row.rawHmacMs = median(hm.times);
  if (large) {
    // `nbshield digest` hands the buffer readFile made to jupyterDigestScratchBytes, which writes
    // over it (no private copy): each run gets a fresh copy, made outside the timing as the
    // file's read is (reading is timed on no side, the HMAC's included).
    const times = [];
    let r;
    for (let i = 0; i < (quick ? 1 : 5); i++) {
      const own = new Uint8Array(bytes.length);
      own.set(bytes);
      const t0 = performance.now();
      r = await core.jupyterDigestScratchBytes(own, key, undefined, core.nodeHmacSha256);
      times.push(performance.now() - t0);
    }
    row.cliDigestMs = median(times);
    row.cliDigestMinMs = Math.min(...times);
    row.cliDigestVsHmac = row.cliDigestMs / row.rawHmacMs;
    if (r === null || r.ok !== dg.result.ok || (r.ok && r.value !== dg.result.value)) {
      row.cliDigestDiffers = true;
    }
  }
  const textFn = () => core.jupyterDigest(text, key);
  const tx = await timeRuns(textFn, budget.digest / 4, 3, large ? 3 : 25, 1, inner);
  row.nbshieldTextDigestMs = median(tx.times);
  if (tx.result.ok !== dg.result.ok || (tx.result.ok && tx.result.value !== dg.result.value)) {
    row.textDigestDiffers = true;
  }
  row.digestRatio = row.nbshieldDigestMs / row.nbformatDigestMs;
  // Best-of-N ratio: on a shared, loaded machine the minimum is the least disturbed sample.
  row.digestRatioMin = row.nbshieldDigestMinMs / row.nbformatDigestMinMs;
  row.digestVsHmac = row.nbshieldDigestMs / row.rawHmacMs;

  // (b) render: core vs nbconvert
  if (doRender && (!large || mbSize <= RENDER_LARGE_MAX_MB + 1)) {
    const sanitizer = core.createNodeSanitizer(window, {
      allowRemoteImages: true,
      idPrefix: 'nb-',
    });
    const render = () => {
      const nb = core.parseNotebook(text);
      if (!nb.ok) throw new Error(nb.error.message);
      return core.renderStandalonePage(nb.value, {
        trusted: false,
        sanitizer,
        allowRemoteImages: true,
        idPrefix: 'nb-',
        title: input.name,
      });
    };
    try {
      const rn = await interleaved(py, {
        fn: render,
        pyReq: { op: 'render', path: input.file },
        budgetMs: budget.render,
        maxRuns: budget.maxRuns,
        warm: large ? 0 : 1,
        rounds: large ? 1 : 3,
        fixed: large,
      });
      row.nbshieldRenderMs = median(rn.ours);
      row.nbshieldRenderMinMs = Math.min(...rn.ours);
      row.nbshieldRenderRuns = rn.ours.length;
      row.nbshieldHtmlBytes = Buffer.byteLength(rn.result);
      if (rn.pyError) row.nbconvertError = rn.pyError;
      else {
        row.nbconvertRenderMs = median(rn.theirs);
        row.nbconvertRenderMinMs = Math.min(...rn.theirs);
        row.nbconvertRenderRuns = rn.theirs.length;
      }
    } catch (err) {
      row.nbshieldRenderError = String(err?.message ?? err);
    }
    row.renderRatio = row.nbshieldRenderMs / row.nbconvertRenderMs;
    row.renderRatioMin = row.nbshieldRenderMinMs / row.nbconvertRenderMinMs;
  }
  return row;
}

// ---------- report ----------
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');

function table(rows) {
  const head = [
    'notebook',
    'MB',
    'digest ms',
    'nbformat ms',
    'ratio',
    'best',
    'HMAC ms',
    'xHMAC',
    'text ms',
    'render ms',
    'nbconvert ms',
    'ratio',
    'best',
    'runs',
  ];
  const lines = rows.map((r) => [
    r.name.replace(/\.ipynb$/, '').slice(0, 44) +
      (r.digestsEqual === false || r.textDigestDiffers ? ' (DIGEST DIFFERS)' : ''),
    fmt(r.bytes / MB, 2),
    fmt(r.nbshieldDigestMs, 2),
    fmt(r.nbformatDigestMs, 2),
    fmt(r.digestRatio, 2),
    fmt(r.digestRatioMin, 2),
    fmt(r.rawHmacMs, 2),
    fmt(r.digestVsHmac, 1),
    fmt(r.nbshieldTextDigestMs, 2),
    fmt(r.nbshieldRenderMs, 1),
    fmt(r.nbconvertRenderMs, 1),
    fmt(r.renderRatio, 3),
    fmt(r.renderRatioMin, 3),
    `${r.nbshieldDigestRuns ?? '-'}/${r.nbshieldRenderRuns ?? '-'}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cols) =>
    cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(line)].join('\n');
}

function verdicts(rows) {
  const corpus = rows.filter((r) => r.kind === 'corpus');
  const out = [];
  const dig = corpus.filter((r) => Number.isFinite(r.digestRatio));
  const worst = dig.reduce((a, r) => (a && a.digestRatio >= r.digestRatio ? a : r), null);
  const over = dig.filter((r) => r.digestRatio > 1.0);
  out.push({
    target:
      'digest (parse included) <= nbformat read+sign on every corpus notebook (ratio <= 1.0; aim 0.5)',
    pass: dig.length === corpus.length && over.length === 0,
    detail:
      `${dig.length}/${corpus.length} measured, ${over.length} over 1.0; median ratio ${fmt(median(dig.map((r) => r.digestRatio)), 2)}, ` +
      `worst ${fmt(worst?.digestRatio, 2)} (${worst?.name ?? '-'}); best-of-N: ${dig.filter((r) => r.digestRatioMin > 1).length} over 1.0, ` +
      `median ${fmt(median(dig.map((r) => r.digestRatioMin)), 2)}, worst ${fmt(Math.max(...dig.map((r) => r.digestRatioMin)), 2)}`,
  });
  const mismatched = rows
    .filter((r) => r.digestsEqual === false || r.textDigestDiffers)
    .map((r) => r.name);
  out.push({
    target: 'digest equals nbformat on every input',
    pass:
      mismatched.length === 0 && rows.every((r) => r.digestsEqual === true && !r.textDigestDiffers),
    detail: mismatched.length
      ? `differs on ${mismatched.join(', ')}`
      : `${rows.filter((r) => r.digestsEqual).length}/${rows.length} equal`,
  });
  const big = rows.find((r) => r.name === 'generated-100MB.ipynb');
  out.push({
    target: 'digest within 4x raw HMAC-SHA256 on the 100 MB notebook (as nbshield digest runs it)',
    pass: big ? big.cliDigestVsHmac <= 4 && !big.cliDigestDiffers : null,
    detail: big
      ? `nbshield digest (the file's own buffer) ${fmt(big.cliDigestMs, 0)} ms vs HMAC ${fmt(big.rawHmacMs, 0)} ms = ${fmt(big.cliDigestVsHmac, 1)}x` +
        `${big.cliDigestDiffers ? ' (DIGEST DIFFERS)' : ''}; jupyterDigestBytes (a private copy) ${fmt(big.nbshieldDigestMs, 0)} ms = ${fmt(big.digestVsHmac, 1)}x (nbformat ${fmt(big.nbformatDigestMs, 0)} ms)`
      : 'not measured (100 MB not in --sizes)',
  });
  if (doRender) {
    const ren = corpus.filter((r) => Number.isFinite(r.renderRatio));
    const worstR = ren.reduce((a, r) => (a && a.renderRatio >= r.renderRatio ? a : r), null);
    const overR = ren.filter((r) => r.renderRatio > 0.25);
    const oursFailed = corpus
      .filter((r) => !Number.isFinite(r.nbshieldRenderMs))
      .map((r) => r.name);
    const theirsFailed = corpus.filter((r) => r.nbconvertError).map((r) => r.name);
    out.push({
      target: 'core render <= 0.25 x nbconvert HTMLExporter on every corpus notebook',
      pass: oursFailed.length === 0 && overR.length === 0,
      detail:
        `${ren.length}/${corpus.length} compared, ${overR.length} over 0.25; median ratio ${fmt(median(ren.map((r) => r.renderRatio)), 3)}, ` +
        `worst ${fmt(worstR?.renderRatio, 3)} (${worstR?.name ?? '-'}); best-of-N: ${ren.filter((r) => r.renderRatioMin > 0.25).length} over 0.25, ` +
        `median ${fmt(median(ren.map((r) => r.renderRatioMin)), 3)}` +
        (oursFailed.length ? `; nbshield failed on ${oursFailed.join(', ')}` : '') +
        (theirsFailed.length ? `; nbconvert itself failed on ${theirsFailed.join(', ')}` : ''),
    });
  }
  return out;
}

// ---------- main ----------
/** Runs the core once over a few inputs so the first measured notebook does not pay for JIT. */
async function warmUp(inputs, ctx) {
  const small = inputs.filter((i) => i.kind === 'corpus' && i.bytes < 2 * MB);
  for (const i of small) {
    const bytes = readFileSync(i.file);
    await ctx.core.jupyterDigestBytes(bytes, ctx.key, undefined, ctx.core.nodeHmacSha256);
    await ctx.core.jupyterDigest(bytes.toString('utf8'), ctx.key);
  }
  if (!doRender) return;
  const sanitizer = ctx.core.createNodeSanitizer(ctx.window, {
    allowRemoteImages: true,
    idPrefix: 'nb-',
  });
  for (const i of small.slice(0, 8)) {
    const nb = ctx.core.parseNotebook(readFileSync(i.file, 'utf8'));
    if (nb.ok) {
      ctx.core.renderStandalonePage(nb.value, {
        trusted: false,
        sanitizer,
        allowRemoteImages: true,
        idPrefix: 'nb-',
      });
    }
  }
}

/** `--chromium-only`: the inputs and the browser part; the Node rows stay as bench.json has them. */
async function mainChromiumOnly() {
  const started = performance.now();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nbshield-bench-'));
  try {
    log(`bench: generating ${sizesMb.join(', ')} MB notebooks in ${tmp}...`);
    const generated = generateLarge(tmp, sizesMb);
    const inputs = [
      ...corpusInputs(),
      ...generated,
      ...(bigOutputs ? generateBigOutputs(tmp) : []),
    ].filter((i) => i.name.includes(filter));
    const core = await buildCore(path.join(root, '.tmp/bench-core'));
    const keyBytes = benchKey();
    inputs.push(...(await trustedCopies(tmp, generated, core, keyBytes)));
    for (const i of inputs) i.bytes = statSync(i.file).size;
    const chromium = await runChromiumBench({
      inputs,
      root,
      log,
      keyHex: Buffer.from(keyBytes).toString('hex'),
    });
    const file = path.join(root, 'bench-results/bench.json');
    let result = {};
    try {
      result = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      /* no earlier run */
    }
    result.chromium = chromium && {
      date: new Date().toISOString(),
      options: { sizesMb, filter },
      ...chromium,
    };
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    printChromium(chromium);
    console.log(
      `\n${fmt((performance.now() - started) / 1000, 0)} s; written bench-results/bench.json (chromium)`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function printChromium(chromium) {
  if (!chromium) {
    console.log('Chromium part: not measured');
    return;
  }
  console.log(`\nChromium (${chromium.browser}), extension on the fake GitHub:`);
  if (chromium.peer?.unavailable) console.log(`(no peer: ${chromium.peer.unavailable})`);
  else if (chromium.peer) {
    const v = chromium.peer.versions;
    console.log(
      `(nbjs: the peer, notebookjs ${v.notebookjs} with marked ${v.marked}, ansi_up ${v.ansi_up}, ` +
        `sanitizer ${chromium.peer.sanitizer ?? '?'}, in a plain page, same browser, after each extension run; ` +
        `xnbjs: nbshield over notebookjs, rendered from navigation and peak JS heap)`,
    );
  }
  console.log(chromium.table);
  if (chromium.stages?.text) {
    console.log(
      '\nNavigation -> bytes in the renderer, corpus medians (ms from navigation start):',
    );
    console.log(chromium.stages.text);
  }
  console.log('');
  for (const x of chromium.verdicts)
    console.log(
      `${x.kind === 'peer' ? 'PEER' : x.pass === null ? 'N/A ' : x.pass ? 'PASS' : 'FAIL'}  ${x.target}: ${x.detail}`,
    );
}

async function main() {
  if (chromiumOnly) return mainChromiumOnly();
  const started = performance.now();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nbshield-bench-'));
  const py = new PythonWorker();
  try {
    log('bench: bundling the core...');
    const core = await buildCore(path.join(root, '.tmp/bench-core'));
    const { JSDOM } = await import('jsdom');
    const window = new JSDOM('<!DOCTYPE html><html><head></head><body></body></html>').window;
    const key = benchKey();
    const ctx = { core, py, key, keyHex: Buffer.from(key).toString('hex'), window };
    const versions = await py.ask({ op: 'versions' });

    log(`bench: generating ${sizesMb.join(', ')} MB notebooks in ${tmp}...`);
    const generated = generateLarge(tmp, sizesMb);
    const inputs = [
      ...corpusInputs(),
      ...generated,
      ...(bigOutputs ? generateBigOutputs(tmp) : []),
    ].filter((i) => i.name.includes(filter));
    const trusted = await trustedCopies(tmp, generated, core, key);
    for (const i of [...inputs, ...trusted]) i.bytes = statSync(i.file).size;
    log('bench: warming up...');
    await warmUp(inputs, ctx);

    const rows = [];
    for (const input of inputs) {
      const t0 = performance.now();
      const row = await benchOne(input, ctx);
      rows.push(row);
      log(
        `  ${input.name}: digest ${fmt(row.nbshieldDigestMs, 2)} ms vs ${fmt(row.nbformatDigestMs, 2)} ms` +
          (row.cliDigestMs !== undefined
            ? ` (nbshield digest ${fmt(row.cliDigestMs, 1)} ms, HMAC ${fmt(row.rawHmacMs, 1)} ms)`
            : '') +
          (doRender
            ? `, render ${fmt(row.nbshieldRenderMs, 1)} ms vs ${fmt(row.nbconvertRenderMs, 1)} ms`
            : '') +
          ` (${fmt((performance.now() - t0) / 1000, 1)} s)`,
      );
    }

    const chromium = noChromium
      ? null
      : await runChromiumBench({ inputs: [...inputs, ...trusted], root, log, keyHex: ctx.keyHex });
    const v = verdicts(rows);
    const result = {
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        memGB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        ...versions,
      },
      options: { quick, sizesMb, doRender, budget: BUDGET },
      rows,
      verdicts: v,
      chromium,
      totalSeconds: (performance.now() - started) / 1000,
    };
    mkdirSync(path.join(root, 'bench-results'), { recursive: true });
    writeFileSync(
      path.join(root, 'bench-results/bench.json'),
      `${JSON.stringify(result, null, 2)}\n`,
    );

    console.log(table(rows));
    console.log('');
    for (const x of v)
      console.log(
        `${x.pass === null ? 'N/A ' : x.pass ? 'PASS' : 'FAIL'}  ${x.target}: ${x.detail}`,
      );
    printChromium(chromium);
    console.log(
      `\nnode ${process.version}, Python ${versions.python}, nbformat ${versions.nbformat}, nbconvert ${versions.nbconvert}, ` +
        `${os.cpus().length} CPUs; ${fmt(result.totalSeconds, 0)} s; written bench-results/bench.json`,
    );
    window.close();
  } finally {
    py.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`bench: ${err?.stack ?? err}`);
  process.exit(1);
});
