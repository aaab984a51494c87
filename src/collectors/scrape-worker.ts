// The scrape worker: reads upstream /metrics, parses and recognises them on its own thread, and posts
// back only the recognised view (plain data, small). Bodies, parse garbage and their garbage
// collection stay in this thread's heap, so no upstream body (100k series, a gzip bomb cut at
// limits.maxBodyBytes) can hold up the exporter's /metrics on the main thread. Started by
// scrape-pool.ts; one per process.
import { parentPort } from 'node:worker_threads';
import { CollectError } from './collector.ts';
import { closeUpstreamConnections } from './http-target.ts';
import { readAndRecognise } from './upstream.ts';
import type { ScrapeReply, ScrapeRequest } from './scrape-pool.ts';
import { recognisers } from './recognisers.ts';
import type { MetricFamily } from '../exposition/types.ts';

const port = parentPort;
if (port === null) throw new Error('scrape-worker.ts runs as a worker thread (scrape-pool.ts starts it)');

const inFlight = new Map<number, AbortController>();

/** The kind's recogniser; one that has none fails that read (inside its promise: a throw here would end the worker). */
function recogniserOf(kind: string): (families: MetricFamily[]) => unknown {
  const r = recognisers[kind];
  if (r === undefined) throw new Error(`scrape worker: kind '${kind}' has no recogniser`);
  return r;
}

port.on('message', (m: ScrapeRequest | { type: 'cancel'; id: number } | { type: 'close' }) => {
  if (m.type === 'cancel') return inFlight.get(m.id)?.abort();
  if (m.type === 'close') return closeUpstreamConnections();
  const ac = new AbortController();
  inFlight.set(m.id, ac);
  // A CA arrives as a Uint8Array (structured clone); TLS wants a Buffer.
  const target = m.target.tls?.ca ? { ...m.target, tls: { ...m.target.tls, ca: Buffer.from(m.target.tls.ca) } } : m.target;
  Promise.resolve()
    .then(() => readAndRecognise(target, m.limits, ac.signal, new Set(m.counters), recogniserOf(m.kind)))
    .then(({ view, series }): ScrapeReply => ({ id: m.id, view: m.view ? view : null, series }))
    .catch((err: unknown): ScrapeReply => ({ id: m.id, error: err instanceof CollectError ? { reason: err.reason, message: err.message } : { reason: 'internal', message: err instanceof Error ? err.message : String(err) } }))
    .then((reply) => {
      inFlight.delete(m.id);
      port.postMessage(reply);
    });
});

port.postMessage({ type: 'ready' });
