#!/usr/bin/env node
// Writes test/fixtures/notebooks/bokeh3.ipynb: a notebook as Bokeh 3's output_notebook() and
// show() write it, for test/browser/plots.test.ts. There is no Python Bokeh here (Debian has none,
// no PyPI), so the documents are made by BokehJS 3's own plotting API (the bundled
// @bokeh/bokehjs3, bokeh.min.js + bokeh-api.min.js) in headless Chromium and serialized with
// Document.to_json(), as Python Bokeh serializes its documents for the same BokehJS. The output
// shapes around them (the loader's HTML and script with the bokehjs_load mime, each plot's target
// <div> and its script with the bokehjs_exec mime) follow what Bokeh 3 writes; the loader script
// is a shorter equivalent of Bokeh 3's: the same CDN file list, the same loading steps (a
// requirejs branch, script elements in <head>, Bokeh.versions), not Bokeh's own text.
//
//   node scripts/make-bokeh3-fixture.mjs        (run again after changing @bokeh/bokehjs3)
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const js = path.join(root, 'node_modules/@bokeh/bokehjs3/build/js');
const version = JSON.parse(
  readFileSync(path.join(root, 'node_modules/@bokeh/bokehjs3/package.json'), 'utf8'),
).version;
const out = path.join(root, 'test/fixtures/notebooks/bokeh3.ipynb');

/** Two figures, built in the page by BokehJS's plotting API: document JSON and root id each. */
function build() {
  const B = window.Bokeh;
  const { figure } = B.Plotting;
  const docs = [];
  const add = (p) => {
    const doc = new B.Document();
    doc.add_root(p);
    // Without defaults, as Python Bokeh writes documents.
    docs.push({ json: doc.to_json(false), root: p.id });
  };
  const p1 = figure({ title: 'Scatter', width: 400, height: 300 });
  p1.scatter([1, 2, 3, 4, 5], [6, 7, 2, 4, 5], {
    size: 15,
    fill_color: 'orange',
    line_color: 'navy',
    fill_alpha: 0.6,
  });
  add(p1);
  const p2 = figure({ title: 'Lines and bars', width: 500, height: 300 });
  const xs = Array.from({ length: 40 }, (_, i) => i / 4);
  p2.vbar({ x: [1, 3, 5, 7, 9], top: [2, 5, 3, 6, 4], width: 0.8, fill_color: '#8fbc8f' });
  p2.line(
    xs,
    xs.map(Math.sin).map((y) => 3 + 2 * y),
    { line_width: 3, line_color: 'crimson' },
  );
  add(p2);
  return docs;
}

const uuid = (n) => `${'0'.repeat(8)}-0000-4000-8000-${String(n).padStart(12, '0')}`;
const cdn = (name) => `https://cdn.bokeh.org/bokeh/release/${name}-${version}.min.js`;
const loaderId = 'p0001';

function loaderScript() {
  const jsUrls = ['bokeh', 'bokeh-gl', 'bokeh-widgets', 'bokeh-tables', 'bokeh-mathjax'].map(cdn);
  return `'use strict';
(function(root) {
  const force = true;
  const py_version = '${version}';
  const Bokeh = root.Bokeh;
  if (typeof root._bokeh_timeout === "undefined" || force) {
    root._bokeh_timeout = Date.now() + 5000;
    root._bokeh_failed_load = false;
  }
  function run_callbacks() {
    try {
      root._bokeh_onload_callbacks.forEach(function(callback) { if (callback != null) callback(); });
    } finally {
      delete root._bokeh_onload_callbacks;
    }
  }
  function load_libs(js_urls, callback) {
    root._bokeh_onload_callbacks.push(callback);
    if (root._bokeh_is_loading > 0) return null;
    function on_load() {
      root._bokeh_is_loading--;
      if (root._bokeh_is_loading === 0) run_callbacks();
    }
    function on_error(e) {
      console.error("failed to load " + e.srcElement.src);
    }
    if (window.requirejs) {
      window.requirejs.config({paths: {}, shim: {}});
      root._bokeh_is_loading = 0;
    } else {
      root._bokeh_is_loading = js_urls.length;
    }
    for (let i = 0; i < js_urls.length; i++) {
      const element = document.createElement('script');
      element.onload = on_load;
      element.onerror = on_error;
      element.async = false;
      element.src = js_urls[i];
      document.head.appendChild(element);
    }
  }
  const js_urls = ${JSON.stringify(jsUrls)};
  const inline_js = [
    function(Bokeh) { Bokeh.set_log_level("info"); },
  ];
  function display_loaded() {
    const el = document.getElementById(${JSON.stringify(loaderId)});
    if (el != null && root.Bokeh !== undefined) {
      el.textContent = "BokehJS " + root.Bokeh.version + " successfully loaded.";
    } else if (Date.now() < root._bokeh_timeout) {
      setTimeout(display_loaded, 100);
    }
  }
  function run_inline_js() {
    if (root.Bokeh !== undefined || force) {
      for (let i = 0; i < inline_js.length; i++) inline_js[i].call(root, root.Bokeh);
      // Cache old bokeh versions
      if (Bokeh != undefined) {
        const NewBokeh = root.Bokeh;
        if (Bokeh.versions === undefined) Bokeh.versions = new Map();
        if (NewBokeh.version !== Bokeh.version) Bokeh.versions.set(NewBokeh.version, NewBokeh);
        root.Bokeh = Bokeh;
      }
      display_loaded();
    }
    root._bokeh_is_initializing = false;
  }
  function load_or_wait() {
    root._bokeh_is_initializing = true;
    root._bokeh_onload_callbacks = [];
    const bokeh_loaded = root.Bokeh != null &&
      (root.Bokeh.version === py_version || (root.Bokeh.versions !== undefined && root.Bokeh.versions.has(py_version)));
    if (!bokeh_loaded && root.Bokeh) root.Bokeh = undefined;
    load_libs(js_urls, function() { run_inline_js(); });
  }
  setTimeout(load_or_wait, 100);
}(window));
`;
}

