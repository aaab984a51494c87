import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeBody, formatFromContentType, parseExposition, parseExpositionSliced, ParseError } from '../src/exposition/parse.ts';
import { nextTurn, waitingSlices } from '../src/exposition/turns.ts';
import type { ExpositionFormat, MetricFamily } from '../src/exposition/types.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const thirdparty = join(here, 'fixtures', 'thirdparty');

function samples(fams: MetricFamily[]): number {
  return fams.reduce((n, f) => n + f.samples.length, 0);
}

function errorOf(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ParseError) return err;
    throw err;
  }
  throw new Error('expected a ParseError');
}

describe('real upstream scrapes (test/fixtures/thirdparty)', () => {
  // Expected counts worked out with grep, independently of the parser:
  //   samples  = lines that are neither comments, blank nor '...':  grep -v '^#' | grep -v '^\.\.\.$' | grep -vc '^\s*$'
  //   families = distinct metric names before '{' / ' ' / _bucket|_sum|_count of declared histograms/summaries.
  const expected: Record<string, { samples: number; families: number }> = {
    'dcgm/sample1_l4_kops_full_scrape.prom': { samples: 23, families: 23 },
    'dcgm/sample3_a100_mig_official_docs.prom': { samples: 21, families: 17 },
    'dcgm/sample4_a30_mig_issue317_power.prom': { samples: 6, families: 1 },
    'dcgm/sample5_a30_mig_issue317_energy.prom': { samples: 5, families: 1 },
    'kepler/sample_legacy_issue707_container_joules_total.prom': { samples: 4, families: 1 },
    'kepler/sample_legacy_v0.7_issue1349_container_gpu_joules_total.prom': { samples: 6, families: 1 },
    'kepler/sample_rewrite_pr2037_node_energy_zone.prom': { samples: 4, families: 1 },
    'llamacpp/sample1_ik_llama_cpp_pr695_metrics.prom': { samples: 10, families: 10 },
    'sglang/sglang_docs_production_metrics_example.prom': { samples: 91, families: 12 },
    'tgi/sample1_tgi_datadog_integration_payload_excerpt.prom': { samples: 119, families: 18 },
    'triton/sample1_triton_22.07_p100_sonic_tutorial.prom': { samples: 48, families: 28 },
    'vllm/sample1_vllm_docs_usage_metrics.prom': { samples: 9, families: 1 },
    'vllm/sample2_vllm_docs_design_metrics_example.prom': { samples: 14, families: 4 },
    'vllm/sample5_triton_vllm_backend_readme.prom': { samples: 26, families: 8 },
  };
  const files = readdirSync(thirdparty).flatMap((d) => readdirSync(join(thirdparty, d)).map((f) => `${d}/${f}`)).sort();

  it('covers every fixture file', () => {
    expect(files).toEqual(Object.keys(expected).sort());
  });

  it.each(files)('%s parses as text 0.0.4', (file) => {
    let text = readFileSync(join(thirdparty, file), 'utf8');
    // The vLLM/Triton docs samples elide series with a line that is exactly '...'. That is not
    // exposition (a sample line needs a metric name and a value; expfmt rejects it as an invalid
    // metric name), so it is removed here; everything else is parsed verbatim.
    text = text.split('\n').filter((line) => line !== '...').join('\n');
    const fams = parseExposition(text, { format: 'text' });
    expect({ samples: samples(fams), families: fams.length }).toEqual(expected[file]);
  });

  it("rejects the docs' '...' elision line itself", () => {
    const text = readFileSync(join(thirdparty, 'vllm/sample2_vllm_docs_design_metrics_example.prom'), 'utf8');
    const err = errorOf(() => parseExposition(text, { format: 'text' }));
    // Line 5 of that file is the first '...'.
    expect([err.line, err.column]).toEqual([5, 1]);
  });

  it('keeps labels, values and histogram structure of a vLLM histogram', () => {
    const text = readFileSync(join(thirdparty, 'vllm/sample1_vllm_docs_usage_metrics.prom'), 'utf8')
      .split('\n').filter((line) => line !== '...').join('\n');
    const [fam] = parseExposition(text, { format: 'text' });
    expect(fam!.name).toBe('vllm:iteration_tokens_total');
    expect(fam!.type).toBe('histogram');
    expect(fam!.help).toBe('Histogram of number of tokens per engine_step.');
    // From the file: `vllm:iteration_tokens_total_bucket{le="1.0",model_name="unsloth/Llama-3.2-1B-Instruct"} 3.0`
    expect(fam!.samples[1]).toEqual({
      name: 'vllm:iteration_tokens_total_bucket',
      labels: { le: '1.0', model_name: 'unsloth/Llama-3.2-1B-Instruct' },
      value: 3,
    });
  });
});

