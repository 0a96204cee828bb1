import { describe, expect, it } from 'vitest';
import { parseNotebook } from './parse';

describe('parseNotebook', () => {
  it('parses a notebook', () => {
    const r = parseNotebook(
      '{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"raw","source":"x","metadata":{}}]}',
    );
    expect(r.ok && r.value.cells[0]?.source).toBe('x');
  });
  it('reports JSON errors with line and column', () => {
    const r = parseNotebook('{\n  "nbformat": 4,\n  "cells": [,]\n}');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('not-json');
    expect(r.error.line).toBe(3);
  });
  it('rejects duplicate keys and NaN (from json.ts)', () => {
    const dup = parseNotebook('{"nbformat":4,"nbformat":4,"cells":[]}');
    expect(!dup.ok && dup.error.code).toBe('duplicate-key');
    const nan = parseNotebook('{"nbformat":4,"nbformat_minor":0,"cells":[],"metadata":{"x":NaN}}');
    expect(!nan.ok && nan.error.code).toBe('non-finite-number');
  });
  it('rejects a 20,000-deep document without a stack overflow', () => {
    const deep = '['.repeat(20000) + ']'.repeat(20000);
    const r = parseNotebook(deep);
    expect(!r.ok && r.error.code).toBe('too-deep');
  });
  it('passes structure errors through', () => {
    const r = parseNotebook('{"nbformat":5,"nbformat_minor":0,"cells":[]}');
    expect(!r.ok && r.error.code).toBe('unsupported-version');
  });
});
