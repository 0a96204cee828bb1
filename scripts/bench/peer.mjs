// The peer of the Chromium bench (scripts/bench/chromium.mjs): notebookjs 0.8.3 (jsvine/
// notebookjs, the JavaScript notebook renderer people embed in a page), run as a careful embedder
// would run it, in a plain HTTP page that this module serves on 127.0.0.1 (not the extension).
//
// The page loads the exact versions notebookjs depends on, resolved from its own package
// (node_modules/notebookjs/node_modules first): DOMPurify (dist/purify.min.js, the global
// `DOMPurify` its browser build looks for, so its sanitizer is on), marked (its UMD build, the
// global `marked`), and ansi_up (an ES module since 6.x: `nb.ansi` is set to a bound
// `AnsiUp#ansi_to_html` with escape_html off, because notebookjs escapes < and > itself; the
// `window.ansi_up` global it looks for would be called unbound and throw). JavaScript outputs stay
// off (its default). It fetches the same raw notebook bytes the extension gets
// (raw.githubusercontent.com on the fake GitHub), JSON.parse, `nb.parse(json).render()`, appends
// the result to the body, and records:
//  - renderedMs: navigation start -> the first frame with the whole notebook laid out (a
//    requestAnimationFrame after the append, then a task after that frame);
//  - peakHeapBytes: performance.memory.usedJSHeapSize every 20 ms, after each stage, and after
//    each cell's render (a wrapper on nb.Cell.prototype.render: the render is one task, so the
//    timer cannot sample inside it). This is the page's isolate; the extension's figure is its
//    renderer frame's (an extension process, the viewer frame in it too);
//  - longestTaskMs: the longest 'longtask' entry that ends after the fetch started;
//  - retainedHeapBytes: the page's heap after a forced GC (CDP), as the extension's.
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The files the page loads, from notebookjs's own dependency tree, and their versions. */
export function peerAssets(root) {
  const nbPkg = path.join(root, 'node_modules/notebookjs/package.json');
  if (!fs.existsSync(nbPkg)) throw new Error(`no ${path.relative(root, nbPkg)}`);
  const req = createRequire(nbPkg);
  const purify = req.resolve('dompurify/dist/purify.min.js');
  const markedMin = req.resolve('marked/marked.min.js');
  const ansi = req.resolve('ansi_up/ansi_up.js');
  const version = (file) => JSON.parse(fs.readFileSync(file, 'utf8')).version;
  const versions = {
    notebookjs: version(nbPkg),
    dompurify: version(path.join(path.dirname(purify), '../package.json')),
    marked: version(req.resolve('marked/package.json')),
    ansi_up: version(path.join(path.dirname(ansi), 'package.json')),
  };
  // What it was resolved to must be what notebookjs asks for (its ranges are all ^X.Y.Z).
  const wanted = JSON.parse(fs.readFileSync(nbPkg, 'utf8')).dependencies ?? {};
  for (const dep of ['dompurify', 'marked', 'ansi_up']) {
    const major = /^\^(\d+)\./.exec(wanted[dep] ?? '')?.[1];
    if (major === undefined || versions[dep].split('.')[0] !== major)
      throw new Error(`${dep} ${versions[dep]} does not satisfy notebookjs's ${wanted[dep]}`);
  }
  return {
    files: {
      '/lib/purify.min.js': purify,
      '/lib/marked.min.js': markedMin,
      '/lib/ansi_up.js': ansi,
      '/lib/notebook.js': path.join(path.dirname(nbPkg), 'notebook.js'),
    },
    versions,
  };
}

