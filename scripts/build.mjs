#!/usr/bin/env node
// `npm run build`: every extension entry as its own classic (IIFE) bundle, the HTML pages, icons
// and KaTeX assets, then dist/chrome and dist/firefox with manifests derived from ./manifest.json.
// Also the CLI (dist/cli/nbshield.mjs) when src/cli/main.ts exists.
import { build } from 'vite';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stage = path.join(dist, '.stage');
const started = Date.now();

/** Extension entries: bundle name -> source entry, and the HTML pages that load it. */
const entries = [
  { name: 'background', entry: 'src/background/index.ts', pages: [] },
  { name: 'content', entry: 'src/content/index.ts', pages: [] },
  { name: 'viewer', entry: 'src/viewer/index.ts', pages: ['src/viewer/viewer.html'] },
  {
    name: 'renderer',
    entry: 'src/renderer/index.ts',
    pages: ['src/renderer/renderer.html', 'src/renderer/renderer-trusted.html'],
  },
  // The renderer page's first script: starts KaTeX early on the viewer's hint (src/renderer/boot.ts).
  { name: 'renderer-boot', entry: 'src/renderer/boot.ts', pages: [] },
  // KaTeX, loaded by the renderer only for a notebook with math (src/renderer/engines.ts).
  { name: 'renderer-katex', entry: 'src/renderer/katex.entry.ts', pages: [] },
  { name: 'options', entry: 'src/options/index.ts', pages: ['src/options/options.html'] },
  { name: 'popup', entry: 'src/popup/index.ts', pages: ['src/popup/popup.html'] },
];

// Libraries for interactive outputs in trusted notebooks (src/renderer/rich.ts): each
// src/renderer/rich/LIBRARY.entry.ts becomes rich-LIBRARY.js, loaded by the sandboxed renderer
// only when a notebook has such an output.
const richDir = path.join(root, 'src/renderer/rich');
if (existsSync(richDir)) {
  for (const f of readdirSync(richDir).sort()) {
    const m = /^([a-z][a-z0-9]*)\.entry\.ts$/.exec(f);
    if (m) entries.push({ name: `rich-${m[1]}`, entry: `src/renderer/rich/${f}`, pages: [] });
  }
}

const GECKO_ID = 'nbshield@nbshield.dev';
// data_collection_permissions is understood from Firefox 140 on.
const FIREFOX_MIN = '140.0';

// Prebuilt classic scripts put before a rich bundle, byte for byte: BokehJS's own builds, which
// register on window.Bokeh. Bundling them would minify them again, and that renames the classes
// BokehJS 3 finds its models by (Function.name).
const PREBUILT = {
  'rich-bokeh': ['bokehjs2', ['bokeh', 'bokeh-widgets', 'bokeh-tables']],
  'rich-bokeh3': ['bokehjs3', ['bokeh', 'bokeh-widgets', 'bokeh-tables']],
};

function prependPrebuilt(name) {
  const p = PREBUILT[name];
  if (!p) return;
  const [pkg, files] = p;
  const dir = path.join(root, 'node_modules/@bokeh', pkg, 'build/js');
  const parts = files.map((f) => readFileSync(path.join(dir, `${f}.min.js`), 'utf8'));
  const out = path.join(stage, `${name}.js`);
  writeFileSync(out, [...parts, readFileSync(out, 'utf8')].join('\n;\n'));
}

async function bundle({ name, entry }) {
  const rich = name.startsWith('rich-');
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    publicDir: false,
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      outDir: stage,
      emptyOutDir: false,
      target: 'es2022',
      minify: true,
      sourcemap: false,
      copyPublicDir: false,
      reportCompressedSize: false,
      // ASCII only (\u escapes): V8 then keeps the source as a one-byte string (half the memory,
      // no UTF-8 decoding). Not for the rich-* libraries, which are not on the start-up path and
      // some of which read their own regular expressions' source.
      ...(rich ? {} : { rollupOptions: { output: { charset: 'ascii' } } }),
      lib: {
        entry: path.join(root, entry),
        // A content script cannot be an ES module; the other pages load the same classic form.
        formats: ['iife'],
        name: `nbshield_${name.replace(/\W/g, '_')}`,
        fileName: () => `${name}.js`,
        cssFileName: name,
      },
    },
  });
}