function plotScript(json, items) {
  return `(function(root) {
  function embed_document(root) {
  const docs_json = ${JSON.stringify(json)};
  const render_items = ${JSON.stringify(items)};
  root.Bokeh.embed.embed_items_notebook(docs_json, render_items);
  }
  if (root.Bokeh !== undefined) {
    embed_document(root);
  } else {
    let attempts = 0;
    const timer = setInterval(function(root) {
      if (root.Bokeh !== undefined) {
        clearInterval(timer);
        embed_document(root);
      } else {
        attempts++;
        if (attempts > 100) {
          clearInterval(timer);
          console.log("Bokeh: ERROR: Unable to run BokehJS code because BokehJS library is missing");
        }
      }
    }, 10, root)
  }
})(window);`;
}

const lines = (text) => text.split(/(?<=\n)/);
const display = (data, metadata = {}) => ({ output_type: 'display_data', metadata, data });

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.NBSHIELD_CHROMIUM ?? '/usr/lib/chromium/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ path: path.join(js, 'bokeh.min.js') });
    await page.addScriptTag({ path: path.join(js, 'bokeh-api.min.js') });
    const docs = await page.evaluate(build);
    const loader = loaderScript();
    const cells = [
      {
        cell_type: 'code',
        id: 'c0',
        metadata: {},
        execution_count: 1,
        source: lines('from bokeh.io import output_notebook\noutput_notebook()'),
        outputs: [
          display({
            'text/html': lines(
              `<div style="display: table;"><div style="display: table-row;"><div style="display: table-cell;"><span id="${loaderId}">Loading BokehJS ...</span></div></div></div>\n`,
            ),
          }),
          display({
            'application/javascript': lines(loader),
            'application/vnd.bokehjs_load.v0+json': lines(loader),
          }),
        ],
      },
      ...docs.map((d, i) => {
        const docid = uuid(i + 1);
        const el = uuid(100 + i);
        return {
          cell_type: 'code',
          id: `c${i + 1}`,
          metadata: {},
          execution_count: i + 2,
          source: lines(`show(p${i + 1})`),
          outputs: [
            display({
              'text/html': lines(
                `<div id="${el}" data-root-id="${d.root}" style="display: contents;"></div>\n`,
              ),
            }),
            display(
              {
                'application/javascript': lines(
                  plotScript({ [docid]: d.json }, [
                    { docid, roots: { [d.root]: el }, root_ids: [d.root] },
                  ]),
                ),
                'application/vnd.bokehjs_exec.v0+json': '',
              },
              { 'application/vnd.bokehjs_exec.v0+json': { id: d.root } },
            ),
          ],
        };
      }),
    ];
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {
        kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' },
        language_info: { name: 'python' },
        nbshield_fixture: `made by scripts/make-bokeh3-fixture.mjs with BokehJS ${version}`,
      },
      cells,
    };
    writeFileSync(out, JSON.stringify(nb, null, 1) + '\n');
    console.log(`wrote ${path.relative(root, out)}: ${docs.length} plots, BokehJS ${version}`);
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
