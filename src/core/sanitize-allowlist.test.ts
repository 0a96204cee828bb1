// While any uponSanitizeAttribute (or uponSanitizeElement) hook is set, DOMPurify 3.5 copies its
// whole attribute (or tag) allow-list on every sanitize() call, for the hook to widen: a few
// hundred keys, ~25 KB, which the renderer's heap profile showed at 0.7-2.3 MB per notebook. The
// sanitizer's hooks are on other events; this file checks that no call copies either list.
//
// Its own file: DOMPurify takes its reference to Object.keys when it loads and uses it only to
// copy an allow-list (cloneSet), so the count below must wrap Object.keys before anything imports
// DOMPurify (vi.hoisted runs above the imports), for this file's worker alone.
import { JSDOM } from 'jsdom';
import createDOMPurify from 'dompurify';
import { afterAll, expect, it, vi } from 'vitest';
import { createSanitizer } from './sanitize';

const copies = vi.hoisted(() => {
  const counts = { attr: 0, tag: 0, restore: () => {} };
  const keys = Object.keys;
  // An own data property set to true, read without running any getter of `o`.
  const isTrue = (o: object, k: string) => Object.getOwnPropertyDescriptor(o, k)?.value === true;
  Object.keys = function (o: object): string[] {
    if (typeof o === 'object' && o !== null) {
      if (isTrue(o, 'href') && isTrue(o, 'srcset')) counts.attr++;
      else if (isTrue(o, 'div') && isTrue(o, 'span')) counts.tag++;
    }
    return keys(o);
  } as typeof Object.keys;
  counts.restore = () => {
    Object.keys = keys;
  };
  return counts;
});
afterAll(() => copies.restore());

const win = new JSDOM('<!doctype html><body></body>').window as unknown as Window;
const dirty =
  '<p id="x" title="t" onclick="y">p <a href="#x" target="_top">a</a></p>' +
  '<img src="https://e.test/i.png" alt="i"><div style="color: red" data-x="1">d</div>';

it('copies neither allow-list per call (no uponSanitizeAttribute or uponSanitizeElement hook)', () => {
  const s = createSanitizer(win, { allowRemoteImages: false, idPrefix: 'nb-' });
  copies.attr = copies.tag = 0;
  const outs = new Set<string>();
  for (let i = 0; i < 50; i++) {
    outs.add(s.html(dirty).replace(/nb-s\w+-\d+/, 'SCOPE'));
    outs.add(s.markdownHtml(dirty).replace(/nb-s\w+-\d+/, 'SCOPE'));
  }
  expect({ attr: copies.attr, tag: copies.tag }).toEqual({ attr: 0, tag: 0 });
  // ... and the attribute rules still ran on every call.
  expect(outs.size).toBe(1);
  const out = [...outs][0]!;
  expect(out).toContain('id="nb-x"');
  expect(out).toContain('href="#nb-x"');
  expect(out).not.toMatch(/onclick|target=|\ssrc=/);
  expect(out).toContain('style="color: red"');
  expect(out).toContain('[remote image blocked: i]');

  // Positive control: the count does see DOMPurify's copy, once per call, while a hook is set.
  const p = createDOMPurify(win as unknown as Parameters<typeof createDOMPurify>[0]);
  p.setConfig({});
  p.addHook('uponSanitizeAttribute', () => {});
  copies.attr = copies.tag = 0;
  for (let i = 0; i < 50; i++) p.sanitize(dirty);
  expect({ attr: copies.attr, tag: copies.tag }).toEqual({ attr: 50, tag: 0 });
  p.removeAllHooks();
  p.addHook('uponSanitizeElement', () => {});
  copies.attr = copies.tag = 0;
  for (let i = 0; i < 50; i++) p.sanitize(dirty);
  expect({ attr: copies.attr, tag: copies.tag }).toEqual({ attr: 0, tag: 50 });
});
