// promtool cases for alerts/tokenwatt.ts and alerts/watchdog.ts (default config: down 5m,
// collector down 10m, NVML down 5m, no energy counter 1h).
import { expectAlert, series } from './harness.ts';
import type { TestGroup } from './harness.ts';

const tw = { job: 'tokenwatt', instance: 'tw:9464' };
const gpu = (g: string) => ({ ...tw, host: 'h1', gpu: g, gpu_uuid: `GPU-${g}`, gpu_model: 'NVIDIA T4' });

export const tokenwattCases: TestGroup[] = [
  {
    // Everything fails from 6m on one target and stays healthy on another.
    input_series: [
      { series: series('up', { ...tw, cluster: 'c1' }), values: '1x5 0x20' },
      { series: series('up', { job: 'tokenwatt', instance: 'tw2:9464', cluster: 'c1' }), values: '1x25' },
      { series: series('tokenwatt_collector_up', { ...tw, collector: 'vllm', target: 'http://h1:8000/metrics' }), values: '1x5 0x20' },
      { series: series('tokenwatt_collector_up', { ...tw, collector: 'dcgm', target: 'http://h1:9400/metrics' }), values: '1x25' },
      { series: series('tokenwatt_nvml_up', { ...tw, backend: 'koffi' }), values: '1x5 0x20' },
      { series: series('up', { job: 'kepler', instance: 'h1:28282', cluster: 'c1', host: 'h1' }), values: '1x5 0x20' },
      { series: series('up', { job: 'node', instance: 'h1:9100', cluster: 'c1', host: 'h1' }), values: '1x5 0x20' },
      { series: series('up', { job: 'node', instance: 'h2:9100', cluster: 'c1', host: 'h2' }), values: '1x25' },
    ],
    alert_rule_test: [
      { eval_time: '8m', alertname: 'TokenwattDown', exp_alerts: [] },
      { eval_time: '15m', alertname: 'TokenwattDown', exp_alerts: [
        expectAlert('TokenwattDown', 'warning', { ...tw, cluster: 'c1' }, 'tokenwatt target tw:9464 has been down for 5m.'),
      ] },
      { eval_time: '12m', alertname: 'TokenwattCollectorDown', exp_alerts: [] },
      { eval_time: '20m', alertname: 'TokenwattCollectorDown', exp_alerts: [
        expectAlert('TokenwattCollectorDown', 'warning', { ...tw, collector: 'vllm', target: 'http://h1:8000/metrics' }, 'Collector vllm of tw:9464 has failed against http://h1:8000/metrics for 10m.'),
      ] },
      { eval_time: '8m', alertname: 'TokenwattNVMLDown', exp_alerts: [] },
      { eval_time: '15m', alertname: 'TokenwattNVMLDown', exp_alerts: [
        expectAlert('TokenwattNVMLDown', 'warning', { ...tw, backend: 'koffi' }, 'NVML backend koffi of tw:9464 has not answered for 5m.'),
      ] },
      { eval_time: '8m', alertname: 'KeplerDown', exp_alerts: [] },
      { eval_time: '15m', alertname: 'KeplerDown', exp_alerts: [
        expectAlert('KeplerDown', 'warning', { job: 'kepler', instance: 'h1:28282', cluster: 'c1', host: 'h1' }, 'Kepler target h1:28282 on h1 has been down for 5m.'),
      ] },
      { eval_time: '8m', alertname: 'NodeExporterDown', exp_alerts: [] },
      { eval_time: '15m', alertname: 'NodeExporterDown', exp_alerts: [
        expectAlert('NodeExporterDown', 'warning', { job: 'node', instance: 'h1:9100', cluster: 'c1', host: 'h1' }, 'node_exporter h1:9100 on h1 has been down for 5m.'),
      ] },
      // Watchdog fires from the first evaluation and never stops: it has no not-firing case by design.
      { eval_time: '0m', alertname: 'Watchdog', exp_alerts: [
        expectAlert('Watchdog', 'none', {}, 'Prometheus is evaluating rules and Alertmanager is delivering them; if this stops arriving, alerting is broken.'),
      ] },
      { eval_time: '15m', alertname: 'Watchdog', exp_alerts: [
        expectAlert('Watchdog', 'none', {}, 'Prometheus is evaluating rules and Alertmanager is delivering them; if this stops arriving, alerting is broken.'),
      ] },
    ],
  },
  {
    // GPU 0 has no energy counter for the whole run (for 1h: firing at 80m); GPU 1 has one.
    coarse: true,
    input_series: [
      { series: series('tokenwatt_nvml_energy_counter_supported', gpu('0')), values: '0x85' },
      { series: series('tokenwatt_nvml_energy_counter_supported', gpu('1')), values: '1x85' },
    ],
    alert_rule_test: [
      { eval_time: '30m', alertname: 'TokenwattNoEnergyCounter', exp_alerts: [] },
      { eval_time: '80m', alertname: 'TokenwattNoEnergyCounter', exp_alerts: [
        expectAlert('TokenwattNoEnergyCounter', 'info', gpu('0'), 'GPU 0 (NVIDIA T4) on h1 has no NVML energy counter; only power is read.'),
      ] },
    ],
  },
  {
    // One engine placed on a host no source reports (a typo), one placed fine: only the first fires, after 10m.
    input_series: [
      { series: series('tokenwatt_engine_placed', { ...tw, model_name: 'llama', engine: '0', namespace: '', pod: '', host: 'gpu-node-1', gpu: '1', gpu_instance_id: '2' }), values: '0x25' },
      { series: series('tokenwatt_engine_placed', { ...tw, model_name: 'mistral', engine: '0', namespace: '', pod: '', host: 'a100-node-1', gpu: '0', gpu_instance_id: '' }), values: '1x25' },
    ],
    alert_rule_test: [
      { eval_time: '5m', alertname: 'TokenwattEngineUnplaced', exp_alerts: [] },
      { eval_time: '15m', alertname: 'TokenwattEngineUnplaced', exp_alerts: [
        // Empty labels (namespace, pod) are no labels in Prometheus.
        expectAlert('TokenwattEngineUnplaced', 'warning', { ...tw, model_name: 'llama', engine: '0', host: 'gpu-node-1', gpu: '1', gpu_instance_id: '2' },
          'Engine llama (0) of tw:9464 is placed on host "gpu-node-1" GPU "1" instance "2", which no source reports, for 10m.'),
      ] },
    ],
  },
];
