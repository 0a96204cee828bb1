// The real-browser part of `npm run bench` (issue 5): the built extension (dist/chrome, copied to
// .tmp/ first) in Debian's Chromium through playwright-core, on the fake GitHub
// (test/fakegithub/server.mjs). For each input, a fresh tab opens its blob page and we measure:
//  - firstCellMs: navigation start -> first chunk of cells inserted in the renderer frame and the
//    next animation frame (wall clock: the page's and the frame's performance.timeOrigin);
//  - renderedMs: navigation start -> the renderer's last chunk (data-render-ms set) with every
//    cell present, and [data-nbshield] data-state=rendered on the page;
//  - the renderer's own figures from its body dataset: parse, first chunk, full render, all
//    measured from the moment the render message (the bytes) arrived in the frame;
//  - longestTaskMs: the longest 'longtask' entry (>= 50 ms by definition) in the renderer frame,
//    from a PerformanceObserver installed by an init script before the frame's own scripts run;
//  - peakHeapBytes: the highest performance.memory.usedJSHeapSize sampled in the renderer frame
//    (every 20 ms timer tick, at each dataset change, and at the end; precise with
//    --enable-precise-memory-info). That is the JS heap of the renderer frame's isolate, garbage
//    not yet collected included; heapAtBytesBytes is the last sample before the render started
//    (the frame with its libraries), the base of heapGrowthBytes;
//  - retainedHeapBytes: the frame's heap after a forced GC (CDP HeapProfiler.collectGarbage on
//    the frame's target) once rendered, before anything is forced: what the render keeps.
// Medians over a few runs per input; one run for the largest generated notebooks.
// The peer, notebookjs (scripts/bench/peer.mjs), runs in the same browser right after each of the
// extension's runs (extension, peer, extension, peer, ...) on the same raw bytes; each row gets
// its figures (peer*) and nbshield's over them (renderedVsPeer, afterBytesVsPeer, heapVsPeer,
// retainedVsPeer; scripts/bench/peer-summary.mjs).
//
// @param {{ inputs: { name: string, file: string, bytes: number, kind: 'corpus' | 'generated' }[],
//           root: string, log: (line: string) => void, runs?: number }} ctx
// (NBSHIELD_BENCH_RUNS=N overrides the runs per input.)
// @returns {Promise<null | { rows: object[], verdicts: object[], browser: string }>}
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { measurePeerOnce, startPeerServer } from './peer.mjs';
import { peerLines, peerRatios, peerSummary } from './peer-summary.mjs';

const MB = 1024 * 1024;
const CHROMIUM = process.env.NBSHIELD_CHROMIUM ?? '/usr/lib/chromium/chromium';
const REPO = 'nbshield/bench';
/** notebookjs renders in one task: past this it counts as failed on the input (NBSHIELD_BENCH_PEER_TIMEOUT_S). */
const PEER_TIMEOUT_MS = (Number(process.env.NBSHIELD_BENCH_PEER_TIMEOUT_S) || 60) * 1000;
/**
 * NBSHIELD_BENCH_PEER_MAX_MB=N: the peer skips inputs of N MB or more (default: none skipped; on
 * 3 December 2026 it rendered the 100 MB notebook in 5-7 s).
 */
const PEER_MAX_BYTES = (Number(process.env.NBSHIELD_BENCH_PEER_MAX_MB) || Infinity) * MB;

/** Why the peer is not run on `input`, or undefined (it is). */
function peerSkipReason(input, unavailable) {
  if (unavailable) return unavailable;
  if (process.env.NBSHIELD_BENCH_PEER === '0') return 'NBSHIELD_BENCH_PEER=0';
  if (input.bytes >= PEER_MAX_BYTES)
    return `not run on inputs of ${PEER_MAX_BYTES / MB} MB or more (NBSHIELD_BENCH_PEER_MAX_MB)`;
  // notebookjs sanitizes and inserts the one 20 MB HTML output at once: about 50 s in one trial
  // (a 27 s task), close to its timeout, where nbshield waits for "Render it". Almost a minute of
  // bench for a comparison of unlike work.
  if (input.name.startsWith('big-html-output') && process.env.NBSHIELD_BENCH_PEER_ALL !== '1')
    return 'the 20 MB HTML output takes notebookjs about 50 s (nbshield waits for "Render it"); NBSHIELD_BENCH_PEER_ALL=1 runs it';
  return undefined;
}

