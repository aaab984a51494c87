import { build, BuildError } from '../build/index.ts';
import { BuildConfigError, loadBuildConfig } from '../config/build-config.ts';
import { defaultConfig } from '../config/mixin.ts';
import { parseFlags } from './command.ts';
import type { Command } from './command.ts';

const command: Command = {
  usage: `Usage: tokenwatt build [--config FILE] [--out DIR] [--release NAME] [--runbook-base-url URL]

Compile dashboards/, alerts/, rules/, scrape-configs/ and the Alertmanager routing into DIR
(default dist/): Grafana JSON and provisioning, Prometheus rule files and prometheus.yml,
alertmanager.yml, and Kubernetes manifests (ConfigMaps, PrometheusRules, ServiceMonitors).
Every query is checked against the metric catalog; any problem fails the build (exit 1).

Options:
  --config FILE           build config (YAML) laid over the defaults: selectors, jobs, thresholds,
                          SLOs, receivers, prices, Grafana, Kubernetes (example: tokenwatt.build.example.yaml).
                          A bad field exits 2 naming it.
  --out DIR               output folder, replaced whole (default: dist)
  --release NAME          kube-prometheus-stack release label (default: ${defaultConfig.kubernetes.release})
  --runbook-base-url URL  where docs/runbooks/ is browsed (default: ${defaultConfig.runbookBaseUrl})`,
  async run(args) {
    const { values } = parseFlags(args, {
      config: { type: 'string' },
      out: { type: 'string', default: 'dist' },
      release: { type: 'string' },
      'runbook-base-url': { type: 'string' },
    }, false);
    let base = defaultConfig;
    if (values.config !== undefined) {
      try {
        base = loadBuildConfig(values.config);
      } catch (err) {
        if (err instanceof BuildConfigError) {
          console.error(err.message);
          return 2;
        }
        throw err;
      }
    }
    // Flags win over the file.
    const config = {
      ...base,
      runbookBaseUrl: values['runbook-base-url'] ?? base.runbookBaseUrl,
      kubernetes: { ...base.kubernetes, release: values.release ?? base.kubernetes.release },
    };
    const started = performance.now();
    try {
      const artifacts = await build(values.out!, config);
      for (const a of artifacts) console.log(`wrote ${values.out}/${a.path} (${Buffer.byteLength(a.content)} bytes)`);
      console.log(`built ${artifacts.length} files in ${((performance.now() - started) / 1000).toFixed(2)} s`);
      return 0;
    } catch (err) {
      if (err instanceof BuildError) {
        console.error(err.message);
        return 1;
      }
      throw err;
    }
  },
};
export default command;
