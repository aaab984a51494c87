// The exposition parser's row cache (parsed label blocks keyed by their exact text, src/exposition/
// parse.ts) must be invisible: the same accept/reject verdicts, errors at the same line:column and
// the same values with it as without it (rowCache: 0), within its bound, with shared labels that
// nobody can change under another sample.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExposition, ParseError } from '../src/exposition/parse.ts';
import type { ExpositionFormat, MetricFamily } from '../src/exposition/types.ts';
import { exposition } from '../bench/exposition-mix.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

type Outcome = { families: MetricFamily[] } | { line: number; column: number; reason: string };

function outcome(text: string, format: ExpositionFormat, rowCache?: number): Outcome {
  try {
    return { families: parseExposition(text, rowCache === undefined ? { format } : { format, rowCache }) };
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    return { line: err.line, column: err.column, reason: err.reason };
  }
}

function errorOf(text: string, format: ExpositionFormat, rowCache?: number): { line: number; column: number; reason: string } {
  const o = outcome(text, format, rowCache);
  if ('families' in o) throw new Error('expected a ParseError');
  return o;
}

const labelsOf = (fams: MetricFamily[]) => fams.flatMap((f) => f.samples.map((s) => s.labels));

describe('same results with and without the cache', () => {
  it('on the benchmark mix (every upstream shape, most blocks repeated)', () => {
    const text = exposition(7, { engines: 40, dcgmHosts: 3, keplerPods: 150 });
    const cached = parseExposition(text, { format: 'text' });
    const uncached = parseExposition(text, { format: 'text', rowCache: 0 });
    expect(cached).toEqual(uncached);
    // It was exercised: far fewer distinct label objects than samples.
    const objects = new Set(labelsOf(cached));
    expect(cached.reduce((n, f) => n + f.samples.length, 0)).toBeGreaterThan(4 * objects.size);
    // Without the cache nothing is shared.
    expect(new Set(labelsOf(uncached)).size).toBe(labelsOf(uncached).length);
  });

  // Each conformance case, after a valid preamble that puts every label block of the case in the
  // cache (under other metric names), so the case's own lines are cache hits. The verdict must be the
  // case's own, errors moved down by exactly the preamble's lines, and equal to the uncached parse.
  const root = join(here, 'fixtures', 'conformance');
  const cases = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(root, d.name)).map((f) => `${d.name}/${f}`))
    .filter((c) => /\.(text|openmetrics)$/.test(c)).sort();

  it('covers the conformance cases', () => {
    expect(cases.length).toBeGreaterThan(350);
  });

  it.each(cases)('%s, with its label blocks seen before', (c) => {
    const format = c.endsWith('.openmetrics') ? 'openmetrics' : 'text';
    const text = new TextDecoder().decode(readFileSync(join(root, c)));
    // Keys as the cache forms them: `{` to the first `}` on a line; only blocks valid on their own.
    const blocks = [...new Set(text.split('\n').filter((l) => !l.startsWith('#')).flatMap((l) => l.match(/\{[^}\n]*\}/g) ?? []))]
      .filter((b) => 'families' in outcome(`zz_warm${b} 1\n${format === 'openmetrics' ? '# EOF\n' : ''}`, format, 0));
    const preamble = blocks.map((b, i) => `zz_warm_${i}${b} 1\n`).join('');
    const alone = outcome(text, format);
    const warmed = outcome(preamble + text, format);
    expect(warmed).toEqual(outcome(preamble + text, format, 0));
    if ('families' in alone) {
      expect('families' in warmed).toBe(true);
      if ('families' in warmed) expect(warmed.families.slice(blocks.length)).toEqual(alone.families);
    } else {
      expect(warmed).toEqual({ ...alone, line: alone.line + blocks.length });
    }
  });

  it('on random mixes of valid and broken lines built from repeated blocks (property)', () => {
    const names = ['a', 'a_bucket', 'a_count', 'a_sum', 'b', 'b_total', 'c'];
    const types = ['# TYPE a histogram', '# TYPE b counter', '# TYPE c summary', '# TYPE a gauge', '# HELP b x'];
    const blocks = ['', '{}', '{x="1"}', '{x="1",le="0.5"}', '{le="+Inf"}', '{le="x"}', '{quantile="0.5"}',
      '{quantile="2"}', '{x="}"}', '{x="}",y="2"}', '{x="a\\"b"}', '{ x = "1" , }', '{x="1",}', '{x="1",x="2"}',
      '{__name__="a"}', '{x="1"', '{x="\\q"}', '{x="1"}{', '{x="1"} ', '{1x="1"}', '{x="ü"}'];
    const values = ['1', '0', '-1', '1e3', '1.5', 'NaN', '+Inf', 'x', '1 2', '1 2 3', '1 -5', '1 # {a="b"} 1', ''];
    const line = fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom(...types) },
      { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...names), fc.constantFrom(...blocks), fc.constantFrom(...values)).map(([n, b, v]) => `${n}${b} ${v}`) },
    );
    fc.assert(fc.property(fc.array(line, { maxLength: 30 }), fc.boolean(), fc.constantFrom<ExpositionFormat>('text', 'openmetrics'),
      (lines, eof, format) => {
        const text = lines.join('\n') + (format === 'openmetrics' && eof ? '\n# EOF\n' : '\n');
        const plain = outcome(text, format, 0);
        // Bounds 1 and 2 make the cache forget and refill constantly; the default never forgets here.
        for (const rowCache of [undefined, 1, 2]) expect(outcome(text, format, rowCache)).toEqual(plain);
      }), { numRuns: 1500, seed: 20261130 });
  });

  it('reads equal blocks spelled differently as equal labels (whitespace is part of the key)', () => {
    const fams = parseExposition('a{x="1",y="2"} 1\nb{ x = "1" , y="2", } 2\nc{x="1",y="2"} 3\n', { format: 'text' });
    const [a, b, c] = labelsOf(fams);
    expect(b).toEqual({ x: '1', y: '2' });
    expect(b).not.toBe(a);
    expect(c).toBe(a);
  });

  it('never caches a block whose first } is inside a value', () => {
    const text = 'a{x="}"} 1\nb{x="}"} 2\nc{x="}",y="2"} 3\nd{x="}"} 4\n';
    const fams = parseExposition(text, { format: 'text' });
    expect(labelsOf(fams)).toEqual([{ x: '}' }, { x: '}' }, { x: '}', y: '2' }, { x: '}' }]);
    expect(fams).toEqual(parseExposition(text, { format: 'text', rowCache: 0 }));
  });

  it('checks le and quantile per family type, even when the block was first seen where they mean nothing', () => {
    // `{le="x"}` is fine on a gauge; the histogram's identical block comes from the cache.
    const text = 'g{le="x"} 1\nq{quantile="x"} 1\n# TYPE h histogram\nh_bucket{le="x"} 1\n';
    expect(errorOf(text, 'text')).toEqual({ line: 4, column: 1, reason: `expected float as value for 'le' label, got "x"` });
    const summary = 'q{quantile="x"} 1\n# TYPE s summary\ns{quantile="x"} 1\n';
    expect(errorOf(summary, 'text')).toEqual({ line: 3, column: 1, reason: `expected float as value for 'quantile' label, got "x"` });
    // And a valid le read once for a gauge is the bucket's bound when a histogram reuses the block.
    const ok = parseExposition('g{le="0.5"} 1\n# TYPE h histogram\nh_bucket{le="0.5"} 1\n', { format: 'text' });
    expect(ok.map((f) => [f.name, f.type, f.samples.length])).toEqual([['g', 'untyped', 1], ['h', 'histogram', 1]]);
    expect(errorOf('g{le="0.5"} 1\n# TYPE h histogram\nh_bucket{le="0.5"} 2\nh_bucket{le="0.5"} -2\n', 'text'))
      .toEqual({ line: 4, column: 20, reason: `negative bucket population for histogram 'h'` });
  });
});

