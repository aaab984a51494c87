// Strict parser for the Prometheus text exposition format 0.0.4 and OpenMetrics 1.0 text.
//
// Verdicts follow each format's own upstream parser: text 0.0.4 follows prometheus/common expfmt's
// TextParser (the one promtool and client libraries use), OpenMetrics follows the OpenMetrics
// conformance suite (test/fixtures/conformance/README.md lists the cases and their sources).
//
// Speed: one pass over the decoded string with charCodeAt; metric names, label names and label values
// that repeat the previous sample's are reused instead of sliced again (most series of a scrape
// share them), and plain decimals are converted without Number(). Whole label blocks repeat too:
// the same `{...}` text follows many metric names (a GPU's labels on each DCGM field, a vLLM engine's
// labels on each histogram), so parsed blocks are cached by their exact text (the row cache) and
// their frozen labels object is shared by all samples with that text.
//
// Memory: the parser holds the whole input and its result. Callers bound the input's bytes before
// parsing (the HTTP layer caps the body); `maxSeries` bounds the number of samples kept,
// `maxLabelsPerSeries` and `maxLabelLength` the size of one label set (checked as it is read, so a
// hostile series is refused before it is built) and `rowCache` the number of label blocks remembered.
//
// Time: linear in the input. Per-label work is constant; label sets wider than MAX_COMPILED_LABELS
// take a one-pass path (wideLabels) checked with a hash set rather than pairwise.
import { gunzipSync } from 'node:zlib';
import { ParseError } from './types.ts';
import type { ExpositionFormat, FamilyType, MetricFamily, ParseLimit, ParseOptions, Sample } from './types.ts';
import { parseFloatToken, parseIntToken } from './numbers.ts';
import { nextTurn } from './turns.ts';

export { ParseError };

/** The exposition format named by a scrape's Content-Type header (text 0.0.4 unless it says OpenMetrics). */
export function formatFromContentType(contentType: string | undefined): ExpositionFormat {
  if (contentType === undefined) return 'text';
  const media = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return media === 'application/openmetrics-text' ? 'openmetrics' : 'text';
}

/** A scrape body as text: gunzipped when Content-Encoding says gzip, and rejected unless valid UTF-8. */
export function decodeBody(buf: Uint8Array, contentEncoding?: string): string {
  let bytes = buf;
  const enc = contentEncoding?.trim().toLowerCase();
  if (enc === 'gzip' || enc === 'x-gzip') {
    try {
      bytes = gunzipSync(buf);
    } catch (err) {
      throw new ParseError(1, 1, `invalid gzip body: ${(err as Error).message}`);
    }
  } else if (enc !== undefined && enc !== '' && enc !== 'identity') {
    throw new ParseError(1, 1, `unsupported Content-Encoding '${contentEncoding}'`);
  }
  return decodeUtf8(bytes);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at; i++) if (bytes[i] === 10) { line++; lineStart = i + 1; }
    // Column in characters: decode the valid prefix of the line.
    const column = utf8.decode(bytes.subarray(lineStart, at)).length + 1;
    throw new ParseError(line, column, 'invalid UTF-8');
  }
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n: number;
    let min: number;
    if (c < 0x80) { i++; continue; } else if (c >= 0xc2 && c <= 0xdf) { n = 1; min = 0x80; } else if (c >= 0xe0 && c <= 0xef) { n = 2; min = 0x800; } else if (c >= 0xf0 && c <= 0xf4) { n = 3; min = 0x10000; } else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return b.length;
}

// ---------------------------------------------------------------------------------------------

const NL = 10, SP = 32, TAB = 9, HASH = 35, LBRACE = 123, RBRACE = 125, QUOTE = 34, BSLASH = 92, EQ = 61, COMMA = 44;


function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
}
function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 58;
}
function isLabelStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isLabelChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

const TEXT_TYPES: Record<string, FamilyType> = {
  counter: 'counter', gauge: 'gauge', histogram: 'histogram', summary: 'summary', untyped: 'untyped',
};
const OM_TYPES: Record<string, FamilyType> = {
  counter: 'counter', gauge: 'gauge', histogram: 'histogram', gaugehistogram: 'gaugehistogram',
  summary: 'summary', info: 'info', stateset: 'stateset', unknown: 'unknown',
};
/** OpenMetrics: the sample-name suffixes each family type allows. */
const OM_SUFFIXES: Record<string, readonly string[]> = {
  counter: ['_total', '_created'],
  gauge: [''],
  unknown: [''],
  info: ['_info'],
  stateset: [''],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  gaugehistogram: ['_bucket', '_gcount', '_gsum'],
  summary: ['', '_count', '_sum', '_created'],
};

/**
 * One parsed label block, shared by every sample whose block has the same text. Everything here is
 * a function of that text alone, which is what makes the cache invisible to verdicts.
 */
interface Row {
  labels: Readonly<Record<string, string>>;
  n: number;
  /** labels.le and labels.quantile, and the same as floats (undefined when absent or not a float). */
  leText: string | undefined;
  le: number | undefined;
  quantileText: string | undefined;
  quantile: number | undefined;
  /** OpenMetrics grouping key (labels without le and quantile); '' in text format. */
  group: string;
  /** The block's text from `{` to its `}` ('' when it is not cached). */
  key: string;
  /** The cached row that followed this one last time (see labelBlock). */
  next: Row | undefined;
}

const EMPTY_LABELS: Readonly<Record<string, string>> = Object.freeze({});
const NO_LABELS: Row = {
  labels: EMPTY_LABELS, n: 0, leText: undefined, le: undefined, quantileText: undefined, quantile: undefined,
  group: '', key: '', next: undefined,
};

/** Default bound of the row cache: about 160 bytes an entry (row, key, map slot; measured) beyond the
 * labels the result keeps anyway, so about 10 MB when full. */
const ROW_CACHE = 65536;

/** Per-family parser state beside the output family. */
interface Fam {
  out: MetricFamily;
  /** Text: TYPE given or implied by a sample. OM: TYPE line seen. */
  typed: boolean;
  helped: boolean;
  united: boolean;
  hasSamples: boolean;
  // OpenMetrics grouping state:
  groups: Set<string> | undefined;
  group: string | undefined;
  groupState: HistState | undefined;
}

/** OpenMetrics: what one histogram/summary metric (one label set) has shown so far. */
interface HistState {
  lastLe: number;
  lastBucket: number;
  infBucket: number | undefined;
  count: number | undefined;
  sum: number | undefined;
  hasBuckets: boolean;
  lastSuffix: string;
  hasNegativeLe: boolean;
  /** Whether the samples carry timestamps (all or none), and the latest one. */
  hasTs: boolean | undefined;
  lastTs: number;
}