describe('values and timestamps', () => {
  it('reads Go-style special values and decimals', () => {
    const text = 'a NaN\nb +Inf\nc -Inf\nd 1.5e3\ne -0.25\nf 67.351000\ng 123456789012345678\nh .5\ni 1e-7\n';
    const got = parseExposition(text, { format: 'text' }).map((f) => f.samples[0]!.value);
    expect(got[0]).toBeNaN();
    expect(got.slice(1)).toEqual([Infinity, -Infinity, 1500, -0.25, 67.351, 123456789012345678, 0.5, 1e-7]);
  });

  it('rounds long decimals exactly like Number()', () => {
    const vals = ['0.1', '0.30000000000000004', '123456.789012345', '9007199254740993', '1.7976931348623157e308'];
    const text = vals.map((v, i) => `m${i} ${v}\n`).join('');
    const got = parseExposition(text, { format: 'text' }).map((f) => f.samples[0]!.value);
    expect(got).toEqual(vals.map(Number));
  });

  it.each(['0x10', '1_000', 'Infinity1', '', '1e400', '+NaN', '1p3', '--1'])('rejects the value %j', (v) => {
    expect(() => parseExposition(`a ${v}\n`, { format: 'text' })).toThrow(ParseError);
  });

  it('text timestamps are integer milliseconds; OpenMetrics timestamps are seconds', () => {
    expect(parseExposition('a 1 1700000000123\n', { format: 'text' })[0]!.samples[0]!.timestampMs).toBe(1700000000123);
    expect(() => parseExposition('a 1 1700000000.5\n', { format: 'text' })).toThrow(/timestamp/);
    const om = parseExposition('a 1 1700000000.123\n# EOF\n', { format: 'openmetrics' });
    expect(om[0]!.samples[0]!.timestampMs).toBe(1700000000123);
  });
});

describe('errors carry line:column', () => {
  it('points at a bad label name', () => {
    const err = errorOf(() => parseExposition('ok 1\nbad{0x="1"} 2\n', { format: 'text' }));
    expect(`${err.line}:${err.column}`).toBe('2:5');
  });

  it('rejects duplicate label names', () => {
    expect(() => parseExposition('a{x="1",x="2"} 1\n', { format: 'text' })).toThrow(/duplicate label name 'x'/);
  });

  it('rejects a TYPE after the samples of its family (text)', () => {
    expect(() => parseExposition('a 1\n# TYPE a counter\n', { format: 'text' })).toThrow(/TYPE/);
  });

  it('rejects a colon in a label name but accepts it in a metric name', () => {
    expect(parseExposition('vllm:x{a="b"} 1\n', { format: 'text' })[0]!.name).toBe('vllm:x');
    expect(() => parseExposition('x{a:b="c"} 1\n', { format: 'text' })).toThrow(ParseError);
  });
});

describe('decodeBody and formats', () => {
  it('gunzips a gzip body', () => {
    const body = gzipSync(Buffer.from('# TYPE a gauge\na{b="ü"} 2\n'));
    const fams = parseExposition(decodeBody(body, 'gzip'), { format: 'text' });
    expect(fams[0]!.samples[0]!.labels).toEqual({ b: 'ü' });
  });

  it('rejects a corrupt gzip body', () => {
    expect(() => decodeBody(Buffer.from('not gzip'), 'gzip')).toThrow(/gzip/);
  });

  it('rejects invalid UTF-8 with the line and column of the bad byte', () => {
    // Line 2, after `b{c="` (5 characters): a lone continuation byte 0x80.
    const bytes = Buffer.concat([Buffer.from('a 1\nb{c="'), Buffer.from([0x80]), Buffer.from('"} 1\n')]);
    const err = errorOf(() => decodeBody(bytes));
    expect([err.line, err.column, err.reason]).toEqual([2, 6, 'invalid UTF-8']);
    const viaParse = errorOf(() => parseExposition(bytes, { format: 'text' }));
    expect(viaParse.message).toBe('2:6: invalid UTF-8');
  });

  it.each([
    [undefined, 'text'],
    ['text/plain; version=0.0.4; charset=utf-8', 'text'],
    ['application/openmetrics-text; version=1.0.0; charset=utf-8', 'openmetrics'],
    ['Application/OpenMetrics-Text', 'openmetrics'],
  ] as const)('Content-Type %j is %s', (ct, format: ExpositionFormat) => {
    expect(formatFromContentType(ct)).toBe(format);
  });
});