describe('errors after cache hits carry the right line and column', () => {
  // Positions worked out by hand from the text (1-based columns).
  const warm = 'a{x="1"} 1\na{y="2"} 2\nb{x="1"} 3\nb{y="2"} 4\n'; // line 3: map hit; line 4: the predicted successor

  it.each([
    // [broken line 5, column, reason]
    ['c{y="2"} abc', 10, 'expected float as value, got "abc"'],
    ['c{y="2"} 1 2 3', 13, 'spurious text after the timestamp'],
    ['c{y="2"} 1 x', 12, 'expected integer as timestamp, got "x"'],
    ['c{x="1"}x 1', 9, 'expected float as value, got "x"'],
  ])('%s', (bad, column, reason) => {
    const text = `${warm}${bad}\n`;
    expect(errorOf(text, 'text')).toEqual({ line: 5, column, reason });
    expect(errorOf(text, 'text', 0)).toEqual({ line: 5, column, reason });
  });

  it('in OpenMetrics too (grouping and counter rules read the cached row)', () => {
    const om = '# TYPE a counter\na_total{x="1"} 1\na_total{y="2"} 1\n# TYPE b counter\nb_total{x="1"} 1\nb_total{y="2"} -1\n# EOF\n';
    expect(errorOf(om, 'openmetrics')).toEqual({ line: 6, column: 1, reason: "counter 'b' has a negative or NaN value" });
    const split = '# TYPE a gauge\na{x="1"} 1\na{y="2"} 1\na{x="1"} 1\n# EOF\n';
    expect(errorOf(split, 'openmetrics')).toEqual({ line: 4, column: 1, reason: "samples of 'a' with the same labels are not contiguous" });
  });
});