async function bundleCli() {
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    publicDir: false,
    build: {
      outDir: path.join(dist, 'cli'),
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      sourcemap: false,
      copyPublicDir: false,
      reportCompressedSize: false,
      // SSR mode keeps node builtins and every npm dependency (jsdom above all) external.
      ssr: path.join(root, 'src/cli/main.ts'),
      rollupOptions: {
        output: { format: 'es', entryFileNames: 'nbshield.mjs', banner: '#!/usr/bin/env node' },
      },
    },
  });
}

/** Pages reference their bundle by name; authors may have written `index.ts` while developing. */
function copyPage(page, bundleName) {
  const html = readFileSync(path.join(root, page), 'utf8').replace(
    /(<script\b[^>]*\bsrc=")(?:\.\/)?index\.(?:ts|js)(")/g,
    `$1${bundleName}.js$2`,
  );
  writeFileSync(path.join(stage, path.basename(page)), html);
}

function copyKatex() {
  const from = path.join(root, 'node_modules/katex/dist');
  const to = path.join(stage, 'katex');
  mkdirSync(path.join(to, 'fonts'), { recursive: true });
  cpSync(path.join(from, 'katex.min.css'), path.join(to, 'katex.min.css'));
  // woff2 comes first in KaTeX's @font-face lists and every supported browser reads it.
  for (const f of readdirSync(path.join(from, 'fonts'))) {
    if (f.endsWith('.woff2')) cpSync(path.join(from, 'fonts', f), path.join(to, 'fonts', f));
  }
}

export function chromeManifest(base) {
  const m = JSON.parse(JSON.stringify(base));
  m.minimum_chrome_version = '120';
  return m;
}

export function firefoxManifest(base) {
  const m = JSON.parse(JSON.stringify(base));
  // `key` pins the Chromium extension id (unpacked builds and tests); Firefox uses the gecko id.
  delete m.key;
  m.background = { scripts: [base.background.service_worker] };
  m.browser_specific_settings = {
    gecko: {
      id: GECKO_ID,
      strict_min_version: FIREFOX_MIN,
      data_collection_permissions: { required: ['none'] },
    },
    // Firefox for Android reads data_collection_permissions from 142 on.
    gecko_android: { strict_min_version: '142.0' },
  };
  // Firefox 153 has no manifest sandbox pages: the renderer is isolated by the iframe's sandbox
  // attribute and its own meta CSP instead.
  delete m.sandbox;
  if (m.content_security_policy) delete m.content_security_policy.sandbox;
  // `use_dynamic_url` is Chromium-only.
  m.web_accessible_resources = m.web_accessible_resources.map((war) => {
    const { use_dynamic_url: _drop, ...rest } = war;
    return rest;
  });
  return m;
}

async function main() {
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const missing = [];
  for (const e of entries) {
    if (!existsSync(path.join(root, e.entry))) {
      missing.push(e.entry);
      continue;
    }
    await bundle(e);
    prependPrebuilt(e.name);
    // The sandboxed renderer loads only rich-LIBRARY.js; an entry adds its CSS itself (`?inline`
    // imports). A stylesheet the bundler still emits (e.g. html-manager's `require('….css')` in
    // code that nbshield overrides) would ship unused.
    const richCss = path.join(stage, `${e.name}.css`);
    if (e.name.startsWith('rich-') && existsSync(richCss)) rmSync(richCss);
    for (const page of e.pages) {
      if (existsSync(path.join(root, page))) copyPage(page, e.name);
      else missing.push(page);
    }
  }
  copyKatex();
  cpSync(path.join(root, 'public'), stage, { recursive: true });

  const base = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8'));
  // While a part is still being written, leave its page out rather than ship a broken manifest.
  if (!existsSync(path.join(stage, 'options.html'))) delete base.options_ui;
  if (!existsSync(path.join(stage, 'popup.html')) && base.action) delete base.action.default_popup;
  for (const [target, manifest] of [
    ['chrome', chromeManifest(base)],
    ['firefox', firefoxManifest(base)],
  ]) {
    const out = path.join(dist, target);
    rmSync(out, { recursive: true, force: true });
    cpSync(stage, out, { recursive: true });
    writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  }
  rmSync(stage, { recursive: true, force: true });

  for (const m of missing) console.warn(`build: warning: ${m} does not exist yet; skipped`);
  if (existsSync(path.join(root, 'src/cli/main.ts'))) await bundleCli();

  console.log(
    `build: dist/chrome, dist/firefox written in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
