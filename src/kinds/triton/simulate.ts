// A Triton-shaped /metrics (:8002) for one simulated engine served through Triton's vLLM backend:
// Triton core's per-model counters (`model`, `version` labels; durations in cumulative µs) and the
// backend's vllm: token counters and TTFT histogram with Triton's labels (REPORT_CUSTOM_METRICS on),
// and, given its GPUs, Triton's GPU families by gpu_uuid: nv_energy_consumption counts joules since this
// engine (Triton) started, so a restarted engine starts it again from 0.
import { metric } from '../../catalog/index.ts';
import type { EngineSim, GpuSim } from '../../simulate/workload.ts';

/** Each engine's GPUs' energy counters (mJ) when Triton first reported them: its own base. */
const startedMj = new WeakMap<EngineSim, Map<GpuSim, number>>();

export function tritonExposition(e: EngineSim, gpus: readonly GpuSim[] = []): string {
  const out: string[] = [];
  const L = `model="${e.server.model}",version="1"`;
  const family = (name: string, type: string, samples: [string, number][]) => {
    out.push(`# HELP ${name} ${metric(name).help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of samples) out.push(`${name}{${labels}} ${v}`);
  };
  const ok = e.finished.stop + e.finished.length;
  const us = (s: number) => Math.round(s * 1e6);
  family('nv_inference_request_success', 'counter', [[L, ok]]);
  family('nv_inference_request_failure', 'counter', [[`${L},reason="BACKEND"`, e.finished.error], [`${L},reason="CANCELED"`, e.finished.abort]]);
  family('nv_inference_count', 'counter', [[L, ok]]);
  family('nv_inference_exec_count', 'counter', [[L, ok]]);
  family('nv_inference_request_duration_us', 'counter', [[L, us(e.h.e2e.sum)]]);
  family('nv_inference_queue_duration_us', 'counter', [[L, us(e.h.queue.sum)]]);
  family('nv_inference_compute_infer_duration_us', 'counter', [[L, us(e.h.inference.sum)]]);
  family('nv_inference_pending_request_count', 'gauge', [[L, e.waiting.length]]);
  family('vllm:prompt_tokens_total', 'counter', [[L, e.promptTokens]]);
  family('vllm:generation_tokens_total', 'counter', [[L, e.generationTokens]]);
  if (gpus.length > 0) {
    let base = startedMj.get(e);
    if (!base) startedMj.set(e, (base = new Map()));
    for (const g of gpus) if (!base.has(g)) base.set(g, g.energyMj);
    const G = (g: GpuSim) => `gpu_uuid="${g.uuid}"`;
    family('nv_gpu_utilization', 'gauge', gpus.map((g) => [G(g), Math.max(...g.devices.map((d) => g.activity(d)))]));
    family('nv_gpu_power_usage', 'gauge', gpus.map((g) => [G(g), g.powerW]));
    family('nv_gpu_power_limit', 'gauge', gpus.map((g) => [G(g), g.limitW]));
    family('nv_energy_consumption', 'counter', gpus.map((g) => [G(g), (g.energyMj - base.get(g)!) / 1000]));
  }
  return `${out.join('\n')}\n`;
}