describe('maxSeries', () => {
  const text = 'a 1\nb 2\nc 3\n';
  it('accepts up to the limit', () => {
    expect(samples(parseExposition(text, { format: 'text', maxSeries: 3 }))).toBe(3);
  });
  it("rejects past it with 'too many series' on the first sample over", () => {
    const err = errorOf(() => parseExposition(text, { format: 'text', maxSeries: 2 }));
    expect([err.line, err.reason]).toEqual([3, 'too many series (more than 2)']);
  });
});

describe('int64 timestamps compared exactly (issue 12 item 8)', () => {
  const ts = (t: string) => parseExposition(`m 1 ${t}\n`, { format: 'text' })[0]!.samples[0]!.timestampMs;
  it('accepts the whole int64 range, up to its ends', () => {
    for (const t of ['9223372036854775807', '9223372036854775296', '-9223372036854775808', '+0009223372036854775807']) expect(ts(t)).toBe(Number(t));
  });
  it('refuses one past either end (a double rounds them into range)', () => {
    for (const t of ['9223372036854775808', '-9223372036854775809', '-9223372036854776832', '99999999999999999999']) {
      expect(errorOf(() => ts(t)).reason).toBe(`expected integer as timestamp, got "${t}"`);
    }
  });
});

describe('label limits and wide label sets (issue 12)', () => {
  const wide = (n: number, dup = -1) => `m{${Array.from({ length: n }, (_, i) => `l${i === dup ? 0 : i}="v"`).join(',')}} 1\n`;
  // Complexity guard, not a speed target: the duplicate-label check was pairwise, and this input
  // (1.1 MB, one series, 100k labels) took 27 s; linear it takes tens of ms, far inside the timeout.
  it('a 100k-label series parses in linear time, with every label kept', () => {
    const fams = parseExposition(wide(100_000), { format: 'text' });
    expect(Object.keys(fams[0]!.samples[0]!.labels)).toHaveLength(100_000);
    expect(fams[0]!.samples[0]!.labels.l99999).toBe('v');
  }, 5_000);
  it('wide label sets still refuse a duplicate name and __name__, with the position', () => {
    const err = errorOf(() => parseExposition(wide(1000, 700), { format: 'text' }));
    expect(err.reason).toBe("duplicate label name 'l0'");
    expect(err.column).toBe(wide(1000, 700).indexOf('l0="v"', 5) + 1);
    expect(errorOf(() => parseExposition(`m{${Array.from({ length: 100 }, (_, i) => `l${i}="v",`).join('')}__name__="x"} 1\n`, { format: 'text' })).reason)
      .toBe("label name '__name__' is reserved");
  });
  it('wide sets: the first duplicate wins wherever it is (among the first 64, across, after), kept or dropped', () => {
    // Duplicates at 10 (of 5), 64 (of 3) and 900 (of 899); a later syntax error still comes first.
    const block = (dupAt: number, of: number, n = 1000) => `m{${Array.from({ length: n }, (_, i) => `l${i === dupAt ? of : i}="v"`).join(',')}} 1\n`;
    for (const [at, of] of [[10, 5], [64, 3], [900, 899]] as const) {
      const text = block(at, of);
      for (const keepSample of [undefined, () => false]) {
        const err = errorOf(() => parseExposition(text, { format: 'text', ...(keepSample && { keepSample }) }));
        expect([err.reason, err.column]).toEqual([`duplicate label name 'l${of}'`, text.indexOf(`l${of}="v"`, text.indexOf(`l${of}="v"`) + 1) + 1]);
        const om = `${text}# EOF\n`;
        expect(errorOf(() => parseExposition(om, { format: 'openmetrics', ...(keepSample && { keepSample }) })).reason).toBe(`duplicate label name 'l${of}'`);
      }
    }
    expect(errorOf(() => parseExposition(`${block(10, 5).slice(0, -4)},x="1" 1\n`, { format: 'text' })).reason).toMatch(/after label value/);
  });
  it('wide sets: __proto__ is an own label, and a dropped sample still has its le checked', () => {
    const names = [...Array.from({ length: 100 }, (_, i) => `l${i}`), '__proto__', 'constructor'];
    const labels = parseExposition(`m{${names.map((k) => `${k}="x"`).join(',')}} 1\n`, { format: 'text' })[0]!.samples[0]!.labels;
    expect(Object.keys(labels)).toEqual(names);
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    const hist = (le: string) => `# TYPE h histogram\nh_bucket{${Array.from({ length: 100 }, (_, i) => `l${i}="v"`).join(',')},le="${le}"} 1\n`;
    expect(parseExposition(hist('0.5'), { format: 'text', keepSample: () => false })[0]!.samples).toEqual([]);
    expect(errorOf(() => parseExposition(hist('x'), { format: 'text', keepSample: () => false })).reason).toBe(`expected float as value for 'le' label, got "x"`);
  });
  it('wide sets: names that differ only far in, or by length, are distinct; many equal-length names too', () => {
    const names = Array.from({ length: 5000 }, (_, i) => `a${'_'.repeat(i % 7)}${i.toString(36)}`);
    const labels = parseExposition(`m{${names.map((k, i) => `${k}="${i}"`).join(',')}} 1\n`, { format: 'text' })[0]!.samples[0]!.labels;
    expect(Object.keys(labels)).toHaveLength(5000);
    expect(labels[names[4321]!]).toBe('4321');
  });
  it('maxLabelsPerSeries and maxLabelLength: refused with the limit named', () => {
    const labels = errorOf(() => parseExposition(wide(200), { format: 'text', maxLabelsPerSeries: 128 }));
    expect([labels.limit, labels.reason]).toEqual(['labels', 'too many labels (more than 128 in one series)']);
    expect(parseExposition(wide(128), { format: 'text', maxLabelsPerSeries: 128 })[0]!.samples).toHaveLength(1);
    const long = errorOf(() => parseExposition(`m{a="${'x'.repeat(101)}"} 1\n`, { format: 'text', maxLabelLength: 100 }));
    expect([long.limit, long.reason]).toEqual(['label_length', "label 'a' is longer than 100 characters"]);
    const longName = errorOf(() => parseExposition(`m{${'a'.repeat(101)}="x"} 1\n`, { format: 'openmetrics', maxLabelLength: 100 }));
    expect(longName.limit).toBe('label_length');
    expect(parseExposition(`m{a="${'x'.repeat(100)}"} 1\n`, { format: 'text', maxLabelLength: 100 })[0]!.samples).toHaveLength(1);
    expect(errorOf(() => parseExposition('a 1\nb 2\n', { format: 'text', maxSeries: 1 })).limit).toBe('series');
    expect(errorOf(() => parseExposition('a{ 1\n', { format: 'text' })).limit).toBeUndefined();
  });
});

