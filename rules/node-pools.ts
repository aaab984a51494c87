// Cost per node pool: which pool (a node label value) and price basis each host has comes from the
// exporter's energy config (exporter.energy.nodePools in the build config, the same table the exporter
// prices capacity with: src/energy/cost.ts), so a spot pool's $ per 1M tokens is its own series.
// Hosts of no pool are pool "default" at `priceBasis`.
import { parseEnergyConfig } from '../src/energy/config.ts';
import { sel } from '../src/promql/helpers.ts';
import type { RecordingGroupDef } from '../src/rules/types.ts';

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pattern = (h: string) => (h.length > 2 && h.startsWith('/') && h.endsWith('/') ? h.slice(1, -1) : escapeRe(h));
const q = (s: string) => JSON.stringify(s);

const group: RecordingGroupDef = (c) => {
  const energy = parseEnergyConfig(c.exporter.energy);
  const cl = c.clusterLabel;
  const tw = c.selectors.tokenwatt;
  let info = `group by (${cl}, host) (${sel('tokenwatt_gpu_info', tw)})`;
  // The exporter takes the first pool that lists a host; label_replace overwrites, so apply the last first.
  const pools = Object.entries(energy.nodePools).reverse();
  for (const [pool, np] of pools) info = `label_replace(${info}, "node_pool", ${q(pool)}, "host", ${q(np.hosts.map(pattern).join('|'))})`;
  info = `label_replace(${info}, "node_pool", "default", "node_pool", "")`;
  for (const [pool, np] of pools) info = `label_replace(${info}, "price_basis", ${q(np.priceBasis)}, "node_pool", ${q(escapeRe(pool))})`;
  info = `label_replace(${info}, "price_basis", ${q(energy.priceBasis)}, "price_basis", "")`;
  const join = `on (${cl}, host) group_left (node_pool, price_basis) host:tokenwatt_node_pool:info`;
  const by = [cl, 'namespace', 'model_name', 'node_pool', 'price_basis'].join(', ');
  const cost = `sum by (${by}, currency) (rate(${sel('tokenwatt_model_cost_total', tw)}[5m]) * ${join})`;
  const tokens = `sum by (${by}) (rate(${sel('tokenwatt_model_generation_tokens_total', tw)}[5m]) * ${join})`;
  return {
    name: 'tokenwatt-node-pools',
    rules: [
      { record: 'host:tokenwatt_node_pool:info', expr: info },
      { record: 'node_pool:tokenwatt_cost_per_million_tokens:ratio_rate5m', expr: `${cost} / on (${by}) group_left () (${tokens} > 0) * 1e6` },
    ],
  };
};
export default group;
