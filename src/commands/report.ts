import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { defaultConfig } from '../config/mixin.ts';
import { NoDataError, generateReport } from '../report/index.ts';
import { ReportDataError } from '../report/model.ts';
import type { Report } from '../report/model.ts';
import { SourceError, openSource } from '../report/source.ts';
import { TABLES } from '../report/tables.ts';
import type { TableName } from '../report/tables.ts';
import { parseFlags, UsageError } from './command.ts';
import type { Command } from './command.ts';

const FORMATS = ['text', 'html', 'md', 'csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

const command: Command = {
  usage: `Usage: tokenwatt report --prometheus URL [--range 7d | --from TIME [--to TIME]] [--cluster NAME]
                        [--format text|html|md|csv|json] [--out FILE] [options]

What each model cost over a period, in joules, dollars and CO2e: per model, per GPU and MIG slice,
over time, against the previous period of the same length, with a month-end projection. Reads
tokenwatt's counters from any Prometheus-compatible query API (Prometheus, VictoriaMetrics, Thanos,
Mimir). Every figure and column is explained in docs/report.md; the energy model in docs/methodology.md.

  --prometheus URL              the server's root URL (http://prometheus:9090; VictoriaMetrics cluster:
                                http://vmselect:8481/select/0/prometheus)
  --range DURATION              the period ending --to (default now): 30m, 12h, 7d, 2w (default 7d)
  --from TIME, --to TIME        the period: RFC 3339 (2026-11-01T00:00:00Z), a date (2026-11-01, UTC
                                midnight) or unix seconds; --to defaults to now
  --cluster NAME                only series whose cluster label is NAME
  --format FORMAT               text (default, a table), html (one self-contained page with charts),
                                md (Markdown), csv (one table, see --table), json (everything)
  --table NAME                  the CSV table: models (default), gpus, slices, series, changes
  --out FILE                    write there instead of standard output
  --no-compare                  skip the previous period
  --no-recorded                 read the raw counters only, not the tokenwatt-report recorded series
                                (by default they are read where they exist: docs/report.md, "Query load")
  --tokenwatt-selector M        matchers of the exporter's series (default '${defaultConfig.selectors.tokenwatt}')
  --vllm-selector M             (default '${defaultConfig.selectors.vllm}')
  --sglang-selector M           (default '${defaultConfig.selectors.sglang}')
  --cluster-label NAME          the cluster label (default '${defaultConfig.clusterLabel}')
  --bearer-token-file FILE      send Authorization: Bearer <the file's content>
  --basic-auth-user USER        HTTP basic auth, with --basic-auth-password-file FILE
  --ca-file FILE                PEM CA bundle for an https server
  --insecure-skip-verify        do not verify the https server's certificate
  --timeout SECONDS             per query (default 120)
  --progress                    show progress on standard error (default: on a terminal, for ranges over a day)

Exit status: 0 written, 1 the server could not be reached or has no tokenwatt series in the period
(the message says which), 2 usage error.`,
  async run(args) {
    const { values: v, positionals } = parseFlags(args, {
      prometheus: { type: 'string' }, range: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, cluster: { type: 'string' },
      format: { type: 'string' }, table: { type: 'string' }, out: { type: 'string' }, 'no-compare': { type: 'boolean' }, 'no-recorded': { type: 'boolean' },
      'tokenwatt-selector': { type: 'string' }, 'vllm-selector': { type: 'string' }, 'sglang-selector': { type: 'string' }, 'cluster-label': { type: 'string' },
      'bearer-token-file': { type: 'string' }, 'basic-auth-user': { type: 'string' }, 'basic-auth-password-file': { type: 'string' },
      'ca-file': { type: 'string' }, 'insecure-skip-verify': { type: 'boolean' }, timeout: { type: 'string' }, progress: { type: 'boolean' },
    }, false);
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (v.prometheus === undefined) throw new UsageError('--prometheus URL is required (the Prometheus or VictoriaMetrics server that scrapes the tokenwatt exporter)');
    let url: URL;
    try {
      url = new URL(v.prometheus);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    } catch {
      throw new UsageError(`--prometheus: '${v.prometheus}' is not an http(s) URL (e.g. http://localhost:9090)`);
    }
    const format = (v.format ?? 'text') as Format;
    if (!FORMATS.includes(format)) throw new UsageError(`--format: '${v.format}' is not one of ${FORMATS.join(', ')}`);
    const table = (v.table ?? 'models') as TableName;
    if (!(table in TABLES)) throw new UsageError(`--table: '${v.table}' is not one of ${Object.keys(TABLES).join(', ')}`);
    if (v.table !== undefined && format !== 'csv') throw new UsageError('--table applies only to --format csv');
    const now = Date.now() / 1000;
    const to = v.to === undefined ? Math.floor(now) : parseTime(v.to, '--to');
    let from: number;
    if (v.from !== undefined) {
      if (v.range !== undefined) throw new UsageError('give --from (with --to) or --range, not both');
      from = parseTime(v.from, '--from');
    } else {
      from = to - parseRange(v.range ?? '7d');
    }
    if (!(to > from)) throw new UsageError(`the period is empty: --from must be before --to (got ${new Date(from * 1000).toISOString()} to ${new Date(to * 1000).toISOString()})`);
    if (to > now + 60) throw new UsageError(`--to is in the future (${new Date(to * 1000).toISOString()}): nothing is recorded there yet`);
    if (v['basic-auth-user'] !== undefined && v['bearer-token-file'] !== undefined) throw new UsageError('give --bearer-token-file or --basic-auth-user, not both');
    if ((v['basic-auth-user'] === undefined) !== (v['basic-auth-password-file'] === undefined)) throw new UsageError('--basic-auth-user and --basic-auth-password-file go together');
    if (v['ca-file'] !== undefined && v['insecure-skip-verify']) throw new UsageError('give --ca-file or --insecure-skip-verify, not both');
    if ((v['ca-file'] !== undefined || v['insecure-skip-verify']) && url.protocol !== 'https:') throw new UsageError('--ca-file and --insecure-skip-verify apply only to an https:// --prometheus');
    const timeout = v.timeout === undefined ? 120 : Number(v.timeout);
    if (!(timeout > 0)) throw new UsageError(`--timeout must be a number of seconds > 0, not '${v.timeout}'`);
    const src = openSource({
      url: v.prometheus,
      ...(v['bearer-token-file'] !== undefined && { bearerToken: readText(v['bearer-token-file'], '--bearer-token-file').trim() }),
      ...(v['basic-auth-user'] !== undefined && { basic: { username: v['basic-auth-user'], password: readText(v['basic-auth-password-file']!, '--basic-auth-password-file').replace(/\r?\n$/, '') } }),
      ...(v['ca-file'] !== undefined && { ca: Buffer.from(readText(v['ca-file'], '--ca-file')), caFile: v['ca-file'] }),
      ...(v['insecure-skip-verify'] && { insecureSkipVerify: true }),
      timeoutSeconds: timeout,
    });
    const showProgress = v.progress ?? (process.stderr.isTTY === true && to - from > 86_400);
    let report: Report;
    try {
      report = await generateReport(src, {
        from, to,
        selectors: {
          tokenwatt: v['tokenwatt-selector'] ?? defaultConfig.selectors.tokenwatt,
          vllm: v['vllm-selector'] ?? defaultConfig.selectors.vllm,
          sglang: v['sglang-selector'] ?? defaultConfig.selectors.sglang,
          clusterLabel: v['cluster-label'] ?? defaultConfig.clusterLabel,
          ...(v.cluster !== undefined && { cluster: v.cluster }),
        },
        previous: !v['no-compare'],
        recorded: !v['no-recorded'],
        ...(showProgress && { progress: progressBar() }),
      });
    } catch (err) {
      if (showProgress) process.stderr.write('\n');
      if (err instanceof SourceError || err instanceof NoDataError || err instanceof ReportDataError) {
        console.error(`tokenwatt report: ${err.message}`);
        return 1;
      }
      throw err;
    }
    if (showProgress) process.stderr.write('\n');
    const text = await render(report, format, table);
    if (v.out !== undefined) {
      try {
        await writeFile(v.out, text);
      } catch (err) {
        console.error(`tokenwatt report: --out: cannot write ${v.out}: ${(err as Error).message}`);
        return 1;
      }
      console.error(`tokenwatt report: wrote ${v.out} (${report.models.length} models, ${report.gpus.length} GPUs, ${report.load.queries} queries${report.warnings.length ? `, ${report.warnings.length} warning(s)` : ''})`);
    } else {
      process.stdout.write(text);
    }
    for (const w of report.warnings) if (format !== 'text') console.error(`tokenwatt report: warning: ${w}`);
    return 0;
  },
};
export default command;

async function render(r: Report, format: Format, table: TableName): Promise<string> {
  const out = await import('../report/render.ts');
  switch (format) {
    case 'text': return out.toText(r);
    case 'md': return out.toMarkdown(r);
    case 'csv': return out.toCsvTable(r, table);
    case 'json': return out.toJson(r);
    case 'html': return (await import('../report/html.ts')).toHtml(r);
  }
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `30m`, `12h`, `7d`, `2w` in seconds. */
export function parseRange(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/.exec(text.trim());
  if (!m || !(Number(m[1]) > 0)) throw new UsageError(`--range: '${text}' is not a duration like 30m, 12h, 7d or 2w`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** RFC 3339, a plain date (UTC midnight) or unix seconds, in unix seconds. */
export function parseTime(text: string, flag: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    const ms = Date.parse(`${t}T00:00:00Z`);
    if (Number.isFinite(ms)) return ms / 1000;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(t)) {
    const ms = Date.parse(t);
    if (Number.isFinite(ms)) return ms / 1000;
  }
  throw new UsageError(`${flag}: '${text}' is not a time: use RFC 3339 with a zone (2026-11-01T00:00:00Z), a date (2026-11-01) or unix seconds`);
}

function readText(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag}: cannot read ${path}: ${(err as Error).message}`);
  }
}

/** A one-line progress indicator on standard error. */
function progressBar(): (done: number, total: number, what: string) => void {
  return (done, total, what) => {
    const width = 24;
    const filled = Math.round((done / total) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${what.padEnd(28).slice(0, 28)}`);
  };
}