describe('keepSample (the exporter keeps what its recognisers read)', () => {
  it('drops other samples after checking them, and counts every one in stats and maxSeries', () => {
    const text = '# TYPE a gauge\na{x="1"} 1\nb{y="1"} 2\nb{y="2"} 3\na{x="2"} 4\n';
    const stats = { series: 0 };
    const fams = parseExposition(text, { format: 'text', keepSample: (n) => n === 'a', stats });
    expect(fams.map((f) => [f.name, f.samples.map((x) => x.value)])).toEqual([['a', [1, 4]], ['b', []]]);
    expect(stats.series).toBe(4);
    expect(errorOf(() => parseExposition(`${text}b{y="3",y="4"} 5\n`, { format: 'text', keepSample: (n) => n === 'a' })).reason).toBe("duplicate label name 'y'");
    expect(errorOf(() => parseExposition(text, { format: 'text', keepSample: (n) => n === 'a', maxSeries: 3 })).limit).toBe('series');
  });
});

describe('parseExpositionSliced', () => {
  const big = Array.from({ length: 30_000 }, (_, i) => `m{i="${i}",gpu="${i % 8}"} ${i}\n`).join('');
  it('gives what parseExposition gives, yielding to the event loop between slices', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const sliced = await parseExpositionSliced(big, { format: 'text' }, 0.5);
    clearInterval(timer);
    expect(sliced).toEqual(parseExposition(big, { format: 'text' }));
    expect(ticks).toBeGreaterThan(0);
    const om = `# TYPE m gauge\n${big}# EOF\n`;
    expect(await parseExpositionSliced(om, { format: 'openmetrics' }, 0.5)).toEqual(parseExposition(om, { format: 'openmetrics' }));
  });
  it('runs one slice per event-loop turn across every parse in flight, not one per parse', async () => {
    // A turn counter: an immediate that re-queues itself runs once per turn.
    let turn = 0;
    let counting = true;
    const tick = () => { turn++; if (counting) setImmediate(tick); };
    setImmediate(tick);
    const seen: number[] = [];
    await Promise.all(Array.from({ length: 4 }, async () => { await nextTurn(); seen.push(turn); }));
    expect(new Set(seen).size).toBe(4);
    // Four big parses at once: their slices queue for turns instead of all running in each turn.
    let most = 0;
    const watch = setInterval(() => { most = Math.max(most, waitingSlices()); }, 0);
    const results = await Promise.all(Array.from({ length: 4 }, () => parseExpositionSliced(big, { format: 'text' }, 0.5)));
    clearInterval(watch);
    counting = false;
    expect(most).toBeGreaterThanOrEqual(3);
    for (const r of results) expect(r).toEqual(parseExposition(big, { format: 'text' }));
  });
  it('rejects what parseExposition rejects, with the same line and column', async () => {
    const bad = `${big}m{i="x" 1\n`;
    const want = errorOf(() => parseExposition(bad, { format: 'text' }));
    await expect(parseExpositionSliced(bad, { format: 'text' }, 0.5)).rejects.toMatchObject({ line: want.line, column: want.column, reason: want.reason });
  });
});

