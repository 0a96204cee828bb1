// fast-check generators for differential tests: JSON number tokens of every shape, unicode
// strings (astral included), and notebook-shaped documents (nbformat 3 and 4), serialised
// with varied whitespace while keeping each number token verbatim.
import fc from 'fast-check';

/** No lone surrogates (String.prototype.isWellFormed is ES2024, beyond the project's lib). */
export function isWellFormed(s: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

/** A number token kept verbatim in the serialised text. */
export class Tok {
  constructor(readonly raw: string) {}
}
export type GenValue = null | boolean | string | Tok | GenValue[] | { [k: string]: GenValue };

const digitStr = (min: number, max: number) =>
  fc
    .array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max })
    .map((a) => a.join(''));
const nzInt = fc.tuple(fc.constantFrom(...'123456789'), digitStr(0, 25)).map(([a, b]) => a + b);
const intPart = fc.oneof(fc.constant('0'), nzInt);

export const numberToken: fc.Arbitrary<string> = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => {
    const s = String(x);
    return /^-?\d+$/.test(s) ? `${s}.0` : s; // keep it a float token
  }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => x.toExponential()),
  fc
    .double({ noNaN: true, noDefaultInfinity: true, min: -1e21, max: 1e21 })
    .chain((x) => fc.integer({ min: 1, max: 20 }).map((k) => x.toFixed(k))),
  // handwritten shapes: signs, exponents with +/-/none, upper-case E, overflow/underflow
  fc
    .tuple(
      fc.boolean(),
      intPart,
      fc.option(digitStr(1, 30), { nil: undefined }),
      fc.option(
        fc.tuple(
          fc.constantFrom('e', 'E'),
          fc.constantFrom('', '+', '-'),
          fc.integer({ min: 0, max: 400 }),
        ),
        { nil: undefined },
      ),
    )
    .map(
      ([neg, i, f, e]) =>
        `${neg ? '-' : ''}${i}${f !== undefined ? `.${f}` : ''}${e ? `${e[0]}${e[1]}${e[2]}` : ''}`,
    ),
  fc.constantFrom(
    '0',
    '-0',
    '0.0',
    '-0.0',
    '0e0',
    '-0E-0',
    '1e999',
    '-1e999',
    '1e-999',
    '1e16',
    '1e15',
    '1e-5',
    '0.0001',
    '0.00001',
    '100000.0',
    '1.7976931348623157e308',
    '5e-324',
    '2.2250738585072014e-308',
    '9007199254740993',
    '9007199254740993.0',
    '123456789012345678901234567890',
    '1.5',
    '-2.5e-7',
    '0.1',
    '0.30000000000000004',
    '1e22',
    '1e21',
    '123e-20',
    '4.35',
    '1000000000000000.0',
    '9999999999999998.0',
    '9999999999999999.0',
  ),
);

export const text: fc.Arbitrary<string> = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.constantFrom(
      '',
      'a',
      'True',
      'None',
      '\n',
      'x\r\n',
      '😀',
      '\u{1F600}b',
      '\uffff',
      '\ue000',
      'é',
      '\u2028',
      '"\\/',
      '\u0000\u001f',
    ),
  )
  .filter(isWellFormed);

export const key: fc.Arbitrary<string> = fc.oneof(
  text,
  fc.constantFrom(
    'a',
    'b',
    'ab',
    'trusted',
    'signature',
    '\u{1F600}',
    '\uffff',
    '\ue000',
    '\u{10000}',
    '𝔘',
    '0',
    '1',
    '10',
    '__proto__',
    'constructor',
  ),
);

export const jsonValue: fc.Arbitrary<GenValue> = fc.letrec<{ v: GenValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    text,
    numberToken.map((t) => new Tok(t)),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(key, tie('v'), { maxKeys: 4 }),
  ),
})).v;

const lines = fc.array(
  fc.tuple(text, fc.boolean()).map(([s, nl]) => (nl ? `${s}\n` : s)),
  { maxLength: 4 },
);
const multiline = fc.oneof(text, lines, fc.array(text, { maxLength: 3 }));
const meta = fc.dictionary(key, jsonValue, { maxKeys: 4 });

const withSome = (
  base: fc.Arbitrary<Record<string, GenValue>>,
  extra: fc.Arbitrary<Record<string, GenValue>>,
) => fc.tuple(base, extra).map(([b, e]) => ({ ...e, ...b }));

const mimeBundle = fc.dictionary(
  fc.constantFrom(
    'text/plain',
    'text/html',
    'image/png',
    'application/json',
    'application/vnd.x+json',
    'image/svg+xml',
    'text/markdown',
  ),
  fc.oneof(multiline, jsonValue),
  { maxKeys: 3 },
);

const outputV4 = fc.oneof(
  fc.record({
    output_type: fc.constant('stream'),
    name: fc.constantFrom('stdout', 'stderr'),
    text: multiline,
  }),
  fc.record({
    output_type: fc.constantFrom('display_data', 'execute_result'),
    data: mimeBundle,
    metadata: meta,
  }),
  fc.record({
    output_type: fc.constant('error'),
    ename: text,
    evalue: text,
    traceback: fc.array(text, { maxLength: 3 }),
  }),
  fc.record({ output_type: fc.oneof(text, fc.constant(null)), text: multiline }),
);

