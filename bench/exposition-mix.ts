// A deterministic (seeded) scrape-sized text exposition mixing the three upstreams tokenwatt reads:
// vLLM (many engines, V1 histograms), dcgm-exporter (hosts of 8 GPUs x 7 MIG slices, default fields)
// and Kepler (pods on the rewrite and legacy generations). Shapes follow domain notes sections 2-4.

/** mulberry32: a tiny seeded PRNG, so every run parses the same bytes. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (r: () => number, n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
/** Python prometheus_client prints floats with repr: integers as `12.0`. */
const py = (v: number) => (Number.isInteger(v) ? `${v}.0` : String(v));

const MODELS = ['meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-70B-Instruct', 'Qwen/Qwen2.5-7B-Instruct',
  'mistralai/Mistral-7B-Instruct-v0.3', 'unsloth/Llama-3.2-1B-Instruct', 'google/gemma-2-9b-it'];

const LATENCY_BUCKETS = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
const ITL_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];
const TOKEN_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

function vllm(out: string[], r: () => number, engines: number): void {
  const eng = Array.from({ length: engines }, (_, i) => `engine="${i % 8}",model_name="${MODELS[i % MODELS.length]}",pod="vllm-${hex(r, 10)}-${hex(r, 5)}"`);
  const gauge = (name: string, help: string, v: () => number) => {
    out.push(`# HELP ${name} ${help}\n# TYPE ${name} gauge\n`);
    for (const l of eng) out.push(`${name}{${l}} ${py(v())}\n`);
  };
  const counter = (name: string, help: string, extra: string[] = ['']) => {
    out.push(`# HELP ${name}_total ${help}\n# TYPE ${name}_total counter\n`);
    for (const l of eng) for (const x of extra) out.push(`${name}_total{${x}${l}} ${py(Math.floor(r() * 1e7))}\n`);
    out.push(`# HELP ${name}_created ${help}\n# TYPE ${name}_created gauge\n`);
    for (const l of eng) for (const x of extra) out.push(`${name}_created{${x}${l}} 1.7${Math.floor(r() * 1e8)}e+09\n`);
  };
  const histogram = (name: string, help: string, bounds: number[]) => {
    out.push(`# HELP ${name} ${help}\n# TYPE ${name} histogram\n`);
    for (const l of eng) {
      let c = 0;
      const total = Math.floor(r() * 1e6);
      for (const b of bounds) {
        c += Math.floor(r() * (total - c) * 0.3);
        out.push(`${name}_bucket{${l},le="${py(b)}"} ${py(c)}\n`);
      }
      out.push(`${name}_bucket{${l},le="+Inf"} ${py(total)}\n${name}_count{${l}} ${py(total)}\n${name}_sum{${l}} ${r() * total * 3}\n`);
    }
  };
  gauge('vllm:num_requests_running', 'Number of requests in model execution batches.', () => Math.floor(r() * 64));
  gauge('vllm:num_requests_waiting', 'Number of requests waiting to be processed.', () => Math.floor(r() * 16));
  gauge('vllm:kv_cache_usage_perc', 'KV-cache usage. 1 means 100 percent usage.', () => r());
  counter('vllm:prompt_tokens', 'Number of prefill tokens processed.');
  counter('vllm:generation_tokens', 'Number of generation tokens processed.');
  counter('vllm:request_success', 'Count of successfully processed requests.',
    ['stop', 'length', 'abort', 'error', 'repetition'].map((f) => `finished_reason="${f}",`));
  counter('vllm:num_preemptions', 'Cumulative number of preemption from the engine.');
  counter('vllm:prefix_cache_queries', 'Prefix cache queries, in terms of number of queried tokens.');
  counter('vllm:prefix_cache_hits', 'Prefix cache hits, in terms of number of cached tokens.');
  histogram('vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', TTFT_BUCKETS);
  histogram('vllm:inter_token_latency_seconds', 'Histogram of inter-token latency in seconds.', ITL_BUCKETS);
  histogram('vllm:request_time_per_output_token_seconds', 'Histogram of time_per_output_token_seconds per request.', ITL_BUCKETS);
  for (const h of ['e2e_request_latency', 'request_queue_time', 'request_inference_time', 'request_prefill_time', 'request_decode_time']) {
    histogram(`vllm:${h}_seconds`, `Histogram of ${h.replaceAll('_', ' ')} in seconds.`, LATENCY_BUCKETS);
  }
  histogram('vllm:request_prompt_tokens', 'Number of prefill tokens processed.', TOKEN_BUCKETS);
  histogram('vllm:request_generation_tokens', 'Number of generation tokens processed.', TOKEN_BUCKETS);
  histogram('vllm:iteration_tokens_total', 'Histogram of number of tokens per engine_step.', [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384]);
}

