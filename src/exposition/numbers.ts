// Number grammar of the two exposition formats, checked by hand so that JavaScript's Number()
// leniencies ("", " 1 ", "0x10", "1_0", "Infinity" spelled JS-style only) never leak through.
// Both formats accept what Go's strconv.ParseFloat accepts minus hex floats and underscores:
// [sign] (digits [. [digits]] | . digits) [(e|E) [sign] digits], or [sign] inf / infinity, or nan
// (case-insensitive; no sign on nan). Upstream rejects finite literals that overflow (Go's ErrRange).

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
  1e19, 1e20, 1e21, 1e22];

/** Parses s[start, end) as a float; returns undefined when it is not one. */
export function parseFloatToken(s: string, start: number, end: number): number | undefined {
  // Fast path: [-]digits[.digits] with at most 15 significant digits is exact as m / 10^k
  // (both operands exact doubles, one correctly rounded division).
  let i = start;
  let neg = false;
  let c = s.charCodeAt(i);
  if (c === 45 /* - */) { neg = true; c = s.charCodeAt(++i); }
  let m = 0;
  let digits = 0;
  let frac = 0;
  while (c >= 48 && c <= 57) { m = m * 10 + (c - 48); digits++; c = s.charCodeAt(++i); }
  if (c === 46 /* . */ && digits > 0) {
    c = s.charCodeAt(++i);
    while (c >= 48 && c <= 57) { m = m * 10 + (c - 48); digits++; frac++; c = s.charCodeAt(++i); }
  }
  if (i === end && digits > 0 && digits <= 15) {
    const v = frac === 0 ? m : m / POW10[frac]!;
    return neg ? -v : v;
  }
  return slowFloat(s, start, end);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function slowFloat(s: string, start: number, end: number): number | undefined {
  if (start >= end) return undefined;
  let i = start;
  let c = s.charCodeAt(i);
  let signed = false;
  if (c === 43 || c === 45) { i++; signed = true; }
  const rest = s.slice(i, end).toLowerCase();
  if (rest === 'inf' || rest === 'infinity') return c === 45 ? -Infinity : Infinity;
  if (rest === 'nan') return signed ? undefined : NaN;
  let mant = 0;
  while (i < end && isDigit(s.charCodeAt(i))) { i++; mant++; }
  if (i < end && s.charCodeAt(i) === 46) {
    i++;
    while (i < end && isDigit(s.charCodeAt(i))) { i++; mant++; }
  }
  if (mant === 0) return undefined;
  if (i < end && (s.charCodeAt(i) | 0x20) === 101 /* e */) {
    i++;
    if (i < end && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) i++;
    let exp = 0;
    while (i < end && isDigit(s.charCodeAt(i))) { i++; exp++; }
    if (exp === 0) return undefined;
  }
  if (i !== end) return undefined;
  const v = Number(s.slice(start, end));
  // Go reports a range error for finite literals beyond float64; upstream then rejects the line.
  return Number.isFinite(v) ? v : undefined;
}

/** Text 0.0.4 timestamp: a base-10 int64 (Go strconv.ParseInt), in milliseconds. */
export function parseIntToken(s: string, start: number, end: number): number | undefined {
  let i = start;
  const c = s.charCodeAt(i);
  if (c === 43 || c === 45) i++;
  if (i >= end) return undefined;
  for (let j = i; j < end; j++) if (!isDigit(s.charCodeAt(j))) return undefined;
  const text = s.slice(start, end);
  // int64 range: beyond [-2^63, 2^63-1] Go fails with ErrRange. Compared exactly (as BigInt) once the
  // number has 19 digits: through a double, 2^63-512 … 2^63-1 round up to 2^63 (wrongly refused) and
  // -2^63-1 … -2^63-1024 round to -2^63 (wrongly accepted).
  if (end - i >= 19) {
    const big = BigInt(text);
    if (big > INT64_MAX || big < INT64_MIN) return undefined;
  }
  return Number(text);
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
