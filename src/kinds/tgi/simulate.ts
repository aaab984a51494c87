// A TGI-shaped /metrics for one simulated engine, as TGI's Rust router renders it
// (metrics-exporter-prometheus): TYPE lines only, no model label, integers without a decimal point,
// labels before `le`. The workload's histograms keep their own bucket bounds (TGI's are 0.00015 s x1.5
// for durations and max_input_tokens/100 steps for lengths); the token `_sum`s are the engine's token
// totals as produced (a real TGI adds a request's tokens at validation and at completion).
import type { Histogram, EngineSim } from '../../simulate/workload.ts';

type Labels = [string, string][];

function text(labels: Labels): string {
  return labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

class Writer {
  readonly lines: string[] = [];
  type(name: string, type: 'counter' | 'gauge' | 'histogram'): this {
    this.lines.push(`# TYPE ${name} ${type}`);
    return this;
  }
  sample(name: string, labels: Labels, value: number): this {
    this.lines.push(`${name}${text(labels)} ${value}`);
    return this;
  }
  histogram(name: string, h: Histogram, labels: Labels = [], sum = h.sum): this {
    this.type(name, 'histogram');
    const cum = h.cumulative();
    h.bounds.forEach((b, i) => this.sample(`${name}_bucket`, [...labels, ['le', String(b)]], cum[i]!));
    this.sample(`${name}_bucket`, [...labels, ['le', '+Inf']], h.count);
    this.sample(`${name}_sum`, labels, sum);
    return this.sample(`${name}_count`, labels, h.count);
  }
}

export function tgiExposition(e: EngineSim): string {
  const w = new Writer();
  const done = e.finished.stop + e.finished.length + e.finished.abort + e.finished.error;
  w.type('tgi_request_count', 'counter').sample('tgi_request_count', [], done + e.running.length + e.waiting.length);
  w.type('tgi_request_success', 'counter').sample('tgi_request_success', [], e.finished.stop + e.finished.length);
  w.type('tgi_request_failure', 'counter')
    .sample('tgi_request_failure', [['err', 'generation']], e.finished.error)
    .sample('tgi_request_failure', [['err', 'incomplete']], e.finished.abort);
  w.type('tgi_queue_size', 'gauge').sample('tgi_queue_size', [], e.waiting.length);
  w.type('tgi_batch_current_size', 'gauge').sample('tgi_batch_current_size', [], e.running.length);
  w.type('tgi_batch_current_max_tokens', 'gauge').sample('tgi_batch_current_max_tokens', [], e.kvUsed);
  w.type('tgi_batch_max_total_tokens', 'gauge').sample('tgi_batch_max_total_tokens', [], e.kvCapacity);
  w.histogram('tgi_request_duration', e.h.e2e);
  w.histogram('tgi_request_queue_duration', e.h.queue);
  w.histogram('tgi_request_inference_duration', e.h.inference);
  w.histogram('tgi_request_mean_time_per_token_duration', e.h.tpot);
  w.histogram('tgi_request_input_length', e.h.promptLen, [], e.promptTokens);
  w.histogram('tgi_request_generated_tokens', e.h.genLen, [], e.generationTokens);
  w.histogram('tgi_batch_inference_duration', e.h.prefill, [['method', 'prefill']]);
  return `${w.lines.join('\n')}\n`;
}
