// The four scaling triggers of one serving Deployment, shared by the KEDA ScaledObject, the
// prometheus-adapter rules + HPA, and the scenario test (which runs these very queries against a real
// Prometheus). Each query reads one recorded series (src/autoscaling/signals.ts), wrapped so that it
// always returns exactly one sample: `sum(...)` (KEDA errors on more than one series) and
// `or vector(0)` (no series at zero replicas, and the HPA stops scaling down on a missing metric).
import type { AutoscaledDeployment } from '../config/autoscaling.ts';
import type { MixinConfig } from '../config/mixin.ts';
import { ENGINE_SIGNALS } from './signals.ts';
import type { SignalKind } from './signals.ts';

export interface Trigger {
  /** KEDA trigger name and the suffix of the external metric name. */
  name: 'waiting-requests' | 'kv-cache-usage' | 'token-headroom' | 'ttft-p95';
  signal: SignalKind;
  /** The recorded series the query reads. */
  series: string;
  /**
   * AverageValue: desired = ceil(value / threshold), whatever the current replicas (a total to share).
   * Value: desired = ceil(current x value / threshold) (a utilisation or latency to bring to target).
   */
  metricType: 'AverageValue' | 'Value';
  query: string;
  threshold: number;
  /** KEDA: the trigger is active while the value is strictly above this (scale-from/to-zero). */
  activationThreshold: number;
}

/** The deployment's recorded series matchers: one model in one namespace of one cluster. */
export function modelMatchers(d: AutoscaledDeployment, c: MixinConfig): string {
  return `${c.clusterLabel}=${JSON.stringify(c.prometheus.cluster)}, namespace=${JSON.stringify(d.namespace)}, model_name=${JSON.stringify(d.model)}`;
}

export function triggersFor(d: AutoscaledDeployment, c: MixinConfig): Trigger[] {
  const s = ENGINE_SIGNALS[d.engine];
  if (!s) throw new Error(`autoscaling: engine '${d.engine}' has no signals (known: ${Object.keys(ENGINE_SIGNALS).join(', ')})`);
  const m = modelMatchers(d, c);
  const t = c.autoscaling.targets;
  const a = c.autoscaling.activation;
  // Round to what a YAML string keeps exactly.
  const tokensTarget = Math.round(d.tokensPerSecondPerReplica * t.tokenUtilisation * 1000) / 1000;
  return [
    { name: 'waiting-requests', signal: 'waiting', series: s.recorded.waiting, metricType: 'AverageValue',
      query: `sum(${s.recorded.waiting}{${m}}) or vector(0)`, threshold: t.waitingPerReplica, activationThreshold: a.waiting },
    // Active only above target: a half-full cache on an idle engine must not keep it from zero.
    { name: 'kv-cache-usage', signal: 'kvUsage', series: s.recorded.kvUsage, metricType: 'Value',
      query: `avg(${s.recorded.kvUsage}{${m}}) or vector(0)`, threshold: t.kvCacheUsage, activationThreshold: t.kvCacheUsage },
    { name: 'token-headroom', signal: 'generationTokens', series: s.recorded.generationTokens, metricType: 'AverageValue',
      query: `sum(${s.recorded.generationTokens}{${m}}) or vector(0)`, threshold: tokensTarget, activationThreshold: a.tokensPerSecond },
    // NaN (no request in the window) fails `>= 0` and becomes 0.
    { name: 'ttft-p95', signal: 'ttftP95', series: s.recorded.ttftP95, metricType: 'Value',
      query: `max(${s.recorded.ttftP95}{${m}} >= 0) or vector(0)`, threshold: t.ttftP95Seconds, activationThreshold: t.ttftP95Seconds },
  ];
}

/** prometheus-adapter external metric name of a trigger: `tokenwatt_<deployment>_<trigger>`. */
export function externalMetricName(d: AutoscaledDeployment, tr: Trigger): string {
  return `tokenwatt_${d.name.replace(/-/g, '_')}_${tr.name.replace(/-/g, '_')}`;
}
