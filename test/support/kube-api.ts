// A Kubernetes API server for discovery tests, on a free 127.0.0.1 port: GET /api/v1/pods lists (a
// PodList with a resourceVersion) or, with ?watch=true, streams newline-delimited watch events the way
// the real one does, honouring labelSelector (key, key=value) and fieldSelector (spec.nodeName=).
// Tests script it: changes with events, changes without (for resync), history compaction (410 Gone as
// a watch ERROR event), and failing watch requests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Pod = any;

/** A pod as the API returns it (the fields a kubelet-run pod carries that discovery reads, and some it does not). */
export function pod(o: { name: string; namespace: string; node: string; ip: string; labels: Record<string, string>; ports: Record<string, number>; phase?: string }): Pod {
  return {
    metadata: {
      name: o.name,
      namespace: o.namespace,
      uid: `uid-${o.namespace}-${o.name}`,
      labels: o.labels,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${o.name}-rs`, uid: `rs-${o.name}`, controller: true }],
      creationTimestamp: '2026-11-30T10:00:00Z',
    },
    spec: {
      nodeName: o.node,
      containers: [{ name: 'main', image: 'example/engine:1', ports: Object.entries(o.ports).map(([name, containerPort]) => ({ name, containerPort, protocol: 'TCP' })) }],
    },
    status: {
      phase: o.phase ?? 'Running',
      podIP: o.ip,
      podIPs: [{ ip: o.ip }],
      hostIP: '10.0.0.1',
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

interface Watcher {
  res: http.ServerResponse;
  label: string;
  field: string;
}

function matches(p: Pod, label: string, field: string): boolean {
  for (const term of label.split(',').filter(Boolean)) {
    const [k, v] = term.split('=');
    const have = p.metadata.labels?.[k!];
    if (have === undefined || (v !== undefined && have !== v)) return false;
  }
  for (const term of field.split(',').filter(Boolean)) {
    const [k, v] = term.split('=');
    if (k === 'spec.nodeName' && p.spec.nodeName !== v) return false;
  }
  return true;
}

export class FakeKubeApi {
  private readonly pods = new Map<string, Pod>();
  private rv = 100;
  /** Watches asking to resume from before this version get 410 Gone (history compacted). */
  private compactedBelow = 0;
  private readonly watchers = new Set<Watcher>();
  private failWatches: number[] = [];
  readonly requests: { watch: boolean; labelSelector: string; fieldSelector: string; resourceVersion: string }[] = [];

  private constructor(private readonly server: http.Server, readonly url: string) {}

  static async start(): Promise<FakeKubeApi> {
    let self: FakeKubeApi | undefined;
    const server = http.createServer((req, res) => self!.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    self = new FakeKubeApi(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname !== '/api/v1/pods') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
      return;
    }
    const label = u.searchParams.get('labelSelector') ?? '';
    const field = u.searchParams.get('fieldSelector') ?? '';
    const watch = u.searchParams.get('watch') === 'true';
    const resourceVersion = u.searchParams.get('resourceVersion') ?? '';
    this.requests.push({ watch, labelSelector: label, fieldSelector: field, resourceVersion });
    if (!watch) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: String(this.rv) }, items: [...this.pods.values()].filter((p) => matches(p, label, field)) }));
      return;
    }
    const fail = this.failWatches.shift();
    if (fail !== undefined) {
      res.writeHead(fail, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'scripted failure', code: fail }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    if (resourceVersion !== '' && Number(resourceVersion) < this.compactedBelow) {
      res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${resourceVersion} (${this.compactedBelow})`, reason: 'Expired', code: 410 } })}\n`);
      return;
    }
    const w: Watcher = { res, label, field };
    this.watchers.add(w);
    res.on('close', () => this.watchers.delete(w));
  }

  private send(type: string, p: Pod): void {
    for (const w of this.watchers) if (matches(p, w.label, w.field)) w.res.write(`${JSON.stringify({ type, object: p })}\n`);
  }

  /** Create or change a pod; watchers get ADDED/MODIFIED unless `silently`. */
  set(p: Pod, silently = false): void {
    const key = `${p.metadata.namespace}/${p.metadata.name}`;
    const existed = this.pods.has(key);
    p.metadata.resourceVersion = String(++this.rv);
    this.pods.set(key, p);
    if (!silently) this.send(existed ? 'MODIFIED' : 'ADDED', p);
  }

  delete(namespace: string, name: string, silently = false): void {
    const p = this.pods.get(`${namespace}/${name}`);
    if (!p) return;
    this.pods.delete(`${namespace}/${name}`);
    p.metadata.resourceVersion = String(++this.rv);
    if (!silently) this.send('DELETED', p);
  }

  /** Compact history: open watches get an ERROR 410 event and end; resuming from an old version gets the same. */
  expire(): void {
    this.compactedBelow = this.rv;
    for (const w of this.watchers) {
      w.res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version', reason: 'Expired', code: 410 } })}\n`);
    }
    this.watchers.clear();
  }

  /** The next `n` watch requests answer HTTP `status`; open watches are cut (as an API server restart does). */
  failNextWatches(n: number, status: number): void {
    this.failWatches = Array.from({ length: n }, () => status);
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  async close(): Promise<void> {
    for (const w of this.watchers) w.res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
