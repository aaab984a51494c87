// What the exposition parser (src/exposition/parse.ts) produces and the collectors consume.

export type FamilyType =
  | 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped'
  // OpenMetrics only:
  | 'info' | 'stateset' | 'gaugehistogram' | 'unknown';

export interface Sample {
  /** The sample's own name (`foo_bucket`, `foo_total`, ...). */
  name: string;
  /**
   * Frozen, and shared by every sample of the exposition whose label block has the same text
   * (`{...}` repeats across a scrape's metrics). Copy (`{ ...labels }`) to change it.
   */
  labels: Readonly<Record<string, string>>;
  value: number;
  /** Milliseconds since the epoch, when the exposition gave one. */
  timestampMs?: number;
}

export interface MetricFamily {
  /** The family name (for OpenMetrics counters, without `_total`). */
  name: string;
  type: FamilyType;
  help?: string;
  unit?: string;
  samples: Sample[];
}

export type ExpositionFormat = 'text' | 'openmetrics';

export interface ParseOptions {
  format: ExpositionFormat;
  /**
   * Text 0.0.4: 'required' (default) refuses a last line without its newline, as prometheus/common
   * expfmt and the format's spec do; 'optional' accepts it, as Prometheus's own scrape does (what
   * the exporter and `inspect` read). OpenMetrics ends at `# EOF` either way.
   */
  finalNewline?: 'required' | 'optional';
  /**
   * Keep only the samples whose name this accepts (every line is still checked, and counts toward
   * maxSeries); the others are validated and dropped as they are read, and their label blocks are
   * not cached. The exporter keeps what its recognisers read, so a target's unrelated series (a
   * 100k-series scrape) cost parse time, not memory.
   */
  keepSample?: (sampleName: string) => boolean;
  /** Filled in as the parse goes: samples read (kept or not). */
  stats?: { series: number };
  /** Reject the input (ParseError limit 'series') past this many samples. */
  maxSeries?: number;
  /** Reject the input (ParseError limit 'labels') when one label set has more labels than this. */
  maxLabelsPerSeries?: number;
  /** Reject the input (ParseError limit 'label_length') when a label name or value is longer (UTF-16 units). */
  maxLabelLength?: number;
  /**
   * How many distinct label blocks the parser remembers (parsed labels keyed by the block's exact
   * text) before it forgets them all and starts over; 0 turns the cache off. Default 65536.
   * The cache changes speed and sharing only, never what is accepted or the result's values.
   */
  rowCache?: number;
}

/** Which configured bound an input passed (as opposed to being malformed). */
export type ParseLimit = 'series' | 'labels' | 'label_length';

/** A rejected exposition: 1-based line and column, and why; `limit` when it broke a bound rather than the format. */
export class ParseError extends Error {
  constructor(readonly line: number, readonly column: number, readonly reason: string, readonly limit?: ParseLimit) {
    super(`${line}:${column}: ${reason}`);
  }
}
