// ipywidgets 7's slider uses jQuery UI, whose modules are AMD-or-global (no CommonJS branch):
// they need `jQuery` on window when they run. Imported first by widgets.entry.ts.
import jquery from 'jquery';

const w = window as Window & { jQuery?: unknown; $?: unknown };
w.jQuery = jquery;
w.$ = w.$ ?? jquery;
