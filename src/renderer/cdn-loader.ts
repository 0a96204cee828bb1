// Trusted renderer page only: runs output script (application/javascript, text/html with
// <script>) in notebook order, and answers what those outputs ask of the web with the bundled
// libraries (decisions in cdn.ts): `<script src="https://cdn…/vega@5">`, requirejs
// `require(["vega-embed"], …)` after `requirejs.config({paths})`, Plotly's `require(["plotly"])`,
// and script elements that output code adds itself (Bokeh's loader puts BokehJS's CDN files in
// <head>; the plots then wait for `window.Bokeh`).
// Each such output gets a visible note saying what it asked for and what it got instead.
import type { ScriptEntry } from '../core/render/types';
import {
  BUNDLE_OF,
  BUNDLED,
  bokehNeeds,
  decide,
  noteText,
  parseScriptUrl,
  requestForPath,
  type BundledModule,
  type Decision,
} from './cdn';
import { loadLibrary } from './rich';
import { sharedModule } from './rich/modules';
import { noteElement } from './note';

/** The globals a `<script src>` copy of each library sets. */
const GLOBALS: Record<BundledModule, string> = {
  vega: 'vega',
  'vega-lite': 'vegaLite',
  'vega-embed': 'vegaEmbed',
  plotly: 'Plotly',
  bokeh: 'Bokeh',
  bokeh3: 'Bokeh',
};

type Loose = Record<string, unknown>;
const win = window as unknown as Loose;

// ---- notes ----

const notes = new WeakMap<HTMLElement, { el: HTMLElement; decisions: Decision[] }>();

function loadedVersions(): Partial<Record<BundledModule, string>> {
  const out: Partial<Record<BundledModule, string>> = {};
  for (const m of Object.keys(BUNDLED) as BundledModule[]) {
    const v = (sharedModule(m) as { version?: unknown } | undefined)?.version;
    if (typeof v === 'string') out[m] = v;
  }
  return out;
}

function note(box: HTMLElement | null, d: Decision): void {
  if (box === null) return;
  let n = notes.get(box);
  if (!n) {
    const el = noteElement('', 'nb-cdn-note');
    box.prepend(el);
    n = { el, decisions: [] };
    notes.set(box, n);
  }
  if (!n.decisions.some((x) => x.request.url === d.request.url)) n.decisions.push(d);
  refresh(box);
}

function refresh(box: HTMLElement): void {
  const n = notes.get(box);
  if (n) n.el.textContent = noteText(n.decisions, loadedVersions());
}

async function loadModule(m: BundledModule, box: HTMLElement | null): Promise<unknown> {
  await loadLibrary(BUNDLE_OF[m]);
  const v = sharedModule(m);
  if (v === undefined) throw new Error(`the bundled ${BUNDLED[m].label} did not start`);
  // What a <script src> copy would have set, for outputs that use the global.
  if (win[GLOBALS[m]] === undefined) win[GLOBALS[m]] = v;
  if (box) refresh(box);
  return v;
}

// ---- which output is running ----

let currentBox: HTMLElement | null = null;

function callerBox(): HTMLElement | null {
  const s = document.currentScript;
  return s?.closest<HTMLElement>('[data-script-index]') ?? currentBox;
}

// ---- a small requirejs stand-in ----

interface Definition {
  deps: string[];
  factory: unknown;
  value?: Promise<unknown>;
  settled?: { ok: boolean; value: unknown };
}

const definitions = new Map<string, Definition>();
const paths: Record<string, string> = {};

function evaluate(d: Definition): Promise<unknown> {
  d.value ??= (async () => {
    const module = { exports: {} as unknown };
    const args = await Promise.all(
      d.deps.map((dep) =>
        dep === 'exports'
          ? module.exports
          : dep === 'module'
            ? module
            : dep === 'require'
              ? requireShim
              : resolveModule(dep, null),
      ),
    );
    const ret = typeof d.factory === 'function' ? (d.factory as Fn)(...args) : d.factory;
    return ret === undefined ? module.exports : ret;
  })().then(
    (value) => {
      d.settled = { ok: true, value };
      return value;
    },
    (err: unknown) => {
      d.settled = { ok: false, value: err };
      throw err;
    },
  );
  return d.value;
}