const DCGM_FIELDS: [string, 'gauge' | 'counter', string][] = [
  ['DCGM_FI_DEV_SM_CLOCK', 'gauge', 'SM clock frequency (in MHz).'],
  ['DCGM_FI_DEV_MEM_CLOCK', 'gauge', 'Memory clock frequency (in MHz).'],
  ['DCGM_FI_DEV_MEMORY_TEMP', 'gauge', 'Memory temperature (in C).'],
  ['DCGM_FI_DEV_GPU_TEMP', 'gauge', 'GPU temperature (in C).'],
  ['DCGM_FI_DEV_POWER_USAGE', 'gauge', 'Power draw (in W).'],
  ['DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', 'counter', 'Total energy consumption since boot (in mJ).'],
  ['DCGM_FI_DEV_PCIE_REPLAY_COUNTER', 'counter', 'Total number of PCIe retries.'],
  ['DCGM_FI_DEV_MEM_COPY_UTIL', 'gauge', 'Memory utilization (in %).'],
  ['DCGM_FI_DEV_ENC_UTIL', 'gauge', 'Encoder utilization (in %).'],
  ['DCGM_FI_DEV_DEC_UTIL', 'gauge', 'Decoder utilization (in %).'],
  ['DCGM_FI_DEV_XID_ERRORS', 'gauge', 'Value of the last XID error encountered.'],
  ['DCGM_FI_DEV_FB_FREE', 'gauge', 'Framebuffer memory free (in MiB).'],
  ['DCGM_FI_DEV_FB_USED', 'gauge', 'Framebuffer memory used (in MiB).'],
  ['DCGM_FI_DEV_FB_RESERVED', 'gauge', 'Framebuffer memory reserved (in MiB).'],
  ['DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', 'counter', 'Total number of NVLink bandwidth counters for all lanes.'],
  ['DCGM_FI_DEV_VGPU_LICENSE_STATUS', 'gauge', 'vGPU License status'],
  ['DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', 'counter', 'Number of remapped rows for uncorrectable errors'],
  ['DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', 'counter', 'Number of remapped rows for correctable errors'],
  ['DCGM_FI_DEV_ROW_REMAP_FAILURE', 'gauge', 'Whether remapping of rows has failed'],
  ['DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'gauge', 'Ratio of time the graphics engine is active.'],
  ['DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', 'gauge', 'Ratio of cycles the tensor (HMMA) pipe is active.'],
  ['DCGM_FI_PROF_DRAM_ACTIVE', 'gauge', 'Ratio of cycles the device memory interface is active sending or receiving data.'],
  ['DCGM_FI_PROF_PCIE_TX_BYTES', 'gauge', 'The rate of data transmitted over the PCIe bus - including both protocol headers and data payloads - in bytes per second.'],
  ['DCGM_FI_PROF_PCIE_RX_BYTES', 'gauge', 'The rate of data received over the PCIe bus - including both protocol headers and data payloads - in bytes per second.'],
];
const SLICES = [['1g.10gb', 9], ['1g.10gb', 10], ['1g.10gb', 11], ['1g.10gb', 12], ['1g.10gb', 13], ['1g.10gb', 7], ['1g.10gb', 8]] as const;

function dcgm(out: string[], r: () => number, hosts: number): void {
  const series: string[] = [];
  for (let h = 0; h < hosts; h++) {
    const host = `gpu-node-${hex(r, 8)}`;
    for (let g = 0; g < 8; g++) {
      const uuid = `GPU-${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`;
      for (const [profile, id] of SLICES) {
        const pod = r() < 0.8 ? `vllm-${hex(r, 10)}-${hex(r, 5)}` : '';
        series.push(`gpu="${g}",UUID="${uuid}",pci_bus_id="00000000:${(0x18 + g * 0x10).toString(16).toUpperCase()}:00.0",device="nvidia${g}",modelName="NVIDIA H100 80GB HBM3",GPU_I_PROFILE="${profile}",GPU_I_ID="${id}",Hostname="${host}",DCGM_FI_DRIVER_VERSION="580.159.04",container="${pod ? 'vllm' : ''}",namespace="${pod ? 'inference' : ''}",pod="${pod}"`);
      }
    }
  }
  for (const [name, type, help] of DCGM_FIELDS) {
    out.push(`# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`);
    for (const l of series) {
      const v = type === 'counter' ? String(Math.floor(r() * 1e12)) : (r() * 1000).toFixed(6);
      out.push(`${name}{${l}} ${v}\n`);
    }
  }
}

function kepler(out: string[], r: () => number, pods: number): void {
  const nodes = Array.from({ length: 40 }, () => `node-${hex(r, 6)}`);
  const ps = Array.from({ length: pods }, (_, i) => ({
    name: `app-${hex(r, 8)}-${hex(r, 5)}`, ns: `team-${i % 37}`, node: nodes[i % nodes.length]!, id: hex(r, 64),
  }));
  // Rewrite (0.10+): zone-labelled CPU joules and watts per pod.
  for (const [name, type] of [['kepler_pod_cpu_joules_total', 'counter'], ['kepler_pod_cpu_watts', 'gauge']] as const) {
    out.push(`# HELP ${name} Energy consumption of cpu at pod level\n# TYPE ${name} ${type}\n`);
    for (const p of ps) for (const zone of ['package', 'core', 'uncore', 'dram']) {
      out.push(`${name}{node_name="${p.node}",pod_id="${p.id.slice(0, 36)}",pod_name="${p.name}",pod_namespace="${p.ns}",state="running",zone="${zone}"} ${(r() * 1e5).toFixed(3)}\n`);
    }
  }
  // Legacy (<= 0.9): container joules per component and mode.
  for (const comp of ['', 'package_', 'core_', 'uncore_', 'dram_', 'gpu_', 'other_', 'platform_']) {
    const name = `kepler_container_${comp}joules_total`;
    out.push(`# HELP ${name} Aggregated RAPL value in ${comp || 'all '}in joules\n# TYPE ${name} counter\n`);
    for (const p of ps) for (const mode of ['dynamic', 'idle']) {
      out.push(`${name}{command="",container_id="${p.id}",container_name="app",container_namespace="${p.ns}",mode="${mode}",pod_name="${p.name}",source="rapl-sysfs"} ${Math.floor(r() * 1e6)}\n`);
    }
  }
}

/** The mix as one exposition (about 45 MB with the defaults). */
export function exposition(seed = 42, sizes = { engines: 460, dcgmHosts: 37, keplerPods: 2000 }): string {
  const r = rng(seed);
  const out: string[] = [];
  vllm(out, r, sizes.engines);
  dcgm(out, r, sizes.dcgmHosts);
  kepler(out, r, sizes.keplerPods);
  return out.join('');
}
