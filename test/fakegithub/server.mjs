// A fake GitHub for the real-browser tests and the demo: one local HTTPS server that answers for
// github.com, gist.github.com, raw.githubusercontent.com, gist.githubusercontent.com and
// notebooks.githubusercontent.com by Host header (the browser maps those names to 127.0.0.1 with
// --host-resolver-rules), plus a plain-HTTP canary server that records any request a payload makes.
// Plain ESM JavaScript so that both vitest (TS tests) and scripts/demo.mjs (plain Node) can use it.
import https from 'node:https';
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath, URLSearchParams } from 'node:url';
import selfsigned from 'selfsigned';
import { marked } from 'marked';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../..');
export const fixturesDir = path.join(repoRoot, 'test/fixtures/notebooks');
export const corpusDir = path.resolve(repoRoot, '../shared/corpus');

export const HOSTS = [
  'github.com',
  'gist.github.com',
  'raw.githubusercontent.com',
  'gist.githubusercontent.com',
  'notebooks.githubusercontent.com',
  'github.githubassets.com',
];

/** The session cookie value the private repository needs (tests set it with context.addCookies). */
export const SESSION_COOKIE = { name: 'user_session', value: 'nbshield-fake-session-4f2a9c' };
export const GIST_ID = '8f14e45fceea167a5a36dedd4bea2543';
export const GIST_REV = 'c9f0f895fb98ab9159f51fd0297e236d0e2b1a44';
export const PRIVATE_TOKEN = 'GHSAT0AAAAFAKEPRIVATETOKEN';

// GitHub's own CSP, abridged to what matters here: no inline script, frames only from
// self and GitHub's notebook host, so an extension that injects inline script would break.
const GITHUB_CSP = [
  "default-src 'none'",
  "base-uri 'self'",
  "script-src 'self' github.githubassets.com",
  "frame-src 'self' viewscreen.githubusercontent.com notebooks.githubusercontent.com",
  "img-src 'self' data: blob: github.githubassets.com *.githubusercontent.com",
  "style-src 'self' 'unsafe-inline' github.githubassets.com",
  "connect-src 'self' *.githubusercontent.com",
  'font-src github.githubassets.com',
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
// What raw.githubusercontent.com and gist.githubusercontent.com really send.
const RAW_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/** A JS expression for `str` with no quote, space or angle bracket: String.fromCharCode(...). */
const jsString = (str) => `String.fromCharCode(${[...str].map((c) => c.charCodeAt(0)).join(',')})`;

/**
 * The JS the `__CANARY_JS__` placeholder becomes: it fires every canary a test checks (a global,
 * the title, a postMessage to the top and parent windows, requests to the canary port). It has no
 * whitespace, quotes, backticks, `<`, `>` or `&` (the contract of test/fixtures/vectors), so it
 * survives JSON, HTML attributes (quoted or not), `javascript:` URLs and Markdown link targets.
 */
export function canaryJs(id, canaryPort) {
  const url = canaryUrl(id, canaryPort);
  return (
    `(function(i,u){window.__pwned=i;` +
    `try{document.title=${jsString('PWNED:')}+i}catch(e){}` +
    `try{top.postMessage({nbshieldCanary:i},${jsString('*')})}catch(e){}` +
    `try{parent.postMessage({nbshieldCanary:i},${jsString('*')})}catch(e){}` +
    `try{fetch(u+${jsString('&via=js')},{mode:${jsString('no-cors')}})}catch(e){}` +
    `try{document.createElement(${jsString('img')}).src=u+${jsString('&via=jsimg')}}catch(e){}` +
    `})(${jsString(id)},${jsString(url)})`
  );
}

export function canaryUrl(id, canaryPort) {
  return `http://127.0.0.1:${canaryPort}/__canary/hit?id=${encodeURIComponent(id)}`;
}

/**
 * Replace `__CANARY_JS__`, `__CANARY_URL__` (numbered per file: `stem.1`, `stem.2`, ...) and the
 * explicit forms `__CANARY_JS:id__`, `__CANARY_URL:id__` in a notebook's text.
 */
export function substituteCanaries(text, stem, canaryPort) {
  let n = 0;
  const safeStem = stem.replace(/[^A-Za-z0-9_.-]/g, '_');
  return text
    .replace(/__CANARY_(JS|URL):([A-Za-z0-9_.-]+)__/g, (_m, kind, id) =>
      kind === 'JS' ? canaryJs(id, canaryPort) : canaryUrl(id, canaryPort),
    )
    .replace(/__CANARY_(JS|URL)__/g, (_m, kind) => {
      n += 1;
      const id = `${safeStem}.${n}`;
      return kind === 'JS' ? canaryJs(id, canaryPort) : canaryUrl(id, canaryPort);
    });
}

const esc = (s) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

function listNotebooks(dir) {
  const out = new Map();
  if (!fs.existsSync(dir)) return out;
  const walk = (d, rel) => {
    for (const ent of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, ent.name);
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) walk(p, r);
      else if (ent.name.endsWith('.ipynb')) out.set(r, { file: p });
    }
  };
  walk(dir, '');
  return out;
}

