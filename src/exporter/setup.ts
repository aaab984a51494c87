// From a validated config to scheduled collectors: one per target (made by its kind, src/kinds/), plus
// NVML unless `nvml: off`. Placement for serving engines: the static table, then the Kubernetes pod mapping read from the
// last good answer of each dcgm target (kept while that target fails: pods rarely move, and its GPUs
// feed the ledger only while it answers anyway).
import type { Collector, NvmlOptions } from '../collectors/collector.ts';
import type { Log } from '../log.ts';
import { redactUrl } from '../collectors/redact.ts';
import { placeEngine } from '../energy/placement.ts';
import { targetOf } from '../kinds/index.ts';
import type { DcgmView } from '../recognise/types.ts';
import type { ExporterConfig } from './config.ts';
import type { Scheduled } from './exporter.ts';

export type NvmlFactory = (options: NvmlOptions) => Collector;

/**
 * The NVML collector (src/collectors/nvml.ts) is loaded only when `nvml` is not off: its modules (and
 * koffi, on a GPU host) cost memory a dcgm-only exporter does not need. A load failure leaves the
 * exporter running on dcgm-exporter alone, logged once.
 */
export async function loadNvmlFactory(log: Log): Promise<NvmlFactory | undefined> {
  try {
    return (await import('../collectors/nvml.ts')).createNvmlCollector;
  } catch (err) {
    log('warn', 'NVML unavailable: the NVML collector could not be loaded', { error: (err as Error).message });
    return undefined;
  }
}

/**
 * What the collectors of one exporter share across reloads (src/exporter/reload.ts): the pod mappings
 * of its GPU exporters, and the static placement table, which a reload replaces in place.
 */
export interface SharedPlacement {
  dcgmViews: Map<string, DcgmView>;
  placement: ExporterConfig['placement'];
}

export function scheduleCollectors(config: ExporterConfig, log: Log, nvml: NvmlFactory | undefined, shared: SharedPlacement = { dcgmViews: new Map(), placement: config.placement }): Scheduled[] {
  const limits = config.limits;
  const dcgmViews = shared.dcgmViews;
  const place = (engine: { url: string; model: string; namespace?: string; pod?: string }) => {
    const fixed = placeEngine(engine, shared.placement);
    if (fixed.length > 0 || !engine.namespace || !engine.pod) return fixed;
    for (const view of dcgmViews.values()) {
      const p = placeEngine(engine, [], view);
      if (p.length > 0) return p;
    }
    return [];
  };
  const out: Scheduled[] = [];
  for (const t of config.targets) {
    const target = {
      name: t.name, url: t.url, timeoutMs: t.timeoutMs,
      ...(t.auth && { auth: t.auth }),
      ...(t.tls && { tls: t.tls }),
      ...(t.model !== undefined && { model: t.model }),
      ...(t.namespace !== undefined && { namespace: t.namespace }),
      ...(t.pod !== undefined && { pod: t.pod }),
      ...(t.gpus !== undefined && { gpus: t.gpus }),
    };
    // Each kind makes its own collector (src/kinds/); a GPU exporter's pod mapping is kept per target.
    const collector: Collector = targetOf(t.kind).create(target, { limits, log, place, onPodMapping: (v) => dcgmViews.set(t.name, v), host: config.host });
    out.push({ collector, url: redactUrl(t.url), target: t.name, intervalMs: t.intervalMs, timeoutMs: t.timeoutMs, key: JSON.stringify(t) });
  }
  if (config.nvml !== 'off' && nvml) {
    const mode = config.nvml === 'auto' ? 'auto' : config.nvml;
    if (typeof mode === 'object' && config.nvmlReplayGpus === undefined) {
      // A trace records no GPU identity: without nvmlReplayGpus every GPU gets the H100 fixture's
      // model, UUID and power limit, and is priced as that model (issue 12).
      log('warn', 'NVML replay without nvmlReplayGpus: every GPU of the trace is labelled (and priced) as the fixture\'s NVIDIA H100 80GB HBM3; set nvmlReplayGpus.<index>.name for the GPUs the trace came from', { trace: mode.replay });
    }
    try {
      const collector = nvml({ mode, host: config.host, log, ...(config.nvmlReplayGpus && { replayGpus: config.nvmlReplayGpus }) });
      out.push({ collector, url: '', target: 'local', intervalMs: config.intervalMs, timeoutMs: Math.min(10_000, config.intervalMs * 0.8) });
    } catch (err) {
      log(config.nvml === 'auto' ? 'warn' : 'error', 'NVML collector could not start', { error: (err as Error).message });
    }
  }
  return out;
}