class Parser {
  readonly s: string;
  readonly len: number;
  readonly om: boolean;
  readonly maxSeries: number;
  readonly maxLabels: number;
  readonly maxLabelLength: number;
  pos = 0;
  series = 0;
  readonly families: MetricFamily[] = [];
  readonly byName = new Map<string, Fam>();
  // Reuse caches (see header comment).
  lastName = '';
  lastFam: Fam | undefined;
  lastSuffix = '';
  lastLabelNames: string[] = [];
  /** The previous sample's label values, by position. */
  lastLabelValues: string[] = [];
  /** `name="` for each of lastLabelNames. */
  lastLabelProbes: string[] = [];
  /** The next backslash at or after the current label value (-1: none left in the input). */
  nextBackslash = 0;
  /** Where the current line's newline is (the input's length when it has none); -1: not looked for yet. */
  lineEnd = -1;
  // Scratch for the current sample's labels (names, values, where each name starts).
  readonly names: string[] = [];
  readonly vals: string[] = [];
  readonly nameAt: number[] = [];
  nLabels = 0;
  shape: Shape | undefined;
  readonly shapes = new Map<string, Shape>();
  /** The row cache: label-block text (from `{` to the first `}`) to its parsed row. */
  readonly rows = new Map<string, Row>();
  readonly maxRows: number;
  /** The last cached row used, whose `next` predicts the coming block. */
  prevRow: Row | undefined;
  // OpenMetrics: the family samples go to now.
  cur: Fam | undefined;
  readonly sampleNames = new Set<string>();

  /** ParseOptions.keepSample, its verdict per sample name, and the current sample's. */
  readonly keepSample: ((name: string) => boolean) | undefined;
  readonly kept = new Map<string, boolean>();
  keeping = true;
  readonly stats: { series: number } | undefined;

  keeps(name: string): boolean {
    const keep = this.keepSample;
    if (keep === undefined) return true;
    let k = this.kept.get(name);
    if (k === undefined) this.kept.set(name, (k = keep(name)));
    return k;
  }

  constructor(s: string, opts: ParseOptions) {
    this.keepSample = opts.keepSample;
    this.stats = opts.stats;
    this.s = s;
    this.len = s.length;
    this.om = opts.format === 'openmetrics';
    this.maxSeries = opts.maxSeries ?? Infinity;
    this.maxLabels = opts.maxLabelsPerSeries ?? Infinity;
    this.maxLabelLength = opts.maxLabelLength ?? Infinity;
    this.maxRows = opts.rowCache ?? ROW_CACHE;
  }

  fail(reason: string, at = this.pos, limit?: ParseLimit): never {
    const s = this.s;
    let line = 1;
    let lineStart = 0;
    for (let i = s.indexOf('\n'); i !== -1 && i < at; i = s.indexOf('\n', i + 1)) { line++; lineStart = i + 1; }
    throw new ParseError(line, Math.max(1, Math.min(at, this.len) - lineStart + 1), reason, limit);
  }

  // ------------------------------------------------------------------ text 0.0.4

  /** Parses lines until the input ends (true) or, checked every 256 lines, `until` (performance.now()) passes (false). */
  parseText(until = Infinity): boolean {
    const s = this.s;
    const len = this.len;
    let lines = 0;
    while (this.pos < len) {
      if ((++lines & 255) === 0 && performance.now() > until) return false;
      let c = s.charCodeAt(this.pos);
      while (c === SP || c === TAB) c = s.charCodeAt(++this.pos);
      if (this.pos >= len) return true; // trailing blanks without a newline are tolerated upstream
      if (c === NL) { this.pos++; continue; }
      if (c === HASH) this.textComment();
      else {
        this.lineEnd = -1;
        this.sample();
      }
    }
    return true;
  }

  skipBlanks(): number {
    const s = this.s;
    let c = s.charCodeAt(this.pos);
    while (c === SP || c === TAB) c = s.charCodeAt(++this.pos);
    return c;
  }

  /** Consumes the newline that must end a line. */
  endOfLine(): void {
    if (this.pos >= this.len) {
      this.fail('unexpected end of input: the last line has no newline (text format 0.0.4 ends every line, the last too, with \\n, as prometheus/common expfmt requires; Prometheus\'s scrape and `tokenwatt inspect` tolerate its absence)');
    }
    if (this.s.charCodeAt(this.pos) !== NL) this.fail(`unexpected character ${JSON.stringify(this.s[this.pos])}`);
    this.pos++;
  }

  textComment(): void {
    const s = this.s;
    this.pos++;
    let c = this.skipBlanks();
    if (c === NL) { this.pos++; return; }
    const kwStart = this.pos;
    while (this.pos < this.len && c !== SP && c !== TAB && c !== NL) c = s.charCodeAt(++this.pos);
    if (c === NL) { this.pos++; return; }
    const kw = s.slice(kwStart, this.pos);
    if (kw !== 'HELP' && kw !== 'TYPE') {
      const nl = s.indexOf('\n', this.pos);
      if (nl === -1) { this.pos = this.len; this.endOfLine(); }
      this.pos = nl + 1;
      return;
    }
    c = this.skipBlanks();
    const nameStart = this.pos;
    if (isNameStart(c)) { do c = s.charCodeAt(++this.pos); while (isNameChar(c)); }
    if (c === NL) { this.pos++; return; }
    if (c !== SP && c !== TAB) {
      if (this.pos >= this.len) this.endOfLine();
      this.fail(`invalid metric name in ${kw} line`);
    }
    const fam = this.textFamily(s.slice(nameStart, this.pos));
    c = this.skipBlanks();
    if (c === NL) { this.pos++; return; }
    if (kw === 'HELP') {
      if (fam.helped) this.fail(`second HELP line for metric name '${fam.out.name}'`, kwStart);
      fam.out.help = this.restOfLine(true);
      fam.helped = true;
    } else {
      if (fam.typed) this.fail(`second TYPE line for metric name '${fam.out.name}', or TYPE reported after samples`, kwStart);
      const at = this.pos;
      const word = this.restOfLine(false);
      const type = TEXT_TYPES[word.toLowerCase()];
      if (type === undefined) this.fail(`unknown metric type '${word}'`, at);
      fam.out.type = type;
      fam.typed = true;
    }
  }

  /** The rest of the line (HELP docstrings: \\ and \n escapes), consuming its newline. */
  restOfLine(escapes: boolean): string {
    const s = this.s;
    const start = this.pos;
    let nl = s.indexOf('\n', start);
    if (nl === -1) { this.pos = this.len; this.endOfLine(); }
    let text = s.slice(start, nl);
    if (escapes && text.includes('\\')) {
      let out = '';
      for (let i = 0; i < text.length; i++) {
        const ch = text[i]!;
        if (ch !== '\\') { out += ch; continue; }
        const e = text[++i];
        if (e === '\\') out += '\\';
        else if (e === 'n') out += '\n';
        else if (e === '"' && this.om) out += '"';
        else if (this.om && e !== undefined) out += `\\${e}`; // OpenMetrics keeps unknown escapes literally
        else this.fail(`invalid escape sequence '\\${e ?? ''}'`, start + i);
      }
      text = out;
    }
    this.pos = nl + 1;
    return text;
  }

