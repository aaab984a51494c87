// dist/kubernetes/autoscaling/: `kubectl kustomize` renders the KEDA and the HPA folders, every rendered
// object validates against its schema (@kubernetes-models/keda, kubernetes-models), the triggers read
// only recorded series that a rule records, KEDA and prometheus-adapter run the same queries, and the
// build config sets the policy (or is refused naming the field).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { ConfigMap } from 'kubernetes-models/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ENGINE_SIGNALS } from '../src/autoscaling/signals.ts';
import { triggersFor } from '../src/autoscaling/triggers.ts';
import { build, BuildError, generate } from '../src/build/index.ts';
import { autoscalingEmitters } from '../src/build/kubernetes/autoscaling.ts';
import { catalog } from '../src/catalog/index.ts';
import { BuildConfigError, resolveBuildConfig } from '../src/config/build-config.ts';
import { defaultConfig } from '../src/config/mixin.ts';
import { metricNames } from '../src/promql/check.ts';
import { compileGroups } from '../src/rules/collect.ts';

const run = promisify(execFile);

async function kustomize(dir: string): Promise<Record<string, unknown>[]> {
  try {
    const { stdout } = await run('kubectl', ['kustomize', dir], { maxBuffer: 16 << 20 });
    return parseAllDocuments(stdout).map((d) => d.toJSON() as Record<string, unknown>);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error("kubectl not found: install it with 'apt-get install -y kubernetes-client' (scripts/debian-deps.sh)");
    throw err;
  }
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenwatt-autoscaling-'));
  await build(dir, defaultConfig);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const deployments = defaultConfig.autoscaling.deployments;

describe('kubectl kustomize renders schema-valid objects', () => {
  it('keda/: one ScaledObject per deployment, each valid against the KEDA schema', async () => {
    const objs = await kustomize(join(dir, 'kubernetes/autoscaling/keda'));
    expect(objs.map((o) => `${o.kind}/${(o.metadata as { name: string }).name}`).sort())
      .toEqual(deployments.map((d) => `ScaledObject/tokenwatt-${d.name}`).sort());
    for (const o of objs) {
      const so = new ScaledObject(o as never);
      expect(() => so.validate()).not.toThrow();
      expect(so.spec.triggers.map((t) => t.name)).toEqual(['waiting-requests', 'kv-cache-usage', 'token-headroom', 'ttft-p95']);
      expect(so.spec.minReplicaCount).toBe(0);
      expect(so.spec.cooldownPeriod).toBe(defaultConfig.autoscaling.idleSecondsBeforeZero);
    }
    // Both engine kinds of the defaults are covered.
    expect(new Set(objs.map((o) => (o.metadata as { labels: Record<string, string> }).labels['tokenwatt.io/engine']))).toEqual(new Set(['vllm', 'sglang']));
  });

  it('hpa/: an autoscaling/v2 HPA per deployment and the prometheus-adapter ConfigMap, all valid', async () => {
    const objs = await kustomize(join(dir, 'kubernetes/autoscaling/hpa'));
    const hpas = objs.filter((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpas).toHaveLength(deployments.length);
    for (const o of hpas) {
      const h = new HorizontalPodAutoscaler(o as never);
      expect(() => h.validate()).not.toThrow();
      expect(h.spec!.minReplicas).toBeGreaterThanOrEqual(1);
      expect(h.spec!.metrics!.map((m) => m.type)).toEqual(['External', 'External', 'External', 'External']);
    }
    const cms = objs.filter((o) => o.kind === 'ConfigMap');
    expect(cms).toHaveLength(1);
    const cm = new ConfigMap(cms[0] as never);
    expect(() => cm.validate()).not.toThrow();
    const rules = (parse(cm.data!['config.yaml']!) as { externalRules: { name: { as: string }; metricsQuery: string; resources: object }[] }).externalRules;
    // Every metric an HPA asks for is served by exactly one adapter rule, with the KEDA trigger's query.
    const served = new Map(rules.map((r) => [r.name.as, r.metricsQuery]));
    expect(served.size).toBe(rules.length);
    for (const [i, o] of hpas.entries()) {
      const h = new HorizontalPodAutoscaler(o as never);
      const d = deployments.find((x) => `tokenwatt-${x.name}` === h.metadata!.name)!;
      const queries = triggersFor(d, defaultConfig).map((t) => t.query);
      expect(h.spec!.metrics!.map((m) => served.get(m.external!.metric.name)), `hpa ${i}`).toEqual(queries);
    }
    for (const r of rules) expect(r.resources).toEqual({ namespaced: false });
  });

  it('dist/kubernetes/kustomization.yaml applies neither alternative (KEDA and HPA would fight)', async () => {
    const top = await kustomize(join(dir, 'kubernetes'));
    expect(top.filter((o) => o.kind === 'ScaledObject' || o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
  });
});

describe('the triggers', () => {
  const recorded = new Set(compileGroups(defaultConfig).flatMap((g) => g.rules.map((r) => ('record' in r ? r.record : ''))).filter(Boolean));

  it('read only recorded series that a rule records and the catalog declares, never raw engine series', () => {
    for (const d of deployments) {
      for (const t of triggersFor(d, defaultConfig)) {
        const names = metricNames(t.query).map((n) => n.name);
        expect(names, t.query).toEqual([t.series]);
        expect(recorded.has(t.series), t.series).toBe(true);
        expect(catalog.get(t.series)?.source).toBe('recording');
      }
    }
  });

  it('every engine kind with signals gets its own recording group', () => {
    const groups = compileGroups(defaultConfig).map((g) => g.name);
    for (const kind of Object.keys(ENGINE_SIGNALS)) expect(groups).toContain(`tokenwatt-autoscaling-${kind}`);
  });

  it('a Deployment of every engine kind (vLLM, SGLang, TGI) gets a valid ScaledObject reading series some rule records', async () => {
    for (const kind of Object.keys(ENGINE_SIGNALS)) {
      const c = resolveBuildConfig({ autoscaling: { deployments: [{ name: `chat-${kind}`, namespace: 'serving', engine: kind, model: 'm', tokensPerSecondPerReplica: 1000 }] } });
      const files = await generate(c, autoscalingEmitters);
      const so = new ScaledObject(parse(files.find((f) => f.path.endsWith(`scaledobject-chat-${kind}.yaml`))!.content) as never);
      expect(() => so.validate()).not.toThrow();
      const rec = new Set(compileGroups(c).flatMap((g) => g.rules.map((r) => ('record' in r ? r.record : ''))));
      for (const t of triggersFor(c.autoscaling.deployments[0]!, c)) expect(rec.has(t.series), `${kind}: ${t.series}`).toBe(true);
    }
    expect(Object.keys(ENGINE_SIGNALS)).toEqual(['vllm', 'sglang', 'tgi']);
  });

  it('token headroom: threshold = measured capacity per replica x target utilisation', () => {
    const d = deployments[0]!;
    const t = triggersFor(d, defaultConfig).find((x) => x.name === 'token-headroom')!;
    expect(t.threshold).toBe(d.tokensPerSecondPerReplica * defaultConfig.autoscaling.targets.tokenUtilisation);
    expect(t.metricType).toBe('AverageValue');
  });
});

describe('the build config sets the policy', () => {
  it('replicas, idle time and deployments come from the file', async () => {
    const c = resolveBuildConfig({
      autoscaling: {
        minReplicas: 1, maxReplicas: 3, idleSecondsBeforeZero: 900,
        deployments: [{ name: 'chat', namespace: 'serving', engine: 'vllm', model: 'm', tokensPerSecondPerReplica: 1000, maxReplicas: 12 }],
      },
    });
    const files = await generate(c, autoscalingEmitters);
    expect(files.map((f) => f.path).filter((p) => p.startsWith('kubernetes/autoscaling/'))).toEqual([
      'kubernetes/autoscaling/hpa/hpa-chat.yaml', 'kubernetes/autoscaling/hpa/kustomization.yaml', 'kubernetes/autoscaling/hpa/prometheus-adapter-config.yaml',
      'kubernetes/autoscaling/keda/kustomization.yaml', 'kubernetes/autoscaling/keda/scaledobject-chat.yaml',
    ]);
    const so = parse(files.find((f) => f.path.endsWith('scaledobject-chat.yaml'))!.content) as { spec: { minReplicaCount: number; maxReplicaCount: number; cooldownPeriod: number; triggers: { metadata: { threshold: string } }[] } };
    expect([so.spec.minReplicaCount, so.spec.maxReplicaCount, so.spec.cooldownPeriod]).toEqual([1, 12, 900]);
    expect(so.spec.triggers[2]!.metadata.threshold).toBe('800');
  });

  it('refuses an engine without signals and a bad name, naming the field', () => {
    expect(() => resolveBuildConfig({ autoscaling: { deployments: [{ name: 'Chat_1', namespace: 'serving', engine: 'nope', model: 'm', tokensPerSecondPerReplica: 1 }] } }))
      .toThrow(BuildConfigError);
    try {
      resolveBuildConfig({ autoscaling: { deployments: [{ name: 'Chat_1', namespace: 'serving', engine: 'nope', model: 'm', tokensPerSecondPerReplica: 1 }] } });
    } catch (err) {
      const msg = (err as Error).message;
      expect(msg).toMatch(/autoscaling\.deployments\[0\]\.name: a Kubernetes name/);
      expect(msg).toMatch(/autoscaling\.deployments\[0\]\.engine: an engine kind with autoscaling signals: vllm, sglang/);
    }
  });

  it('refuses min above max at build time', async () => {
    const c = resolveBuildConfig({ autoscaling: { deployments: [{ name: 'chat', namespace: 'serving', engine: 'vllm', model: 'm', tokensPerSecondPerReplica: 1, minReplicas: 5, maxReplicas: 2 }] } });
    await expect(generate(c, autoscalingEmitters)).rejects.toThrow(BuildError);
    await expect(generate(c, autoscalingEmitters)).rejects.toThrow(/minReplicas 5 is above maxReplicas 2/);
  });
});
