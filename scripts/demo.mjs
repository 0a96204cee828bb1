#!/usr/bin/env node
// `npm run demo`: build the extension if needed, start the local fake GitHub with the bundled sample
// notebooks, and open Chromium with nbshield loaded on a notebook page. Headed when a display
// exists; otherwise headless, with a screenshot saved. Runs until Ctrl+C.
//
//   npm run demo                                  interactive (until Ctrl+C)
//   npm run demo -- --screenshot out.png --exit   non-interactive check: screenshot, then quit
//   npm run demo -- --headless                    never open a window
//   npm run demo -- --notebook attacks/html-script.ipynb
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startFakeGitHub } from '../test/fakegithub/server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist/chrome');
const CHROMIUM = process.env.NBSHIELD_CHROMIUM ?? '/usr/lib/chromium/chromium';

function parseArgs(argv) {
  const o = { screenshot: null, exit: false, headless: false, notebook: 'demo-tour.ipynb' };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (a === '--screenshot') o.screenshot = argv[(i += 1)];
    else if (a === '--exit') o.exit = true;
    else if (a === '--headless') o.headless = true;
    else if (a === '--notebook') o.notebook = argv[(i += 1)];
    else if (a === '--help' || a === '-h') {
      console.log(
        fs
          .readFileSync(fileURLToPath(import.meta.url), 'utf8')
          .split('\n')
          .slice(1, 9)
          .join('\n'),
      );
      process.exit(0);
    } else {
      console.error(`demo: unknown argument ${a}`);
      process.exit(2);
    }
  }
  return o;
}

/** Newest modification time under `p` (files only). */
function newest(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = 0;
  for (const e of fs.readdirSync(p)) m = Math.max(m, newest(path.join(p, e)));
  return m;
}

function buildIfNeeded() {
  const built = path.join(dist, 'manifest.json');
  const stale =
    !fs.existsSync(built) ||
    !fs.existsSync(path.join(dist, 'background.js')) ||
    Math.max(newest(path.join(root, 'src')), newest(path.join(root, 'manifest.json'))) >
      fs.statSync(built).mtimeMs;
  if (!stale) return;
  console.log('demo: building the extension (npm run build)…');
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
}

async function waitRendered(page, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  let state = null;
  while (Date.now() < deadline) {
    state = await page
      .evaluate(() => {
        const e = document.querySelector('[data-nbshield]');
        return e
          ? { state: e.getAttribute('data-state'), trust: e.getAttribute('data-trust') }
          : null;
      })
      .catch(() => null);
    if (state && state.state !== 'loading') return state;
    await new Promise((r) => setTimeout(r, 150));
  }
  return state;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(CHROMIUM)) {
    console.error(`demo: Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`);
    process.exit(1);
  }
  buildIfNeeded();
  const server = await startFakeGitHub();
  const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  const headless = opts.headless || opts.exit || !hasDisplay;
  // The extension is copied so that a rebuild while the demo runs cannot break the open browser.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nbshield-demo-'));
  const ext = path.join(work, 'extension');
  fs.cpSync(dist, ext, { recursive: true });
  fs.rmSync(path.join(ext, '_metadata'), { recursive: true, force: true });
  const args = [
    `--disable-extensions-except=${ext}`,
    `--load-extension=${ext}`,
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--host-resolver-rules=${server.hostResolverRules}`,
    '--ignore-certificate-errors',
  ];
  if (headless) args.unshift('--headless=new');
  const context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
    executablePath: CHROMIUM,
    headless: false,
    args,
    ignoreHTTPSErrors: true,
    viewport: headless ? { width: 1280, height: 1000 } : null,
  });
  const cleanup = async () => {
    await context.close().catch(() => undefined);
    await server.close().catch(() => undefined);
    fs.rmSync(work, { recursive: true, force: true });
  };

  const url = server.blobUrl('nbshield/samples', opts.notebook);
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  const st = await waitRendered(page);
  console.log(
    `demo: ${url} -> ${st ? `data-state=${st.state}${st.trust ? `, data-trust=${st.trust}` : ''}` : 'no nbshield view appeared'}`,
  );
  const shot =
    opts.screenshot ??
    (headless && !opts.exit ? path.join(root, '.tmp', 'demo-screenshot.png') : null);
  if (shot) {
    fs.mkdirSync(path.dirname(path.resolve(shot)), { recursive: true });
    await new Promise((r) => setTimeout(r, 800)); // let images and fonts settle
    await page.screenshot({ path: shot, fullPage: false });
    console.log(`demo: screenshot saved to ${path.resolve(shot)}`);
  }
  if (opts.exit) {
    await cleanup();
    process.exit(st?.state === 'rendered' ? 0 : 1);
  }
  if (headless)
    console.log(
      'demo: no display found, so Chromium runs headless (the screenshot above shows the page).\n' +
        '      Run it on a desktop session to get a window, or load dist/chrome in your own Chrome.',
    );
  console.log(`
The fake GitHub runs locally (these names resolve to it only inside the demo browser):
  ${server.treeUrl('nbshield/samples')}                       a repository (click around: in-page navigation)
  ${server.blobUrl('nbshield/samples', 'trusted-js.ipynb')}   JavaScript output: click Trust in the toolbar
  ${server.blobUrl('nbshield/samples', 'attacks/html-script.ipynb')}   an attack notebook: nothing runs
  ${server.gistUrl()}   a gist with two notebooks
  ${server.rawUrl('nbshield/samples', 'sample-basic.ipynb')}   a raw notebook URL
  ${server.treeUrl('nbshield/corpus')}                        49 real notebooks
Press Ctrl+C to stop.`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\ndemo: stopping…');
    await cleanup();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  context.on('close', stop);
}

main().catch((e) => {
  console.error(`demo: ${e?.stack ?? e}`);
  process.exit(1);
});
