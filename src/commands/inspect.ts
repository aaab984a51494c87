// `tokenwatt inspect`: what tokenwatt recognises in one upstream scrape, as JSON. The same
// recognisers (src/recognise/) feed the exporter's collectors, so this is what the exporter sees.
import { parseExposition } from '../exposition/parse.ts';
import { readExposition, SourceError } from '../exposition/source.ts';
import { ParseError } from '../exposition/types.ts';
import type { MetricFamily } from '../exposition/types.ts';
import { inspectShapes, SERVING_KIND_IDS, servingOf } from '../kinds/index.ts';
import { isRecogniserKind, RecogniseError, recognisers } from '../recognise/index.ts';
import { parseFlags, UsageError } from './command.ts';
import type { Command } from './command.ts';

const MAX_BYTES = 64 * 1024 * 1024;

function namelessKinds(): string {
  const ids = SERVING_KIND_IDS.filter((id) => !servingOf(id).namesModel);
  return ids.length > 0 ? ids.join(', ') : 'none yet';
}

const command: Command = {
  usage: `Usage: tokenwatt inspect --kind ${Object.keys(recognisers).join('|')} [--model NAME] [--format text|openmetrics] [--timeout SECONDS] FILE|URL|-

Print, as JSON, what tokenwatt recognises in one upstream /metrics exposition:
${inspectShapes()}
A field the upstream does not serve is left out (dcgm energyJoules on a GPU without the energy field;
an engine's model where its metrics name none, unless --model gives it).

Input: FILE, '-' for standard input, or an http(s) URL fetched once (Content-Type picks the format,
gzip is accepted). A file is gunzipped by its magic bytes and read as OpenMetrics when it ends in '# EOF'.

Options:
  --kind KIND          which upstream the exposition comes from (required)
  --model NAME         the served model, for engines whose metrics name none (${namelessKinds()})
  --format FORMAT      text or openmetrics, overriding the detection above
  --timeout SECONDS    URL fetch timeout (default 10)

A missing newline after the last line is accepted, as Prometheus's scrape accepts it (check-metrics
is strict about it).

Exit status: 0 printed; 1 the exposition is invalid ('line:column: reason'), cannot be recognised,
holds no data of --kind (says what it looks like), or the URL fails (connection, timeout, HTTP status);
2 usage error or unreadable file.`,
  async run(args) {
    const { values, positionals } = parseFlags(args, {
      kind: { type: 'string' },
      format: { type: 'string' },
      timeout: { type: 'string', default: '10' },
      model: { type: 'string' },
    });
    const kind = values.kind;
    if (kind === undefined) throw new UsageError(`--kind is required: ${Object.keys(recognisers).join(', ')}`);
    if (!isRecogniserKind(kind)) throw new UsageError(`--kind must be one of ${Object.keys(recognisers).join(', ')}, not '${kind}'`);
    const format = values.format;
    if (format !== undefined && format !== 'text' && format !== 'openmetrics') {
      throw new UsageError(`--format must be 'text' or 'openmetrics', not '${format}'`);
    }
    const timeoutS = Number(values.timeout);
    if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new UsageError(`--timeout must be a positive number of seconds, not '${values.timeout}'`);
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length === 0 ? 'missing FILE|URL argument (use - for standard input)' : 'expected one FILE|URL argument');
    }
    try {
      const input = await readExposition(positionals[0]!, { format, timeoutMs: timeoutS * 1000, maxBytes: MAX_BYTES });
      // What a scrape tool reads, as Prometheus's scrape does: a missing final newline is accepted.
      const families = parseExposition(input.text, { format: input.format, finalNewline: 'optional' });
      const view = recognisers[kind](families);
      if (isEmptyView(view)) {
        console.error(`no ${kind} data in this exposition: ${describe(families, kind)}`);
        return 1;
      }
      // An engine that names no model has model '': given by --model, or left out of the JSON.
      const model = values.model;
      console.log(JSON.stringify(view, (key, v: unknown) => (key === 'model' && v === '' ? model : v), 2));
      return 0;
    } catch (err) {
      if (err instanceof SourceError && err.kind === 'file') throw new UsageError(err.message);
      if (err instanceof ParseError || err instanceof RecogniseError || err instanceof SourceError) {
        console.error(err.message);
        return 1;
      }
      throw err;
    }
  },
};
export default command;

/** A view whose every list is empty (a serving kind's `{"engines": []}`, dcgm's `{"gpus": []}`). */
function isEmptyView(view: unknown): boolean {
  if (view === null || typeof view !== 'object') return false;
  const lists = Object.values(view).filter(Array.isArray);
  return lists.length > 0 && lists.every((l) => l.length === 0);
}

/** What the exposition looks like: the kind(s) it does fit, else its commonest metric-name prefixes. */
function describe(families: MetricFamily[], asked: string): string {
  const fits: string[] = [];
  for (const [kind, recognise] of Object.entries(recognisers)) {
    if (kind === asked) continue;
    try {
      if (!isEmptyView((recognise as (f: MetricFamily[]) => unknown)(families))) fits.push(kind);
    } catch {
      // not that kind either
    }
  }
  const prefixes = new Map<string, number>();
  for (const f of families) {
    const p = /^[A-Za-z]+[_:]/.exec(f.name)?.[0] ?? f.name;
    prefixes.set(p, (prefixes.get(p) ?? 0) + 1);
  }
  const top = [...prefixes].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([p, n]) => `${p}* (${n})`).join(', ');
  const shape = `${families.length} families${top ? `, mostly ${top}` : ''}`;
  return fits.length > 0 ? `it looks like a ${fits.join(' or ')} scrape (${shape}); try --kind ${fits[0]}` : `it has ${shape}`;
}
