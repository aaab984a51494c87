// Kubernetes discovery against a local API server speaking list/watch (test/support/kube-api.ts): the
// exporter finds this node's engines and dcgm-exporter, places each engine on its MIG instance from
// dcgm-exporter's pod mapping, and follows watch events, 410 Gone, failed watches and resync.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetConfig } from '../src/exporter/config.ts';
import { parseExporterConfig } from '../src/exporter/config.ts';
import { KubernetesDiscovery, podTargets } from '../src/exporter/discovery.ts';
import { Exporter } from '../src/exporter/exporter.ts';
import { LiveTargets } from '../src/exporter/reload.ts';
import { FakeKubeApi, pod } from './support/kube-api.ts';
import { thirdpartyText } from './support/thirdparty.ts';
import { find, memoryLog, seriesOf, Upstreams } from './support/upstream.ts';

const A30 = thirdpartyText('dcgm/sample5_a30_mig_issue317_energy.prom');
const A30_HOST = 'yg-data-k8s-gpu-a30-node-test-test0003.mt';
const TRITON = thirdpartyText('vllm/sample5_triton_vllm_backend_readme.prom');
const NODE = 'gpu-node-1';

let api: FakeKubeApi;
const ups: Upstreams[] = [];
/** One upstream server per pod (each pod has its own port on 127.0.0.1). */
async function serve(text: string): Promise<number> {
  const u = await Upstreams.start();
  ups.push(u);
  u.text('/metrics', text);
  return Number(new URL(u.base).port);
}

beforeAll(async () => {
  api = await FakeKubeApi.start();
});
afterAll(async () => {
  await api.close();
  for (const u of ups) await u.close();
});

