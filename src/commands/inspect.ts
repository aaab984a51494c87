// `tokenwatt inspect`: what tokenwatt recognises in one upstream scrape, as JSON. The same
// recognisers (src/recognise/) feed the exporter's collectors, so this is what the exporter sees.
import { parseExposition } from '../exposition/parse.ts';
import { readExposition, SourceError } from '../exposition/source.ts';
import { ParseError } from '../exposition/types.ts';
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

Exit status: 0 printed; 1 the exposition is invalid ('line:column: reason'), cannot be recognised, or
the URL fails (connection, timeout, HTTP status); 2 usage error or unreadable file.`,
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
      const view = recognisers[kind](parseExposition(input.text, { format: input.format }));
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
