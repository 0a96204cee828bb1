import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
// eslint-disable-next-line no-restricted-imports -- test-only: the nbformat reference and generators
import { runPython } from '../../test/node/reference/nbdigest';
// eslint-disable-next-line no-restricted-imports -- test-only: the nbformat reference and generators
import { numberToken } from '../../test/node/reference/gen';
import { pyFloatRepr, pyNumberStr } from './pyrepr';

describe("pyNumberStr equals Python's str(json.loads(token))", () => {
  test('documented shapes', () => {
    const cases: [string, string][] = [
      ['1', '1'],
      ['-0', '0'],
      ['1.0', '1.0'],
      ['1e-7', '1e-07'],
      ['1e16', '1e+16'],
      ['1E16', '1e+16'],
      ['100000.0', '100000.0'],
      ['-0.0', '-0.0'],
      ['1.7976931348623157e308', '1.7976931348623157e+308'],
      ['1e999', 'inf'],
      ['-1e999', '-inf'],
      ['0.0001', '0.0001'],
      ['0.00001', '1e-05'],
      ['1e15', '1000000000000000.0'],
      ['5e-324', '5e-324'],
      ['123456789012345678901234567890', '123456789012345678901234567890'],
    ];
    for (const [tok, want] of cases) expect(pyNumberStr(tok), tok).toBe(want);
    expect(pyNumberStr('1'.repeat(4300))).toBe('1'.repeat(4300));
    expect(pyNumberStr('-' + '1'.repeat(4301))).toBeUndefined();
    expect(pyFloatRepr(NaN)).toBe('nan');
  });

  test('20,000 generated tokens against CPython', () => {
    const tokens = fc.sample(numberToken, { numRuns: 20000, seed: 7 });
    const [res] = runPython([{ pystr: tokens }]);
    let floats = 0;
    for (const [i, t] of tokens.entries()) {
      const py = res!.results![i]!;
      expect(pyNumberStr(t), t).toBe(py.ok ? py.str : undefined);
      if (/[.eE]/.test(t)) floats++;
    }
    expect(floats).toBeGreaterThan(10000);
  });

  test('random doubles from bit patterns against CPython repr', () => {
    const doubles = fc.sample(fc.double({ noNaN: true }), { numRuns: 20000, seed: 11 });
    const tokens = doubles.map((x) =>
      Object.is(x, -0)
        ? '-0.0'
        : Number.isFinite(x)
          ? x.toExponential()
          : x > 0
            ? '1e999'
            : '-1e999',
    );
    const [res] = runPython([{ pystr: tokens }]);
    for (const [i, x] of doubles.entries())
      expect(pyFloatRepr(x), tokens[i]).toBe(res!.results![i]!.str);
  });
});
