// dist/kubernetes/ as `kubectl kustomize` renders it (kubectl from PATH: Debian's kubernetes-client on a
// fresh machine): every object validates against its Kubernetes / prometheus-operator / KEDA schema,
// the ServiceMonitor selects the exporter's Service, the Service the DaemonSet's pods, and the
// exporter's ConfigMap is a config the exporter accepts, carrying the build config's prices.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { build } from '../src/build/index.ts';
import { resolveBuildConfig } from '../src/config/build-config.ts';
import { defaultConfig } from '../src/config/mixin.ts';
import { parseExporterConfig } from '../src/exporter/config.ts';

const exec = promisify(execFile);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;
let dir: string;
let objects: Obj[];

async function kustomize(path: string): Promise<Obj[]> {
  const { stdout } = await exec('kubectl', ['kustomize', path], { maxBuffer: 256 * 1024 * 1024 });
  return parseAllDocuments(stdout).map((d) => d.toJS()).filter(Boolean);
}

/** The schema class of an object, from the model packages (a kind without one fails the test). */
async function model(apiVersion: string, kind: string): Promise<new (o: Obj) => { validate(): void }> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const pkg = group === 'monitoring.coreos.com' ? '@kubernetes-models/prometheus-operator'
    : group === 'keda.sh' ? '@kubernetes-models/keda'
      : 'kubernetes-models';
  const mod = await import(group === '' ? `kubernetes-models/${version}/${kind}` : `${pkg}/${group}/${version}/${kind}`);
  return mod[kind];
}