describe('conformance with upstream parsers (test/fixtures/conformance)', () => {
  const root = join(here, 'fixtures', 'conformance');
  // Cases where two upstream parsers disagree; we follow the one named in the README, so our verdict
  // is the opposite of the case's. Each is explained in test/fixtures/conformance/README.md.
  const exceptions: Record<string, string> = {
    'prometheus-promparse/TestPromParse.valid.text': 'last line lacks its newline (expfmt and the format spec reject that)',
    'prometheus-promparse/TestPromNullByteHandling_00.valid.text': 'last line lacks its newline (expfmt and the format spec reject that)',
    'prometheus-openmetricsparse/TestOpenMetricsParse.valid.openmetrics': 'non-contiguous family, info without _info, stateset sample without its label (the OpenMetrics suite rejects each)',
  };
  const cases = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(root, d.name)).map((f) => `${d.name}/${f}`)).sort();

  it('has the cases of all four sources', () => {
    const sources = new Set(cases.map((c) => c.split('/')[0]));
    expect([...sources].sort()).toEqual(['common-expfmt', 'openmetrics-testsuite', 'prometheus-openmetricsparse', 'prometheus-promparse']);
    expect(cases.length).toBeGreaterThan(350);
  });

  it.each(cases)('%s', (c) => {
    const m = /\.(valid|invalid)\.(text|openmetrics)$/.exec(c);
    expect(m).not.toBeNull();
    const upstream = m![1]!;
    const format = m![2] as ExpositionFormat;
    const want = exceptions[c] === undefined ? upstream : upstream === 'valid' ? 'invalid' : 'valid';
    const bytes = new Uint8Array(readFileSync(join(root, c)));
    let got = 'valid';
    try {
      parseExposition(bytes, { format });
    } catch (err) {
      // Anything but a ParseError (a TypeError from a parser bug) fails the case.
      if (!(err instanceof ParseError)) throw err;
      got = 'invalid';
    }
    expect(got).toBe(want);
  });
});
