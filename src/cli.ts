// The `tokenwatt` command: one subcommand per file in src/commands/, loaded on demand so that
// `tokenwatt --help` and `tokenwatt check-metrics` stay fast.
import { UsageError } from './commands/command.ts';
import type { Command } from './commands/command.ts';

const commands: Record<string, () => Promise<{ default: Command }>> = {
  build: () => import('./commands/build.ts'),
  exporter: () => import('./commands/exporter.ts'),
  'check-metrics': () => import('./commands/check-metrics.ts'),
  inspect: () => import('./commands/inspect.ts'),
  record: () => import('./commands/record.ts'),
  analyze: () => import('./commands/analyze.ts'),
  simulate: () => import('./commands/simulate.ts'),
  demo: () => import('./commands/demo.ts'),
  report: () => import('./commands/report.ts'),
};

const summaries: Record<string, string> = {
  build: 'compile dashboards, rules, scrape configs and routing into dist/',
  exporter: 'run the exporter: scrape vLLM/SGLang, dcgm-exporter, Kepler, read NVML, serve /metrics',
  'check-metrics': 'validate a /metrics exposition (Prometheus text 0.0.4 or OpenMetrics 1.0)',
  inspect: 'print, as JSON, what tokenwatt recognises in an upstream scrape',
  record: 'record an NVML trace (CSV) from the local GPU',
  analyze: 'tokens, joules and tokens/J of a recorded run, per window and in total',
  simulate: 'run a simulated fleet (vLLM, dcgm-exporter, Kepler, NVML replay) on loopback',
  demo: 'build, then run the simulated fleet, the exporter, Prometheus and Alertmanager together',
  report: 'what each model cost over a period (joules, dollars, CO2e): table, Markdown, CSV, JSON or an HTML page with charts',
};

export function usage(): string {
  const width = Math.max(...Object.keys(summaries).map((k) => k.length));
  const lines = Object.entries(summaries).map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  return [
    'Usage: tokenwatt <command> [options]',
    '',
    'Joules, dollars and CO2 per token for LLM serving on NVIDIA GPUs and MIG slices.',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `tokenwatt <command> --help` for the options of one command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    const { version } = await import('./version.ts');
    console.log(version);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    console.error(`tokenwatt: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const cmd = (await load()).default;
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(cmd.usage);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`tokenwatt ${name}: ${err.message}\n\n${cmd.usage}`);
      return 2;
    }
    throw err;
  }
}