const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tw-k8s-'));
  await build(join(dir, 'dist'), defaultConfig);
  objects = await kustomize(join(dir, 'dist', 'kubernetes'));
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('kubectl kustomize dist/kubernetes', () => {
  it('renders the rules, monitors, dashboards and the exporter', () => {
    const kinds = new Set(objects.map((o) => o.kind));
    for (const k of ['PrometheusRule', 'ServiceMonitor', 'PodMonitor', 'ConfigMap', 'DaemonSet', 'Service', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding']) expect(kinds).toContain(k);
  });

  it('every object validates against its schema', async () => {
    expect(objects.length).toBeGreaterThan(20);
    for (const o of objects) {
      const Model = await model(o.apiVersion, o.kind);
      expect(Model, `${o.apiVersion} ${o.kind}`).toBeTypeOf('function');
      expect(() => new Model(o).validate(), `${o.kind}/${o.metadata.name}`).not.toThrow();
    }
  });

  it('the validation can fail: a DaemonSet whose container has no image, a ServiceMonitor with a string for endpoints', async () => {
    const ds = structuredClone(find('DaemonSet', 'tokenwatt'));
    ds.spec.template.spec.containers[0].ports[0].containerPort = 'metrics';
    const DS = await model('apps/v1', 'DaemonSet');
    expect(() => new DS(ds).validate()).toThrow(/containerPort/);
    const sm = structuredClone(find('ServiceMonitor', 'tokenwatt-tokenwatt'));
    sm.spec.endpoints = 'metrics';
    const SM = await model('monitoring.coreos.com/v1', 'ServiceMonitor');
    expect(() => new SM(sm).validate()).toThrow();
  });

  it('the exporter alone renders from dist/kubernetes/exporter', async () => {
    const own = await kustomize(join(dir, 'dist', 'kubernetes', 'exporter'));
    expect(own.map((o) => o.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'DaemonSet', 'Service', 'ServiceAccount']);
  });
});

describe('the exporter on Kubernetes', () => {
  it('the ServiceMonitor selects the headless Service, and the Service the DaemonSet pods', () => {
    const sm = find('ServiceMonitor', 'tokenwatt-tokenwatt');
    const svc = find('Service', 'tokenwatt');
    const ds = find('DaemonSet', 'tokenwatt');
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) expect(svc.metadata.labels[k], k).toBe(v);
    const ns = sm.spec.namespaceSelector;
    expect(ns.any === true || ns.matchNames.includes(svc.metadata.namespace)).toBe(true);
    const portNames = svc.spec.ports.map((p: Obj) => p.name);
    for (const e of sm.spec.endpoints) expect(portNames).toContain(e.port);
    expect(svc.spec.clusterIP).toBe('None');
    const podLabels = ds.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(svc.spec.selector)) expect(podLabels[k]).toBe(v);
    for (const [k, v] of Object.entries(ds.spec.selector.matchLabels)) expect(podLabels[k]).toBe(v);
    const containerPorts = ds.spec.template.spec.containers[0].ports.map((p: Obj) => p.name);
    for (const p of svc.spec.ports) expect(containerPorts).toContain(p.targetPort);
  });

  it('runs on GPU nodes through the NVIDIA runtime, non-root, read-only, probed on /healthz and /readyz', () => {
    const spec = find('DaemonSet', 'tokenwatt').spec.template.spec;
    expect(spec.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    expect(spec.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
    expect(spec.runtimeClassName).toBe('nvidia');
    const c = spec.containers[0];
    const env = Object.fromEntries(c.env.filter((e: Obj) => e.value).map((e: Obj) => [e.name, e.value]));
    expect(env).toMatchObject({ NVIDIA_VISIBLE_DEVICES: 'all', NVIDIA_DRIVER_CAPABILITIES: 'utility' });
    expect(c.env.find((e: Obj) => e.name === 'NODE_NAME').valueFrom.fieldRef.fieldPath).toBe('spec.nodeName');
    expect(spec.securityContext.runAsNonRoot).toBe(true);
    expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    expect(c.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.resources.limits.memory).toBeDefined();
    expect(c.args).toEqual(['exporter', '--config', '/etc/tokenwatt/tokenwatt.yaml']);
  });

  it('RBAC grants reading pods and nothing else, to the DaemonSet\'s ServiceAccount', () => {
    const role = find('ClusterRole', 'tokenwatt');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]);
    const binding = find('ClusterRoleBinding', 'tokenwatt');
    const sa = find('ServiceAccount', 'tokenwatt');
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace }]);
    expect(find('DaemonSet', 'tokenwatt').spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
  });

  it('the ConfigMap holds a config the exporter accepts, mounted where the container reads it', () => {
    const cm = find('ConfigMap', 'tokenwatt');
    const cfg = parseExporterConfig(parse(cm.data['tokenwatt.yaml']));
    expect(cfg.listen.port).toBe(9464);
    expect(cfg.energy.pue).toBe(1.2);
    const spec = find('DaemonSet', 'tokenwatt').spec.template.spec;
    expect(spec.volumes.find((v: Obj) => v.name === 'config').configMap.name).toBe(cm.metadata.name);
    expect(spec.containers[0].volumeMounts.find((m: Obj) => m.name === 'config').mountPath).toBe('/etc/tokenwatt');
  });

  it('the ledger keeps its state in a node directory the non-root exporter owns, so a rolled pod resumes it', () => {
    const cfg = parseExporterConfig(parse(find('ConfigMap', 'tokenwatt').data['tokenwatt.yaml']));
    const spec = find('DaemonSet', 'tokenwatt').spec.template.spec;
    const mount = spec.containers[0].volumeMounts.find((m: Obj) => cfg.stateFile?.startsWith(`${m.mountPath}/`));
    expect(mount, `no volume holds stateFile ${cfg.stateFile}`).toBeDefined();
    expect(mount.readOnly).toBeFalsy();
    expect(spec.volumes.find((v: Obj) => v.name === mount.name).hostPath).toEqual({ path: mount.mountPath, type: 'DirectoryOrCreate' });
    // kubelet creates the directory as root: the init container hands it to the exporter's user, with CHOWN only.
    const init = spec.initContainers.find((c: Obj) => c.volumeMounts.some((m: Obj) => m.name === mount.name));
    expect(init.command).toEqual(['chown', `${spec.securityContext.runAsUser}:${spec.securityContext.runAsGroup}`, mount.mountPath]);
    expect(init.securityContext).toMatchObject({ runAsUser: 0, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['CHOWN'] } });
  });

  it('build config: image, node selector, GPU prices, PUE and grid intensity reach the DaemonSet and ConfigMap', async () => {
    const other = join(dir, 'other');
    await build(other, resolveBuildConfig({
      kubernetes: { namespace: 'gpu-obs' },
      exporter: { image: 'registry.example/tokenwatt:1.2.3', dcgmSelector: 'app=nvidia-dcgm-exporter', nodeSelector: { pool: 'h100' }, runtimeClassName: '', energy: { pue: 1.1, gridIntensityGramsPerKwh: 210, gpuPrices: { 'NVIDIA H100 80GB HBM3': { onDemand: 2.5 } } } },
    }));
    const objs = await kustomize(join(other, 'kubernetes'));
    const ds = objs.find((o) => o.kind === 'DaemonSet');
    expect(ds.metadata.namespace).toBe('gpu-obs');
    expect(ds.spec.template.spec.containers[0].image).toBe('registry.example/tokenwatt:1.2.3');
    expect(ds.spec.template.spec.nodeSelector).toEqual({ pool: 'h100' });
    expect(ds.spec.template.spec.runtimeClassName).toBeUndefined();
    const cfg = parseExporterConfig(parse(objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'tokenwatt').data['tokenwatt.yaml']));
    expect(cfg.energy).toMatchObject({ pue: 1.1, gridIntensityGramsPerKwh: 210, gpuPrices: { 'NVIDIA H100 80GB HBM3': { onDemand: 2.5 } } });
    expect(Object.keys(cfg.energy.gpuPrices)).toEqual(['NVIDIA H100 80GB HBM3']);
    expect(cfg.discovery?.kubernetes.dcgmSelector).toBe('app=nvidia-dcgm-exporter');
    expect(objs.find((o) => o.kind === 'ClusterRoleBinding').subjects[0].namespace).toBe('gpu-obs');
  }, 60_000);

  it("build config: stateDir '' keeps no ledger state (no stateFile, no hostPath, no init container)", async () => {
    const other = join(dir, 'stateless');
    await build(other, resolveBuildConfig({ exporter: { stateDir: '' } }));
    const objs = await kustomize(join(other, 'kubernetes'));
    const spec = objs.find((o) => o.kind === 'DaemonSet').spec.template.spec;
    expect(spec.initContainers).toBeUndefined();
    expect(spec.volumes.some((v: Obj) => v.hostPath)).toBe(false);
    expect(parseExporterConfig(parse(objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'tokenwatt').data['tokenwatt.yaml'])).stateFile).toBeUndefined();
  }, 60_000);
});
