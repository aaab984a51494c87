// The simulated fleet on loopback: one HTTP server per serving engine (each kind's simulator, src/kinds/), one dcgm-exporter and
// one Kepler per host, and a control server (GET /faults, POST|DELETE /faults/<name>?…) that
// injects faults. The workload model (workload.ts) advances with the wall clock in fixed steps, and
// is brought up to date before every scrape, so each exposition shows the model at that instant.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { DcgmEndpoint } from './dcgm.ts';
import { applyFault, clearFault, FAULT_NAMES, FaultError, isFaultName, paramsFromQuery } from './faults.ts';
import type { ActiveFault, FaultName, FaultParams } from './faults.ts';
import type { Fleet } from './fleet.ts';
import { KeplerEndpoint } from './kepler.ts';
import { servingOf } from '../kinds/index.ts';
import type { ServingKindId } from '../kinds/index.ts';
import { FleetSim } from './workload.ts';

export { FleetSim } from './workload.ts';
export { loadFleet, parseFleet, FleetError, REFERENCE_FLEET, FLEET_DIR } from './fleet.ts';
export type { Fleet } from './fleet.ts';

export interface SimulateOptions {
  /** Address to listen on (default 127.0.0.1). */
  address?: string;
  /** Ports: 'default' (vLLM 8000+i, dcgm 9400+h, Kepler 28282+h or 9102+h legacy, control 9999) or 'ephemeral' (free ports, for tests). */
  ports?: 'default' | 'ephemeral';
  /** Wall-clock ms per simulated second (1000: real time). */
  msPerSecond?: number;
}

export interface Endpoint { url: string; address: string }

export interface RunningFleet {
  sim: FleetSim;
  servers: (Endpoint & { model: string; engine: ServingKindId; host: string; index: number })[];
  dcgm: (Endpoint & { host: string })[];
  kepler: (Endpoint & { host: string; generation: 'rewrite' | 'legacy' })[];
  control: Endpoint;
  faults(): ActiveFault[];
  inject(name: FaultName, params: FaultParams): ActiveFault;
  clear(name: FaultName, params: FaultParams): void;
  stop(): Promise<void>;
}

const TEXT = 'text/plain; version=0.0.4; charset=utf-8';

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, address: string, port: number): Promise<{ server: Server; endpoint: Endpoint }> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(Object.assign(new Error(`cannot listen on ${address}:${port}: ${err.message}`), { code: err.code })));
    server.listen(port, address, () => {
      const p = (server.address() as { port: number }).port;
      resolve({ server, endpoint: { url: `http://${address}:${p}/metrics`, address: `${address}:${p}` } });
    });
  });
}

export async function startFleet(fleet: Fleet, opts: SimulateOptions = {}): Promise<RunningFleet> {
  const address = opts.address ?? '127.0.0.1';
  const ephemeral = opts.ports === 'ephemeral';
  const msPerSecond = opts.msPerSecond ?? 1000;
  const started = Date.now();
  const sim = new FleetSim(fleet, started / 1000);
  const catchUp = () => sim.advanceTo((Date.now() - started) / msPerSecond);
  const timer = setInterval(catchUp, 100);
  timer.unref();
  const servers: Server[] = [];
  const active: ActiveFault[] = [];
  const out: Omit<RunningFleet, 'control' | 'faults' | 'inject' | 'clear' | 'stop'> = { sim, servers: [], dcgm: [], kepler: [] };

  const metricsHandler = (render: () => string | undefined) => (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/health') { res.end(); return; }
    if (req.url !== '/metrics') { res.statusCode = 404; res.end('not found\n'); return; }
    catchUp();
    const body = render();
    // A server that is down refuses to talk: the scrape fails, Prometheus sets up=0.
    if (body === undefined) { req.socket.destroy(); return; }
    res.setHeader('content-type', TEXT);
    res.end(body);
  };

  try {
    for (const [i, s] of fleet.servers.entries()) {
      const { simulate } = servingOf(s.engine);
      const render = () => {
        const e = sim.engines[i]!;
        if (e.faults.down) return undefined;
        return simulate(e, sim.gpusOf(e));
      };
      const { server, endpoint } = await listen(metricsHandler(render), address, ephemeral ? 0 : 8000 + i);
      servers.push(server);
      out.servers.push({ ...endpoint, model: s.model, engine: s.engine, host: s.host, index: i });
    }
    for (const [h, host] of sim.hosts.entries()) {
      const dcgm = new DcgmEndpoint(sim, host, fleet.driverVersion);
      const d = await listen(metricsHandler(() => dcgm.render()), address, ephemeral ? 0 : 9400 + h);
      servers.push(d.server);
      out.dcgm.push({ ...d.endpoint, host: host.host.name });
      const kepler = new KeplerEndpoint(sim, host);
      const gen = fleet.kepler.generation;
      const k = await listen(metricsHandler(() => kepler.render()), address, ephemeral ? 0 : (gen === 'rewrite' ? 28282 : 9102) + h);
      servers.push(k.server);
      out.kepler.push({ ...k.endpoint, host: host.host.name, generation: gen });
    }
  } catch (err) {
    clearInterval(timer);
    await Promise.all(servers.map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
    throw err;
  }

  const inject = (name: FaultName, params: FaultParams): ActiveFault => {
    catchUp();
    const applied = applyFault(sim, name, params);
    const f: ActiveFault = { name, params: applied, since: sim.t };
    active.push(f);
    return f;
  };
  const clear = (name: FaultName, params: FaultParams): void => {
    catchUp();
    clearFault(sim, name, params);
    const same = (a: FaultParams, b: FaultParams) => a.model === b.model && a.server === b.server && a.gpu === b.gpu && (a.host ?? '') === (b.host ?? '');
    for (let i = active.length - 1; i >= 0; i--) if (active[i]!.name === name && same(active[i]!.params, params)) active.splice(i, 1);
  };

  const control = await listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const reply = (status: number, body: unknown) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body) + '\n');
    };
    if (url.pathname === '/faults' && req.method === 'GET') { reply(200, { active, available: FAULT_NAMES }); return; }
    const m = /^\/faults\/([a-z-]+)$/.exec(url.pathname);
    if (!m || (req.method !== 'POST' && req.method !== 'DELETE')) { reply(404, { error: 'GET /faults, POST or DELETE /faults/<name>?model=…|gpu=…' }); return; }
    const name = m[1]!;
    if (!isFaultName(name)) { reply(404, { error: `unknown fault '${name}': ${FAULT_NAMES.join(', ')}` }); return; }
    try {
      const params = paramsFromQuery(url.searchParams);
      if (req.method === 'POST') reply(200, inject(name, params));
      else { clear(name, params); reply(200, { cleared: name, params }); }
    } catch (err) {
      if (err instanceof FaultError) reply(400, { error: err.message });
      else throw err;
    }
  }, address, ephemeral ? 0 : 9999);
  servers.push(control.server);

  return {
    ...out,
    control: { url: `http://${control.endpoint.address}/faults`, address: control.endpoint.address },
    faults: () => [...active],
    inject,
    clear,
    async stop() {
      clearInterval(timer);
      await Promise.all(servers.map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
    },
  };
}
