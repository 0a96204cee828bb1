// Loading KaTeX's bundle and stylesheet into the renderer page; shared by the boot script (the
// viewer's early hint) and ./engines.ts (on demand), which takes over a load the boot started.

/** The window's own property holding the boot script's load (a Promise<boolean>). */
export const KATEX_PRELOAD = '__nbshieldKatexPreload';

function loadElement(el: HTMLScriptElement | HTMLLinkElement): Promise<boolean> {
  return new Promise((resolve) => {
    el.addEventListener('load', () => resolve(true), { once: true });
    el.addEventListener('error', () => resolve(false), { once: true });
    document.head.append(el);
  });
}

/** renderer-katex.js and katex/katex.min.css; true when the script loaded. */
export async function loadKatexElements(): Promise<boolean> {
  const script = document.createElement('script');
  script.src = 'renderer-katex.js';
  const css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = 'katex/katex.min.css';
  const [ok] = await Promise.all([loadElement(script), loadElement(css)]);
  return ok;
}

/** The load the boot script started, if it did. */
export function preloadedKatex(): Promise<boolean> | null {
  const v: unknown = Object.getOwnPropertyDescriptor(window, KATEX_PRELOAD)?.value;
  return v instanceof Promise ? (v as Promise<boolean>) : null;
}
