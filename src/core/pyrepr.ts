// Python's str() of what json.loads makes of a JSON number token, for the Jupyter digest.
// Ints are exact at any size (CPython refuses more than 4,300 digits: sys.int_info
// .str_digits_check_threshold / int_max_str_digits); floats follow float.__repr__.

/** CPython's default int_max_str_digits: json.loads rejects longer int tokens. */
export const PY_INT_MAX_STR_DIGITS = 4300;

/** True when Python's json.loads reads the token as an int (no fraction, no exponent). */
export function isIntToken(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c === 0x2e || c === 0x65 || c === 0x45) return false;
  }
  return true;
}

/**
 * str(json.loads(token)) for a valid JSON number token, or undefined when Python cannot read
 * it (an int with more than 4,300 digits).
 */
export function pyNumberStr(token: string): string | undefined {
  if (isIntToken(token)) {
    const digits = token.charCodeAt(0) === 0x2d ? token.length - 1 : token.length;
    if (digits > PY_INT_MAX_STR_DIGITS) return undefined;
    // JSON forbids leading zeros, so the token is already Python's form, except -0.
    return token === '-0' ? '0' : token;
  }
  return pyFloatRepr(Number(token));
}

/** Python's repr(float): shortest round-trip digits, exponent form when exp < -4 or >= 16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // toExponential() without an argument gives the shortest digits that round-trip, like
  // Python's repr (both: David Gay's mode 0 / the ECMAScript Number::toString rule).
  const e = x.toExponential();
  const ePos = e.indexOf('e');
  let mant = e.slice(0, ePos);
  const exp = Number(e.slice(ePos + 1));
  let sign = '';
  if (mant.charCodeAt(0) === 0x2d) {
    sign = '-';
    mant = mant.slice(1);
  }
  const digits = mant.length > 1 ? mant[0] + mant.slice(2) : mant;
  const decpt = exp + 1;
  if (decpt <= -4 || decpt > 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ae = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}
