// dist/kubernetes/autoscaling/: per serving Deployment of config.autoscaling.deployments, either
//   keda/  a KEDA ScaledObject (scale to zero when idle), or
//   hpa/   prometheus-adapter external-metric rules (a ConfigMap) and an autoscaling/v2 HPA (min >= 1),
// each folder with a kustomization.yaml (`kubectl kustomize dist/kubernetes/autoscaling/keda`). Pick one
// per Deployment: both at once would fight over its replicas. Both read the same four trigger queries
// (src/autoscaling/triggers.ts). Every object is validated against its schema here
// (@kubernetes-models/keda, kubernetes-models) and every query by checkQuery, so the build fails
// naming the deployment rather than the cluster refusing the object. Formulas: docs/autoscaling.md.
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { ConfigMap } from 'kubernetes-models/v1';
import { stringify } from 'yaml';
import { externalMetricName, triggersFor } from '../../autoscaling/triggers.ts';
import type { AutoscaledDeployment } from '../../config/autoscaling.ts';
import type { MixinConfig } from '../../config/mixin.ts';
import { checkQuery } from '../../promql/check.ts';
import { BuildError } from '../types.ts';
import type { Artifact, Emitter } from '../types.ts';
import { toYaml } from '../yaml.ts';

const SOURCE = 'src/config/autoscaling.ts (autoscaling: in the build config)';

/** A number as the string KEDA's metadata and Kubernetes quantities take ("0.8", "5"). */
const num = (n: number): string => String(n);

function labels(d: AutoscaledDeployment): Record<string, string> {
  return { 'app.kubernetes.io/part-of': 'tokenwatt', 'app.kubernetes.io/component': 'autoscaling', 'tokenwatt.io/engine': d.engine };
}

function bounds(d: AutoscaledDeployment, c: MixinConfig): { min: number; max: number } {
  return { min: d.minReplicas ?? c.autoscaling.minReplicas, max: d.maxReplicas ?? c.autoscaling.maxReplicas };
}

/** HPA behavior shared by KEDA's generated HPA and ours. */
export function behavior(c: MixinConfig): object {
  const a = c.autoscaling;
  return {
    scaleUp: { stabilizationWindowSeconds: a.scaleUpStabilizationSeconds, selectPolicy: 'Max', policies: [{ type: 'Pods', value: a.scaleUpPods, periodSeconds: a.scaleUpPeriodSeconds }] },
    scaleDown: { stabilizationWindowSeconds: a.scaleDownStabilizationSeconds, selectPolicy: 'Max', policies: [{ type: 'Pods', value: a.scaleDownPods, periodSeconds: a.scaleDownPeriodSeconds }] },
  };
}

export function scaledObject(d: AutoscaledDeployment, c: MixinConfig): ScaledObject {
  const a = c.autoscaling;
  const { min, max } = bounds(d, c);
  return new ScaledObject({
    metadata: { name: `tokenwatt-${d.name}`, namespace: d.namespace, labels: labels(d), annotations: { 'tokenwatt.io/model': d.model } },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: d.name },
      pollingInterval: a.pollingIntervalSeconds,
      cooldownPeriod: a.idleSecondsBeforeZero,
      initialCooldownPeriod: a.initialCooldownSeconds,
      minReplicaCount: min,
      maxReplicaCount: max,
      advanced: { horizontalPodAutoscalerConfig: { name: `keda-hpa-tokenwatt-${d.name}`, behavior: behavior(c) } },
      triggers: triggersFor(d, c).map((t) => ({
        type: 'prometheus',
        name: t.name,
        metricType: t.metricType,
        metadata: {
          serverAddress: a.prometheusUrl,
          query: t.query,
          threshold: num(t.threshold),
          activationThreshold: num(t.activationThreshold),
          ignoreNullValues: 'true',
        },
      })),
    },
  });
}

export function horizontalPodAutoscaler(d: AutoscaledDeployment, c: MixinConfig): HorizontalPodAutoscaler {
  const { max } = bounds(d, c);
  const min = Math.max(1, d.minReplicas ?? c.autoscaling.hpaMinReplicas);
  return new HorizontalPodAutoscaler({
    metadata: { name: `tokenwatt-${d.name}`, namespace: d.namespace, labels: labels(d), annotations: { 'tokenwatt.io/model': d.model } },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: d.name },
      minReplicas: min,
      maxReplicas: max,
      metrics: triggersFor(d, c).map((t) => ({
        type: 'External',
        external: {
          metric: { name: externalMetricName(d, t) },
          target: t.metricType === 'AverageValue' ? { type: 'AverageValue', averageValue: num(t.threshold) } : { type: 'Value', value: num(t.threshold) },
        },
      })),
      behavior: behavior(c),
    },
  });
}