type Fn = (...args: unknown[]) => unknown;

/** The vega family comes together (vega-embed needs vega and vega-lite): check what the paths ask. */
function familyDecisions(name: BundledModule): Decision[] {
  const names =
    BUNDLE_OF[name] === 'vega' ? (['vega', 'vega-lite', 'vega-embed'] as const) : [name];
  const out: Decision[] = [];
  for (const n of names) {
    const r = requestForPath(n, paths[n] ?? null);
    if (r) out.push(decide(r));
  }
  return out;
}

function resolveModule(name: string, box: HTMLElement | null): Promise<unknown> {
  const d = definitions.get(name);
  if (d) return evaluate(d);
  if (name in BUNDLED) {
    const ds = familyDecisions(name as BundledModule);
    for (const x of ds) note(box, x);
    const bad = ds.find((x) => x.kind === 'unavailable');
    if (bad) return Promise.reject(new Error(noteText([bad])));
    return loadModule(name as BundledModule, box);
  }
  const r = requestForPath(name, paths[name] ?? null);
  if (r) {
    const x = decide(r);
    note(box, x);
    return Promise.reject(new Error(noteText([x])));
  }
  return Promise.reject(new Error(`nbshield: no module named "${name}" is defined`));
}

function requireShim(deps: unknown, callback?: unknown, errback?: unknown): unknown {
  if (typeof deps === 'string') {
    // require("name"), the synchronous form: only what is already there.
    const s = definitions.get(deps)?.settled;
    if (s?.ok) return s.value;
    const shared = deps in BUNDLED ? sharedModule(deps) : undefined;
    if (shared !== undefined) return shared;
    throw new Error(`nbshield: module "${deps}" is not loaded yet`);
  }
  const list = Array.isArray(deps) ? deps.map(String) : [];
  const box = callerBox();
  Promise.all(list.map((n) => resolveModule(n, box))).then(
    (values) => {
      if (typeof callback === 'function') {
        try {
          (callback as Fn)(...values);
        } catch (err) {
          console.warn('nbshield: an output script failed', err);
        }
      }
    },
    (err: unknown) => {
      if (typeof errback === 'function') (errback as Fn)(err);
      else console.warn('nbshield:', err);
    },
  );
  return undefined;
}

function configure(c: unknown): void {
  const p = (c as { paths?: unknown } | null)?.paths;
  if (typeof p !== 'object' || p === null) return;
  for (const [k, v] of Object.entries(p as Loose)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') paths[k] = first;
  }
}

function defineShim(...args: unknown[]): void {
  const name = typeof args[0] === 'string' ? (args.shift() as string) : null;
  let deps = Array.isArray(args[0]) ? (args.shift() as unknown[]).map(String) : null;
  const factory = args[0];
  if (deps === null) {
    deps =
      typeof factory === 'function' && factory.length > 0 ? ['require', 'exports', 'module'] : [];
  }
  const d: Definition = { deps, factory };
  if (name !== null) definitions.set(name, d);
  // Anonymous: nothing can ask for it by name; run it for what it does.
  else void evaluate(d).catch((err: unknown) => console.warn('nbshield: define failed', err));
}

// ---- script elements that output code adds ----

/**
 * A `<script src>` to the web added by output code is not inserted (CSP would block it anyway):
 * it gets the bundled copy when one fits, then its load event, else its error event, and the
 * output a note either way. appendChild and insertBefore are what script loaders use (Bokeh's,
 * jQuery's getScript).
 */
function gated(node: unknown): boolean {
  if (!(node instanceof HTMLScriptElement)) return false;
  const request = parseScriptUrl(node.getAttribute('src') ?? '');
  if (request === null) return false;
  const d = decide(request);
  const box = callerBox();
  note(box, d);
  const done = d.kind === 'bundled' ? loadModule(d.module, box) : Promise.reject(new Error(''));
  done.then(
    () => node.dispatchEvent(new Event('load')),
    (err: unknown) => {
      if (d.kind === 'bundled') console.warn('nbshield: a bundled library failed', err);
      node.dispatchEvent(new Event('error'));
    },
  );
  return true;
}