async function until(what: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const engine = (name: string, port: number, labels: Record<string, string> = { 'tokenwatt.io/engine': 'vllm' }, node = NODE) =>
  pod({ name, namespace: 'llm', node, ip: '127.0.0.1', labels, ports: { http: port } });

describe('podTargets', () => {
  const cfg = parseExporterConfig({ nvml: 'off', discovery: { kubernetes: { node: NODE } } }).discovery!.kubernetes;
  it('running pods with the named port become targets; pending, portless and unknown kinds are skipped, said once', () => {
    const warned: string[] = [];
    const targets = podTargets(
      [engine('a', 8000), engine('b', 8000, { 'tokenwatt.io/engine': 'sglang' }), { ...engine('pending', 8000), status: { phase: 'Pending' } },
        pod({ name: 'noport', namespace: 'llm', node: NODE, ip: '127.0.0.1', labels: { 'tokenwatt.io/engine': 'vllm' }, ports: { metrics: 1 } }),
        engine('weird', 8000, { 'tokenwatt.io/engine': 'tensorflow' })],
      [pod({ name: 'dcgm-x', namespace: 'gpu-operator', node: NODE, ip: 'fd00::5', labels: { 'app.kubernetes.io/name': 'dcgm-exporter' }, ports: { metrics: 9400 } })],
      cfg, 5000, (_k, msg) => warned.push(msg));
    expect(targets.map((t) => [t.kind, t.name, t.url, t.namespace, t.pod])).toEqual([
      ['dcgm', 'dcgm/gpu-operator/dcgm-x', 'http://[fd00::5]:9400/metrics', undefined, undefined],
      ['vllm', 'llm/a', 'http://127.0.0.1:8000/metrics', 'llm', 'a'],
      ['sglang', 'llm/b', 'http://127.0.0.1:8000/metrics', 'llm', 'b'],
    ]);
    expect(warned).toHaveLength(2);
    expect(targets[1]!.timeoutMs).toBe(4000);
  });
});

describe('KubernetesDiscovery against a list/watch API server', () => {
  it('finds, places, follows events, recovers from 410 Gone and failed watches', async () => {
    // dcgm-exporter with Kubernetes mapping on: MIG instance 4 of GPU 0 runs pod llm/vllm-a.
    const dcgmPort = await serve(A30.replace(/(GPU_I_ID="4",Hostname="[^"]+")\}/g, '$1,container="main",namespace="llm",pod="vllm-a"}'));
    const vllmA = await serve(TRITON);
    const vllmB = await serve(TRITON);
    api.set(pod({ name: 'dcgm-exporter-x7k2p', namespace: 'gpu-operator', node: NODE, ip: '127.0.0.1', labels: { 'app.kubernetes.io/name': 'dcgm-exporter' }, ports: { metrics: dcgmPort } }));
    api.set(engine('vllm-a', vllmA));
    api.set(engine('vllm-elsewhere', vllmA, undefined, 'gpu-node-2'));
    api.set(pod({ name: 'web', namespace: 'llm', node: NODE, ip: '127.0.0.1', labels: { app: 'web' }, ports: { http: 1 } }));

    const config = parseExporterConfig({ nvml: 'off', discovery: { kubernetes: { node: NODE, apiServer: api.url, resync: '1h' } } });
    const { log, lines } = memoryLog();
    const exporter = new Exporter([], config.energy, config.intervalMs, log);
    const live = new LiveTargets(exporter, config, log);
    let seen: TargetConfig[] = [];
    const names = () => seen.map((t) => t.name);
    const discovery = new KubernetesDiscovery({ ...config.discovery!.kubernetes, node: NODE }, config.intervalMs, (t) => { seen = t; live.setDiscovered(t); }, log);
    try {
      await discovery.start();
      await until(() => names().join() === 'dcgm/gpu-operator/dcgm-exporter-x7k2p,llm/vllm-a');
      // Asked for this node only, by label.
      expect(api.requests.some((r) => !r.watch && r.fieldSelector === `spec.nodeName=${NODE}` && r.labelSelector === 'tokenwatt.io/engine')).toBe(true);
      expect(api.requests.some((r) => r.watch && r.labelSelector === 'app.kubernetes.io/name=dcgm-exporter' && r.resourceVersion !== '')).toBe(true);

      // Placed through dcgm-exporter's pod mapping: no placement entry in the config.
      for (let i = 1; i <= 3; i++) await exporter.runCycle(i * 5000);
      const info = find(seriesOf(exporter.metrics.text), 'tokenwatt_engine_info', { pod: 'vllm-a' });
      expect(info).toHaveLength(1);
      expect(info[0]!.labels).toMatchObject({ mapping: 'kubernetes', namespace: 'llm', host: A30_HOST, gpu: '0', gpu_instance_id: '4', gpu_profile: '1g.6gb', target: 'llm/vllm-a' });

      // A watch event: a new engine on this node.
      await until(() => api.openWatches === 2);
      api.set(engine('vllm-b', vllmB));
      await until(() => names().includes('llm/vllm-b'));
      expect(exporter.targets.map((t) => t.name)).toContain('llm/vllm-b');

      // 410 Gone: history compacted while a deletion went unseen; the relist finds it.
      api.delete('llm', 'vllm-b', true);
      const lists = api.requests.filter((r) => !r.watch).length;
      api.expire();
      await until(() => !names().includes('llm/vllm-b'));
      expect(api.requests.filter((r) => !r.watch).length).toBeGreaterThan(lists);
      expect(exporter.targets.map((t) => t.name)).not.toContain('llm/vllm-b');

      // Watches cut and refused (HTTP 500): the loop restarts with a backoff, relists, and finds what changed meanwhile.
      await until(() => api.openWatches === 2);
      api.failNextWatches(2, 500);
      api.set(engine('vllm-c', vllmB), true);
      await until(() => names().includes('llm/vllm-c'));
      expect(lines.some((l) => l.msg.startsWith('Kubernetes discovery: list/watch failed'))).toBe(true);
      // Through all of it the GPU exporter target stayed (no flapping to an empty set).
      expect(names()).toContain('dcgm/gpu-operator/dcgm-exporter-x7k2p');
    } finally {
      await discovery.stop();
    }
  }, 60_000);

  it('a relist every resync catches a change no event announced', async () => {
    const port = await serve(TRITON);
    const config = parseExporterConfig({ nvml: 'off', discovery: { kubernetes: { node: 'gpu-node-9', apiServer: api.url, resync: '1s' } } });
    const { log } = memoryLog();
    let seen: TargetConfig[] = [];
    const discovery = new KubernetesDiscovery({ ...config.discovery!.kubernetes, node: 'gpu-node-9' }, config.intervalMs, (t) => { seen = t; }, log);
    try {
      await discovery.start();
      expect(seen).toEqual([]);
      api.set(engine('quiet', port, undefined, 'gpu-node-9'), true);
      await until(() => seen.some((t) => t.name === 'llm/quiet'), 10_000);
      api.delete('llm', 'quiet', true);
      await until(() => seen.length === 0, 10_000);
    } finally {
      await discovery.stop();
    }
  }, 30_000);
});