  /** expfmt's family lookup: the exact name, else a summary's/histogram's _sum/_count/_bucket. */
  textFamily(name: string): Fam {
    let fam = this.byName.get(name);
    this.lastSuffix = '';
    if (fam !== undefined) return fam;
    if (name.endsWith('_sum') || name.endsWith('_count') || name.endsWith('_bucket')) {
      const bucket = name.endsWith('_bucket');
      const base = name.slice(0, name.lastIndexOf('_'));
      const f = this.byName.get(base);
      if (f !== undefined && (f.out.type === 'histogram' || (!bucket && f.out.type === 'summary'))) {
        this.lastSuffix = name.slice(base.length);
        return f;
      }
    }
    fam = newFam(name, 'untyped');
    this.byName.set(name, fam);
    this.families.push(fam.out);
    return fam;
  }

  // ------------------------------------------------------------------ one sample line (both formats)

  sample(): void {
    const s = this.s;
    const om = this.om;
    const lineStart = this.pos;
    let name = this.lastName;
    let fam: Fam;
    let suffix: string;
    let c: number;
    // Same name as the previous sample (the common case): one slice and ===, no per-char scan. The
    // character after it is checked first, which turns away most other names without the compare.
    if (this.lastFam !== undefined && !isNameChar(c = s.charCodeAt(lineStart + name.length)) && s.slice(lineStart, lineStart + name.length) === name) {
      this.pos = lineStart + name.length;
      fam = this.lastFam;
      suffix = this.lastSuffix;
      if (om && fam !== this.cur) { fam = this.omFamily(name, lineStart); suffix = this.lastSuffix; }
    } else {
      c = s.charCodeAt(this.pos);
      if (!isNameStart(c)) this.fail(om ? 'expected a metric name or a # line' : 'invalid metric name');
      do c = s.charCodeAt(++this.pos); while (isNameChar(c));
      name = s.slice(lineStart, this.pos);
      fam = om ? this.omFamily(name, lineStart) : this.textFamily(name);
      suffix = this.lastSuffix;
      this.lastName = name;
      this.lastFam = fam;
    }
    this.lastSuffix = suffix;
    if (!om && !fam.typed) { fam.typed = true; fam.out.type = 'untyped'; }
    const type = fam.out.type;

    // Labels.
    let row: Row;
    let le: number | undefined;
    let quantile: number | undefined;
    if (!om && (c === SP || c === TAB)) c = this.skipBlanks();
    if (c === LBRACE) {
      this.keeping = this.keeps(name);
      row = this.labelBlock();
      c = s.charCodeAt(this.pos);
      if (om) {
        if (c !== SP) this.fail('expected a space after the labels');
        this.pos++;
      } else c = this.skipBlanks();
      // le / quantile: floats (checked for the family types that give them meaning).
      // (Read from the row, not the labels object: label objects come in many shapes.)
      if (type === 'histogram' || type === 'gaugehistogram') {
        if (row.leText !== undefined && (!om || suffix === '_bucket')) {
          le = row.le;
          if (le === undefined) this.fail(`expected float as value for 'le' label, got "${row.leText}"`, lineStart);
        }
      } else if (type === 'summary') {
        if (row.quantileText !== undefined && (!om || suffix === '')) {
          quantile = row.quantile;
          if (quantile === undefined) this.fail(`expected float as value for 'quantile' label, got "${row.quantileText}"`, lineStart);
        }
      }
    } else {
      this.keeping = this.keeps(name);
      row = NO_LABELS;
      if (om) {
        if (c !== SP) this.fail('expected a space or labels after the metric name');
        this.pos++;
      }
    }
    const labels = row.labels;

    // Value.
    const vStart = this.pos;
    let value = plainDecimal(s, vStart);
    if (value === value) {
      // Plain decimal read in one pass; plainEnd is where it stopped (a blank or newline).
      this.pos = plainEnd;
      c = s.charCodeAt(plainEnd);
    } else {
      let p = vStart;
      c = s.charCodeAt(p);
      while (c !== SP && c !== NL && c !== TAB && p < this.len) c = s.charCodeAt(++p);
      this.pos = p;
      if (p >= this.len) this.endOfLine();
      const v = parseFloatToken(s, vStart, p);
      if (v === undefined) this.fail(`expected float as value, got "${s.slice(vStart, p)}"`, vStart);
      value = v;
    }

    // Timestamp.
    let timestampMs: number | undefined;
    if (c !== NL) {
      if (om) {
        if (c !== SP) this.fail('unexpected character after the value');
        this.pos++;
        if (s.charCodeAt(this.pos) !== HASH) timestampMs = this.omTimestamp();
      } else {
        this.skipBlanks();
        const tStart = this.pos;
        c = s.charCodeAt(this.pos);
        while (c !== SP && c !== NL && c !== TAB && this.pos < this.len) c = s.charCodeAt(++this.pos);
        if (this.pos >= this.len) this.endOfLine();
        timestampMs = parseIntToken(s, tStart, this.pos);
        if (timestampMs === undefined) this.fail(`expected integer as timestamp, got "${s.slice(tStart, this.pos)}"`, tStart);
        if (c !== NL) this.fail('spurious text after the timestamp');
      }
    }
    if (om) this.omSampleRules(fam, suffix, row, value, le, quantile, timestampMs, lineStart);
    else if (type === 'histogram' && value < 0 && (suffix === '_count' || (suffix !== '_sum' && le !== undefined))) {
      this.fail(`negative ${suffix === '_count' ? 'count' : 'bucket population'} for histogram '${fam.out.name}'`, vStart);
    }
    this.endOfLine();

    if (++this.series > this.maxSeries) this.fail(`too many series (more than ${this.maxSeries})`, lineStart, 'series');
    if (this.stats !== undefined) this.stats.series = this.series;
    if (!this.keeping) return;
    const sample: Sample = timestampMs === undefined
      ? { name, labels, value }
      : { name, labels, value, timestampMs };
    fam.out.samples.push(sample);
    fam.hasSamples = true;
  }