/** prometheus-adapter `externalRules`: one per deployment and trigger, the trigger's query verbatim. */
export function adapterRules(c: MixinConfig): object[] {
  return c.autoscaling.deployments.flatMap((d) => triggersFor(d, c).map((t) => ({
    seriesQuery: `${t.series}{namespace=${JSON.stringify(d.namespace)}, model_name=${JSON.stringify(d.model)}}`,
    // The query names its namespace itself; the HPA's namespace is not added.
    resources: { namespaced: false },
    name: { matches: `^${t.series.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, as: externalMetricName(d, t) },
    metricsQuery: t.query,
  })));
}

export function adapterConfigMap(c: MixinConfig): ConfigMap {
  return new ConfigMap({
    metadata: { name: 'tokenwatt-prometheus-adapter', namespace: c.kubernetes.namespace, labels: { 'app.kubernetes.io/part-of': 'tokenwatt', 'app.kubernetes.io/component': 'autoscaling' } },
    data: { 'config.yaml': stringify({ externalRules: adapterRules(c) }, { lineWidth: 0, minContentWidth: 0 }) },
  });
}

function validate(what: string, model: { validate(): void }, problems: string[]): void {
  try {
    model.validate();
  } catch (err) {
    problems.push(`${what}: does not validate against its schema: ${(err as Error).message}`);
  }
}

function kustomization(resources: string[]): string {
  return toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }, SOURCE);
}

const autoscaling: Emitter = {
  name: 'kubernetes-autoscaling',
  emit(c) {
    const problems: string[] = [];
    const deployments = c.autoscaling.deployments;
    const seen = new Set<string>();
    deployments.forEach((d, i) => {
      const key = `${d.namespace}/${d.name}`;
      if (seen.has(key)) problems.push(`autoscaling.deployments[${i}]: ${key} is listed twice`);
      seen.add(key);
      const { min, max } = bounds(d, c);
      if (min > max) problems.push(`autoscaling.deployments[${i}] (${key}): minReplicas ${min} is above maxReplicas ${max}`);
      let triggers;
      try {
        triggers = triggersFor(d, c);
      } catch (err) {
        problems.push(`autoscaling.deployments[${i}].engine: ${(err as Error).message}`);
        return;
      }
      for (const t of triggers) {
        for (const p of checkQuery(t.query)) problems.push(`autoscaling.deployments[${i}] (${key}) trigger ${t.name}: ${p.message}`);
      }
    });
    if (problems.length > 0) throw new BuildError(problems);
    const keda: Artifact[] = [];
    const hpa: Artifact[] = [];
    for (const d of deployments) {
      const so = scaledObject(d, c);
      validate(`ScaledObject of ${d.namespace}/${d.name}`, so, problems);
      keda.push({ path: `kubernetes/autoscaling/keda/scaledobject-${d.name}.yaml`, content: toYaml(so.toJSON(), SOURCE) });
      const h = horizontalPodAutoscaler(d, c);
      validate(`HorizontalPodAutoscaler of ${d.namespace}/${d.name}`, h, problems);
      hpa.push({ path: `kubernetes/autoscaling/hpa/hpa-${d.name}.yaml`, content: toYaml(h.toJSON(), SOURCE) });
    }
    if (deployments.length > 0) {
      const cm = adapterConfigMap(c);
      validate('prometheus-adapter ConfigMap', cm, problems);
      hpa.push({ path: 'kubernetes/autoscaling/hpa/prometheus-adapter-config.yaml', content: toYaml(cm.toJSON(), SOURCE) });
    }
    if (problems.length > 0) throw new BuildError(problems);
    const names = (xs: Artifact[]) => xs.map((a) => a.path.split('/').pop()!).sort();
    return [
      ...keda, { path: 'kubernetes/autoscaling/keda/kustomization.yaml', content: kustomization(names(keda)) },
      ...hpa, { path: 'kubernetes/autoscaling/hpa/kustomization.yaml', content: kustomization(names(hpa)) },
    ];
  },
};

export const autoscalingEmitters: Emitter[] = [autoscaling];
