// Per-model signals for KEDA's prometheus scaler and prometheus-adapter's external metrics
// (src/build/kubernetes/autoscaling.ts reads only these, never raw histograms).
// `tokenwatt-autoscaling`: vLLM running requests, KV-cache headroom of the fullest replica and 5m
// token throughput (dashboards). `tokenwatt-autoscaling-<engine>`: the four trigger signals of each
// engine kind in src/autoscaling/signals.ts, one group per kind so that a group stays under the
// 20-rule limit however many kinds are added.
import { ENGINE_SIGNALS, TOKENS_WINDOW, TTFT_WINDOW } from '../src/autoscaling/signals.ts';
import { anyName, histogramQuantile, rateOf, sel } from '../src/promql/helpers.ts';
import { and, modelBy } from '../src/rules/levels.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';

const base: RecordingGroupDef = (c) => {
  const by = modelBy(c).join(', ');
  const v = c.selectors.vllm;
  return {
    name: 'tokenwatt-autoscaling',
    rules: [
      { record: 'model_name:vllm_num_requests_running:sum', expr: `sum by (${by}) (${anyName('vllm:num_requests_running', v)})` },
      // The fullest replica bounds the headroom: a new long request lands on one replica.
      // The per-model maximum tokenwatt-serving-vllm records (one read of the raw gauge per cycle).
      { record: 'model_name:vllm_kv_cache_headroom:ratio', expr: '1 - model_name:vllm_kv_cache_usage_perc:max' },
      { record: 'model_name:vllm_generation_tokens:rate5m', expr: `sum by (${by}) (${rateOf('vllm:generation_tokens_total', v, '5m')})` },
      // What scale to zero would save: a model's whole cost per hour while it has generated no token for
      // autoscaling.idleSecondsBeforeZero (KEDA's cooldownPeriod), else 0, so that its average over a
      // range times the range is the money. Conservative: the 5m token rate itself lags the last token.
      {
        record: 'model_name:tokenwatt_scale_to_zero_savings:cost_per_hour',
        expr: `model_name:tokenwatt_cost_per_hour:rate5m and on (${by}) max_over_time(model_name:tokenwatt_generation_tokens:rate5m[${c.autoscaling.idleSecondsBeforeZero}s]) == 0 or model_name:tokenwatt_cost_per_hour:rate5m * 0`,
      },
    ],
  };
};

/** `label=~"a|b"` matching exactly these values (regex characters in them quoted). */
function oneOf(label: string, values: string[]): string {
  const alternatives = [...new Set(values)].sort().map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return `${label}=~${JSON.stringify(alternatives.join('|'))}`;
}

const perEngine: RecordingGroupDef[] = Object.entries(ENGINE_SIGNALS).map(([kind, s]) => (c) => {
  const by = modelBy(c).join(', ');
  const selector = c.selectors[s.selector as keyof typeof c.selectors];
  if (selector === undefined) throw new Error(`autoscaling signals of ${kind}: no selector '${s.selector}' in the config`);
  // Only the models of the Deployments autoscaled on this engine kind (autoscaling.deployments): the
  // triggers read nothing else, and the TTFT p95 below reads every engine's raw buckets. A kind with
  // no Deployment listed keeps every model (the signals stay there to look at). The queue stays per
  // model for every model: the LLM serving dashboard plots it.
  const deployments = c.autoscaling.deployments.filter((d) => d.engine === kind);
  const m = deployments.length === 0 ? selector : and(selector, oneOf('namespace', deployments.map((d) => d.namespace)), oneOf('model_name', deployments.map((d) => d.model)));
  const kv = typeof s.source.kvUsage === 'string'
    ? anyName(s.source.kvUsage, m)
    : `${sel(s.source.kvUsage.used, m)} / ${sel(s.source.kvUsage.total, m)}`;
  const tokens = typeof s.source.generationTokens === 'string'
    ? rateOf(s.source.generationTokens, m, TOKENS_WINDOW)
    : `rate(${sel(s.source.generationTokens.histogramSum, m, '_sum')}[${TOKENS_WINDOW}])`;
  return {
    name: `tokenwatt-autoscaling-${kind}`,
    rules: [
      // Queue of all replicas: the scale-out signal (KEDA AverageValue divides it by the target per replica).
      ...(s.recordedElsewhere?.includes('waiting') ? [] : [{ record: s.recorded.waiting, expr: `sum by (${by}) (${anyName(s.source.waiting, selector)})` }]),
      // Mean KV-cache usage over replicas: a utilisation, scaled as HPA Value (replicas x usage / target).
      { record: s.recorded.kvUsage, expr: `avg by (${by}) (${kv})` },
      { record: s.recorded.generationTokens, expr: `sum by (${by}) (${tokens})` },
      // NaN while no request finished prefill in the window; the trigger queries drop NaN (>= 0).
      // The one rule that reads raw buckets a second time per cycle (the serving group records them
      // over 5m): a p95 over 5m holds a surge's TTFT for 5 minutes after it, and in
      // test/autoscaling-scenario.test.ts it delayed the scale-down by 1-2 minutes.
      { record: s.recorded.ttftP95, expr: histogramQuantile(0.95, s.source.ttft, modelBy(c), m, TTFT_WINDOW) },
    ],
  };
});

export const autoscalingGroups: RecordingGroupDef[] = [base, ...perEngine];
