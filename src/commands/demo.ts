// `tokenwatt demo` (npm run demo): build the config for the simulated fleet, start the fleet, a real
// Prometheus with the generated prometheus.yml and rules, a real Alertmanager with the generated
// routing, and a webhook receiver that prints every page; print where to look; Ctrl-C stops it all.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { FleetError, loadFleet, REFERENCE_FLEET } from '../simulate/fleet.ts';
import { formatNotification, MissingBinaryError, startStack } from '../simulate/stack.ts';
import type { Stack } from '../simulate/stack.ts';
import { parseFlags, UsageError } from './command.ts';
import type { Command } from './command.ts';

const usage = `Usage: tokenwatt demo [--fleet FILE] [--seed N] [--dir DIR] [--ephemeral-ports]

Run the whole thing on this machine: the simulated fleet (tokenwatt simulate), the tokenwatt exporter
reading it (NVML replayed for the whole GPUs), the build compiled for it (dashboards, rules,
prometheus.yml, alertmanager.yml), a real Prometheus and Alertmanager
(Debian packages prometheus and prometheus-alertmanager), and a local webhook receiver standing in
for PagerDuty and Slack that prints each notification. Prints the URLs; Ctrl-C stops everything.
Timings are shortened through the build config (5 s scrape and evaluation, 30 s 'for', 10 s
group_wait) so an injected fault pages within about a minute.

Options:
  --fleet FILE        fleet file (default: exporters/simulate/reference.yaml)
  --seed N            override the fleet's seed
  --dir DIR           where the build and Prometheus/Alertmanager data go (default: dist/demo)
  --ephemeral-ports   free ports instead of Prometheus 9090, Alertmanager 9093, webhook 9095, exporter 9464
                      and the fleet's defaults

Exit status: 0 stopped by Ctrl-C; 1 Prometheus or Alertmanager missing (says what to install) or failed to start; 2 usage or fleet error.`;

/** What the demo prints once everything is up. */
export function describeStack(s: Stack, fleetFile: string, dir: string): string {
  const f = s.fleet;
  const model = f.servers[0]!.model;
  return [
    `tokenwatt demo: fleet ${fleetFile} (seed ${f.sim.fleet.seed})`,
    '',
    `  Prometheus    ${s.prometheusUrl}   alerts: ${s.prometheusUrl}/alerts   targets: ${s.prometheusUrl}/targets`,
    `  Alertmanager  ${s.alertmanagerUrl}`,
    `  Pages         ${s.webhook.url}   (critical -> receiver pagerduty, warning -> chat; printed below)`,
    ...f.servers.map((x) => `  ${x.engine.padEnd(13)} ${x.url}   ${x.model} on ${x.host}`),
    ...f.dcgm.map((x) => `  dcgm-exporter ${x.url}   ${x.host}`),
    ...f.kepler.map((x) => `  kepler        ${x.url}   ${x.host} (${x.generation})`),
    ...(s.exporter ? [`  tokenwatt     ${s.exporter.url}   exporter, config ${s.exporter.config}${s.exporter.nvmlTrace ? `, NVML replay ${s.exporter.nvmlTrace}` : ''}`] : []),
    `  Generated     ${dir}/dist   (Grafana: import grafana/dashboards/*/*.json, datasource ${s.prometheusUrl})`,
    '',
    '  Try a query:  ' + `${s.prometheusUrl}/graph?g0.expr=${encodeURIComponent('gpu:dcgm_board_power_watts:rate5m')}`,
    '  Inject a fault (DELETE the same URL to clear it):',
    `    curl -X POST '${f.control.url}/xid?gpu=1&code=79'`,
    `    curl -X POST '${f.control.url}/server-down?model=${model}'`,
    `    curl -X POST '${f.control.url}/throttle?gpu=0&kind=power&ratio=1'`,
    `    curl -X POST '${f.control.url}/slow?model=${model}&seconds=2'`,
    '',
    'Ctrl-C stops everything.',
  ].join('\n');
}

const command: Command = {
  usage,
  async run(args) {
    const { values } = parseFlags(args, {
      fleet: { type: 'string' },
      seed: { type: 'string' },
      dir: { type: 'string', default: 'dist/demo' },
      'ephemeral-ports': { type: 'boolean', default: false },
    }, false);
    const fleetFile = resolve(values.fleet ?? REFERENCE_FLEET);
    let fleet;
    try {
      fleet = loadFleet(fleetFile);
    } catch (err) {
      if (err instanceof FleetError) { console.error(`tokenwatt demo: ${err.message}`); return 2; }
      throw err;
    }
    if (values.seed !== undefined) {
      if (!/^-?\d+$/.test(values.seed)) throw new UsageError(`--seed must be an integer, not '${values.seed}'`);
      fleet.seed = Number(values.seed);
    }
    const dir = resolve(values.dir!);
    mkdirSync(dir, { recursive: true });
    let stack: Stack;
    try {
      stack = await startStack({
        fleet, dir, pace: 'demo', ports: values['ephemeral-ports'] ? 'ephemeral' : 'default',
        onNotification: (n) => console.log(formatNotification(n)),
      });
    } catch (err) {
      if (err instanceof MissingBinaryError) { console.error(`tokenwatt demo: ${err.message}`); return 1; }
      const taken = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' || /EADDRINUSE|address already in use/i.test((err as Error).message);
      console.error(`tokenwatt demo: ${(err as Error).message}${taken ? '\n  A port is taken (another demo or simulate still running?): stop it, or run with --ephemeral-ports (npm run demo -- --ephemeral-ports).' : ''}`);
      return 1;
    }
    console.log(describeStack(stack, fleetFile, dir));
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    console.log('\ntokenwatt demo: stopping Prometheus, the exporter, Alertmanager, the webhook receiver and the fleet');
    await stack.stop();
    return 0;
  },
};
export default command;
