// NVIDIA Triton Inference Server: catalog (core, GPU, TensorRT-LLM families), recogniser (models, with
// tokens only from the vLLM backend), simulator (a vLLM-backend model), scrape job copying `model` into
// model_name, recording rules and a dashboard row.
import { defineServingKind, ENGINES_JSON } from '../serving.ts';
import type { ServingKind } from '../types.ts';
import { tritonMetrics } from './metrics.ts';
import { tritonPanels } from './panels.ts';
import { recogniseTriton } from './recognise.ts';
import { tritonRecording } from './recording.ts';
import { tritonScrape } from './scrape.ts';
import { tritonExposition } from './simulate.ts';

export const triton: ServingKind<'triton'> = defineServingKind({
  id: 'triton',
  title: 'Triton',
  metrics: tritonMetrics,
  scrape: tritonScrape,
  recognise: recogniseTriton,
  json: `${ENGINES_JSON.slice(0, -1)},"gpus":[{"uuid","energyJoules","powerWatts","powerLimitWatts","utilization"}]}`,
  serving: {
    // Tokens from the vLLM backend's counters (Triton core counts none).
    promptTokens: 'vllm:prompt_tokens_total', generationTokens: 'vllm:generation_tokens_total', namesModel: true,
    // Its GPUs' energy (joules since Triton started, by gpu_uuid): used where neither NVML nor dcgm-exporter reports the GPU.
    gpuEnergy: 'nv_energy_consumption',
    running: 'nv_inference_pending_request_count', simulate: tritonExposition, panels: tritonPanels, recording: tritonRecording,
  },
});