  /**
   * The label block at pos (a `{`), from the row cache when its exact text was parsed before, else
   * parsed; leaves pos after the `}`. The key runs to the first `}`: a block is cached only when
   * its parse ended there, and a parse reads nothing past its `}`, so equal text means an equal
   * parse. Blocks with a `}` in a value are never cached (their first `}` is not their end).
   */
  labelBlock(): Row {
    const s = this.s;
    const open = this.pos;
    // Blocks recur in the same order (each DCGM field lists the same GPUs, histograms with equal
    // buckets the same engine/le pairs), so first try the block that followed the previous one last
    // time: one comparison instead of finding the `}`, hashing and comparing. Its key has no `}`
    // before its end, so a match is exactly a cache hit.
    const prev = this.prevRow;
    const guess = prev?.next;
    if (guess !== undefined && s.charCodeAt(open + guess.key.length - 1) === RBRACE && s.slice(open, open + guess.key.length) === guess.key) {
      this.pos = open + guess.key.length;
      this.prevRow = guess;
      return guess;
    }
    const close = this.maxRows > 0 ? s.indexOf('}', open + 1) : -1;
    // A key spanning lines could never match (cached blocks hold no newline); skip the lookup.
    const key = close !== -1 && close < this.currentLineEnd(open) ? s.slice(open, close + 1) : undefined;
    if (key !== undefined) {
      const hit = this.rows.get(key);
      if (hit !== undefined) {
        this.pos = close + 1;
        if (prev !== undefined) prev.next = hit;
        this.prevRow = hit;
        return hit;
      }
    }
    this.pos = open + 1;
    const labels = this.labels(this.om);
    const n = this.nLabels;
    const v = labels.le;
    const q = labels.quantile;
    const row: Row = {
      labels: Object.freeze(labels), n,
      leText: v, le: v === undefined ? undefined : parseFloatToken(v, 0, v.length),
      quantileText: q, quantile: q === undefined ? undefined : parseFloatToken(q, 0, q.length),
      group: this.om ? groupKey(labels, n) : '',
      key: '', next: undefined,
    };
    if (key !== undefined && this.pos === close + 1 && this.keeping && n <= MAX_COMPILED_LABELS) {
      // Bounded: forget everything when full (label sets come in runs, so the cache refills fast).
      // Forgotten rows can be collected: prevRow moves to this row just below, and from then on
      // every `next` that is set points at a row inserted after the clear.
      if (this.rows.size >= this.maxRows) this.rows.clear();
      if (prev !== undefined) prev.next = row;
      row.key = key;
      this.rows.set(key, row);
      this.prevRow = row;
    }
    return row;
  }

  /**
   * Where the current line ends, given a position on it. Found on first use: lines whose label block
   * was predicted never need it, and they are most lines.
   */
  currentLineEnd(from: number): number {
    if (this.lineEnd === -1) {
      const nl = this.s.indexOf('\n', from);
      this.lineEnd = nl === -1 ? this.len : nl;
    }
    return this.lineEnd;
  }

  /** Reads `name="value",...}` after the `{`, leaving pos after the `}` and the count in nLabels. */
  labels(om: boolean): Record<string, string> {
    // Hot loop: positions live in the local p (not this.pos) and are stored back before any call.
    const s = this.s;
    const names = this.names;
    const vals = this.vals;
    const nameAt = this.nameAt;
    const lastNames = this.lastLabelNames;
    const lastProbes = this.lastLabelProbes;
    const lastVals = this.lastLabelValues;
    const lineEnd = this.currentLineEnd(this.pos);
    let n = 0;
    let p = this.pos;
    let c = s.charCodeAt(p);
    if (!om) while (c === SP || c === TAB) c = s.charCodeAt(++p);
    if (c === RBRACE) { this.pos = p + 1; this.nLabels = 0; return {}; }
    for (;;) {
      // Label name: when the previous sample had the same name at this position, one comparison
      // with `name="` checks name, '=' and quote at once (per-char JS loops are slow; a short slice
      // and === measured faster than startsWith).
      const nStart = p;
      let lname = lastNames[n];
      const probe = lastProbes[n];
      if (probe !== undefined && s.slice(p, p + probe.length) === probe) {
        p += probe.length;
      } else {
        if (!isLabelStart(c)) { this.pos = p; this.fail('invalid label name'); }
        do c = s.charCodeAt(++p); while (isLabelChar(c));
        lname = s.slice(nStart, p);
        // Remembered for the next sample at ordinary widths only (a wide block's probes are garbage).
        if (n < MAX_COMPILED_LABELS) {
          lastNames[n] = lname;
          lastProbes[n] = `${lname}="`;
        }
        if (!om) while (c === SP || c === TAB) c = s.charCodeAt(++p);
        if (c !== EQ) { this.pos = p; this.fail(`expected '=' after label name, found ${JSON.stringify(s[p] ?? 'end of input')}`); }
        c = s.charCodeAt(++p);
        if (!om) while (c === SP || c === TAB) c = s.charCodeAt(++p);
        if (c !== QUOTE) { this.pos = p; this.fail(`expected '"' at start of label value, found ${JSON.stringify(s[p] ?? 'end of input')}`); }
        p++;
      }
      names[n] = lname!;
      nameAt[n] = nStart;
      // Label value: the closing quote is found with indexOf (native, far faster than a charCodeAt
      // loop); a backslash before it (tracked lazily over the whole input) or a newline sends the
      // value down the escape-aware path, which also reports those errors.
      const vStart = p;
      const q = s.indexOf('"', vStart);
      let bs = this.nextBackslash;
      if (bs !== -1 && bs < vStart) bs = this.nextBackslash = s.indexOf('\\', vStart);
      let value: string;
      if (q !== -1 && (bs === -1 || bs > q) && q < lineEnd) {
        value = s.slice(vStart, q);
        // Keep the previous sample's equal string instead: the fresh slice dies young (cheap to
        // collect) and the result shares one string per repeated value (hostnames, UUIDs, models).
        const prev = lastVals[n];
        if (prev === value) value = prev;
        else lastVals[n] = value;
        p = q + 1;
      } else {
        value = this.escapedValue(vStart);
        p = this.pos;
      }
      vals[n] = value;
      n++;
      if (n > this.maxLabels) { this.pos = nStart; this.fail(`too many labels (more than ${this.maxLabels} in one series)`, nStart, 'labels'); }
      if (value.length > this.maxLabelLength || lname!.length > this.maxLabelLength) this.labelTooLong(lname!, nStart);
      c = s.charCodeAt(p);
      if (!om) while (c === SP || c === TAB) c = s.charCodeAt(++p);
      if (c === COMMA) {
        c = s.charCodeAt(++p);
        if (!om) while (c === SP || c === TAB) c = s.charCodeAt(++p);
        if (c === RBRACE && !om) break; // expfmt tolerates a trailing comma
        // Unusually wide: the rest of the block takes the wide path (one pass, no per-label scratch).
        if (n === MAX_COMPILED_LABELS) return this.wideLabels(p, c, om, lineEnd);
        continue;
      }
      if (c === RBRACE) break;
      this.pos = p;
      this.fail(`unexpected ${JSON.stringify(s[p] ?? 'end of input')} after label value`);
    }
    this.pos = p + 1;
    this.nLabels = n;
    return this.shapeFor(n).make(vals);
  }

  /**
   * The object factory for the current label names. Label sets repeat across a scrape, so each
   * sequence of names is checked once (no duplicates, no __name__) and gets a constructor that
   * builds the labels object as one literal: a fixed hidden class instead of a keyed store per label.
   */
  shapeFor(n: number): Shape {
    const names = this.names;
    const last = this.shape;
    if (last !== undefined && last.names.length === n) {
      let same = true;
      for (let i = 0; i < n; i++) if (last.names[i] !== names[i]) { same = false; break; }
      if (same) return last;
    }
    const key = names.slice(0, n).join(',');
    let shape = this.shapes.get(key);
    if (shape === undefined) {
      // Pairwise: at most MAX_COMPILED_LABELS² / 2 compares, once per distinct name sequence.
      for (let i = 0; i < n; i++) {
        const name = names[i]!;
        if (name === '__name__') this.fail("label name '__name__' is reserved", this.nameAt[i]);
        for (let j = 0; j < i; j++) if (names[j] === name) this.fail(`duplicate label name '${name}'`, this.nameAt[i]);
      }
      shape = makeShape(names.slice(0, n), this.shapes.size < MAX_SHAPES);
      this.shapes.set(key, shape);
    }
    this.shape = shape;
    return shape;
  }

