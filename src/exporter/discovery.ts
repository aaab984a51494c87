// Kubernetes discovery: the exporter of one node finds its targets through the API server instead of a
// list of pod IPs. Two list+watch loops (@kubernetes/client-node's ListWatch), both limited to this node
// by a field selector: serving pods labelled `tokenwatt.io/engine: <kind>` (scraped on their port named
// `http`), and dcgm-exporter's pod (port `metrics`). Engines are given their namespace and pod, so the
// existing pod mapping places each on its GPU or MIG instance from the pod/namespace/container labels
// dcgm-exporter attaches: no hand-written placement.
//
// A watch that ends is resumed from the last resourceVersion; 410 Gone (history compacted) relists;
// any other error restarts the loop after a backoff; and a full relist runs every `resync`, so a missed
// event cannot outlive it.
import { readFileSync } from 'node:fs';
import { CoreV1Api, KubeConfig, ListWatch, Watch } from '@kubernetes/client-node';
import type { V1Pod, V1PodList } from '@kubernetes/client-node';
import { isServingKind } from '../kinds/index.ts';
import type { Log } from '../log.ts';
import type { ExporterConfig, TargetConfig } from './config.ts';

export type DiscoveryConfig = NonNullable<NonNullable<ExporterConfig['discovery']>['kubernetes']>;

const PODS = '/api/v1/pods';

/** The port named `name` on any container of the pod. */
function portOf(pod: V1Pod, name: string): number | undefined {
  for (const c of pod.spec?.containers ?? []) for (const p of c.ports ?? []) if (p.name === name) return p.containerPort;
  return undefined;
}

function hostOf(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}

