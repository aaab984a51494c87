// Simulated GPU nodes for the exporter benches (serve, central, soak): a node's dcgm-exporter (8 H100s ×
// 7 MIG slices), its vLLM engines (one target each, placed on the slices by URL) and Kepler, as texts
// whose energy and token counters move like a busy node's; plus /proc readings of a child process.
import { readdirSync, readFileSync } from 'node:fs';
import { exposition } from './exposition-mix.ts';

/**
 * A text whose chosen counter lines move with time: each line of a family in `moving` becomes
 * base + rate × seconds, with the base and rate keyed by `group` (so a board's energy, repeated on its
 * 7 MIG instances, stays one value).
 */
export function moving(text: string, families: string[], group: (line: string) => string, ratePerS: (key: string) => number): () => string {
  const parts: (string | { key: string; base: number })[] = [];
  const bases = new Map<string, number>();
  let plain = '';
  for (const line of text.split('\n')) {
    const name = line.slice(0, line.search(/[{ ]/));
    if (!line.startsWith('#') && families.includes(name)) {
      const key = group(line);
      const v = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (!bases.has(key)) bases.set(key, v);
      parts.push(plain + line.slice(0, line.lastIndexOf(' ') + 1));
      parts.push({ key, base: bases.get(key)! });
      plain = '\n';
    } else {
      plain += line + '\n';
    }
  }
  parts.push(plain.slice(0, -1));
  const t0 = Date.now();
  return () => {
    const s = (Date.now() - t0) / 1000;
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : String(Math.floor(p.base + ratePerS(p.key) * s));
    return out;
  };
}

export function procStat(pid: number): { cpuS: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100/s on Linux)
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]!;
  return { cpuS: ticks / 100, rssMb: Number(rss) / 1024 };
}

/** CPU seconds of the process's main thread (its tid is its pid) and of all its other threads together. */
export function threadCpu(pid: number): { mainS: number; otherS: number } {
  let mainS = 0;
  let otherS = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try { stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'); } catch { continue; } // ended meanwhile
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const s = (Number(f[11]) + Number(f[12])) / 100;
    if (tid === String(pid)) mainS += s;
    else otherS += s;
  }
  return { mainS, otherS };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SimNode {
  host: string;
  /** path → body, relative to the upstream server's base URL. */
  routes: [string, () => string][];
  /** Config lines (YAML flow mappings) for targets and placement, given the upstream base URL. */
  targets(base: string): string[];
  placement(base: string): string[];
}

/**
 * One GPU node under `prefix` (e.g. `/n3`): dcgm-exporter with 8 GPUs × 7 MIG slices, `engines` vLLM
 * targets placed on the first slices, Kepler with `keplerPods` pods (the 0.10+ rewrite's series only).
 */
export function simNode(seed: number, prefix: string, engines: number, keplerPods: number): SimNode {
  const dcgmText = exposition(seed, { engines: 0, dcgmHosts: 1, keplerPods: 0 });
  const host = /Hostname="([^"]+)"/.exec(dcgmText)![1]!;
  const dcgm = moving(dcgmText, ['DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION'], (l) => /gpu="(\d+)"/.exec(l)![1]!, () => 350_000); // 350 W in mJ/s
  const slots = Array.from({ length: 8 }, (_, g) => Array.from({ length: 7 }, (_, s) => ({ gpu: String(g), instance: String(7 + s) }))).flat().slice(0, engines);
  const vllm = slots.map((_, i) => moving(exposition((seed - 1) * 1000 + 100 + i, { engines: 1, dcgmHosts: 0, keplerPods: 0 }), ['vllm:generation_tokens_total', 'vllm:prompt_tokens_total'],
    (l) => l.slice(0, 20), (k) => (k.startsWith('vllm:generation') ? 40 : 120)));
  // exposition-mix serves both Kepler generations at once; a node runs one, so keep the rewrite's
  // (0.10+: kepler_pod_cpu_* by zone), the current one.
  const keplerText = keplerPods === 0 ? '' : exposition(seed + 6, { engines: 0, dcgmHosts: 0, keplerPods }).split('\n').filter((l) => !l.includes('kepler_container_')).join('\n');
  const routes: [string, () => string][] = [[`${prefix}/dcgm`, dcgm], ...vllm.map((e, i) => [`${prefix}/vllm/${i}`, e] as [string, () => string])];
  if (keplerPods > 0) routes.push([`${prefix}/kepler`, () => keplerText]);
  const name = prefix.replace(/^\//, '') || 'node';
  return {
    host,
    routes,
    targets: (base) => [
      `  - {kind: dcgm, name: ${name}-dcgm, url: "${base}${prefix}/dcgm"}`,
      ...(keplerPods > 0 ? [`  - {kind: kepler, name: ${name}-kepler, url: "${base}${prefix}/kepler"}`] : []),
      ...slots.map((_, i) => `  - {kind: vllm, name: ${name}-vllm-${i}, url: "${base}${prefix}/vllm/${i}"}`),
    ],
    placement: (base) => slots.map((s, i) => `  - {url: "${base}${prefix}/vllm/${i}", host: "${host}", gpu: "${s.gpu}", gpuInstanceId: "${s.instance}"}`),
  };
}