const HELPER_PY = `"""A helper module, so the repository has a file that is not a notebook."""


def greet(name: str) -> str:
    return f"Hello, {name}!"
`;

/**
 * Start the fake GitHub.
 * @param {import('./server.d.mts').FakeGitHubOptions} [opts]
 * @returns {Promise<import('./server.d.mts').FakeGitHub>}
 */
export async function startFakeGitHub(opts = {}) {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'github.com' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'subjectAltName', altNames: HOSTS.map((h) => ({ type: 2, value: h })) },
    ],
  });

  /** repo "owner/name" -> { private, files: Map<path, {file?, text?}> } */
  const repos = new Map();
  const addRepo = (name, dir, isPrivate = false) => {
    const files = listNotebooks(dir);
    repos.set(name, { private: isPrivate, files });
    return files;
  };
  addRepo('nbshield/samples', opts.fixturesDir ?? fixturesDir).set('helper.py', {
    text: HELPER_PY,
  });
  addRepo('nbshield/corpus', opts.corpusDir ?? corpusDir);
  const privateFiles = new Map();
  repos.set('nbshield/secret-lab', { private: true, files: privateFiles });
  const samplesDir = opts.fixturesDir ?? fixturesDir;
  const privSample = path.join(samplesDir, 'private-analysis.ipynb');
  if (fs.existsSync(privSample)) privateFiles.set('analysis.ipynb', { file: privSample });

  const gistFiles = new Map();
  for (const [name, f] of [
    ['first-notebook.ipynb', 'gist-first.ipynb'],
    ['second-notebook.ipynb', 'gist-second.ipynb'],
  ]) {
    const p = path.join(samplesDir, f);
    if (fs.existsSync(p)) gistFiles.set(name, { file: p });
  }

  const requests = [];
  const hits = [];
  let canaryPort = 0;

  const readFile = (repo, p) => {
    const r = repos.get(repo);
    const entry = r?.files.get(p);
    if (!entry) return null;
    const raw = entry.text ?? fs.readFileSync(entry.file, 'utf8');
    return substituteCanaries(raw, path.basename(p, '.ipynb'), canaryPort);
  };
  const readGist = (name) => {
    const entry = gistFiles.get(name);
    if (!entry) return null;
    const raw = entry.text ?? fs.readFileSync(entry.file, 'utf8');
    return substituteCanaries(raw, path.basename(name, '.ipynb'), canaryPort);
  };

  const hasSession = (req) =>
    (req.headers.cookie ?? '')
      .split(/;\s*/)
      .includes(`${SESSION_COOKIE.name}=${SESSION_COOKIE.value}`);

  /** host + pathname -> a response held half-sent until `release()` (startup tests, issue 5). */
  const holds = new Map();
  const send = (res, status, headers, body) => {
    res.writeHead(status, headers);
    const hold = res.nbHold;
    if (hold === undefined || typeof body !== 'string') return res.end(body);
    // The first part now (a page's head, so its document starts), the rest on release.
    const cut = body.includes('<body') ? body.indexOf('<body') : body.length >> 1;
    res.write(body.slice(0, cut));
    hold.sent();
    void hold.released.then(() => res.end(body.slice(cut)));
  };
  const html = (res, status, body, extra = {}) =>
    send(
      res,
      status,
      {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': GITHUB_CSP,
        'x-frame-options': 'deny',
        'cache-control': 'no-store',
        ...extra,
      },
      body,
    );

  // ---------- github.com ----------
  const layout = (title, main, { loggedIn = false } = {}) => `<!DOCTYPE html>
<html lang="en" data-color-mode="auto" data-light-theme="light" data-dark-theme="dark">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<meta name="viewport" content="width=device-width">
<meta name="turbo-cache-control" content="no-preview">
<link rel="stylesheet" href="/assets/github.css">
<script src="/assets/turbo-nav.js" defer></script>
</head>
<body class="logged-${loggedIn ? 'in' : 'out'} env-production page-responsive">
<div class="application-main">
<header class="AppHeader"><a class="AppHeader-logo" href="/" aria-label="Homepage">GitHub (fake)</a>
${loggedIn ? '<span class="AppHeader-user">signed in</span>' : '<a href="/login">Sign in</a>'}</header>
<main id="js-repo-pjax-container">
<turbo-frame id="repo-content-turbo-frame" target="_top" data-turbo-action="advance">
${main}
</turbo-frame>
</main>
</div>
<footer class="footer">fake GitHub for nbshield tests</footer>
</body>
</html>`;

  const crumbs = (repo, ref, p) =>
    `<nav aria-label="Breadcrumb" class="breadcrumbs"><a href="/${repo}" data-turbo="true" class="js-repo-root">${esc(repo)}</a>` +
    (p ? ` / <strong class="final-path" id="file-name-id">${esc(p)}</strong>` : '') +
    `</nav>`;

  const treePage = (repo, ref) => {
    const r = repos.get(repo);
    const items = [...r.files.keys()]
      .sort()
      .map(
        (p) =>
          `<tr class="react-directory-row"><td><a class="Link--primary" data-turbo="true" href="/${repo}/blob/${ref}/${encodePath(p)}">${esc(p)}</a></td></tr>`,
      )
      .join('\n');
    return `<div class="repository-content" data-testid="repo-tree">${crumbs(repo, ref, '')}
<table aria-labelledby="folders-and-files" class="Box"><tbody>
${items}
</tbody></table></div>`;
  };

  const notebookViewerSrc = (repo, ref, p) => {
    const raw = `https://raw.githubusercontent.com/${repo}/${ref}/${encodePath(p)}`;
    const q = new URLSearchParams({
      bypass_fastly: 'true',
      color_mode: 'auto',
      commit: ref,
      enc_url: Buffer.from(raw).toString('hex'),
      logged_in: 'false',
      nwo: repo,
      path: p,
      repository_type: 'Repository',
      version: '1',
    });
    return `https://notebooks.githubusercontent.com/view/ipynb?${q}`;
  };

  const blobPage = (repo, ref, p, text) => {
    const isNb = p.endsWith('.ipynb');
    const rawHref = `/${repo}/raw/${ref}/${encodePath(p)}`;
    const header = `<div class="file-header react-blob-header" data-testid="blob-header">
<span class="file-info">${esc(String(text.length))} Bytes</span>
<div class="BtnGroup"><a href="${rawHref}" data-testid="raw-button" class="btn-sm btn BtnGroup-item" id="raw-url">Raw</a></div>
</div>`;
    const body = isNb
      ? `<section aria-labelledby="file-name-id" class="react-blob-view" data-testid="blob-viewer">
<div class="Box-body p-0 blob-wrapper data type-jupyter-notebook" data-type="ipynb">
<div data-testid="notebook-preview" class="js-notebook-preview render-wrapper">
<div class="render-container js-render-target is-render-ready" data-type="ipynb" data-identity="${crypto.randomUUID()}">
<iframe class="render-viewer" title="File display" name="notebook-viewer" src="${esc(notebookViewerSrc(repo, ref, p))}" sandbox="allow-scripts allow-same-origin allow-top-navigation" role="presentation" style="width:100%;height:600px;border:0"></iframe>
</div></div></div></section>`
      : `<section aria-labelledby="file-name-id" class="react-blob-view" data-testid="blob-viewer">
<div class="Box-body blob-wrapper data type-python"><pre class="react-code-text" id="read-only-cursor-text-area">${esc(text)}</pre></div></section>`;
    return `<div class="repository-content">${crumbs(repo, ref, p)}
<div class="Box" id="blob-box">${header}${body}</div></div>`;
  };

  const notFound = (res) =>
    html(
      res,
      404,
      layout(
        'Page not found · GitHub',
        `<div class="not-found" data-testid="not-found"><h1>404 — This is not the web page you are looking for.</h1></div>`,
      ),
    );

  const turboNavJs = `// Fake Turbo: in-page navigation inside the repository, as github.com does it.
(function () {
  function swap(url, push) {
    return fetch(url, { headers: { 'X-Turbo-Request-Id': String(Date.now()) }, credentials: 'same-origin' })
      .then(function (r) { return r.text().then(function (t) { return { ok: r.ok, t: t }; }); })
      .then(function (x) {
        var doc = new DOMParser().parseFromString(x.t, 'text/html');
        var next = doc.getElementById('repo-content-turbo-frame');
        var cur = document.getElementById('repo-content-turbo-frame');
        if (!next || !cur) { location.href = url; return; }
        document.dispatchEvent(new CustomEvent('turbo:before-render'));
        cur.replaceWith(document.importNode(next, true));
        document.title = doc.title;
        if (push) history.pushState({ turbo: true }, '', url);
        shown = location.href.split('#')[0];
        document.dispatchEvent(new CustomEvent('turbo:render'));
        document.dispatchEvent(new CustomEvent('turbo:load'));
        document.dispatchEvent(new CustomEvent('soft-nav:end'));
      });
  }
  document.addEventListener('click', function (e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    var a = e.target && e.target.closest ? e.target.closest('a[data-turbo="true"]') : null;
    if (!a || a.origin !== location.origin) return;
    e.preventDefault();
    swap(a.href, true);
  });
  // As Turbo does: the page's own entry is marked, and a popstate is followed only to a marked
  // entry of another page (a #fragment navigation also fires popstate; Turbo leaves it alone).
  var shown = location.href.split('#')[0];
  history.replaceState({ turbo: true }, '');
  window.addEventListener('popstate', function (e) {
    var url = location.href.split('#')[0];
    if (!(e.state && e.state.turbo) || url === shown) return;
    shown = url;
    swap(location.href, false);
  });
  window.__fakeTurbo = { visit: function (u) { return swap(u, true); } };
})();
`;

  const githubCss = `body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0;color:#1f2328;background:#fff}
.AppHeader{background:#f6f8fa;border-bottom:1px solid #d0d7de;padding:12px 24px;display:flex;gap:16px}
main{max-width:1012px;margin:16px auto;padding:0 16px}.Box{border:1px solid #d0d7de;border-radius:6px}
.file-header{display:flex;justify-content:space-between;padding:8px 16px;background:#f6f8fa;border-bottom:1px solid #d0d7de}
.btn{border:1px solid #d0d7de;border-radius:6px;padding:3px 12px;text-decoration:none;color:#1f2328;background:#f6f8fa}
.breadcrumbs{margin:8px 0 16px;font-size:20px}.react-directory-row td{padding:8px 16px;border-top:1px solid #d0d7de}
pre{margin:0;padding:16px;overflow:auto}.footer{text-align:center;color:#656d76;padding:24px;font-size:12px}
@media (prefers-color-scheme: dark){body{background:#0d1117;color:#e6edf3}.AppHeader,.file-header{background:#161b22}}`;

  const handleGithub = (req, res, url) => {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (url.pathname === '/assets/turbo-nav.js')
      return send(
        res,
        200,
        { 'content-type': 'application/javascript; charset=utf-8', 'cache-control': 'no-store' },
        turboNavJs,
      );
    if (url.pathname === '/assets/github.css')
      return send(res, 200, { 'content-type': 'text/css; charset=utf-8' }, githubCss);
    if (url.pathname === '/favicon.ico') return send(res, 204, {}, '');
    if (url.pathname === '/')
      return html(
        res,
        200,
        layout(
          'GitHub',
          `<div data-testid="home"><h1>Fake GitHub</h1><ul>${[...repos.keys()]
            .filter((r) => !repos.get(r).private)
            .map((r) => `<li><a href="/${r}" data-turbo="true">${esc(r)}</a></li>`)
            .join('')}</ul></div>`,
        ),
      );
    if (parts.length < 2) return notFound(res);
    const repo = `${parts[0]}/${parts[1]}`;
    const r = repos.get(repo);
    const loggedIn = hasSession(req);
    if (!r || (r.private && !loggedIn)) return notFound(res);
    const kind = parts[2];
    if (kind === undefined || (kind === 'tree' && parts.length <= 4))
      return html(res, 200, layout(`${repo}`, treePage(repo, parts[3] ?? 'main'), { loggedIn }));
    if ((kind === 'blob' || kind === 'raw') && parts.length >= 5) {
      const ref = parts[3];
      const p = parts.slice(4).join('/');
      const text = readFile(repo, p);
      if (text === null) return notFound(res);
      if (kind === 'raw') {
        const target = new URL(`https://raw.githubusercontent.com/${repo}/${ref}/${encodePath(p)}`);
        if (r.private) target.searchParams.set('token', PRIVATE_TOKEN);
        return send(res, 302, { location: target.href, 'cache-control': 'no-store' }, '');
      }
      return html(
        res,
        200,
        layout(`${repo}/${p} at ${ref} · ${repo}`, blobPage(repo, ref, p, text), { loggedIn }),
      );
    }
    return notFound(res);
  };

  // ---------- gist.github.com ----------
  const handleGist = (req, res, url) => {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (url.pathname === '/assets/turbo-nav.js' || url.pathname === '/assets/github.css')
      return handleGithub(req, res, url);
    if (parts[0] !== 'nbshield' || parts[1] !== GIST_ID) return notFound(res);
    if (parts[2] === 'raw' && parts.length >= 4) {
      const name = parts[parts.length - 1];
      if (!gistFiles.has(name)) return notFound(res);
      return send(
        res,
        302,
        {
          location: `https://gist.githubusercontent.com/nbshield/${GIST_ID}/raw/${GIST_REV}/${encodeURIComponent(name)}`,
        },
        '',
      );
    }
    if (parts.length !== 2) return notFound(res);
    const boxes = [...gistFiles.keys()]
      .map((name) => {
        const id = `file-${name.replace(/[^a-z0-9]/gi, '-').toLowerCase()}`;
        const raw = `https://gist.githubusercontent.com/nbshield/${GIST_ID}/raw/${GIST_REV}/${encodeURIComponent(name)}`;
        const q = new URLSearchParams({
          color_mode: 'auto',
          enc_url: Buffer.from(raw).toString('hex'),
          path: name,
          repository_type: 'Gist',
        });
        return `<div id="${id}" class="file my-2">
<div class="file-header d-flex flex-md-items-center flex-items-start">
<div class="file-actions"><a href="${esc(raw)}" class="btn btn-sm" data-testid="gist-raw-link">Raw</a></div>
<div class="file-info"><a href="#${id}"><strong class="user-select-contain gist-blob-name css-truncate-target">${esc(name)}</strong></a></div>
</div>
<div itemprop="text" class="Box-body p-0 blob-wrapper data type-jupyter-notebook" data-type="ipynb">
<div data-testid="notebook-preview" class="js-notebook-preview render-wrapper">
<div class="render-container js-render-target is-render-ready" data-type="ipynb">
<iframe class="render-viewer" title="File display" src="${esc(`https://notebooks.githubusercontent.com/view/ipynb?${q}`)}" sandbox="allow-scripts allow-same-origin allow-top-navigation" style="width:100%;height:400px;border:0"></iframe>
</div></div></div></div>`;
      })
      .join('\n');
    return html(
      res,
      200,
      layout(
        `Two notebooks · GitHub Gist`,
        `<div class="gist-content" id="gist-pjax-container"><h1 class="gist-title">nbshield / two-notebooks</h1>
<div id="file-container" class="js-gist-file-update-container">
${boxes}
</div></div>`,
      ),
    );
  };

  // ---------- raw hosts ----------
  const rawHeaders = {
    'content-type': 'text/plain; charset=utf-8',
    'access-control-allow-origin': '*',
    'content-security-policy': RAW_CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
  const handleRaw = (req, res, url) => {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts.length < 4) return send(res, 404, rawHeaders, '404: Not Found');
    const repo = `${parts[0]}/${parts[1]}`;
    const r = repos.get(repo);
    const p = parts.slice(3).join('/');
    if (!r || (r.private && url.searchParams.get('token') !== PRIVATE_TOKEN))
      return send(res, 404, rawHeaders, '404: Not Found');
    const text = readFile(repo, p);
    if (text === null) return send(res, 404, rawHeaders, '404: Not Found');
    return send(res, 200, rawHeaders, text);
  };
  const handleGistRaw = (req, res, url) => {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    // /nbshield/GIST_ID/raw/REV/NAME or /nbshield/GIST_ID/raw/NAME
    if (parts[0] !== 'nbshield' || parts[1] !== GIST_ID || parts[2] !== 'raw')
      return send(res, 404, rawHeaders, '404: Not Found');
    const text = readGist(parts[parts.length - 1]);
    if (text === null) return send(res, 404, rawHeaders, '404: Not Found');
    return send(res, 200, rawHeaders, text);
  };
  // GitHub's own notebook view (what the extension replaces and must keep reachable).
  const handleNotebooksHost = (req, res, url) => {
    const p = url.searchParams.get('path') ?? '';
    return send(
      res,
      200,
      {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      },
      `<!DOCTYPE html><meta charset="utf-8"><title>GitHub notebook view</title>
<body style="font-family:sans-serif;margin:16px"><div data-testid="github-native-notebook-view"><p>GitHub's own rendering of <b>${esc(p)}</b> (fake).</p></div></body>`,
    );
  };

  const server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    let url;
    try {
      url = new URL(req.url ?? '/', `https://${host || 'github.com'}`);
    } catch {
      return send(res, 400, {}, 'bad url');
    }
    requests.push({ host, path: url.pathname + url.search, method: req.method, at: Date.now() });
    const holdKey = host + url.pathname;
    if (holds.has(holdKey)) {
      res.nbHold = holds.get(holdKey);
      holds.delete(holdKey);
    }
    try {
      if (host === 'github.com' || host === 'github.githubassets.com')
        return handleGithub(req, res, url);
      if (host === 'gist.github.com') return handleGist(req, res, url);
      if (host === 'raw.githubusercontent.com') return handleRaw(req, res, url);
      if (host === 'gist.githubusercontent.com') return handleGistRaw(req, res, url);
      if (host === 'notebooks.githubusercontent.com') return handleNotebooksHost(req, res, url);
      return send(res, 421, {}, `unknown host ${host}`);
    } catch (e) {
      return send(res, 500, {}, String(e?.stack ?? e));
    }
  });

  // ---------- canary + positive-control server (plain HTTP) ----------
  const canary = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/__canary/hit') {
      hits.push({
        id: url.searchParams.get('id') ?? '',
        via: url.searchParams.get('via') ?? 'url',
        at: Date.now(),
        referer: req.headers.referer ?? '',
      });
      return send(
        res,
        200,
        {
          'content-type': 'image/gif',
          'access-control-allow-origin': '*',
          'cache-control': 'no-store',
        },
        Buffer.from('R0lGODlhAQABAAAAACw=', 'base64'),
      );
    }
    if (url.pathname === '/__control') {
      // The positive control: the same notebook's payloads written into a page with no
      // sanitizer, no CSP and no sandbox. Its canaries must fire, proving they work.
      const repo = url.searchParams.get('repo') ?? 'nbshield/samples';
      const p = url.searchParams.get('path') ?? '';
      const text = readFile(repo, p);
      if (text === null) return send(res, 404, {}, 'no such notebook');
      return send(
        res,
        200,
        { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
        controlPage(text),
      );
    }
    if (url.pathname === '/__blank') {
      return send(
        res,
        200,
        { 'content-type': 'text/html; charset=utf-8' },
        '<!DOCTYPE html><title>blank</title>',
      );
    }
    return send(res, 404, {}, 'not found');
  });

  // An HTTP proxy that tunnels every CONNECT to the HTTPS server: Firefox cannot map a host name
  // to a port, so it reaches the fake site through this proxy instead.
  const proxy = http.createServer((req, res) => send(res, 405, {}, 'CONNECT only'));
  // Tunnels leave the HTTP server's bookkeeping, so closeAllConnections() misses them: track them
  // so close() cannot wait forever on a tunnel the browser left open.
  const tunnels = new Set();
  proxy.on('connect', (req, client, head) => {
    tunnels.add(client);
    client.on('close', () => tunnels.delete(client));
    const upstream = net.connect(server.address().port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head?.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });

  await new Promise((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  await new Promise((resolve) => canary.listen(opts.canaryPort ?? 0, '127.0.0.1', resolve));
  const port = server.address().port;
  canaryPort = canary.address().port;

  const resolveRepo = (repo) => {
    let r = repos.get(repo);
    if (!r) {
      r = { private: false, files: new Map() };
      repos.set(repo, r);
    }
    return r;
  };

  return {
    port,
    canaryPort,
    proxyPort: proxy.address().port,
    hostResolverRules: HOSTS.map((h) => `MAP ${h} 127.0.0.1:${port}`).join(','),
    blobUrl: (repo, p, ref = 'main') => `https://github.com/${repo}/blob/${ref}/${encodePath(p)}`,
    rawUrl: (repo, p, ref = 'main') =>
      `https://raw.githubusercontent.com/${repo}/${ref}/${encodePath(p)}`,
    treeUrl: (repo) => `https://github.com/${repo}`,
    gistUrl: () => `https://gist.github.com/nbshield/${GIST_ID}`,
    gistRawUrl: (name) =>
      `https://gist.githubusercontent.com/nbshield/${GIST_ID}/raw/${GIST_REV}/${encodeURIComponent(name)}`,
    controlUrl: (repo, p) =>
      `http://127.0.0.1:${canaryPort}/__control?repo=${encodeURIComponent(repo)}&path=${encodeURIComponent(p)}`,
    blankUrl: () => `http://127.0.0.1:${canaryPort}/__blank`,
    canaryJs: (id) => canaryJs(id, canaryPort),
    canaryUrl: (id) => canaryUrl(id, canaryPort),
    setFile(repo, p, text, { private: isPrivate } = {}) {
      const r = resolveRepo(repo);
      if (isPrivate !== undefined) r.private = isPrivate;
      r.files.set(p, { text });
    },
    /**
     * The next response for `url` (host and path) is sent in part (up to `<body`, or half) and
     * finished only on `release()`; `sent` resolves once the first part went out.
     */
    hold(url) {
      const u = new URL(url);
      let release = () => undefined;
      let sent = () => undefined;
      const h = {
        released: new Promise((r) => (release = r)),
        sentPromise: new Promise((r) => (sent = r)),
      };
      h.sent = sent;
      holds.set(u.host + u.pathname, h);
      return { release, sent: h.sentPromise };
    },
    setGistFile(name, text) {
      gistFiles.set(name, { text });
    },
    deleteFile(repo, p) {
      repos.get(repo)?.files.delete(p);
    },
    readServed: (repo, p) => readFile(repo, p),
    files: (repo) => [...(repos.get(repo)?.files.keys() ?? [])],
    hits: () => hits.slice(),
    clearHits: () => {
      hits.length = 0;
    },
    requests: () => requests.slice(),
    clearRequests: () => {
      requests.length = 0;
    },
    close: () =>
      Promise.all([
        new Promise((r) => {
          server.closeAllConnections?.();
          server.close(() => r());
        }),
        new Promise((r) => {
          proxy.closeAllConnections?.();
          for (const t of tunnels) t.destroy();
          proxy.close(() => r());
        }),
        new Promise((r) => {
          canary.closeAllConnections?.();
          canary.close(() => r());
        }),
      ]).then(() => undefined),
  };
}

function encodePath(p) {
  return p.split('/').map(encodeURIComponent).join('/');
}

const joinText = (v) => (Array.isArray(v) ? v.join('') : typeof v === 'string' ? v : '');

/** Every payload of a notebook, unsanitized, as a page would show it with no defence at all. */
export function controlPage(text) {
  let nb;
  try {
    nb = JSON.parse(text);
  } catch {
    return '<!DOCTYPE html><title>control</title><p>not JSON</p>';
  }
  const cells = Array.isArray(nb.cells)
    ? nb.cells
    : (nb.worksheets ?? []).flatMap((w) => w.cells ?? []);
  const parts = [];
  cells.forEach((c, i) => {
    const src = joinText(c.source ?? c.input);
    let out = '';
    if (c.cell_type === 'markdown') out += marked.parse(src, { async: false });
    for (const o of c.outputs ?? []) {
      const d = o.data ?? {};
      if (d['text/html']) out += joinText(d['text/html']);
      // An image as a template with no checks writes it: the payload straight into the URI.
      for (const m of ['image/png', 'image/jpeg', 'image/gif'])
        if (d[m]) out += `<img src="data:${m};base64,${joinText(d[m])}">`;
      if (d['image/svg+xml']) out += joinText(d['image/svg+xml']);
      if (d['text/markdown']) out += marked.parse(joinText(d['text/markdown']), { async: false });
      if (d['application/javascript'])
        out += `<script>${joinText(d['application/javascript'])}</script>`;
      if (d['application/vnd.jupyter.widget-view+json']) {
        const mid = d['application/vnd.jupyter.widget-view+json'].model_id;
        const st = nb.metadata?.widgets?.['application/vnd.jupyter.widget-state+json']?.state;
        const v = st?.[mid]?.state?.value;
        if (typeof v === 'string') out += v;
      }
    }
    // Each cell in its own unsandboxed frame, so that one payload that navigates (a form, a meta
    // refresh) does not take the others with it; their canaries still reach the top window.
    const doc = `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${out}</body></html>`;
    parts.push(
      `<iframe data-control-cell="${i}" style="width:100%;height:90px" srcdoc="${esc(doc)}"></iframe>`,
    );
  });
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>control</title></head><body>\n${parts.join('\n')}\n</body></html>`;
}