const PAGE = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>notebookjs (bench peer)</title><link rel="icon" href="data:,">
<script>
(() => {
  const P = { heapPeak: 0, heapStart: 0, tasks: [], longtaskSupported: false, done: false,
    heapSamples: 0 };
  window.__peer = P;
  const heap = () => {
    const m = performance.memory;
    if (!m) return;
    P.heapSamples += 1;
    if (m.usedJSHeapSize > P.heapPeak) P.heapPeak = m.usedJSHeapSize;
  };
  P.heap = heap;
  try { P.heapStart = performance.memory ? performance.memory.usedJSHeapSize : 0; } catch {}
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) P.tasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
    P.longtaskSupported = true;
  } catch {}
  setInterval(heap, 20);
})();
</script>
<script src="/lib/purify.min.js"></script>
<script src="/lib/marked.min.js"></script>
<script src="/lib/notebook.js"></script>
<script type="module">
import { AnsiUp } from '/lib/ansi_up.js';
const P = window.__peer;
const fail = (e) => {
  P.error = String((e && e.message) || e).slice(0, 300);
  P.done = true;
};
try {
  const ansi = new AnsiUp();
  ansi.escape_html = false; // notebookjs escapes < and > before nb.ansi
  nb.ansi = (t) => ansi.ansi_to_html(t);
  P.sanitizer = nb.sanitizer === DOMPurify.sanitize ? 'DOMPurify ' + DOMPurify.version : 'none';
  const cellRender = nb.Cell.prototype.render;
  nb.Cell.prototype.render = function () {
    const el = cellRender.call(this);
    P.heap();
    return el;
  };
  const src = new URL(location.href).searchParams.get('src');
  P.fetchStart = performance.now();
  const res = await fetch(src, { cache: 'no-store' });
  if (!res.ok) throw new Error('fetch ' + res.status);
  const text = await res.text();
  P.bytesAt = performance.now();
  P.chars = text.length;
  P.heap();
  const json = JSON.parse(text);
  P.parsedAt = performance.now();
  P.heap();
  const el = nb.parse(json).render();
  P.heap();
  document.body.appendChild(el);
  P.appendedAt = performance.now();
  P.heap();
  requestAnimationFrame(() => {
    setTimeout(() => {
      P.renderedAt = performance.now();
      P.heap();
      P.cells = document.querySelectorAll('.nb-notebook .nb-cell').length;
      // Let the longtask observer report the render's task before the bench reads it.
      setTimeout(() => {
        P.heap();
        P.done = true;
      }, 50);
    }, 0);
  });
} catch (e) {
  fail(e);
}
</script>
</head><body></body></html>
`;

/** A plain HTTP server on 127.0.0.1 for the peer page and its libraries. */
export async function startPeerServer(root) {
  const { files, versions } = peerAssets(root);
  const bodies = Object.fromEntries(Object.entries(files).map(([p, f]) => [p, fs.readFileSync(f)]));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/peer.html') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
      return res.end(PAGE);
    }
    const body = bodies[url.pathname];
    if (body) {
      // Cached like a site's static libraries (the extension's come from its own package).
      res.writeHead(200, {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'max-age=3600',
      });
      return res.end(body);
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    return res.end('not found');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  return {
    versions,
    pageUrl: (src) => `http://127.0.0.1:${port}/peer.html?src=${encodeURIComponent(src)}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}

/** `p` or, after `ms`, `fallback` (a page busy in one long task does not answer evaluate). */
function within(p, ms, fallback) {
  let timer;
  const late = new Promise((r) => {
    timer = setTimeout(() => r(fallback), ms);
  });
  return Promise.race([p.catch(() => fallback), late]).finally(() => clearTimeout(timer));
}

/**
 * One peer run in a fresh tab of `context`: the figures, or { error } (a throw in the page, a
 * timeout, a wrong cell count). `hung` is set when the tab could not even be closed, so the
 * caller can start a new browser.
 */
export async function measurePeerOnce(context, peerServer, rawUrl, expectedCells, timeoutMs) {
  const page = await context.newPage();
  const said = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') said.push(m.text().slice(0, 200));
  });
  page.on('pageerror', (e) => said.push(String(e?.message ?? e).slice(0, 200)));
  const r = await measureIn(context, page, peerServer, rawUrl, expectedCells, timeoutMs);
  if (said.length) r.console = said.slice(0, 4);
  const closed = await within(
    page.close({ runBeforeUnload: false }).then(() => true),
    10_000,
    false,
  );
  return closed ? r : { ...r, hung: true };
}

async function measureIn(context, page, peerServer, rawUrl, expectedCells, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  try {
    await page.goto(peerServer.pageUrl(rawUrl), { waitUntil: 'commit', timeout: timeoutMs });
    let p = null;
    while (Date.now() < deadline) {
      p = await within(
        page.evaluate(() => {
          const x = window.__peer;
          return x && x.done ? JSON.parse(JSON.stringify(x)) : null;
        }),
        Math.max(1, deadline - Date.now()),
        null,
      );
      if (p) break;
      await sleep(50);
    }
    if (!p)
      return {
        error: `notebookjs did not finish within ${Math.round(timeoutMs / 1000)} s`,
        timedOut: true,
      };
    if (p.error) return { error: `notebookjs threw: ${p.error}` };
    if (p.cells !== expectedCells)
      return { error: `notebookjs rendered ${p.cells} of ${expectedCells} cells` };
    let retainedHeapBytes = NaN;
    try {
      const cdp = await context.newCDPSession(page);
      await cdp.send('HeapProfiler.collectGarbage');
      retainedHeapBytes = (await cdp.send('Runtime.getHeapUsage')).usedSize;
      await cdp.detach();
    } catch {
      // no CDP session: left out
    }
    const after = p.tasks.filter(([t, d]) => t + d >= p.fetchStart - 1).map(([, d]) => d);
    return {
      renderedMs: p.renderedAt,
      bytesAtMs: p.bytesAt,
      jsonParseMs: p.parsedAt - p.bytesAt,
      renderAppendMs: p.appendedAt - p.parsedAt,
      afterBytesMs: p.renderedAt - p.bytesAt,
      peakHeapBytes: p.heapPeak,
      heapStartBytes: p.heapStart,
      heapSamples: p.heapSamples,
      retainedHeapBytes,
      longestTaskMs: p.longtaskSupported ? Math.max(0, ...after) : NaN,
      sanitizer: p.sanitizer,
      cells: p.cells,
    };
  } catch (err) {
    return { error: `notebookjs page: ${String(err?.message ?? err).split('\n')[0]}` };
  }
}