function installScriptGate(): void {
  const proto = Node.prototype;
  const append = proto.appendChild;
  const insert = proto.insertBefore;
  proto.appendChild = function <T extends Node>(this: Node, node: T): T {
    return gated(node) ? node : (append.call(this, node) as T);
  };
  proto.insertBefore = function <T extends Node>(this: Node, node: T, child: Node | null): T {
    return gated(node) ? node : (insert.call(this, node, child) as T);
  };
}

let installed = false;

/**
 * Puts `define` / `require` / `requirejs` on the page, as Jupyter's classic notebook has them, and
 * the script gate.
 */
export function installAmd(): void {
  if (installed) return;
  installed = true;
  installScriptGate();
  Object.assign(requireShim, {
    config: configure,
    undef: (n: string) => definitions.delete(n),
    defined: (n: string) => definitions.get(n)?.settled?.ok === true,
    specified: (n: string) => definitions.has(n) || n in BUNDLED,
  });
  Object.assign(defineShim, { amd: {} });
  if (win.define === undefined) win.define = defineShim;
  if (win.require === undefined) win.require = requireShim;
  if (win.requirejs === undefined) win.requirejs = requireShim;
}

// ---- output scripts, in order ----

let queue: Promise<void> = Promise.resolve();

/** Runs one output's script after the ones before it (a script loaded from a file may take a while). */
export function runOutputScript(box: HTMLElement, s: ScriptEntry): void {
  queue = queue
    .then(() => (s.kind === 'javascript' ? runJavascript(box, s.code) : runHtmlScripts(box)))
    .catch((err: unknown) => console.warn('nbshield: an output script failed', err))
    .finally(() => {
      currentBox = null;
    });
}

async function runJavascript(box: HTMLElement, code: string): Promise<void> {
  // Bokeh's loader and plots need BokehJS from its CDN: when the bundled one fits, it is there
  // before the script runs (a plot gives up after polling for window.Bokeh for one second).
  const needs = bokehNeeds(code);
  for (const d of needs) note(box, d);
  for (const d of needs) {
    if (d.kind !== 'bundled') continue;
    await loadModule(d.module, box).then(
      // A notebook that mixes Bokeh majors: each script finds the copy it fits.
      (bokeh) => {
        win.Bokeh = bokeh;
      },
      (err: unknown) => console.warn('nbshield: the bundled BokehJS failed', err),
    );
  }
  const el = document.createElement('script');
  const g = win as { __nbshieldElement?: HTMLElement };
  g.__nbshieldElement = box;
  currentBox = box;
  el.textContent = `(function (element) {\n${code}\n}).call(window, window.__nbshieldElement);`;
  box.append(el);
  delete g.__nbshieldElement;
}

/** Scripts inserted through innerHTML never run: re-create each one in place, in order. */
async function runHtmlScripts(box: HTMLElement): Promise<void> {
  for (const old of Array.from(box.querySelectorAll('script'))) {
    currentBox = box;
    const src = old.getAttribute('src');
    const request = src === null ? null : parseScriptUrl(src);
    if (request !== null) {
      const d = decide(request);
      note(box, d);
      old.remove();
      if (d.kind === 'bundled') {
        await loadModule(d.module, box).catch((err: unknown) =>
          console.warn('nbshield: a bundled library failed', err),
        );
      }
      continue;
    }
    const el = document.createElement('script');
    for (const a of Array.from(old.attributes)) el.setAttribute(a.name, a.value);
    el.textContent = old.textContent;
    if (src !== null) {
      // A file of the extension itself (relative URL): wait for it, as the parser would.
      const done = new Promise<void>((resolve) => {
        el.onload = () => resolve();
        el.onerror = () => resolve();
      });
      old.replaceWith(el);
      await done;
    } else {
      old.replaceWith(el);
    }
  }
}