  labelTooLong(lname: string, at: number): never {
    this.pos = at;
    this.fail(`label '${lname.slice(0, 64)}${lname.length > 64 ? '…' : ''}' is longer than ${this.maxLabelLength} characters`, at, 'label_length');
  }

  /**
   * The rest of an unusually wide label block, from the name after its MAX_COMPILED_LABELS-th label
   * (those are in names/vals/nameAt; c is the character at p). One pass: each name is hashed over its
   * char codes as it is read and looked up in an open-addressing table (Int32Arrays sized once for the
   * most labels the line can hold), so the duplicate check costs no string hashing, no Set and no
   * property lookup; no shapes or row-cache keys. The labels object is written once per label in one
   * tight loop after the block is read (V8's own cost: internalising each name and a growing
   * dictionary), and only when the sample is kept: a text-format sample that keepSample drops gets an
   * object with just its le and quantile (what its row reads). Verdicts are the narrow
   * path's: syntax and limits as read, a duplicate or `__name__` (the first one) once the block has
   * been read. Returns the labels object; pos after the `}`.
   */
  wideLabels(p: number, c: number, om: boolean, lineEnd: number): Record<string, string> {
    const s = this.s;
    // Each further label takes at least 5 characters (`a=""` and its `,` or `}`) before the line's end.
    const most = Math.min(this.maxLabels, MAX_COMPILED_LABELS + Math.ceil((lineEnd - p) / 5)) + 1;
    let size = 256;
    while (size < 2 * most) size *= 2;
    // Kept: the labels object itself checks for duplicates as it is built (V8 hashes each name for it
    // anyway); not kept: the table does, and no object is built.
    const build = om || this.keeping;
    const t: WideTable = {
      slots: build ? EMPTY_SLOTS : new Int32Array(size), mask: size - 1, hashes: build ? EMPTY_SLOTS : new Int32Array(most),
      keys: [], vals: [], ats: [], fallback: undefined, bad: -1, badName: '',
    };
    for (let i = 0; i < MAX_COMPILED_LABELS; i++) {
      const k = this.names[i]!;
      if (build) {
        widePush(t, k, this.vals[i]!, this.nameAt[i]!);
        continue;
      }
      let h = HASH_SEED;
      for (let j = 0; j < k.length; j++) h = Math.imul(h ^ k.charCodeAt(j), 0x01000193);
      wideAdd(t, k, this.vals[i]!, this.nameAt[i]!, h);
    }
    for (;;) {
      const nStart = p;
      if (!isLabelStart(c)) { this.pos = p; this.fail('invalid label name'); }
      let h = HASH_SEED;
      do { h = Math.imul(h ^ c, 0x01000193); c = s.charCodeAt(++p); } while (isLabelChar(c));
      const lname = s.slice(nStart, p);
      if (!om) while (c === SP || c === TAB) c = s.charCodeAt(++p);
      if (c !== EQ) { this.pos = p; this.fail(`expected '=' after label name, found ${JSON.stringify(s[p] ?? 'end of input')}`); }
      c = s.charCodeAt(++p);
      if (!om) while (c === SP || c === TAB) c = s.charCodeAt(++p);
      if (c !== QUOTE) { this.pos = p; this.fail(`expected '"' at start of label value, found ${JSON.stringify(s[p] ?? 'end of input')}`); }
      p++;
      const q = s.indexOf('"', p);
      let bs = this.nextBackslash;
      if (bs !== -1 && bs < p) bs = this.nextBackslash = s.indexOf('\\', p);
      let value: string;
      if (q !== -1 && (bs === -1 || bs > q) && q < lineEnd) {
        value = s.slice(p, q);
        p = q + 1;
      } else {
        value = this.escapedValue(p);
        p = this.pos;
      }
      if (t.keys.length + 1 > this.maxLabels) { this.pos = nStart; this.fail(`too many labels (more than ${this.maxLabels} in one series)`, nStart, 'labels'); }
      if (value.length > this.maxLabelLength || lname.length > this.maxLabelLength) this.labelTooLong(lname, nStart);
      if (build) widePush(t, lname, value, nStart);
      else wideAdd(t, lname, value, nStart, h);
      c = s.charCodeAt(p);
      if (!om) while (c === SP || c === TAB) c = s.charCodeAt(++p);
      if (c === COMMA) {
        c = s.charCodeAt(++p);
        if (!om) while (c === SP || c === TAB) c = s.charCodeAt(++p);
        if (c === RBRACE && !om) break; // expfmt tolerates a trailing comma
        continue;
      }
      if (c === RBRACE) break;
      this.pos = p;
      this.fail(`unexpected ${JSON.stringify(s[p] ?? 'end of input')} after label value`);
    }
    this.pos = p + 1;
    const keys = t.keys;
    const vals = t.vals;
    const n = keys.length;
    this.nLabels = n;
    const o: Record<string, string> = {};
    if (build) {
      // One tight loop once the block is read: one lookup and one store per name.
      for (let i = 0; i < n; i++) {
        const k = keys[i]!;
        if (k === '__name__') this.fail("label name '__name__' is reserved", t.ats[i]);
        if (Object.hasOwn(o, k)) this.fail(`duplicate label name '${k}'`, t.ats[i]);
        if (k === '__proto__') Object.defineProperty(o, k, { value: vals[i], enumerable: true, writable: true, configurable: true });
        else o[k] = vals[i]!;
      }
    } else {
      if (t.bad !== -1) this.fail(t.badName === '__name__' ? "label name '__name__' is reserved" : `duplicate label name '${t.badName}'`, t.bad);
      for (let i = 0; i < n; i++) if (keys[i] === 'le' || keys[i] === 'quantile') o[keys[i]!] = vals[i]!;
    }
    return o;
  }

  /** A label value with backslash escapes (\\ \" \n), from just after its opening quote. */
  escapedValue(start: number): string {
    const s = this.s;
    let out = '';
    let i = start;
    for (;;) {
      if (i >= this.len) { this.pos = i; this.fail('unexpected end of input in label value'); }
      const c = s.charCodeAt(i);
      if (c === QUOTE) { this.pos = i + 1; return out; }
      if (c === NL) { this.pos = i; this.fail('label value contains an unescaped new-line'); }
      if (c === BSLASH) {
        const e = s.charCodeAt(i + 1);
        if (e === BSLASH) out += '\\';
        else if (e === QUOTE) out += '"';
        else if (e === 110) out += '\n';
        else if (this.om && e !== NL && i + 1 < this.len) out += `\\${s[i + 1]}`; // OpenMetrics keeps unknown escapes literally
        else { this.pos = i; this.fail(`invalid escape sequence '\\${s[i + 1] ?? ''}' in label value`); }
        i += 2;
        continue;
      }
      out += s[i];
      i++;
    }
  }