describe('cache bound', () => {
  const lines = (blocks: string[]) => blocks.map((b, i) => `m${i}{${b}} ${i}\n`).join('');

  it('remembers up to rowCache distinct blocks, then forgets them all', () => {
    // A B C A: with room for 3 the second A is the first one's object.
    const abca = labelsOf(parseExposition(lines(['k="A"', 'k="B"', 'k="C"', 'k="A"']), { format: 'text', rowCache: 3 }));
    expect(abca[3]).toBe(abca[0]);
    // A B C D A: D does not fit, so the cache starts over and the last A is parsed afresh.
    const abcda = labelsOf(parseExposition(lines(['k="A"', 'k="B"', 'k="C"', 'k="D"', 'k="A"']), { format: 'text', rowCache: 3 }));
    expect(abcda[4]).not.toBe(abcda[0]);
    expect(abcda[4]).toEqual({ k: 'A' });
  });

  it('never predicts a forgotten row as the successor of a remembered one', () => {
    // A B A B ... learns A -> B; after the cache is cleared, B must not come back as A's successor.
    const got = labelsOf(parseExposition(lines(['k="A"', 'k="B"', 'k="A"', 'k="B"', 'k="C"', 'k="A"', 'k="B"']), { format: 'text', rowCache: 2 }));
    expect(got[3]).toBe(got[1]);
    expect(got[6]).not.toBe(got[1]);
    expect(got.map((l) => l.k)).toEqual(['A', 'B', 'A', 'B', 'C', 'A', 'B']);
  });

  it('holds results equal to the uncached parse when the input has many more blocks than the bound', () => {
    const text = exposition(3, { engines: 30, dcgmHosts: 2, keplerPods: 100 });
    expect(parseExposition(text, { format: 'text', rowCache: 50 })).toEqual(parseExposition(text, { format: 'text', rowCache: 0 }));
  });
});

describe('shared labels cannot be changed', () => {
  const fams = parseExposition('a{gpu="0",pod="p"} 1\nb{gpu="0",pod="p"} 2\nc 3\n', { format: 'text' });
  const [a, b, c] = fams.map((f) => f.samples[0]!);

  it('are one frozen object for equal blocks, and frozen without labels too', () => {
    expect(b!.labels).toBe(a!.labels);
    expect(Object.isFrozen(a!.labels)).toBe(true);
    expect(Object.isFrozen(c!.labels)).toBe(true);
    expect(c!.labels).toEqual({});
  });

  it('throw on writes (ES modules are strict), leaving the other sample as it was', () => {
    expect(() => { (a!.labels as Record<string, string>).pod = 'q'; }).toThrow(TypeError);
    expect(() => { delete (a!.labels as Record<string, string>).gpu; }).toThrow(TypeError);
    expect(() => { (c!.labels as Record<string, string>).x = 'y'; }).toThrow(TypeError);
    expect(b!.labels).toEqual({ gpu: '0', pod: 'p' });
  });

  it('copy to change', () => {
    const mine = { ...a!.labels, pod: 'q' };
    expect(mine).toEqual({ gpu: '0', pod: 'q' });
    expect(b!.labels.pod).toBe('p');
  });
});
