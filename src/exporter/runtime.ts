// The exporter's own process and Node runtime metrics (CPU, RSS, open fds, heap, event-loop lag, GC) from
// prom-client's default collectors, served beside tokenwatt's derived series. One registry per
// process (the collectors watch the process, not an Exporter instance); read once per collection
// cycle, so a scrape still costs a buffer write.
import { collectDefaultMetrics, Registry } from 'prom-client';

export interface RuntimeFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

let registry: Registry | undefined;

function runtimeRegistry(): Registry {
  if (registry === undefined) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  }
  return registry;
}

/**
 * The runtime families now. Left out: nodejs_active_{resources,handles,requests}* (per-resource-type
 * debugging detail whose gauges end in _total, which reads as a counter to OpenMetrics tooling).
 */
export async function runtimeFamilies(): Promise<RuntimeFamily[]> {
  const metrics = await runtimeRegistry().getMetricsAsJSON();
  const out: RuntimeFamily[] = [];
  for (const m of metrics) {
    if (m.name.startsWith('nodejs_active_')) continue;
    const type = String(m.type);
    if (type !== 'counter' && type !== 'gauge' && type !== 'histogram' && type !== 'summary') continue;
    const samples = m.values.map((v) => {
      const labels: Record<string, string> = {};
      for (const [k, x] of Object.entries(v.labels)) if (x !== undefined) labels[k] = String(x);
      return { name: (v as { metricName?: string }).metricName ?? m.name, labels, value: v.value };
    });
    if (samples.length > 0) out.push({ name: m.name, help: m.help, type, samples });
  }
  return out;
}
