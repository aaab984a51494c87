// The soak's scrapers (bench/soak-run.ts), on a worker thread of their own: what they time is the
// exporter's answer, not the upstream servers and the checker that share the soak's main thread (which
// added their own event-loop delays to every latency). Plain JavaScript so that it loads under tsx and
// vitest alike.
//
// workerData: { url, phases: [{ name, scrapers, periodMs, durationS }] }. periodMs > 0: each scraper
// starts one request every periodMs (staggered, never two of its own at once: a late answer delays its
// next start, nothing piles up); 0: a new request as soon as the last is answered (saturation). Posts
// one result per phase: { name, requests, errors, requestsPerS, latencyMs: { p50, p90, p99, max } }, then
// 'done'. A 'stop' message ends the current phase and the rest.
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { url, phases } = workerData;
let stopped = false;
parentPort.on('message', (m) => { if (m === 'stop') stopped = true; });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Latencies in 0.1 ms bins up to 10 s (one more bin for anything slower). */
class Latencies {
  bins = new Uint32Array(100_001);
  count = 0;
  max = 0;
  add(ms) {
    this.bins[Math.min(100_000, Math.floor(ms * 10))]++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }
  quantile(q) {
    let seen = 0;
    const want = q * this.count;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i];
      if (seen >= want && seen > 0) return (i + 1) / 10;
    }
    return null;
  }
}

for (const phase of phases) {
  if (stopped) break;
  const agent = new http.Agent({ keepAlive: true, maxSockets: phase.scrapers + 1 });
  const get = () => new Promise((resolve) => {
    http.get(url, { agent, headers: { 'accept-encoding': 'gzip' } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    }).on('error', () => resolve(false));
  });
  const lat = new Latencies();
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + phase.durationS * 1000;
  const scraper = async (i) => {
    let next = t0 + (phase.periodMs * i) / phase.scrapers;
    while (!stopped) {
      if (phase.periodMs > 0) {
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait);
        next += phase.periodMs;
      }
      const s = performance.now();
      if (s >= end || stopped) break;
      if (!(await get())) errors++;
      lat.add(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: phase.scrapers }, (_, i) => scraper(i)));
  agent.destroy();
  const seconds = (performance.now() - t0) / 1000;
  parentPort.postMessage({
    name: phase.name, scrapers: phase.scrapers, periodMs: phase.periodMs, durationS: Number(seconds.toFixed(1)),
    requests: lat.count, errors, requestsPerS: Number((lat.count / seconds).toFixed(1)),
    latencyMs: { p50: lat.quantile(0.5), p90: lat.quantile(0.9), p99: lat.quantile(0.99), max: Number(lat.max.toFixed(1)) },
  });
}
parentPort.postMessage('done');
