import { parseExposition } from '../exposition/parse.ts';
import { readExposition, SourceError } from '../exposition/source.ts';
import { ParseError } from '../exposition/types.ts';
import { parseFlags, UsageError } from './command.ts';
import type { Command } from './command.ts';

const command: Command = {
  usage: `Usage: tokenwatt check-metrics [--format text|openmetrics] FILE|URL|-

Validate a /metrics exposition strictly, as Prometheus's own parsers do: the Prometheus text format
0.0.4 (as prometheus/common expfmt reads it) or OpenMetrics 1.0. FILE '-' reads standard input;
an http(s) URL is fetched once (10 s timeout) and its Content-Type picks the format. A gzipped
file is recognised by its magic bytes and decompressed. The input must be UTF-8.

Format: --format wins. Without it the input is OpenMetrics when its last line is exactly '# EOF'
(the terminator OpenMetrics requires), and text 0.0.4 otherwise.

Strict also about the end: a text exposition's last line must end with a newline (expfmt's rule;
Prometheus's scrape and \`tokenwatt inspect\` tolerate its absence).

Exit status: 0 valid (prints 'valid <format>: N families, M samples'), 1 invalid (prints
'line:column: reason' on stderr, lines and columns counted from 1) or the URL cannot be fetched
(connection, timeout, HTTP status), 2 usage error or unreadable file.`,
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
    try {
      // The same reader as `inspect`: a URL is fetched once (10 s, 64 MiB cap, Content-Type → format).
      const { text, format } = await readExposition(file, { format: formatFlag, timeoutMs: 10_000, maxBytes: 64 * 1024 * 1024 });
      // Only the verdict and the counts are printed: every sample is checked and none is kept, so no
      // labels object is built (a 100k-label series costs its checks, not V8's 100k-key object).
      const stats = { series: 0 };
      const families = parseExposition(text, { format, keepSample: () => false, stats });
      const samples = stats.series;
      console.log(`valid ${format === 'text' ? 'text 0.0.4' : 'OpenMetrics 1.0'}: ${families.length} families, ${samples} samples`);
      return 0;
    } catch (err) {
      // One convention across commands: an unreadable file is a usage error (2), a URL that cannot be
      // fetched is a failure to check (1), as in inspect and report.
      if (err instanceof SourceError && err.kind === 'file') throw new UsageError(err.message);
      if (err instanceof SourceError) {
        console.error(err.message);
        return 1;
      }
      if (err instanceof ParseError) {
        console.error(err.message);
        return 1;
      }
      throw err;
    }
  },
};
export default command;
