// The main thread's side of the scrape worker (scrape-worker.ts): one worker thread per process,
// started on the first read and restarted after it ends; reads are sent as messages and answered
// with the recognised view. The worker's heap is capped (SCRAPE_WORKER_HEAP_MB): a body that would
// blow it ends the worker, and every read then in flight fails with reason `worker`, instead of the
// exporter dying. The worker does not keep the process alive when no read is in flight.
import { Worker } from 'node:worker_threads';
import { CollectError } from './collector.ts';
import type { Limits } from './http-target.ts';
import { redactUrl } from './redact.ts';
import type { UpstreamTarget } from './upstream.ts';

/** Old-generation cap of the scrape worker, MB: bodies in flight (limits.maxConcurrentScrapes of them) and their parse. */
export const SCRAPE_WORKER_HEAP_MB = 64;
/** Its young generation, MB: V8's default lets it grow to ~48 MB under a steady stream of bodies, as RSS. */
export const SCRAPE_WORKER_YOUNG_MB = 8;

export interface ScrapeRequest {
  type: 'scrape';
  id: number;
  target: UpstreamTarget;
  limits: Limits;
  counters: string[];
  /** The kind whose recogniser reads the body (src/kinds/: its inspect.recognise). */
  kind: string;
  /** Whether the caller uses the view; false: the body is still parsed and recognised (a wrong kind fails), but only its series count comes back. */
  view: boolean;
}

export type ScrapeReply = { id: number; view: unknown; series: number } | { id: number; error: { reason: string; message: string } };

interface Pending {
  resolve(r: { view: unknown; series: number }): void;
  reject(err: Error): void;
}

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();

/**
 * In a checkout the sources are TypeScript: the worker registers tsx's loader itself, then loads
 * scrape-worker.ts (a worker's execArgv cannot carry --import). The bundle (dist/bin) has
 * scrape-worker.mjs beside its chunks.
 */
async function newWorker(): Promise<Worker> {
  const resourceLimits = { maxOldGenerationSizeMb: SCRAPE_WORKER_HEAP_MB, maxYoungGenerationSizeMb: SCRAPE_WORKER_YOUNG_MB };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./scrape-worker.mjs', import.meta.url), { resourceLimits });
  const { createRequire } = await import('node:module');
  const { pathToFileURL } = await import('node:url');
  // tsx's `./esm/api` export under the import condition (require.resolve would give the CommonJS one).
  const api = new URL('dist/esm/api/index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json'))).href;
  const entry = new URL('./scrape-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, resourceLimits });
}

let starting: Promise<Worker> | undefined;

function failAll(err: Error): void {
  for (const p of pending.values()) p.reject(err);
  pending.clear();
}

async function start(): Promise<Worker> {
  const w = await newWorker();
  // Loaded when it says so: its modules load after the constructor returns (through tsx in a checkout).
  const loaded = new Promise<void>((resolve, reject) => {
    w.once('message', (m: { type?: string }) => (m.type === 'ready' ? resolve() : reject(new Error('scrape worker: no ready message'))));
    w.once('error', reject);
  });
  w.on('message', (r: ScrapeReply | { type: 'ready' }) => {
    if (!('id' in r)) return;
    const p = pending.get(r.id);
    if (p === undefined) return;
    pending.delete(r.id);
    if ('error' in r) p.reject(r.error.reason === 'internal' ? new Error(r.error.message) : new CollectError(r.error.reason, r.error.message));
    else p.resolve({ view: r.view, series: r.series });
    if (pending.size === 0) w.unref();
  });
  const ended = (why: string) => {
    if (worker === w) worker = undefined;
    failAll(new CollectError('worker', `the scrape worker ended (${why}); it restarts on the next read`));
  };
  w.on('error', (err: NodeJS.ErrnoException) => ended(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `out of memory: its heap is capped at ${SCRAPE_WORKER_HEAP_MB} MB; lower limits.maxBodyBytes or limits.maxConcurrentScrapes` : err.message));
  w.on('exit', (code) => ended(`exit ${code}`));
  // Held while it loads (an await alone would let the process exit), then let go until a read is in flight.
  await loaded;
  w.unref();
  return w;
}

/** The worker, started if it is not running (the exporter awaits this before a cycle's reads). */
export async function scrapeWorkerReady(): Promise<void> {
  await ready();
}

async function ready(): Promise<Worker> {
  if (worker !== undefined) return worker;
  starting ??= start().finally(() => { starting = undefined; });
  worker = await starting;
  return worker;
}

/** Read, parse and recognise one target on the scrape worker; throws CollectError as the in-thread read does. */
export async function scrapeInWorker(target: UpstreamTarget, limits: Limits, signal: AbortSignal, counters: ReadonlySet<string>, kind: string, view = true): Promise<{ view: unknown; series: number }> {
  if (signal.aborted) throw new CollectError('timeout', `${redactUrl(target.url)}: cancelled`);
  const w = await ready();
  const id = nextId++;
  const msg: ScrapeRequest = { type: 'scrape', id, target, limits, counters: [...counters], kind, view };
  return new Promise((resolve, reject) => {
    const onAbort = () => w.postMessage({ type: 'cancel', id });
    signal.addEventListener('abort', onAbort, { once: true });
    const done = () => signal.removeEventListener('abort', onAbort);
    pending.set(id, { resolve: (r) => { done(); resolve(r); }, reject: (e) => { done(); reject(e); } });
    w.ref();
    w.postMessage(msg);
  });
}

/** Close the worker's idle upstream connections (shutdown). */
export function closeWorkerConnections(): void {
  worker?.postMessage({ type: 'close' });
}