  // ------------------------------------------------------------------ OpenMetrics 1.0

  /** As parseText: true at "# EOF", false when `until` passed first. */
  parseOpenMetrics(until = Infinity): boolean {
    const s = this.s;
    const len = this.len;
    let lines = 0;
    for (;;) {
      if ((++lines & 255) === 0 && performance.now() > until) return false;
      if (this.pos >= len) this.fail('missing "# EOF" at the end of the exposition');
      const c = s.charCodeAt(this.pos);
      if (c === HASH) {
        if (s.startsWith('# EOF', this.pos) && (this.pos + 5 === len || s.charCodeAt(this.pos + 5) === NL)) {
          this.finishFamily(this.cur);
          const after = this.pos + 6;
          if (after < len) this.fail('text after "# EOF"', after);
          return true;
        }
        this.omDescriptor();
      } else if (c === NL) this.fail('blank lines are not allowed in OpenMetrics');
      else {
        this.lineEnd = -1;
        this.sample();
      }
    }
  }

  omDescriptor(): void {
    const s = this.s;
    const start = this.pos;
    let kw: 'HELP' | 'TYPE' | 'UNIT';
    if (s.startsWith('# HELP ', start)) kw = 'HELP';
    else if (s.startsWith('# TYPE ', start)) kw = 'TYPE';
    else if (s.startsWith('# UNIT ', start)) kw = 'UNIT';
    else this.fail('a # line must be # HELP, # TYPE, # UNIT or # EOF');
    this.pos += 7;
    const nameStart = this.pos;
    let c = s.charCodeAt(this.pos);
    if (!isNameStart(c)) this.fail(`invalid metric name in ${kw} line`);
    do c = s.charCodeAt(++this.pos); while (isNameChar(c));
    const name = s.slice(nameStart, this.pos);
    if (c !== SP) this.fail(`expected a space after the metric name in ${kw} line`);
    this.pos++;
    let fam = this.cur;
    if (fam === undefined || fam.out.name !== name) {
      this.finishFamily(fam);
      if (this.byName.has(name)) this.fail(`metric family '${name}' is not contiguous (seen before)`, nameStart);
      this.reserve(name, nameStart);
      fam = newFam(name, 'unknown');
      this.byName.set(name, fam);
      this.families.push(fam.out);
      this.cur = fam;
      this.lastFam = undefined;
    } else if (fam.hasSamples) this.fail(`${kw} for '${name}' after its samples`, start);
    if (kw === 'HELP') {
      if (fam.helped) this.fail(`second HELP line for '${name}'`, start);
      fam.out.help = this.restOfLine(true);
      fam.helped = true;
    } else if (kw === 'TYPE') {
      if (fam.typed) this.fail(`second TYPE line for '${name}'`, start);
      const at = this.pos;
      const word = this.restOfLine(false);
      const type = OM_TYPES[word];
      if (type === undefined) this.fail(`unknown metric type '${word}'`, at);
      if (fam.united && (type === 'info' || type === 'stateset')) this.fail(`${type} '${name}' cannot have a UNIT`, at);
      fam.out.type = type;
      fam.typed = true;
      this.reserveSampleNames(fam, nameStart);
    } else {
      if (fam.united) this.fail(`second UNIT line for '${name}'`, start);
      const at = this.pos;
      const unit = this.restOfLine(false);
      for (let i = 0; i < unit.length; i++) if (!isNameChar(unit.charCodeAt(i))) this.fail(`invalid unit '${unit}'`, at);
      if (unit !== '' && !name.endsWith(`_${unit}`)) this.fail(`unit '${unit}' is not a suffix of the metric name '${name}'`, at);
      if (fam.out.type === 'info' || fam.out.type === 'stateset') this.fail(`${fam.out.type} '${name}' cannot have a UNIT`, start);
      fam.out.unit = unit;
      fam.united = true;
    }
  }

  /** OpenMetrics: a sample name may belong to one family only (`a` counter and `a_total` gauge clash). */
  reserve(sampleName: string, at: number): void {
    if (this.sampleNames.has(sampleName)) this.fail(`metric name '${sampleName}' clashes with the samples of another family`, at);
    this.sampleNames.add(sampleName);
  }

  reserveSampleNames(fam: Fam, at: number): void {
    for (const suffix of OM_SUFFIXES[fam.out.type]!) if (suffix !== '') this.reserve(fam.out.name + suffix, at);
  }

  /** Finds the family of an OpenMetrics sample: the current one if the name fits it, else a new one. */
  omFamily(name: string, at: number): Fam {
    const cur = this.cur;
    if (cur !== undefined && name.startsWith(cur.out.name)) {
      const suffix = name.slice(cur.out.name.length);
      if (OM_SUFFIXES[cur.out.type]!.includes(suffix)) {
        this.lastSuffix = suffix;
        return cur;
      }
    }
    if (cur !== undefined && name === cur.out.name) this.fail(`'${name}' is not a valid sample name for a ${cur.out.type} family`, at);
    this.finishFamily(cur);
    if (this.byName.has(name)) this.fail(`metric family '${name}' is not contiguous (seen before)`, at);
    this.reserve(name, at);
    const fam = newFam(name, 'unknown');
    this.byName.set(name, fam);
    this.families.push(fam.out);
    this.cur = fam;
    this.lastSuffix = '';
    return fam;
  }

  omTimestamp(): number {
    const s = this.s;
    const start = this.pos;
    let c = s.charCodeAt(this.pos);
    while (c !== SP && c !== NL && this.pos < this.len) c = s.charCodeAt(++this.pos);
    const t = parseFloatToken(s, start, this.pos);
    if (t === undefined || !Number.isFinite(t)) this.fail(`invalid timestamp "${s.slice(start, this.pos)}"`, start);
    if (c === SP) this.pos++;
    else if (this.pos >= this.len) this.endOfLine();
    return Math.round(t * 1000);
  }