const cellV4 = withSome(
  fc.record({
    cell_type: fc.constantFrom('code', 'markdown', 'raw'),
    source: multiline,
    metadata: withSome(meta, fc.record({ trusted: fc.boolean() }, { requiredKeys: [] })),
  }),
  fc.record(
    {
      outputs: fc.array(outputV4, { maxLength: 3 }),
      execution_count: fc.oneof(
        fc.constant(null),
        fc.nat(100).map((n) => new Tok(String(n))),
      ),
      attachments: fc.dictionary(fc.constantFrom('a.png', 'b.gif', '😀.png'), mimeBundle, {
        maxKeys: 2,
      }),
      id: fc.string({ minLength: 1, maxLength: 6 }),
      trusted: fc.boolean(),
    },
    { requiredKeys: [] },
  ),
);

export const notebookV4: fc.Arbitrary<GenValue> = fc
  .tuple(
    fc.array(cellV4, { maxLength: 5 }),
    withSome(
      meta,
      fc.record(
        {
          signature: fc.constantFrom('sha256:00', 'x'),
          orig_nbformat: fc.constant(new Tok('3')),
          orig_nbformat_minor: fc.constant(new Tok('0')),
          trusted: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
    ),
    fc.constantFrom('0', '1', '2', '4', '5'),
    meta,
  )
  .map(([cells, metadata, minor, extra]) => {
    // unique ids for 4.5 most of the time, so many cases are digestible
    const seen = new Set<string>();
    for (const [i, c] of cells.entries()) {
      if (minor === '5' && (c.id === undefined || seen.has(c.id as string)) && i % 4 !== 3)
        c.id = `cell-${i}`;
      if (typeof c.id === 'string') seen.add(c.id);
    }
    return { ...extra, nbformat: new Tok('4'), nbformat_minor: new Tok(minor), metadata, cells };
  });

const outputV3 = fc.record(
  {
    output_type: fc.constantFrom('stream', 'pyout', 'display_data', 'pyerr'),
    text: multiline,
    html: multiline,
    png: text,
    json: multiline,
    latex: multiline,
    prompt_number: fc.nat(9).map((n) => new Tok(String(n))),
  },
  { requiredKeys: ['output_type'] },
);

const cellV3 = fc.oneof(
  withSome(
    fc.record({
      cell_type: fc.constant('code'),
      input: multiline,
      outputs: fc.array(outputV3, { maxLength: 3 }),
    }),
    fc.record(
      {
        language: fc.constant('python'),
        metadata: meta,
        trusted: fc.boolean(),
        collapsed: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
  ),
  withSome(
    fc.record({ cell_type: fc.constantFrom('markdown', 'heading', 'raw'), source: multiline }),
    fc.record(
      { rendered: multiline, level: fc.nat(6).map((n) => new Tok(String(n))), metadata: meta },
      { requiredKeys: [] },
    ),
  ),
);

export const notebookV3: fc.Arbitrary<GenValue> = fc
  .tuple(
    fc.array(
      fc.record(
        { cells: fc.array(cellV3, { maxLength: 4 }), metadata: meta },
        { requiredKeys: ['cells'] },
      ),
      { maxLength: 2 },
    ),
    withSome(
      meta,
      fc.record(
        {
          name: text,
          signature: fc.constantFrom('sha256:00', 'x'),
          orig_nbformat: fc.constant(new Tok('2')),
        },
        { requiredKeys: [] },
      ),
    ),
  )
  .map(([worksheets, metadata]) => ({
    nbformat: new Tok('3'),
    nbformat_minor: new Tok('0'),
    metadata,
    worksheets,
  }));

/** Serialise with varied (seeded) whitespace; number tokens verbatim. */
export function serialize(v: GenValue, seed = 0): string {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const ws = () =>
    rnd() < 0.7 ? '' : ([' ', '\n', '\t', '\r\n ', '  '][Math.floor(rnd() * 5)] as string);
  const out: string[] = [];
  const go = (x: GenValue): void => {
    if (x instanceof Tok) out.push(x.raw);
    else if (Array.isArray(x)) {
      out.push('[', ws());
      x.forEach((y, i) => {
        if (i) out.push(',', ws());
        go(y);
      });
      out.push(ws(), ']');
    } else if (x !== null && typeof x === 'object') {
      out.push('{', ws());
      Object.keys(x).forEach((k, i) => {
        if (i) out.push(',', ws());
        out.push(rnd() < 0.2 ? asciiEscape(k) : JSON.stringify(k), ws(), ':', ws());
        go(x[k] as GenValue);
      });
      out.push(ws(), '}');
    } else if (typeof x === 'string') out.push(rnd() < 0.2 ? asciiEscape(x) : JSON.stringify(x));
    else out.push(JSON.stringify(x));
  };
  go(v);
  return out.join('');
}

/** JSON string with every non-ASCII unit escaped (\ud83d\ude00), as Python's default dumps does. */
export function asciiEscape(str: string): string {
  return JSON.stringify(str).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
