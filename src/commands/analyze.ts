import { readFile } from 'node:fs/promises';
import { parseDurationMs } from '../config/duration.ts';
import { analyzeRun } from '../energy/analyze.ts';
import type { Analysis, Figures } from '../energy/analyze.ts';
import { CsvError, parseNumericCsv } from '../energy/csv.ts';
import { parseFlags, UsageError } from './command.ts';
import type { Command } from './command.ts';

const command: Command = {
  usage: `Usage: tokenwatt analyze --trace TRACE.csv --tokens TOKENS.csv [--window DURATION] [--power-interval DURATION] [--json]

Tokens, joules and tokens per joule of a recorded run, per window and in total. Joules come from the
GPU energy counter in TRACE.csv (columns unix_s, energy_mJ, power_mW, as \`tokenwatt record\` writes
them), reset-corrected; tokens from the cumulative counter in TOKENS.csv (columns unix_s,
generation_tokens_total). Also shows how far an estimate from power sampled every --power-interval
seconds (default 15, a common Prometheus scrape interval) would be off the counter.

  --window DURATION         window length: 10s, 500ms, 2m or seconds (default 10)
  --power-interval DURATION power sampling interval of the comparison (default 15)
  --json                    print {"total":{...},"windows":[{...}]} instead of a table

Exit status: 0 done, 1 a CSV is malformed (line and column named), 2 usage error or unreadable file.`,
  async run(args) {
    const { values, positionals } = parseFlags(
      args,
      { trace: { type: 'string' }, tokens: { type: 'string' }, window: { type: 'string' }, 'power-interval': { type: 'string' }, json: { type: 'boolean' } },
      false,
    );
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (values.trace === undefined) throw new UsageError('--trace is required');
    if (values.tokens === undefined) throw new UsageError('--tokens is required');
    const windowSeconds = seconds(values.window, '--window', 10);
    const powerInterval = seconds(values['power-interval'], '--power-interval', 15);
    const [traceText, tokensText] = [await read(values.trace, '--trace'), await read(values.tokens, '--tokens')];
    let analysis: Analysis;
    try {
      const trace = parseNumericCsv(traceText, ['unix_s', 'energy_mJ', 'power_mW'], values.trace);
      const tokens = parseNumericCsv(tokensText, ['unix_s', 'generation_tokens_total'], values.tokens);
      analysis = analyzeRun({ trace, tokens }, windowSeconds, powerInterval);
    } catch (err) {
      // Malformed or non-overlapping data: the message names the file, line and column.
      if (err instanceof CsvError || err instanceof Error) {
        console.error(`tokenwatt analyze: ${err.message}`);
        return 1;
      }
      throw err;
    }
    console.log(values.json ? JSON.stringify(analysis, null, 1) : table(analysis));
    return 0;
  },
};
export default command;

function seconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  // The same durations as `record` and the exporter config: 10, 10s, 500ms, 2m, 1h.
  const ms = parseDurationMs(value);
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) throw new UsageError(`${flag} must be a duration > 0 such as 10s, 500ms, 2m or a number of seconds, not '${value}'`);
  return ms / 1000;
}

async function read(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag}: cannot read ${path}: ${(err as Error).message}`);
  }
}

function table(a: Analysis): string {
  const f = (x: number | null, digits: number) => (x === null ? '-' : x.toFixed(digits));
  const row = (label: string, x: Figures) =>
    [label.padStart(15), f(x.seconds, 1).padStart(7), f(x.tokens, 0).padStart(8), f(x.joules, 1).padStart(10), f(x.tokensPerJoule, 4).padStart(9),
      f(x.joulesPerToken, 4).padStart(9), f(x.averageWatts, 1).padStart(8), f(x.powerSampledErrorPct, 1).padStart(10)].join(' ');
  const t0 = a.total.start;
  return [
    ['window (s)'.padStart(15), 'seconds'.padStart(7), 'tokens'.padStart(8), 'joules'.padStart(10), 'tokens/J'.padStart(9), 'J/token'.padStart(9),
      'avg W'.padStart(8), `P@${a.powerIntervalSeconds}s err%`.padStart(10)].join(' '),
    ...a.windows.map((w) => row(`${f(w.start - t0, 1)}-${f(w.end - t0, 1)}`, w)),
    row('total', a.total),
    '',
    `joules from the energy counter; 'P@${a.powerIntervalSeconds}s err%' is how far power sampled every ${a.powerIntervalSeconds} s would be off it:`,
    `mean |error| per window ${f(a.powerSampling.meanAbsWindowErrorPct, 1)}%; total error ${range(a.powerSampling.totalErrorPctRange)} depending on when the samples fall.`,
  ].join('\n');
}

function range(r: [number, number] | null): string {
  return r === null ? '-' : `${r[0].toFixed(1)}% to ${r[1].toFixed(1)}%`;
}