  /** The OpenMetrics rules for one sample, checked after its value and timestamp are read. */
  omSampleRules(fam: Fam, suffix: string, row: Row, value: number,
    le: number | undefined, quantile: number | undefined, timestampMs: number | undefined, lineStart: number): void {
    const s = this.s;
    const type = fam.out.type;
    const name = fam.out.name;
    // Exemplar.
    if (s.charCodeAt(this.pos) === HASH) {
      const okType = (type === 'counter' && suffix === '_total') ||
        ((type === 'histogram' || type === 'gaugehistogram') && suffix === '_bucket');
      if (!okType) this.fail('exemplars are only allowed on counter _total and histogram _bucket samples');
      this.exemplar();
    }
    // Metric grouping: one label set's samples are contiguous within the family.
    const labels = row.labels;
    const key = row.group;
    if (key !== fam.group) {
      if (fam.groups === undefined) fam.groups = new Set();
      else if (fam.groups.has(key)) this.fail(`samples of '${name}' with the same labels are not contiguous`, lineStart);
      this.finishGroup(fam, lineStart);
      if (fam.group !== undefined) fam.groups.add(fam.group);
      fam.group = key;
      fam.groupState = {
        lastLe: -Infinity, lastBucket: 0, infBucket: undefined, count: undefined, sum: undefined, hasBuckets: false,
        lastSuffix: '', hasNegativeLe: false, hasTs: undefined, lastTs: -Infinity,
      };
    }
    const g = fam.groupState!;
    // Timestamps of one metric: on all of its samples or none, and never going back.
    const hasTs = timestampMs !== undefined;
    if (g.hasTs === undefined) g.hasTs = hasTs;
    else if (g.hasTs !== hasTs) this.fail(`samples of '${name}' with the same labels mix timestamps and none`, lineStart);
    if (hasTs) {
      if (timestampMs < g.lastTs) this.fail(`timestamps of '${name}' go backwards`, lineStart);
      g.lastTs = timestampMs;
    }
    switch (type) {
      case 'counter':
        if (suffix === '_total' && (value < 0 || Number.isNaN(value))) this.fail(`counter '${name}' has a negative or NaN value`, lineStart);
        break;
      case 'info':
        if (value !== 1) this.fail(`info '${name}' must have value 1`, lineStart);
        break;
      case 'stateset':
        if (value !== 0 && value !== 1) this.fail(`stateset '${name}' values must be 0 or 1`, lineStart);
        if (labels[name] === undefined) this.fail(`stateset '${name}' sample lacks its '${name}' label`, lineStart);
        break;
      case 'summary':
        if (suffix === '') {
          if (quantile === undefined) this.fail(`summary '${name}' sample lacks a quantile label`, lineStart);
          if (!(quantile >= 0 && quantile <= 1)) this.fail(`quantile ${quantile} is outside 0..1`, lineStart);
          if (value < 0) this.fail(`summary '${name}' quantile value is negative`, lineStart);
        } else if (suffix === '_count' || suffix === '_sum') {
          if (value < 0 || Number.isNaN(value)) this.fail(`summary '${name}' ${suffix} is negative or NaN`, lineStart);
          if (suffix === '_count' && !Number.isInteger(value)) this.fail(`summary '${name}' _count is not an integer`, lineStart);
        }
        break;
      case 'histogram':
      case 'gaugehistogram':
        if (suffix === '_bucket') {
          if (le === undefined) this.fail(`histogram bucket of '${name}' lacks an 'le' label`, lineStart);
          if (g.lastSuffix !== '' && g.lastSuffix !== '_bucket') this.fail(`buckets of '${name}' must come before its other samples`, lineStart);
          if (!(le > g.lastLe)) this.fail(`buckets of '${name}' are not in increasing 'le' order`, lineStart);
          if (!(value >= 0) || !Number.isInteger(value)) this.fail(`bucket of '${name}' has an invalid count ${value}`, lineStart);
          if (value < g.lastBucket) this.fail(`buckets of '${name}' are not cumulative`, lineStart);
          if (le < 0) g.hasNegativeLe = true;
          g.lastLe = le;
          g.lastBucket = value;
          g.hasBuckets = true;
          // Only the exact spelling "+Inf" counts as the +Inf bucket (the suite rejects "+INF").
          if (row.leText === '+Inf') g.infBucket = value;
        } else if (suffix === '_count' || suffix === '_gcount') {
          if (!(value >= 0) || !Number.isInteger(value)) this.fail(`'${name}${suffix}' must be a non-negative integer`, lineStart);
          g.count = value;
        } else if (suffix === '_sum' || suffix === '_gsum') {
          if (Number.isNaN(value)) this.fail(`'${name}${suffix}' is NaN`, lineStart);
          g.sum = value;
        }
        break;
      default:
        break;
    }
    g.lastSuffix = suffix;
  }

  /** Closes the current label set of a histogram: +Inf bucket present, _count agrees with it. */
  finishGroup(fam: Fam, at: number): void {
    const g = fam.groupState;
    if (g === undefined) return;
    const type = fam.out.type;
    if (type !== 'histogram' && type !== 'gaugehistogram') return;
    const name = fam.out.name;
    if (g.hasBuckets && g.infBucket === undefined) this.fail(`histogram '${name}' has no +Inf bucket`, at);
    if (!g.hasBuckets && (g.count !== undefined || g.sum !== undefined)) this.fail(`histogram '${name}' has _count/_sum but no buckets`, at);
    if ((g.count === undefined) !== (g.sum === undefined)) this.fail(`histogram '${name}' must have both or neither of its count and sum`, at);
    if (g.count !== undefined && g.infBucket !== undefined && g.count !== g.infBucket) this.fail(`histogram '${name}' _count differs from its +Inf bucket`, at);
    if (type === 'histogram' && g.hasNegativeLe && g.sum !== undefined) this.fail(`histogram '${name}' has negative buckets and a _sum`, at);
    if (g.sum !== undefined && g.sum < 0 && !g.hasNegativeLe) this.fail(`histogram '${name}' has a negative sum but no negative buckets`, at);
  }

  finishFamily(fam: Fam | undefined): void {
    if (fam === undefined) return;
    this.finishGroup(fam, this.pos);
  }

  /** `# {labels} value [timestamp]` after a sample (pos at the #). */
  exemplar(): void {
    const s = this.s;
    const start = this.pos;
    if (!s.startsWith('# {', this.pos)) this.fail('expected "# {" to start an exemplar');
    this.pos += 3;
    const saveNames = this.lastLabelNames;
    const saveProbes = this.lastLabelProbes;
    this.lastLabelNames = [];
    this.lastLabelProbes = [];
    const labels = this.labels(true);
    this.lastLabelNames = saveNames;
    this.lastLabelProbes = saveProbes;
    let chars = 0;
    for (const k in labels) chars += [...k].length + [...labels[k]!].length;
    if (chars > 128) this.fail('exemplar labels are longer than 128 characters', start);
    if (s.charCodeAt(this.pos) !== SP) this.fail('expected a space after the exemplar labels');
    this.pos++;
    const vStart = this.pos;
    let c = s.charCodeAt(this.pos);
    while (c !== SP && c !== NL && this.pos < this.len) c = s.charCodeAt(++this.pos);
    const v = parseFloatToken(s, vStart, this.pos);
    if (v === undefined) this.fail(`invalid exemplar value "${s.slice(vStart, this.pos)}"`, vStart);
    if (c === SP) {
      this.pos++;
      this.omTimestamp();
      if (s.charCodeAt(this.pos - 1) === SP) this.fail('unexpected text after the exemplar timestamp');
    }
  }
}

interface Shape {
  names: string[];
  make: (values: string[]) => Record<string, string>;
}

/** Past this many distinct label-name sequences, build objects generically (bounds generated code). */
const MAX_SHAPES = 2000;
/**
 * Label sets with more names than this go through wideLabels (a hash set, the object built as read),
 * each time: the pairwise duplicate check is O(n²) (100k labels in one series took 27 s) and generated
 * code grows with the names.
 */