/** Targets of the pods seen: running pods with an IP and the named port; others are skipped (said once). */
export function podTargets(engines: readonly V1Pod[], dcgm: readonly V1Pod[], cfg: DiscoveryConfig, cycleMs: number, warn: (key: string, msg: string, fields: Record<string, unknown>) => void): TargetConfig[] {
  const timeoutMs = Math.min(10_000, cycleMs * 0.8);
  const out: TargetConfig[] = [];
  const usable = (pod: V1Pod, port: string): number | undefined => {
    if (pod.status?.phase !== 'Running' || !pod.status.podIP || pod.metadata?.deletionTimestamp) return undefined;
    const n = portOf(pod, port);
    if (n === undefined) warn(`port\0${pod.metadata?.namespace}/${pod.metadata?.name}`, `discovered pod has no port named ${port}; not scraped`, { namespace: pod.metadata?.namespace, pod: pod.metadata?.name });
    return n;
  };
  for (const pod of dcgm) {
    const port = usable(pod, cfg.dcgmPort);
    if (port === undefined) continue;
    const { namespace = '', name = '' } = pod.metadata ?? {};
    out.push({ kind: 'dcgm', name: `dcgm/${namespace}/${name}`, url: `http://${hostOf(pod.status!.podIP!)}:${port}/metrics`, timeoutMs, intervalMs: cycleMs });
  }
  for (const pod of engines) {
    const kind = pod.metadata?.labels?.[cfg.engineLabel] ?? '';
    const { namespace = '', name = '' } = pod.metadata ?? {};
    if (!isServingKind(kind)) {
      warn(`kind\0${namespace}/${name}\0${kind}`, `discovered pod's ${cfg.engineLabel} label is not a serving kind tokenwatt reads; not scraped`, { namespace, pod: name, value: kind });
      continue;
    }
    const port = usable(pod, cfg.enginePort);
    if (port === undefined) continue;
    out.push({ kind, name: `${namespace}/${name}`, url: `http://${hostOf(pod.status!.podIP!)}:${port}/metrics`, timeoutMs, intervalMs: cycleMs, namespace, pod: name });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function kubeConfig(cfg: DiscoveryConfig): KubeConfig {
  const kc = new KubeConfig();
  if (cfg.apiServer === undefined) {
    kc.loadFromCluster();
    return kc;
  }
  const token = cfg.tokenFile ? readFileSync(cfg.tokenFile, 'utf8').trim() : undefined;
  kc.loadFromOptions({
    // client-node refuses http:// unless told to skip TLS checks (there is no TLS to check there).
    clusters: [{ name: 'tokenwatt', server: cfg.apiServer, skipTLSVerify: cfg.apiServer.startsWith('http:') }],
    users: [{ name: 'tokenwatt', ...(token && { token }) }],
    contexts: [{ name: 'tokenwatt', cluster: 'tokenwatt', user: 'tokenwatt' }],
    currentContext: 'tokenwatt',
  });
  return kc;
}

/** One list+watch loop of pods matching a label selector on this node, restarted on errors and relisted every resync. */
class PodWatch {
  private lw: ListWatch<V1Pod> | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private backoffMs = 1000;
  pods: readonly V1Pod[] = [];

  constructor(
    private readonly kc: KubeConfig,
    private readonly what: string,
    private readonly labelSelector: string,
    private readonly fieldSelector: string,
    private readonly onChange: () => void,
    private readonly log: Log,
  ) {}

  /** A fresh ListWatch (a full list first); it replaces the running one once its list is in. */
  async start(): Promise<void> {
    if (this.stopped) return;
    const api = this.kc.makeApiClient(CoreV1Api);
    const list = (): Promise<V1PodList> => api.listPodForAllNamespaces({ labelSelector: this.labelSelector, fieldSelector: this.fieldSelector });
    const lw = new ListWatch<V1Pod>(PODS, new Watch(this.kc), list, false, this.labelSelector, this.fieldSelector);
    let failed = false;
    const changed = () => {
      if (this.lw !== lw) return;
      this.pods = lw.list();
      this.onChange();
    };
    lw.on('add', changed);
    lw.on('update', changed);
    lw.on('delete', changed);
    lw.on('error', (err: unknown) => {
      failed = true;
      if (this.stopped) return;
      // ListWatch stops on an error other than 410 (which it relists by itself): start over, backing off.
      this.log('warn', 'Kubernetes discovery: list/watch failed; retrying', { pods: this.what, error: describe(err), retryInMs: this.backoffMs });
      if (this.lw === lw) this.lw = undefined;
      void lw.stop();
      clearTimeout(this.retry);
      this.retry = setTimeout(() => { void this.start(); }, this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
    });
    lw.on('connect', () => { /* each (re)connection lists or resumes the watch */ });
    try {
      await lw.start();
    } catch (err) {
      this.log('warn', 'Kubernetes discovery: cannot start list/watch; retrying', { pods: this.what, error: describe(err) });
      clearTimeout(this.retry);
      this.retry = setTimeout(() => { void this.start(); }, this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
      return;
    }
    if (this.stopped || failed) {
      // Stopped meanwhile, or its list failed (a retry is scheduled): the running loop, if any, stays.
      await lw.stop();
      return;
    }
    // The list succeeded (start() resolves once the watch is open): this loop is now the one that counts.
    const old = this.lw;
    this.lw = lw;
    this.backoffMs = 1000;
    this.pods = lw.list();
    this.onChange();
    if (old) await old.stop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.lw?.stop();
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.message}${(err as { statusCode?: number }).statusCode ? ` (HTTP ${(err as { statusCode?: number }).statusCode})` : ''}`;
  return String(err);
}

export class KubernetesDiscovery {
  private readonly engines: PodWatch;
  private readonly dcgm: PodWatch;
  private resync: NodeJS.Timeout | undefined;
  private readonly warned = new Set<string>();
  private last = '';

  constructor(
    private readonly cfg: DiscoveryConfig & { node: string },
    private readonly cycleMs: number,
    private readonly onTargets: (targets: TargetConfig[]) => void,
    private readonly log: Log,
    kc: KubeConfig = kubeConfig(cfg),
  ) {
    const field = `spec.nodeName=${cfg.node}`;
    const emit = () => this.emit();
    this.engines = new PodWatch(kc, 'engines', cfg.engineLabel, field, emit, log);
    this.dcgm = new PodWatch(kc, 'dcgm-exporter', cfg.dcgmSelector, field, emit, log);
  }

  async start(): Promise<void> {
    this.log('info', 'Kubernetes discovery: watching pods on this node', { node: this.cfg.node, engineLabel: this.cfg.engineLabel, dcgmSelector: this.cfg.dcgmSelector });
    await Promise.all([this.engines.start(), this.dcgm.start()]);
    const relist = () => {
      this.resync = setTimeout(() => {
        void Promise.all([this.engines.start(), this.dcgm.start()]).finally(() => { if (this.resync) relist(); });
      }, this.cfg.resync);
      this.resync.unref();
    };
    relist();
  }

  async stop(): Promise<void> {
    clearTimeout(this.resync);
    this.resync = undefined;
    await Promise.all([this.engines.stop(), this.dcgm.stop()]);
  }

  private emit(): void {
    const targets = podTargets(this.engines.pods, this.dcgm.pods, this.cfg, this.cycleMs, (key, msg, fields) => {
      if (this.warned.has(key)) return;
      this.warned.add(key);
      this.log('warn', msg, fields);
    });
    const key = JSON.stringify(targets);
    if (key === this.last) return;
    this.last = key;
    this.onTargets(targets);
  }
}