// Installed in every frame before its scripts; only does anything in the renderer frame (a child
// of the extension's viewer frame).
const PROBE = `(() => {
  try {
    if (window.top === window) {
      return;
    }
    let isRenderer = false;
    try {
      isRenderer = /\\/renderer[^/]*\\.html/.test(location.pathname) ||
        (window.parent !== window.top && /viewer\\.html/.test(document.referrer));
    } catch {}
    if (!isRenderer) return;
    const probe = { origin: performance.timeOrigin, longest: 0, longCount: 0, longTotal: 0,
      heapPeak: 0, heapStart: 0, heapLast: 0, heapAtBytes: 0, marks: {}, tasks: [] };
    Object.defineProperty(window, '__nbBench', { value: probe, enumerable: false });
    const heap = () => {
      const m = performance.memory;
      if (!m) return;
      if (m.usedJSHeapSize > probe.heapPeak) probe.heapPeak = m.usedJSHeapSize;
      if (probe.heapAtBytes === 0) probe.heapLast = m.usedJSHeapSize;
    };
    try { probe.heapStart = performance.memory ? performance.memory.usedJSHeapSize : 0; } catch {}
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          probe.longCount += 1;
          probe.longTotal += e.duration;
          probe.tasks.push([e.startTime, e.duration]);
          if (e.duration > probe.longest) probe.longest = e.duration;
        }
      }).observe({ type: 'longtask', buffered: true });
      probe.longtaskSupported = true;
    } catch (e) { probe.longtaskSupported = false; }
    setInterval(heap, 20);
    const now = () => performance.timeOrigin + performance.now();
    const watch = () => {
      new MutationObserver(() => {
        // The last timer sample before the render's first mark: the frame with its libraries,
        // before the text (the baseline of the heap growth).
        if (probe.heapAtBytes === 0) probe.heapAtBytes = probe.heapLast;
        heap();
        const d = document.body.dataset;
        for (const k of ['parseMs', 'firstChunkMs', 'renderMs']) {
          if (d[k] !== undefined && probe.marks[k] === undefined) {
            probe.marks[k] = now();
            if (k === 'firstChunkMs') {
              requestAnimationFrame(() => { probe.marks.firstFrame = now(); });
            }
            if (k === 'renderMs') {
              requestAnimationFrame(() => { probe.marks.lastFrame = now(); heap(); });
            }
          }
        }
      }).observe(document.body, { attributes: true });
      // Trusted notebooks draw their charts and widgets after the cells are in: the last change
      // of any box's data-rich-state is when that drawing settled.
      new MutationObserver(() => {
        probe.marks.richLast = now();
        heap();
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-rich-state'] });
    };
    if (document.body) watch();
    else document.addEventListener('DOMContentLoaded', watch);
  } catch {}
})();`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function median(xs) {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function cellCountOf(text) {
  try {
    const nb = JSON.parse(text);
    if (Array.isArray(nb.cells)) return nb.cells.length;
    return (nb.worksheets ?? []).reduce((n, w) => n + (w.cells?.length ?? 0), 0);
  } catch {
    return -1;
  }
}

function copyExtension(root) {
  const dist = path.join(root, 'dist/chrome');
  if (!fs.existsSync(path.join(dist, 'manifest.json')))
    execFileSync('node', ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  const dest = path.join(root, '.tmp', `bench-ext-${process.pid}`, 'chrome');
  fs.rmSync(path.dirname(dest), { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.cpSync(dist, dest, { recursive: true });
  fs.rmSync(path.join(dest, '_metadata'), { recursive: true, force: true });
  return dest;
}

async function launch(root, server) {
  const { chromium } = await import('playwright-core');
  const extDir = copyExtension(root);
  const profile = fs.mkdtempSync(path.join(root, '.tmp', 'profile-bench-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: false,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--enable-precise-memory-info',
      `--host-resolver-rules=${server.hostResolverRules}`,
      '--ignore-certificate-errors',
      `--disable-extensions-except=${extDir}`,
      `--load-extension=${extDir}`,
    ],
    ignoreHTTPSErrors: true,
    viewport: { width: 1200, height: 900 },
  });
  await context.addInitScript(PROBE);
  const consoleLog = [];
  const onConsole = (where) => (m) => {
    if (m.type() === 'error' || m.type() === 'warning')
      consoleLog.push(`[${where}] ${m.text().slice(0, 300)}`);
  };
  context.on('console', onConsole('page'));
  const watchWorker = (w) => w.on('console', onConsole('worker'));
  context.serviceWorkers().forEach(watchWorker);
  context.on('serviceworker', watchWorker);
  const isExt = (w) => w.url().startsWith('chrome-extension://');
  const worker =
    context.serviceWorkers().find(isExt) ??
    (await context.waitForEvent('serviceworker', { predicate: isExt, timeout: 20_000 }));
  const extensionId = new URL(worker.url()).host;
  worker.on('console', onConsole('worker'));
  return {
    context,
    extensionId,
    worker,
    keySet: false,
    consoleLog,
    close: async () => {
      await context.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
      fs.rmSync(path.dirname(extDir), { recursive: true, force: true });
    },
  };
}

/**
 * The bench's key as the user's key, set before the first signed input only, so the unsigned
 * inputs before it are measured as a user without a key meets them, as in earlier runs.
 */
async function setKey(session, keyHex) {
  if (session.keySet) return;
  if (!keyHex) throw new Error('bench: a signed input but no key to trust it with');
  await session.worker.evaluate(async (h) => {
    await globalThis.nbshieldTest.setSecretHex(h);
  }, keyHex);
  session.keySet = true;
}

function consoleTail(session) {
  const tail = session.consoleLog.splice(0).slice(-4);
  return tail.length ? ` | console: ${tail.join(' | ')}` : '';
}

/** The renderer frame: the child of the extension's viewer frame. */
function findRenderer(page, extensionId) {
  for (const f of page.frames()) {
    const p = f.parentFrame();
    if (p && p.url().startsWith(`chrome-extension://${extensionId}/viewer.html`)) {
      if (f.url() !== '' && f.url() !== 'about:blank') return f;
    }
  }
  return null;
}

async function rootState(page) {
  return page
    .evaluate(() => {
      const el = document.querySelector('[data-nbshield]');
      return el
        ? { state: el.getAttribute('data-state'), text: (el.textContent ?? '').slice(0, 1000) }
        : null;
    })
    .catch(() => null);
}

// Where the time from navigation to the bytes goes (issue 5): the nbshield:* performance marks
// of the page (the content script's isolated world shares the page's timeline), the viewer frame
// and the renderer frame, and each frame's own start (timeOrigin), all as ms from navigation.
const STAGES = [
  ['pageDomReadyMs', 'page', 'domContentLoaded'],
  ['contentStartMs', 'page', 'nbshield:content-start'],
  ['pageLoadMs', 'page', 'load'],
  ['openSentMs', 'page', 'nbshield:open-sent'],
  ['openDoneMs', 'page', 'nbshield:open-done'],
  ['viewerOriginMs', 'viewer', 'origin'],
  ['viewerStartMs', 'viewer', 'nbshield:viewer-start'],
  ['viewReceivedMs', 'viewer', 'nbshield:view-received'],
  ['rendererOriginMs', 'renderer', 'origin'],
  ['rendererStartMs', 'renderer', 'nbshield:renderer-start'],
  ['rendererReadyMs', 'renderer', 'nbshield:renderer-ready'],
  ['renderSentMs', 'viewer', 'nbshield:render-sent'],
  // A text over 4 MiB comes in pieces: the last one is in.
  ['textCompleteMs', 'renderer', 'nbshield:text-complete'],
];
export const STAGE_KEYS = STAGES.map(([k]) => k);

async function stageMarks(page, extensionId, renderer, navOrigin) {
  const read = (f) =>
    f
      .evaluate(() => ({
        origin: globalThis.performance.timeOrigin,
        marks: {
          ...Object.fromEntries(
            globalThis.performance
              .getEntriesByType('mark')
              .filter((m) => m.name.startsWith('nbshield:'))
              .map((m) => [m.name, m.startTime]),
          ),
          // The page's own events, to place the content script's start against them.
          ...Object.fromEntries(
            globalThis.performance
              .getEntriesByType('navigation')
              .flatMap((n) => [
                ['domContentLoaded', n.domContentLoadedEventStart],
                ['load', n.loadEventStart],
              ])
              .filter(([, t]) => t > 0),
          ),
        },
      }))
      .catch(() => null);
  const viewer = page
    .frames()
    .find((f) => f.url().startsWith(`chrome-extension://${extensionId}/viewer.html`));
  const src = {
    page: await read(page.mainFrame()),
    viewer: viewer ? await read(viewer) : null,
    renderer: renderer ? await read(renderer) : null,
  };
  const out = {};
  for (const [k, where, name] of STAGES) {
    const m = src[where];
    if (!m) continue;
    const t = name === 'origin' ? 0 : m.marks[name];
    if (t !== undefined) out[k] = m.origin + t - navOrigin;
  }
  return out;
}

/** One navigation to the blob page of `name`; resolves with the measurements or an error. */
async function measureOnce(
  session,
  server,
  name,
  expectedCells,
  timeoutMs,
  expectedBytes = 0,
  trusted = false,
) {
  const page = await session.context.newPage();
  const navStartWall = Date.now();
  try {
    await page.goto(server.blobUrl(REPO, name), { waitUntil: 'commit', timeout: timeoutMs });
    const deadline = navStartWall + timeoutMs;
    let renderer = null;
    let probe = null;
    let st = null;
    let cells = -1;
    while (Date.now() < deadline) {
      st = await rootState(page);
      // A trusted verdict replaces the frame (the trusted renderer page): follow it.
      if (renderer === null || renderer.isDetached())
        renderer = findRenderer(page, session.extensionId);
      if (renderer) {
        probe = await renderer
          .evaluate(() => {
            const p = window.__nbBench;
            const d = document.body?.dataset ?? {};
            return {
              probe: p ? JSON.parse(JSON.stringify(p)) : null,
              parseMs: d.parseMs,
              firstChunkMs: d.firstChunkMs,
              renderMs: d.renderMs,
              pending: d.pending,
              trust: d.trust,
              cells: document.querySelectorAll('[data-cell-index]').length,
              heapNow: globalThis.performance.memory?.usedJSHeapSize ?? 0,
            };
          })
          .catch(() => null);
        cells = probe?.cells ?? -1;
      }
      if (st && st.state !== 'loading' && st.state !== 'rendered' && st.state !== null) {
        // The viewer frame shows the error message itself.
        const viewer = page
          .frames()
          .find((f) => f.url().startsWith(`chrome-extension://${session.extensionId}/viewer.html`));
        const said = viewer
          ? await viewer
              .evaluate(() => (document.body?.innerText ?? '').replace(/\s+/g, ' ').trim())
              .catch(() => '')
          : '';
        if (said) st.text = `viewer: ${said.slice(0, 500)} | page: ${st.text}`;
        return {
          error: `data-state=${st.state}: ${st.text.trim().slice(0, 600)}${consoleTail(session)}`,
        };
      }
      if (
        st?.state === 'rendered' &&
        probe?.renderMs !== undefined &&
        cells === expectedCells &&
        probe.probe?.marks?.lastFrame !== undefined
      )
        break;
      await sleep(50);
    }
    if (!(st?.state === 'rendered' && probe?.renderMs !== undefined && cells === expectedCells)) {
      return {
        error: `not rendered within ${Math.round(timeoutMs / 1000)} s: data-state=${st?.state ?? 'none'}, cells ${cells}/${expectedCells}, renderer frame ${renderer ? 'present' : 'absent'}${st?.text ? `, text "${st.text.trim().slice(0, 120)}"` : ''}`,
      };
    }
    // A signed input that rendered untrusted measured the other path: an error, not a row.
    if ((probe.trust === 'trusted') !== trusted) {
      return {
        error: `rendered ${probe.trust ?? 'without a trust state'}, expected ${trusted ? 'trusted' : 'untrusted'}`,
      };
    }
    // Trusted: the charts and widgets draw after the cells (runRich). The reader waits for them
    // too, so their long tasks and heap count; far ones may wait until scrolled near ("waiting").
    let rich = null;
    if (trusted) {
      while (Date.now() < deadline) {
        rich = await renderer
          .evaluate(() => {
            const states = Array.from(document.querySelectorAll('.nb-rich-output')).map(
              (e) => e.getAttribute('data-rich-state') ?? 'none',
            );
            const n = (s) => states.filter((x) => x === s).length;
            return {
              total: states.length,
              drawn: n('drawn'),
              error: n('error'),
              waiting: n('waiting'),
              busy: n('loading') + n('none'),
              probe: JSON.parse(JSON.stringify(window.__nbBench ?? null)),
            };
          })
          .catch(() => null);
        if (rich === null || rich.busy === 0) break;
        await sleep(50);
      }
      if (rich === null) return { error: 'the renderer frame went away while its charts drew' };
      if (rich.busy > 0)
        return {
          error: `charts not settled within ${Math.round(timeoutMs / 1000)} s: ${rich.busy} of ${rich.total} still drawing`,
        };
      if (rich.probe) probe.probe = rich.probe;
    }
    // What the render keeps: the frame's heap after a forced GC (the peak also counts garbage
    // that V8 had not collected yet; when it collects is its own choice).
    let retainedHeapBytes = NaN;
    try {
      const cdp = await session.context.newCDPSession(renderer);
      await cdp.send('HeapProfiler.collectGarbage');
      retainedHeapBytes = (await cdp.send('Runtime.getHeapUsage')).usedSize;
      await cdp.detach();
    } catch {
      // no CDP session for the frame: left out
    }
    const origin = await page.evaluate(() => globalThis.performance.timeOrigin);
    const stages = await stageMarks(page, session.extensionId, renderer, origin);
    // Lazy rendering leaves far code cells as placeholders: how many, and what rendering all of
    // them at once costs (what printing does), after the figures above were read. Not for the
    // largest inputs, where that one task would take minutes.
    const forced =
      expectedBytes < 10 * MB
        ? await renderer
            .evaluate(() => {
              const pending = document.querySelectorAll('.nb-pending').length;
              const t = globalThis.performance.now();
              window.dispatchEvent(new globalThis.Event('beforeprint'));
              return { pending, ms: globalThis.performance.now() - t };
            })
            .catch(() => null)
        : null;
    const p = probe.probe;
    if (!p) return { error: 'the probe did not run in the renderer frame' };
    const parse = Number(probe.parseMs);
    const firstChunk = Number(probe.firstChunkMs);
    const render = Number(probe.renderMs);
    // The bytes arrived in the renderer when its render() started: firstChunk mark - firstChunkMs.
    const arrived = p.marks.firstChunkMs - firstChunk;
    // Long tasks that end after the bytes arrived: the rendering (not the frame's start-up).
    const arrivedLocal = arrived - p.origin;
    const afterBytes = p.tasks.filter(([t, d]) => t + d >= arrivedLocal - 1).map(([, d]) => d);
    return {
      firstCellMs: (p.marks.firstFrame ?? p.marks.firstChunkMs) - origin,
      renderedMs: (p.marks.lastFrame ?? p.marks.renderMs) - origin,
      bytesArrivedMs: arrived - origin,
      parseMs: parse,
      firstChunkMs: firstChunk,
      // After all the bytes: for a text in pieces, from the last piece (the first cell needs
      // the metadata at the text's end); the long tasks above count from the first piece.
      firstPaintAfterBytesMs:
        (p.marks.firstFrame ?? p.marks.firstChunkMs) -
        (Number.isFinite(stages.textCompleteMs) ? stages.textCompleteMs + origin : arrived),
      firstPaintAfterFirstPieceMs: (p.marks.firstFrame ?? p.marks.firstChunkMs) - arrived,
      renderMs: render,
      longestTaskMs: p.longtaskSupported ? Math.max(0, ...afterBytes) : NaN,
      longestTaskAnyMs: p.longtaskSupported ? p.longest : NaN,
      longTasks: p.longCount,
      heapStartBytes: p.heapStart,
      heapAtBytesBytes: p.heapAtBytes,
      retainedHeapBytes,
      peakHeapBytes: Math.max(p.heapPeak, probe.heapNow),
      cells,
      ...stages,
      pendingCells: Number(probe.pending ?? 0),
      // The long tasks after the bytes: [start ms after the bytes, duration ms].
      tasksAfterBytes: p.tasks
        .filter(([t, d]) => t + d >= arrivedLocal - 1)
        .map(([t, d]) => [Math.round(t - arrivedLocal), Math.round(d)]),
      forcedAllMs: forced ? forced.ms : NaN,
      fullRenderMs: forced ? render + forced.ms : NaN,
      richOutputs: rich ? rich.total : NaN,
      richDrawn: rich ? rich.drawn : NaN,
      richWaiting: rich ? rich.waiting : NaN,
      richErrors: rich ? rich.error : NaN,
      // Navigation -> the last box state change (drawn, error or waiting); the render end if none.
      richSettledMs:
        rich && rich.total > 0 && p.marks.richLast !== undefined ? p.marks.richLast - origin : NaN,
    };
  } catch (err) {
    return { error: String(err?.message ?? err).split('\n')[0] };
  } finally {
    await page.close().catch(() => undefined);
  }
}

const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');

export function table(rows) {
  const head = [
    'notebook',
    'MB',
    'cells',
    'first cell ms',
    'after bytes',
    'rendered ms',
    'parse',
    'render',
    'pending',
    'all forced',
    'longest task',
    'peak heap MB',
    'xfile',
    'kept MB',
    'xfile',
    'runs',
    'nbjs ms',
    'xnbjs',
    'nbjs heap',
    'xnbjs',
    'nbjs kept',
    'nbjs task',
  ];
  const peerCell = (r, v) => (r.peerError ? 'FAILED' : r.peerSkipped ? 'skip' : v);
  const lines = rows.map((r) => [
    r.name.replace(/\.ipynb$/, '').slice(0, 44),
    fmt(r.bytes / MB, 2),
    String(r.cells ?? '-'),
    r.error ? 'FAILED' : fmt(r.firstCellMs),
    fmt(r.firstPaintAfterBytesMs),
    r.error ? '-' : fmt(r.renderedMs),
    fmt(r.parseMs),
    fmt(r.renderMs),
    fmt(r.pendingCells),
    fmt(r.fullRenderMs),
    r.error ? '-' : r.longestTaskMs > 0 ? fmt(r.longestTaskMs) : '<50',
    fmt(r.peakHeapBytes / MB, 1),
    fmt(r.heapRatio, 1),
    fmt(r.retainedHeapBytes / MB, 1),
    fmt(r.retainedRatio, 1),
    String(r.runs ?? 0),
    peerCell(r, fmt(r.peerRenderedMs)),
    fmt(r.renderedVsPeer, 2),
    peerCell(r, fmt(r.peerPeakHeapBytes / MB, 1)),
    fmt(r.heapVsPeer, 2),
    peerCell(r, fmt(r.peerRetainedHeapBytes / MB, 1)),
    peerCell(
      r,
      Number.isFinite(r.peerLongestTaskMs)
        ? r.peerLongestTaskMs > 0
          ? fmt(r.peerLongestTaskMs)
          : '<50'
        : '-',
    ),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const line = (cols) =>
    cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(line)].join('\n');
}

export function verdicts(rows) {
  const ok = rows.filter((r) => !r.error);
  const failed = rows.filter((r) => r.error);
  const corpus = ok.filter((r) => r.kind === 'corpus');
  const worst = (xs, k) => xs.reduce((a, r) => (a && a[k] >= r[k] ? a : r), null);
  const out = [];
  const check = (target, xs, k, limit, unit) => {
    const over = xs.filter((r) => !(r[k] < limit));
    const w = worst(xs, k);
    out.push({
      target,
      pass: xs.length > 0 ? over.length === 0 : null, // null: nothing to judge (N/A)
      detail:
        `${xs.length} measured, ${over.length} over; median ${fmt(median(xs.map((r) => r[k])))}${unit}, ` +
        `worst ${fmt(w?.[k])}${unit} (${w?.name ?? '-'})` +
        (over.length
          ? `; over: ${over
              .slice(0, 8)
              .map((r) => `${r.name} ${fmt(r[k])}`)
              .join(', ')}${over.length > 8 ? ', ...' : ''}`
          : ''),
    });
  };
  check(
    'first cell painted < 300 ms after the bytes arrive in the renderer (corpus)',
    corpus,
    'firstPaintAfterBytesMs',
    300,
    ' ms',
  );
  check(
    'first cell painted < 300 ms after the bytes arrive (generated)',
    ok.filter((r) => r.kind === 'generated' && !r.trusted),
    'firstPaintAfterBytesMs',
    300,
    ' ms',
  );
  check(
    'first cell painted < 300 ms after the bytes arrive (generated, signed: trusted on load)',
    ok.filter((r) => r.kind === 'generated' && r.trusted),
    'firstPaintAfterBytesMs',
    300,
    ' ms',
  );
  check('whole corpus notebook rendered < 1 s from navigation', corpus, 'renderedMs', 1000, ' ms');
  check(
    'whole corpus notebook in the DOM < 1 s after the bytes arrive (renderer data-render-ms; far code cells as placeholders)',
    corpus,
    'renderMs',
    1000,
    ' ms',
  );
  check(
    'whole corpus notebook fully rendered < 1 s after the bytes arrive (placeholders forced, as for print)',
    corpus,
    'fullRenderMs',
    1000,
    ' ms',
  );
  const lt = ok.map((r) => ({ ...r, lt: Number.isFinite(r.longestTaskMs) ? r.longestTaskMs : 0 }));
  check(
    'longest renderer main-thread task after the bytes arrive < 100 ms (every input; median of runs)',
    lt,
    'lt',
    100,
    ' ms',
  );
  check(
    'peak renderer JS heap < 4x file size (inputs >= 1 MB; absolute peak)',
    ok.filter((r) => r.bytes >= MB),
    'heapRatio',
    4,
    'x',
  );
  check(
    'renderer JS heap growth (peak - just before the bytes, libraries loaded) < 4x file size (inputs >= 1 MB)',
    ok.filter((r) => r.bytes >= MB),
    'heapGrowthRatio',
    4,
    'x',
  );
  check(
    'renderer JS heap kept after the render (forced GC) < 4x file size (inputs >= 1 MB)',
    ok.filter((r) => r.bytes >= MB),
    'retainedRatio',
    4,
    'x',
  );
  if (failed.length)
    out.push({
      target: 'every input renders in the extension',
      pass: false,
      detail: failed.map((r) => `${r.name}: ${r.error}`).join('; '),
    });
  return out;
}

/**
 * Median over the corpus rows of each stage from navigation, and the step from the one before:
 * where the time before the renderer has the bytes goes.
 */
export function stageBreakdown(rows) {
  const corpus = rows.filter((r) => !r.error && r.kind === 'corpus');
  const keys = [...STAGE_KEYS, 'bytesArrivedMs', 'firstCellMs'];
  const at = Object.fromEntries(keys.map((k) => [k, median(corpus.map((r) => r[k]))]));
  const lines = [];
  let prev = 0;
  for (const k of keys) {
    if (!Number.isFinite(at[k])) continue;
    lines.push(
      `  ${k.replace(/Ms$/, '').padEnd(18)} ${fmt(at[k]).padStart(6)} ms  (+${fmt(at[k] - prev)})`,
    );
    prev = at[k];
  }
  return { medians: at, text: lines.join('\n') };
}

export async function runChromiumBench(ctx) {
  const { inputs, root, log } = ctx;
  if (!fs.existsSync(CHROMIUM)) {
    log(`bench: no Chromium at ${CHROMIUM}; Chromium part skipped`);
    return null;
  }
  const { startFakeGitHub } = await import(
    pathToFileURL(path.join(root, 'test/fakegithub/server.mjs')).href
  );
  const server = await startFakeGitHub();
  // A checkout whose node_modules predates the peer (no notebookjs): the extension is still
  // measured, and every row says why the peer is not.
  let peerUnavailable;
  const peer = await startPeerServer(root).catch((err) => {
    peerUnavailable = `notebookjs not installed (npm ci): ${String(err?.message ?? err).split('\n')[0]}`;
    log(`bench: ${peerUnavailable}; the peer is skipped`);
    return { versions: { notebookjs: '?' }, close: async () => undefined };
  });
  let session = await launch(root, server);
  const rows = [];
  let peerSanitizer = null;
  // Wall time spent on the peer (its tabs, warm-up and browser restarts included): its cost.
  let peerMs = 0;
  const peerStarted = Date.now();
  try {
    // Serve every input under one repository (names are unique: corpus files and generated-N).
    const meta = inputs.map((input) => {
      const text = fs.readFileSync(input.file, 'utf8');
      server.setFile(REPO, input.name, text);
      return { input, cells: cellCountOf(text) };
    });
    // Warm-up: the first tab pays for the extension's start-up.
    const warm = meta.find((m) => m.input.kind === 'corpus');
    if (warm) await measureOnce(session, server, warm.input.name, warm.cells, 60_000);
    if (warm && !peerUnavailable) {
      const t0 = Date.now();
      const w = await measurePeerOnce(
        session.context,
        peer,
        server.rawUrl(REPO, warm.input.name),
        warm.cells,
        PEER_TIMEOUT_MS,
      );
      if (w.error) log(`  chromium: notebookjs warm-up on ${warm.input.name}: ${w.error}`);
      peerMs += Date.now() - t0;
    }
    for (const { input, cells } of meta) {
      const mb = input.bytes / MB;
      const envRuns = Number(process.env.NBSHIELD_BENCH_RUNS);
      const runs = envRuns > 0 ? envRuns : (ctx.runs ?? (mb >= 50 ? 1 : mb >= 10 ? 2 : 3));
      const timeoutMs = Math.max(30_000, mb * 2_400);
      const samples = [];
      const retries = [];
      let error;
      const peerSamples = [];
      let peerError;
      let peerConsole;
      const peerSkipped = peerSkipReason(input, peerUnavailable);
      // One peer run on inputs of 10 MB or more: its render is one task, and the bench's time
      // stays modest.
      const peerRuns = input.bytes >= 10 * MB ? 1 : runs;
      for (let i = 0; i < runs; i++) {
        if (input.trusted) await setKey(session, ctx.keyHex);
        const r = await measureOnce(
          session,
          server,
          input.name,
          cells,
          timeoutMs,
          input.bytes,
          input.trusted === true,
        );
        if (r.error) {
          // A crashed or hung browser must not take the following inputs with it: a new browser,
          // and one more try (recorded in the row), before the input counts as failed.
          await session.close();
          session = await launch(root, server);
          retries.push(r.error);
          if (retries.length === 1) {
            i -= 1;
            continue;
          }
          error = r.error;
          break;
        }
        samples.push(r);
        // The peer right after, in the same browser, on the same raw bytes. A throw or a timeout
        // is the input's peer failure: not tried again on this input.
        if (peerSkipped || peerError || peerSamples.length >= peerRuns) continue;
        const logged = session.consoleLog.length;
        const t0 = Date.now();
        const q = await measurePeerOnce(
          session.context,
          peer,
          server.rawUrl(REPO, input.name),
          cells,
          PEER_TIMEOUT_MS,
        );
        // The peer page's console lines are its own (in q.console), not the extension's.
        session.consoleLog.splice(logged);
        if (q.error) peerError = q.error;
        else peerSamples.push(q);
        if (q.console && !peerConsole) peerConsole = q.console;
        if (q.sanitizer) peerSanitizer = q.sanitizer;
        if (q.hung || q.timedOut) {
          // A tab stuck in one long task: a new browser for what follows.
          await session.close();
          session = await launch(root, server);
        }
        peerMs += Date.now() - t0;
      }
      const pick = (k) => median(samples.map((s) => s[k]));
      const row = {
        name: input.name,
        kind: input.kind,
        ...(input.trusted ? { trusted: true } : {}),
        bytes: input.bytes,
        cells,
        runs: samples.length,
      };
      if (samples.length) {
        for (const k of [
          'firstCellMs',
          'bytesArrivedMs',
          'firstPaintAfterBytesMs',
          'renderedMs',
          'parseMs',
          'firstChunkMs',
          'renderMs',
          'longTasks',
          'heapStartBytes',
          'heapAtBytesBytes',
          'pendingCells',
          'forcedAllMs',
          'fullRenderMs',
          'richOutputs',
          'richDrawn',
          'richWaiting',
          'richErrors',
          'richSettledMs',
          ...STAGE_KEYS,
        ])
          row[k] = pick(k);
        row.tasksAfterBytes = samples[0].tasksAfterBytes;
        // The bytes in the renderer -> rendered, per run (for the peer's like figure).
        row.renderedAfterBytesMs = median(samples.map((s) => s.renderedMs - s.bytesArrivedMs));
        row.longestTaskMs = median(samples.map((s) => s.longestTaskMs));
        row.longestTaskMaxMs = Math.max(...samples.map((s) => s.longestTaskMs));
        row.longestTaskAnyMs = Math.max(...samples.map((s) => s.longestTaskAnyMs));
        row.peakHeapBytes = Math.max(...samples.map((s) => s.peakHeapBytes));
        row.heapRatio = row.peakHeapBytes / input.bytes;
        // Growth from the frame as it was just before the bytes (its libraries loaded); until
        // 2 December 2026 from the heap before the frame's own scripts (heapStartBytes).
        row.heapGrowthBytes = row.peakHeapBytes - row.heapAtBytesBytes;
        row.retainedHeapBytes = Math.max(...samples.map((s) => s.retainedHeapBytes));
        row.retainedRatio = row.retainedHeapBytes / input.bytes;
        row.heapGrowthRatio = row.heapGrowthBytes / input.bytes;
      }
      if (peerSamples.length) {
        // As the extension's: time medians, heap maxima over the runs.
        const peerPick = (k) => median(peerSamples.map((s) => s[k]));
        row.peerRuns = peerSamples.length;
        row.peerRenderedMs = peerPick('renderedMs');
        row.peerAfterBytesMs = peerPick('afterBytesMs');
        row.peerJsonParseMs = peerPick('jsonParseMs');
        row.peerRenderAppendMs = peerPick('renderAppendMs');
        row.peerLongestTaskMs = peerPick('longestTaskMs');
        row.peerLongestTaskMaxMs = Math.max(...peerSamples.map((s) => s.longestTaskMs));
        row.peerPeakHeapBytes = Math.max(...peerSamples.map((s) => s.peakHeapBytes));
        row.peerRetainedHeapBytes = Math.max(...peerSamples.map((s) => s.retainedHeapBytes));
        row.peerHeapStartBytes = peerPick('heapStartBytes');
      }
      if (peerError) row.peerError = peerError;
      if (peerConsole) row.peerConsole = peerConsole;
      if (peerSkipped) row.peerSkipped = peerSkipped;
      Object.assign(row, peerRatios(row));
      if (error) row.error = error;
      if (retries.length) row.retried = retries;
      rows.push(row);
      log(
        `  chromium ${input.name}: ` +
          (samples.length
            ? `first cell ${fmt(row.firstCellMs)} ms (${fmt(row.firstPaintAfterBytesMs)} after bytes), rendered ${fmt(row.renderedMs)} ms, ` +
              `longest task ${row.longestTaskMs > 0 ? fmt(row.longestTaskMs) : '<50'} ms, heap ${fmt(row.peakHeapBytes / MB, 1)} MB`
            : '') +
          (samples.length && row.richOutputs > 0
            ? `, charts ${fmt(row.richDrawn)} drawn / ${fmt(row.richWaiting)} waiting / ${fmt(row.richErrors)} failed of ${fmt(row.richOutputs)}, settled ${fmt(row.richSettledMs)} ms`
            : '') +
          (error ? ` ERROR ${error}` : '') +
          (peerSamples.length
            ? `; notebookjs rendered ${fmt(row.peerRenderedMs)} ms (x${fmt(row.renderedVsPeer, 2)}), heap ${fmt(row.peerPeakHeapBytes / MB, 1)} MB (x${fmt(row.heapVsPeer, 2)})`
            : '') +
          (peerError ? `; notebookjs FAILED: ${peerError}` : '') +
          (peerSkipped ? `; notebookjs skipped: ${peerSkipped}` : ''),
      );
    }
  } finally {
    await session.close();
    await server.close();
    await peer.close();
  }
  const summary = peerSummary(rows);
  log(
    `bench: notebookjs took ${fmt(peerMs / 1000)} s of the Chromium part's ${fmt((Date.now() - peerStarted) / 1000)} s`,
  );
  const v = [...verdicts(rows), ...peerLines(summary, `notebookjs ${peer.versions.notebookjs}`)];
  const version = (() => {
    try {
      return execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).trim();
    } catch {
      return CHROMIUM;
    }
  })();
  return {
    browser: version,
    notes:
      'firstCellMs/renderedMs: wall clock from the blob page navigation start (page ' +
      'performance.timeOrigin) to the animation frame after the first / last chunk in the renderer ' +
      'frame; firstPaintAfterBytesMs from the renderer receiving the render message; ' +
      'parseMs/firstChunkMs/renderMs: the renderer body dataset; longestTaskMs: PerformanceObserver ' +
      "'longtask' in the renderer frame (0 = none >= 50 ms; max over runs); peakHeapBytes: max " +
      'performance.memory.usedJSHeapSize sampled in the renderer frame (max over runs); ' +
      'heapAtBytesBytes: the last sample before the render started; retainedHeapBytes: the ' +
      "frame's heap after a forced GC (CDP) once rendered (max over runs).",
    peer: {
      name: 'notebookjs',
      unavailable: peerUnavailable ?? null,
      versions: peer.versions,
      sanitizer: peerSanitizer,
      timeoutMs: PEER_TIMEOUT_MS,
      seconds: peerMs / 1000,
      chromiumSeconds: (Date.now() - peerStarted) / 1000,
      maxBytes: Number.isFinite(PEER_MAX_BYTES) ? PEER_MAX_BYTES : null,
      notes:
        "A plain HTTP page on 127.0.0.1 fetches the raw bytes the extension gets, JSON.parse, nb.parse(json).render(), appended to the body, with DOMPurify loaded (notebookjs's sanitizer on) and JavaScript off; run right after each of the extension's runs in the same browser. peerRenderedMs: the page's navigation start -> a task after the first frame with the whole notebook (requestAnimationFrame, then setTimeout 0); peerAfterBytesMs: from the fetched text in hand (afterBytesVsPeer: against the extension's renderedAfterBytesMs, from the render message in its renderer). peerPeakHeapBytes: max performance.memory.usedJSHeapSize of the page's isolate (every 20 ms, after each stage and each cell's render; the extension's is its renderer frame's isolate, an extension process shared with the viewer frame). peerLongestTaskMs: the longest 'longtask' ending after the fetch started (median of runs). peerRetainedHeapBytes: after a forced GC (CDP). Neither heap counts the DOM (Blink's own heaps). Ratios: nbshield's figure over the peer's (above 1: nbshield slower or heavier).",
      summary,
    },
    rows,
    verdicts: v,
    table: table(rows),
    stages: stageBreakdown(rows),
  };
}
