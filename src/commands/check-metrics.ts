import { readFile } from 'node:fs/promises';
import { decodeBody, parseExposition } from '../exposition/parse.ts';
import { ParseError } from '../exposition/types.ts';
import type { ExpositionFormat } from '../exposition/types.ts';
import { parseFlags, UsageError } from './command.ts';
import type { Command } from './command.ts';

const command: Command = {
  usage: `Usage: tokenwatt check-metrics [--format text|openmetrics] FILE|-

Validate a /metrics exposition strictly, as Prometheus's own parsers do: the Prometheus text format
0.0.4 (as prometheus/common expfmt reads it) or OpenMetrics 1.0. FILE '-' reads standard input;
a gzip-compressed file is recognised by its magic bytes and decompressed. The input must be UTF-8.

Format: --format wins. Without it the input is OpenMetrics when its last line is exactly '# EOF'
(the terminator OpenMetrics requires), and text 0.0.4 otherwise.

Exit status: 0 valid (prints 'valid <format>: N families, M samples'), 1 invalid (prints
'line:column: reason' on stderr, lines and columns counted from 1), 2 usage error or unreadable file.`,
  async run(args) {
    const { values, positionals } = parseFlags(args, { format: { type: 'string' } });
    const formatFlag = values.format;
    if (formatFlag !== undefined && formatFlag !== 'text' && formatFlag !== 'openmetrics') {
      throw new UsageError(`--format must be 'text' or 'openmetrics', not '${formatFlag}'`);
    }
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length === 0 ? 'missing FILE argument (use - for standard input)' : 'expected one FILE argument');
    }
    const file = positionals[0]!;
    let bytes: Uint8Array;
    try {
      bytes = file === '-' ? await readStdin() : await readFile(file);
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
    }
    try {
      const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
      const text = decodeBody(bytes, gzipped ? 'gzip' : undefined);
      const format: ExpositionFormat = formatFlag ?? (endsWithEof(text) ? 'openmetrics' : 'text');
      const families = parseExposition(text, { format });
      const samples = families.reduce((n, f) => n + f.samples.length, 0);
      console.log(`valid ${format === 'text' ? 'text 0.0.4' : 'OpenMetrics 1.0'}: ${families.length} families, ${samples} samples`);
      return 0;
    } catch (err) {
      if (err instanceof ParseError) {
        console.error(err.message);
        return 1;
      }
      throw err;
    }
  },
};
export default command;

/** Whether the last line (ignoring one trailing newline) is exactly `# EOF`. */
function endsWithEof(text: string): boolean {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return body === '# EOF' || body.endsWith('\n# EOF');
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
