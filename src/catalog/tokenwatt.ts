// tokenwatt's own series, served by `tokenwatt exporter`. Prometheus conventions: snake_case,
// `tokenwatt_` prefix, base units, `_total` only on counters. Every joule here comes from
// energy-counter deltas (NVML, dcgm-exporter, or Triton's nv_energy_consumption), never from power x time.
import { defineMetrics } from './types.ts';

/** One physical GPU: host + index + UUID (real scrapes redact UUIDs to one string, so all three). */
export const GPU = ['host', 'gpu', 'gpu_uuid', 'gpu_model'] as const;
/** One MIG slice (GPU instance) or, without MIG, the whole GPU (gpu_instance_id="", gpu_profile="whole"). */
export const SLICE = [...GPU, 'gpu_instance_id', 'gpu_profile'] as const;
/** One serving engine and where it runs. */
export const MODEL = ['model_name', 'engine', 'namespace', 'pod', ...SLICE] as const;
export const COLLECTOR = ['collector', 'target'] as const;

export const tokenwattMetrics = defineMetrics([
  // Board level: straight from the energy counter.
  { name: 'tokenwatt_gpu_info', type: 'info', unit: 'info', grafanaUnit: 'none', help: 'One series per physical GPU; mig_mode is "enabled" or "disabled".', labels: [...GPU, 'mig_mode', 'energy_source'], source: 'tokenwatt' },
  { name: 'tokenwatt_gpu_energy_joules_total', type: 'counter', unit: 'joules', grafanaUnit: 'watt', help: 'Board energy from the GPU energy counter (NVML, dcgm-exporter, or Triton where neither reports the GPU), reset-corrected.', labels: GPU, source: 'tokenwatt' },
  { name: 'tokenwatt_gpu_unmatched', type: 'gauge', unit: 'bool', grafanaUnit: 'bool', help: '1 while a source that names GPUs by UUID only (Triton) reports a GPU that no other source reports and the target\'s gpus map does not list: its energy is not counted.', labels: ['collector', 'target', 'host', 'gpu_uuid'], source: 'tokenwatt' },
  { name: 'tokenwatt_gpu_power_watts', type: 'gauge', unit: 'watts', grafanaUnit: 'watt', help: 'Board power as last read (for display; energy never derives from it).', labels: GPU, source: 'tokenwatt' },
  { name: 'tokenwatt_gpu_power_limit_watts', type: 'gauge', unit: 'watts', grafanaUnit: 'watt', help: 'Enforced board power limit.', labels: GPU, source: 'tokenwatt' },
  { name: 'tokenwatt_gpu_idle_power_watts', type: 'gauge', unit: 'watts', grafanaUnit: 'watt', help: 'Idle power used to split idle from active energy (configured or learned).', labels: [...GPU, 'origin'], source: 'tokenwatt' },
  // Slice level: a model of how the board's energy divides (no hardware measures per-slice power).
  { name: 'tokenwatt_slice_info', type: 'info', unit: 'info', grafanaUnit: 'none', help: 'One series per MIG slice (or whole GPU) with its compute and memory slices.', labels: [...SLICE, 'compute_slices', 'memory_slices'], source: 'tokenwatt' },
  { name: 'tokenwatt_slice_energy_joules_total', type: 'counter', unit: 'joules', grafanaUnit: 'watt', help: 'Energy attributed to a MIG slice or whole GPU, split by state (idle|active).', labels: [...SLICE, 'state'], source: 'tokenwatt' },
  { name: 'tokenwatt_estimated_energy_joules_total', type: 'counter', unit: 'joules', grafanaUnit: 'watt', help: 'Board energy whose split is an estimate, by reason (activity_unknown, idle_power_unknown, gap, reset, source_switch, restart); see docs/methodology.md §9.', labels: [...GPU, 'reason'], source: 'tokenwatt' },
  { name: 'tokenwatt_ledger_dropped_readings_total', type: 'counter', unit: 'readings', grafanaUnit: 'short', help: 'Upstream counter readings the ledger dropped, by counter (energy, generation_tokens, prompt_tokens) and reason (implausible).', labels: ['counter', 'reason'], source: 'tokenwatt' },
  { name: 'tokenwatt_unallocated_energy_joules_total', type: 'counter', unit: 'joules', grafanaUnit: 'watt', help: 'Idle energy of MIG capacity no slice holds; slices + unallocated = board.', labels: GPU, source: 'tokenwatt' },
  // Model level.
  { name: 'tokenwatt_engine_info', type: 'info', unit: 'info', grafanaUnit: 'none', help: 'Where each serving engine runs (GPU or MIG slice) and how tokenwatt learned it.', labels: [...MODEL, 'server', 'target', 'mapping'], source: 'tokenwatt' },
  { name: 'tokenwatt_engine_placed', type: 'gauge', unit: 'bool', grafanaUnit: 'bool', help: '1 when a source reports the GPU or MIG instance the engine is placed on; 0: its energy cannot be attributed (host "" gpu "": no placement at all).', labels: ['model_name', 'engine', 'namespace', 'pod', 'host', 'gpu', 'gpu_instance_id'], source: 'tokenwatt' },
  { name: 'tokenwatt_model_energy_joules_total', type: 'counter', unit: 'joules', grafanaUnit: 'watt', help: 'Energy attributed to a serving engine from the slice it runs on.', labels: MODEL, source: 'tokenwatt' },
  { name: 'tokenwatt_model_generation_tokens_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Generated tokens of a serving engine, with its GPU/slice labels.', labels: MODEL, source: 'tokenwatt' },
  { name: 'tokenwatt_model_prompt_tokens_total', type: 'counter', unit: 'tokens', grafanaUnit: 'short', help: 'Prompt tokens of a serving engine, with its GPU/slice labels.', labels: MODEL, source: 'tokenwatt' },
  { name: 'tokenwatt_model_tokens_per_joule', type: 'gauge', unit: 'tokens/J', grafanaUnit: 'none', help: 'Generated tokens per joule over the configured window.', labels: [...MODEL, 'window'], source: 'tokenwatt' },
  // Money and carbon, as counters so that rate/increase give $/h and month-to-date.
  { name: 'tokenwatt_gpu_cost_total', type: 'counter', unit: 'currency', grafanaUnit: 'currencyUSD', help: 'Cost of a GPU: capacity price x time plus energy x PUE x price per kWh.', labels: [...GPU, 'component', 'currency'], source: 'tokenwatt' },
  { name: 'tokenwatt_slice_cost_total', type: 'counter', unit: 'currency', grafanaUnit: 'currencyUSD', help: 'Cost of a MIG slice or whole GPU, by component (capacity|energy).', labels: [...SLICE, 'component', 'currency'], source: 'tokenwatt' },
  { name: 'tokenwatt_model_cost_total', type: 'counter', unit: 'currency', grafanaUnit: 'currencyUSD', help: 'Cost of a serving engine, from the slice it runs on.', labels: [...MODEL, 'currency'], source: 'tokenwatt' },
  { name: 'tokenwatt_idle_cost_total', type: 'counter', unit: 'currency', grafanaUnit: 'currencyUSD', help: 'Cost of allocated slices while they do no work.', labels: [...SLICE, 'currency'], source: 'tokenwatt' },
  { name: 'tokenwatt_unallocated_cost_total', type: 'counter', unit: 'currency', grafanaUnit: 'currencyUSD', help: 'Cost of MIG capacity that no slice holds.', labels: [...GPU, 'currency'], source: 'tokenwatt' },
  { name: 'tokenwatt_model_cost_per_million_tokens', type: 'gauge', unit: 'currency', grafanaUnit: 'currencyUSD', help: 'Cost per million generated tokens over the configured window.', labels: [...MODEL, 'currency', 'window'], source: 'tokenwatt' },
  { name: 'tokenwatt_gpu_co2e_grams_total', type: 'counter', unit: 'grams', grafanaUnit: 'massg', help: 'CO2e of a GPU: kWh x PUE x grid intensity.', labels: GPU, source: 'tokenwatt' },
  { name: 'tokenwatt_model_co2e_grams_total', type: 'counter', unit: 'grams', grafanaUnit: 'massg', help: 'CO2e attributed to a serving engine.', labels: MODEL, source: 'tokenwatt' },
  { name: 'tokenwatt_grid_intensity_grams_per_kwh', type: 'gauge', unit: 'g/kWh', grafanaUnit: 'none', help: 'Grid carbon intensity in use (constant or read from Prometheus).', labels: ['source'], source: 'tokenwatt' },
  // The exporter itself (node_exporter style: per-collector up/duration/errors).
  { name: 'tokenwatt_config_hash', type: 'gauge', unit: 'hash', grafanaUnit: 'none', help: 'Hash of the running config file (first 48 bits of its SHA-256): changes when a reload applies a different file.', labels: [], source: 'tokenwatt' },
  { name: 'tokenwatt_config_last_reload_successful', type: 'gauge', unit: 'bool', grafanaUnit: 'bool', help: '0 when the last reload was refused (the file does not validate) and the previous config still runs.', labels: [], source: 'tokenwatt' },
  { name: 'tokenwatt_config_last_reload_success_timestamp_seconds', type: 'gauge', unit: 'seconds', grafanaUnit: 'dateTimeAsIso', help: 'Unix time the running config was loaded (start, or the last reload that applied).', labels: [], source: 'tokenwatt' },
  { name: 'tokenwatt_build_info', type: 'info', unit: 'info', grafanaUnit: 'none', help: 'tokenwatt version.', labels: ['version', 'nodejs'], source: 'tokenwatt' },
  { name: 'tokenwatt_collector_up', type: 'gauge', unit: 'bool', grafanaUnit: 'bool', help: '1 when the collector\'s last run against this target succeeded.', labels: COLLECTOR, source: 'tokenwatt' },
  { name: 'tokenwatt_collector_duration_seconds', type: 'gauge', unit: 'seconds', grafanaUnit: 's', help: 'Duration of the collector\'s last run against this target.', labels: COLLECTOR, source: 'tokenwatt' },
  { name: 'tokenwatt_collector_errors_total', type: 'counter', unit: 'errors', grafanaUnit: 'short', help: 'Failed collector runs by reason (timeout, http_status, parse, too_large, connect...).', labels: [...COLLECTOR, 'reason'], source: 'tokenwatt' },
  { name: 'tokenwatt_collector_last_success_timestamp_seconds', type: 'gauge', unit: 'seconds', grafanaUnit: 'dateTimeAsIso', help: 'Unix time of the collector\'s last successful run.', labels: COLLECTOR, source: 'tokenwatt' },
  { name: 'tokenwatt_collector_series', type: 'gauge', unit: 'series', grafanaUnit: 'short', help: 'Series read from the target in the last run.', labels: COLLECTOR, source: 'tokenwatt' },
  { name: 'tokenwatt_nvml_up', type: 'gauge', unit: 'bool', grafanaUnit: 'bool', help: '1 when NVML (or its fallback) answered in the last run.', labels: ['backend'], source: 'tokenwatt' },
  { name: 'tokenwatt_nvml_energy_counter_supported', type: 'gauge', unit: 'bool', grafanaUnit: 'bool', help: '0 when only power is available (nvidia-smi fallback): no joule figures then.', labels: GPU, source: 'tokenwatt' },
  // NVML board gauges (src/collectors/nvml.ts), for display and alerts; absent where the GPU does not support the read.
  { name: 'tokenwatt_gpu_utilization_ratio', type: 'gauge', unit: 'ratio', grafanaUnit: 'percentunit', help: 'Fraction of the last sample period a kernel ran on the GPU (NVML utilization.gpu; absent under MIG).', labels: GPU, source: 'tokenwatt' },
  { name: 'tokenwatt_gpu_memory_utilization_ratio', type: 'gauge', unit: 'ratio', grafanaUnit: 'percentunit', help: 'Fraction of the last sample period device memory was read or written (NVML utilization.memory).', labels: GPU, source: 'tokenwatt' },
  { name: 'tokenwatt_gpu_memory_used_bytes', type: 'gauge', unit: 'bytes', grafanaUnit: 'bytes', help: 'Device memory in use (NVML memory info).', labels: GPU, source: 'tokenwatt' },
  { name: 'tokenwatt_gpu_memory_total_bytes', type: 'gauge', unit: 'bytes', grafanaUnit: 'bytes', help: 'Device memory installed (NVML memory info).', labels: GPU, source: 'tokenwatt' },
  { name: 'tokenwatt_gpu_temperature_celsius', type: 'gauge', unit: 'celsius', grafanaUnit: 'celsius', help: 'GPU core temperature.', labels: GPU, source: 'tokenwatt' },
  { name: 'tokenwatt_gpu_sm_clock_hertz', type: 'gauge', unit: 'hertz', grafanaUnit: 'hertz', help: 'Current SM clock.', labels: GPU, source: 'tokenwatt' },
  { name: 'tokenwatt_gpu_memory_clock_hertz', type: 'gauge', unit: 'hertz', grafanaUnit: 'hertz', help: 'Current memory clock.', labels: GPU, source: 'tokenwatt' },
  { name: 'tokenwatt_gpu_clock_event_reason', type: 'gauge', unit: 'bool', grafanaUnit: 'bool', help: '1 while the clock event (throttle) reason holds: gpu_idle, sw_power_cap, hw_slowdown, sw_thermal_slowdown, hw_thermal_slowdown, hw_power_brake_slowdown...', labels: [...GPU, 'reason'], source: 'tokenwatt' },
]);