const MAX_COMPILED_LABELS = 64;
/** Wide label sets: the name hash's start, per process, so that no input can be made to collide in advance. */
const HASH_SEED = (Math.random() * 0x7fffffff) | 0;
/** Wide label sets: the longest probe run before names are checked in a Set instead. */
const MAX_PROBE = 64;

/** A wide label block as it is read: names and values by position, and a hash set of the names. */
interface WideTable {
  /** Open addressing: slot → position + 1 (0: empty). */
  slots: Int32Array;
  mask: number;
  /** Each position's name hash. */
  hashes: Int32Array;
  keys: string[];
  vals: string[];
  /** Where each label starts (kept blocks: for the error of a duplicate found while building). */
  ats: number[];
  /** Set when a probe run grows past MAX_PROBE (distinct hashes landing together, which HASH_SEED makes
   * unlikely): names are then checked in a Set, still one lookup each. */
  fallback: Set<string> | undefined;
  /** Where the first duplicate or `__name__` is (-1: none yet), and its name. */
  bad: number;
  badName: string;
}

const EMPTY_SLOTS = new Int32Array(0);

/** Adds label k=v to a wide block that is kept (its object checks for duplicates when built). */
function widePush(t: WideTable, k: string, v: string, at: number): void {
  t.keys.push(k);
  t.vals.push(v);
  t.ats.push(at);
}

/** Adds label k=v (name hash h, at input position `at`) to a wide block, noting the first duplicate or `__name__`. */
function wideAdd(t: WideTable, k: string, v: string, at: number, h: number): void {
  let dup = k === '__name__';
  if (t.fallback !== undefined) {
    dup ||= t.fallback.has(k);
    t.fallback.add(k);
  } else {
    const hashes = t.hashes;
    const keys = t.keys;
    const slots = t.slots;
    const mask = t.mask;
    let i = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) & mask;
    for (let probes = 0; ; probes++) {
      const e = slots[i]!;
      if (e === 0) {
        slots[i] = keys.length + 1;
        hashes[keys.length] = h;
        break;
      }
      if (hashes[e - 1] === h && keys[e - 1] === k) { dup = true; break; }
      if (probes === MAX_PROBE) {
        t.fallback = new Set(keys);
        dup ||= t.fallback.has(k);
        t.fallback.add(k);
        break;
      }
      i = (i + 1) & mask;
    }
  }
  if (dup && t.bad === -1) { t.bad = at; t.badName = k; }
  // Kept by position even when a duplicate (the block is refused then): positions count the labels.
  t.keys.push(k);
  t.vals.push(v);
}

function makeShape(names: string[], compiled: boolean): Shape {
  if (compiled) {
    // Names are validated [a-zA-Z_][a-zA-Z0-9_]*, so JSON.stringify quotes them safely; __proto__ as a
    // computed key defines an own property instead of setting the prototype.
    const body = names.map((k, i) => `${k === '__proto__' ? '["__proto__"]' : JSON.stringify(k)}: v[${i}]`).join(', ');
    return { names, make: new Function('v', `return { ${body} };`) as Shape['make'] };
  }
  return {
    names,
    make(values) {
      const o: Record<string, string> = {};
      // Plain stores (defineProperty per key measured ~2 µs a label at 100k labels); only __proto__
      // needs defining, so that it becomes an own property rather than the prototype.
      for (let i = 0; i < names.length; i++) {
        const k = names[i]!;
        if (k === '__proto__') Object.defineProperty(o, k, { value: values[i], enumerable: true, writable: true, configurable: true });
        else o[k] = values[i]!;
      }
      return o;
    },
  };
}

function newFam(name: string, type: FamilyType): Fam {
  return {
    out: { name, type, samples: [] },
    typed: false, helped: false, united: false, hasSamples: false,
    groups: undefined, group: undefined, groupState: undefined,
  };
}

/** Identity of one OpenMetrics metric within its family: its labels without le and quantile. */
function groupKey(labels: Readonly<Record<string, string>>, n: number): string {
  if (n === 0) return '';
  let key = '';
  for (const k in labels) if (k !== 'le' && k !== 'quantile') key += `${k}\u0000${labels[k]}\u0001`;
  return key;
}

/**
 * Parses a whole exposition. Throws ParseError (1-based line and column, and why) on the first
 * problem. Samples keep their own names (`foo_bucket`); families are in order of first appearance.
 */
// The hot value path lives here rather than in numbers.ts: module-local functions and variables
// are plain calls, where imported bindings cost a getter per sample under tsx (measured ~3%).
const DECIMAL_POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** Where plainDecimal stopped (valid only after it returned a number). */
let plainEnd = 0;

/**
 * The sample-value fast path: `[-]digits[.digits]` with at most 15 significant digits, ended by a
 * blank, tab or newline, read in one pass. NaN means "not that shape" (the caller then tokenises
 * and uses parseFloatToken, which also gives NaN values their proper meaning).
 */
function plainDecimal(s: string, start: number): number {
  let i = start;
  let neg = false;
  let c = s.charCodeAt(i);
  if (c === 45) { neg = true; c = s.charCodeAt(++i); }
  let m = 0;
  let digits = 0;
  let frac = 0;
  while (c >= 48 && c <= 57) { m = m * 10 + (c - 48); digits++; c = s.charCodeAt(++i); }
  if (c === 46 && digits > 0) {
    c = s.charCodeAt(++i);
    while (c >= 48 && c <= 57) { m = m * 10 + (c - 48); digits++; frac++; c = s.charCodeAt(++i); }
  }
  if (digits === 0 || digits > 15 || (c !== 32 && c !== 10 && c !== 9)) return NaN;
  plainEnd = i;
  const v = frac === 0 ? m : m / DECIMAL_POW10[frac]!;
  return neg ? -v : v;
}

/** The input with the newline a text exposition's last line lacks, when finalNewline is 'optional'. */
function withFinalNewline(text: string, opts: ParseOptions): string {
  return opts.finalNewline === 'optional' && opts.format !== 'openmetrics' && text.length > 0 && !text.endsWith('\n') ? `${text}\n` : text;
}

export function parseExposition(input: string | Uint8Array, opts: ParseOptions): MetricFamily[] {
  const text = withFinalNewline(typeof input === 'string' ? input : decodeUtf8(input), opts);
  const p = new Parser(text, opts);
  if (p.om) p.parseOpenMetrics();
  else p.parseText();
  return p.families;
}

/**
 * parseExposition in slices of about `sliceMs` of work, yielding to the event loop between them
 * (one slice per turn across all parses in flight: turns.ts), so a large or slow body never holds up
 * the server that shares the thread: the exporter's /metrics answers between slices. Same verdicts and result as parseExposition. A slice
 * ends on a line boundary, so one line is the unit that cannot be split: the label limits bound it.
 */
export async function parseExpositionSliced(input: string, opts: ParseOptions, sliceMs = 4): Promise<MetricFamily[]> {
  const p = new Parser(withFinalNewline(input, opts), opts);
  for (;;) {
    const until = performance.now() + sliceMs;
    if (p.om ? p.parseOpenMetrics(until) : p.parseText(until)) return p.families;
    await nextTurn();
  }
}
