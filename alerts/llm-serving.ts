// Serving health of vLLM (and SGLang targets): down or absent servers, errors, queues, KV-cache
// saturation, preemptions, and multiwindow multi-burn-rate SLO alerts on TTFT and errors (Google
// SRE workbook ch. 5) over the ratios recorded by rules/slo-*.ts.
import { sloRatioName } from '../src/catalog/recording.ts';
import type { SloKind } from '../src/catalog/recording.ts';
import type { BurnWindow } from '../src/config/alerting.ts';
import { anyName, rateOf, sel } from '../src/promql/helpers.ts';
import { and, servingBy, sglangAbortsAreErrors } from '../src/rules/levels.ts';
import { alert } from '../src/rules/types.ts';
import type { AlertGroupDef } from '../src/rules/types.ts';
import { SERVING_KIND_IDS, servingOf } from '../src/kinds/index.ts';

/** `a or b`, `a, b or c`. */
function orList(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** (long > f x budget and short > f x budget) or ... for each burn condition. */
function burn(kind: SloKind, objective: number, windows: BurnWindow[]): string {
  return windows.map((b) => {
    const threshold = `(${b.factor} * (1 - ${objective}))`;
    return `(${sloRatioName(kind, b.long)} > ${threshold} and ${sloRatioName(kind, b.short)} > ${threshold})`;
  }).join(' or ');
}

const group: AlertGroupDef = (c) => {
  const s = c.alerting.serving;
  const slo = c.alerting.slo;
  const by = servingBy(c).join(', ');
  const v = c.selectors.vllm;
  const failed = `finished_reason=~"${s.errorReasons.join('|')}"`;
  const ttftMs = slo.ttft.thresholdSeconds * 1000;
  // Errors, preemptions and KV cache per model and host are recorded over 5m (rules/serving-vllm.ts):
  // the alerts read those (the previous evaluation of that group, at most one interval old) instead
  // of every engine's raw series again; another alerting.serving.rateWindow reads the raw counters.
  const recorded = s.rateWindow === '5m';
  const vllmErrorRatio = recorded
    ? `sum by (${by}) (model_name_host:vllm_request_success:rate5m{${failed}}) / sum by (${by}) (model_name_host:vllm_request_success:rate5m)`
    : `sum by (${by}) (${rateOf('vllm:request_success_total', and(v, failed), s.rateWindow)}) / sum by (${by}) (${rateOf('vllm:request_success_total', v, s.rateWindow)})`;
  const sglangErrorRatio = `sum by (${by}) (${rateOf('sglang:num_aborted_requests_total', c.selectors.sglang, s.rateWindow)}) / sum by (${by}) (${rateOf('sglang:num_requests_total', c.selectors.sglang, s.rateWindow)})`;
  return {
    name: 'llm-serving',
    rules: [
      alert(c, {
        name: 'LLMServerDown', severity: 'critical', component: 'serving', for: s.downFor,
        expr: SERVING_KIND_IDS.map((id) => `${sel('up', c.selectors[id])} == 0`).join(' or '),
        summary: 'Prometheus cannot scrape an LLM serving engine.',
        description: '{{ $labels.job }} target {{ $labels.instance }} on {{ $labels.host }} has been down for ' + s.downFor + '.',
      }),
      alert(c, {
        name: 'LLMServerAbsent', severity: 'warning', component: 'serving', for: s.absentFor,
        // absent() of every serving job: a serving fleet with no target at all is a discovery problem.
        expr: SERVING_KIND_IDS.map((id) => `absent(${sel('up', c.selectors[id])})`).join(' and on () '),
        summary: `Prometheus discovers no ${orList(SERVING_KIND_IDS.map((id) => servingOf(id).title))} target at all.`,
        description: 'No target matches ' + orList(SERVING_KIND_IDS.map((id) => 'up{' + c.selectors[id] + '}')) + ' (absent: {{ $labels.job }}): check service discovery.',
      }),
      alert(c, {
        name: 'VLLMHighErrorRatio', severity: 'warning', component: 'serving', for: s.errorFor,
        // vLLM by finished_reason; SGLang's aborted over finished requests when aborts count as
        // errors (SGLang has one counter for errors and client aborts: sglangAbortsAreErrors).
        expr: `${sglangAbortsAreErrors(c) ? `(${vllmErrorRatio} or ${sglangErrorRatio})` : vllmErrorRatio} > ${s.errorRatio}`,
        summary: 'A model is failing too many of its requests.',
        description: '{{ $value | humanizePercentage }} of requests to {{ $labels.model_name }} on {{ $labels.host }} ended in an error.',
      }),
      alert(c, {
        name: 'VLLMQueueBacklog', severity: 'warning', component: 'serving', for: s.queueFor,
        expr: `sum by (${by}) (${anyName('vllm:num_requests_waiting', v)}) > ${s.queueDepth}`,
        summary: 'Requests to a model have been queueing for a long time.',
        description: '{{ $value }} requests are waiting for {{ $labels.model_name }} on {{ $labels.host }}.',
      }),
      alert(c, {
        name: 'VLLMKVCacheSaturated', severity: 'warning', component: 'serving', for: s.kvCacheFor,
        expr: `model_name_host:vllm_kv_cache_usage_perc:max > ${s.kvCacheRatio}`,
        summary: 'A model has run out of KV-cache space.',
        description: 'The KV cache of {{ $labels.model_name }} on {{ $labels.host }} is {{ $value | humanizePercentage }} full.',
      }),
      alert(c, {
        name: 'VLLMPreemptionsRising', severity: 'warning', component: 'serving', for: s.preemptionsFor,
        expr: recorded
          ? `model_name_host:vllm_num_preemptions:rate5m > ${s.preemptionsPerSecond}`
          : `sum by (${by}) (${rateOf('vllm:num_preemptions_total', v, s.rateWindow)}) > ${s.preemptionsPerSecond}`,
        summary: 'A model keeps preempting running requests for lack of KV-cache space.',
        description: '{{ $labels.model_name }} on {{ $labels.host }} preempts {{ $value | printf "%.2f" }} requests per second.',
      }),
      alert(c, {
        name: 'VLLMTTFTBudgetBurn', severity: 'critical', component: 'serving', for: slo.pageFor,
        expr: burn('ttft', slo.ttft.objective, slo.page),
        summary: 'A model is burning its time-to-first-token error budget fast enough to page.',
        description: '{{ $value | humanizePercentage }} of requests to {{ $labels.model_name }} waited more than ' + ttftMs + ' ms for their first token (objective ' + slo.ttft.objective + ').',
      }),
      alert(c, {
        name: 'VLLMTTFTBudgetBurn', severity: 'warning', component: 'serving', for: slo.ticketFor,
        expr: burn('ttft', slo.ttft.objective, slo.ticket),
        summary: 'A model is slowly burning its time-to-first-token error budget.',
        description: '{{ $value | humanizePercentage }} of requests to {{ $labels.model_name }} waited more than ' + ttftMs + ' ms for their first token (objective ' + slo.ttft.objective + ').',
      }),
      alert(c, {
        name: 'VLLMErrorBudgetBurn', severity: 'critical', component: 'serving', for: slo.pageFor,
        expr: burn('errors', slo.errors.objective, slo.page),
        summary: 'A model is burning its request error budget fast enough to page.',
        description: '{{ $value | humanizePercentage }} of requests to {{ $labels.model_name }} failed (objective ' + slo.errors.objective + ').',
      }),
      alert(c, {
        name: 'VLLMErrorBudgetBurn', severity: 'warning', component: 'serving', for: slo.ticketFor,
        expr: burn('errors', slo.errors.objective, slo.ticket),
        summary: 'A model is slowly burning its request error budget.',
        description: '{{ $value | humanizePercentage }} of requests to {{ $labels.model_name }} failed (objective ' + slo.errors.objective + ').',
      }),
    ],
  };
};
export default group;
