// The exporter's collection loop. Every `interval` one cycle runs: each due collector reads its target
// (concurrently, each bounded by its own timeout, each failure its own), the fresh readings are joined
// into one energy Tick (NVML boards win over dcgm-exporter's for the same host+gpu, and both over
// Triton's, which names GPUs by UUID only), the EnergyLedger
// is fed, and the cycle's series are gathered. /metrics is rendered from them at most ONCE per cycle,
// on the first scrape that asks for each form (text or OpenMetrics, plain or gzip), and cached: later
// scrapes cost a buffer write, and a cycle nobody scrapes (a 5 s cycle under a 15-60 s scrape
// interval: most of them) renders nothing.
//
// Health is published as it happens: each target's up/down, reason, duration and error counts are
// re-rendered (a small tail after the cycle's body; see publishHealth) as soon as that target's read
// ends or times out, not when the slowest target of the cycle is done. A target that goes down shows
// tokenwatt_collector_up 0 within one interval of failing, whatever else hangs.
//
// Isolation: a collector that fails this cycle is marked down (tokenwatt_collector_up 0,
// errors_total{reason}+1) and contributes nothing: its last readings are dropped, not replayed. The
// ledger keeps its counters (they never go backwards) and diffs against the last good reading when
// the target returns. A reading the ledger would refuse is dropped alone, not with the whole tick.
import { setMaxListeners } from 'node:events';
import type { Collector, CollectResult } from '../collectors/collector.ts';
import type { Log } from '../log.ts';
import { configSamples } from './config-state.ts';
import type { ConfigState } from './config-state.ts';
import { CollectError } from '../collectors/collector.ts';
import { engineMeta } from '../collectors/serving.ts';
import { tokenwattMetrics } from '../catalog/tokenwatt.ts';
import { EnergyLedger } from '../energy/ledger.ts';
import type { BoardReading, EngineReading, LedgerSample, Tick } from '../energy/tick.ts';
import { validateTick } from '../energy/validate-tick.ts';
import { readStateFile, writeStateFile } from '../energy/state-file.ts';
import type { EnergyConfig } from '../energy/config.ts';
import { version } from '../version.ts';
import { deadline } from '../collectors/deadline.ts';
import { closeWorkerConnections, scrapeWorkerReady } from '../collectors/scrape-pool.ts';
import { DEFAULT_MAX_CONCURRENT_SCRAPES } from './config.ts';
import { renderForeignText, renderOpenMetrics, renderText } from './render.ts';
import { runtimeFamilies } from './runtime.ts';
import { deflateHead, gzipStitched } from './stitch.ts';
import type { DeflatedHead } from './stitch.ts';

/** A collector and how the exporter schedules it. */
export interface Scheduled {
  collector: Collector;
  /** Shown in /api/targets ('' for NVML). */
  url: string;
  /** The `target` label: the target's name ("local" for NVML). */
  target: string;
  intervalMs: number;
  timeoutMs: number;
  /** What a reload compares (src/exporter/reload.ts): equal keys keep the running collector and its state. Default: kind, target and URL. */
  key?: string;
}

export interface TargetStatus {
  kind: string;
  name: string;
  url: string;
  up: boolean;
  lastError: string | null;
  reason: string | null;
  lastSuccess: string | null;
  durationSeconds: number | null;
  series: number;
}

interface State extends Scheduled {
  ran: boolean;
  lastRunMs: number | undefined;
  up: boolean;
  lastError: string | null;
  reason: string | null;
  lastSuccessS: number | undefined;
  durationS: number | undefined;
  series: number;
  errors: Map<string, number>;
  /** The last run's own samples: a success's, or what a failure carried (CollectError.samples). */
  samples: LedgerSample[];
}

export interface Rendered {
  readonly text: string;
  /** `text` as UTF-8 bytes and gzipped: the head encoded once per cycle, the health tail once per publish that is scraped. */
  readonly body: Buffer;
  readonly gzip: Buffer;
  /** The same series as OpenMetrics 1.0 (for scrapers that ask for it), plain and gzipped. */
  readonly om: Buffer;
  readonly omGzip: Buffer;
}

/** The cycle's part of the body (everything but the health series): each form rendered (and deflated) on first use, at most once per cycle. */
interface Head {
  text: () => string;
  body: () => Buffer;
  om: () => Buffer;
  gzip: () => DeflatedHead | undefined;
  omGzip: () => DeflatedHead | undefined;
}

/** `make`, run on the first call only; later calls return its value. */
function once<T>(make: () => T): () => T {
  let made = false;
  let v: T;
  return () => {
    if (!made) {
      v = make();
      made = true;
    }
    return v;
  };
}

const NO_BYTES = Buffer.alloc(0);

/** How often health may be re-published at most (completions in a burst are coalesced). */
const PUBLISH_MS = 20;

interface Remembered {
  sample: LedgerSample;
  seenS: number;
}

export class Exporter {
  readonly ledger: EnergyLedger;
  private states: State[];
  /** Readiness latches: targets added later (reload, discovery) must not take a serving exporter out of its Service. */
  private wasReady = false;
  private readonly gpuInfo = new Map<string, Remembered>();
  /**
   * Per host+gpu: the source last fed to the ledger, its raw reading and the offset added to it (the fed
   * counter stays continuous across source switches and resets; see join). And every source's last raw
   * reading of each GPU, fed or not, so a switch can tell a reset from a lag.
   */
  private readonly fed = new Map<string, { source: string; raw: number; offset: number; ownBase?: true }>();
  private readonly rawSeen = new Map<string, Map<string, number>>();
  /** When each GPU was last read by any source: its join state is forgotten with the ledger's retention. */
  private readonly joinSeenS = new Map<string, number>();
  /** Host and index of each GPU UUID as NVML or dcgm-exporter last reported it (places boards named by UUID only). */
  private readonly uuidAt = new Map<string, { host: string; gpu: string; model: string; seenS: number }>();
  /** Boards named by UUID only that could not be placed: tokenwatt_gpu_unmatched, per target and UUID. */
  private readonly unmatched = new Map<string, Remembered>();
  private readonly unmatchedReads = new Map<string, number>();
  private readonly stateFile: string | undefined;
  private stateLoaded = false;
  /** Cycles in a row each engine placement has been unplaced (warned at 2: the pod mapping may answer late). */
  private readonly unplacedCycles = new Map<string, number>();
  private readonly engineInfo = new Map<string, Remembered>();
  /** The config file's state, once the exporter command has loaded one (src/exporter/config-state.ts). */
  private config: ConfigState | undefined;
  /** The body to serve, built on the first request after a publish (undefined until then). */
  private current: Rendered | undefined;
  private head: Head = { text: () => '', body: () => NO_BYTES, om: () => NO_BYTES, gzip: () => undefined, omGzip: () => undefined };
  /** Series in the last cycle's head (the debug cycle line). */
  private headSeries = 0;
  private publishTimer: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly warned = new Set<string>();
  /** Bounds the targets in flight (limits.maxConcurrentScrapes): the exporter's memory model. */
  private readonly slots: Slots;

  constructor(
    scheduled: Scheduled[],
    energy: EnergyConfig,
    private readonly intervalMs: number,
    private readonly log: Log,
    opts: { maxConcurrentScrapes?: number; stateFile?: string } = {},
  ) {
    this.slots = new Slots(opts.maxConcurrentScrapes ?? DEFAULT_MAX_CONCURRENT_SCRAPES);
    this.ledger = new EnergyLedger(energy);
    this.stateFile = opts.stateFile;
    // One listener per collector in flight (each run's deadline): as many as there are targets.
    setMaxListeners(0, this.abort.signal);
    this.states = scheduled.map(freshState);
  }

  /** The body to serve now: the last cycle's head and the health as last published. */
  get metrics(): Rendered {
    return (this.current ??= this.withHealth());
  }

  /** Ready once every collector has run once (whatever the result) and a cycle has been rendered. */
  get ready(): boolean {
    return this.wasReady;
  }

  /**
   * Swap the scheduled targets without a restart (config reload, Kubernetes discovery). A target whose
   * key is unchanged keeps its running collector and state (its baselines, error counts); new ones start
   * on the next cycle; removed ones stop being read and their series end. The energy ledger is not
   * touched: every GPU's and engine's accumulated counters carry on. NVML is kept unless `scheduled`
   * brings an NVML collector of its own. Takes effect between reads: a cycle in flight finishes as it began.
   */
  replaceTargets(scheduled: Scheduled[]): { added: string[]; removed: string[]; kept: string[] } {
    const keyOf = (s: Scheduled) => s.key ?? `${s.collector.kind}\0${s.target}\0${s.url}`;
    const old = new Map(this.states.map((s) => [keyOf(s), s]));
    const bringsNvml = scheduled.some((s) => s.collector.kind === 'nvml');
    const next: State[] = [];
    const added: string[] = [];
    const kept: string[] = [];
    for (const s of scheduled) {
      const k = keyOf(s);
      const running = old.get(k);
      if (running) {
        next.push(running);
        kept.push(s.target);
        old.delete(k);
      } else {
        next.push(freshState(s));
        added.push(s.target);
      }
    }
    const removed: string[] = [];
    for (const s of old.values()) {
      if (!bringsNvml && s.collector.kind === 'nvml') next.push(s);
      else removed.push(s.target);
    }
    this.states = next;
    return { added, removed, kept };
  }

  get targets(): TargetStatus[] {
    return this.states.map((s) => ({
      kind: s.collector.kind,
      name: s.target,
      url: s.url,
      up: s.up,
      lastError: s.lastError,
      reason: s.reason,
      lastSuccess: s.lastSuccessS === undefined ? null : new Date(s.lastSuccessS * 1000).toISOString(),
      durationSeconds: s.durationS ?? null,
      series: s.series,
    }));
  }

  /** Run cycles every interval until stop(). The first starts now. */
  start(): void {
    const loop = async () => {
      const started = clockMs();
      // A bug in one cycle must not end the process: log it, keep serving the last body, try again.
      this.running = this.runCycle(started).catch((err: unknown) => {
        this.log('error', 'collection cycle failed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      });
      await this.running;
      this.running = undefined;
      if (this.stopped) return;
      // Keep to the interval's grid; a cycle is bounded by the targets' timeouts (≤ interval).
      this.timer = setTimeout(loop, Math.max(0, started + this.intervalMs - clockMs()));
    };
    void loop();
  }

  /** Stop the timer, cancel reads in flight and wait for the cycle to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.publishTimer) clearTimeout(this.publishTimer);
    this.abort.abort();
    await this.running;
    // Upstream connections live on the scrape worker, the only thread that reads upstreams.
    closeWorkerConnections();
  }

  /** One collection cycle at `nowMs` (tests call it directly, with their own clock). */
  async runCycle(nowMs = clockMs()): Promise<void> {
    const t0 = performance.now();
    const due = this.states.filter((s) => s.lastRunMs === undefined || nowMs - s.lastRunMs >= s.intervalMs - 1);
    // The scrape worker starts (or restarts) before any target's timeout runs: its start is not a target's time.
    if (due.some((s) => s.collector.kind !== 'nvml')) await scrapeWorkerReady();
    const results = await Promise.all(due.map((s) => this.runOne(s, nowMs)));
    const fresh = results.filter((r): r is { state: State; result: CollectResult } => r !== undefined);
    if (!this.stateLoaded) await this.loadState(nowMs / 1000);
    const tick = this.join(nowMs / 1000, fresh);
    try {
      this.ledger.observe(tick);
    } catch (err) {
      // Per-reading checks ran in join(); what is left (time going backwards) skips this tick only.
      this.log('error', 'energy ledger refused the tick; counters keep their values', { error: (err as Error).message });
    }
    for (const n of this.ledger.takeNotices()) this.log(n.level, n.msg, n.fields);
    this.warnUnplaced();
    await this.render();
    await this.saveState(nowMs / 1000);
    if (this.states.every((s) => s.ran)) this.wasReady = true;
    const mb = (b: number) => Math.round(b / 1048576);
    const cycle = {
      ms: Math.round(performance.now() - t0), collected: fresh.length, of: due.length, boards: tick.boards.length, engines: tick.engines.length,
      series: this.headSeries,
    };
    try {
      // Reads /proc: throws when file descriptors run out (EMFILE), which must not fail the cycle.
      const m = process.memoryUsage();
      this.log('debug', 'cycle', { ...cycle, rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external) });
    } catch {
      this.log('debug', 'cycle', cycle);
    }
  }

  private async runOne(s: State, nowMs: number): Promise<{ state: State; result: CollectResult } | undefined> {
    s.lastRunMs = nowMs;
    // Wait for a slot before the clock starts: the timeout is the target's, not the queue's. A target
    // whose last read timed out queues behind the others and holds at most half the slots, so hung
    // upstreams cannot starve healthy ones of slots (nor delay their health) whatever their number.
    const suspect = s.reason === 'timeout';
    await this.slots.acquire(suspect);
    try {
      return await this.runHeld(s);
    } finally {
      this.slots.release(suspect);
      this.queuePublish();
    }
  }

  private async runHeld(s: State): Promise<{ state: State; result: CollectResult } | undefined> {
    if (this.stopped) return undefined;
    const started = performance.now();
    const limit = deadline(this.abort.signal, s.timeoutMs);
    const signal = limit.signal;
    try {
      // The race bounds collectors that ignore the signal (a stuck NVML call) to their timeout too.
      const result = await new Promise<CollectResult>((resolve, reject) => {
        const onAbort = () => reject(new CollectError('timeout', `no answer within ${s.timeoutMs} ms`));
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        s.collector.collect(signal).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
      });
      s.durationS = (performance.now() - started) / 1000;
      s.ran = true;
      if (!s.up) this.log('info', 'collector up', { collector: s.collector.kind, target: s.target });
      s.up = true;
      s.lastError = null;
      s.reason = null;
      s.lastSuccessS = Date.now() / 1000;
      s.samples = result.samples;
      s.series = result.series ?? result.samples.length + (result.boards?.length ?? 0) + (result.engines?.length ?? 0);
      return { state: s, result };
    } catch (err) {
      s.durationS = (performance.now() - started) / 1000;
      s.ran = true;
      const reason = err instanceof CollectError ? err.reason : 'internal';
      const message = (err as Error).message;
      // Log transitions and changed errors, not the same failure every cycle.
      if (this.stopped) return undefined; // cancelled by shutdown: not the target's fault
      if (s.up || s.reason !== reason || s.lastError === null) {
        this.log(err instanceof CollectError ? 'warn' : 'error', 'collector failed', { collector: s.collector.kind, target: s.target, reason, error: message });
      }
      s.up = false;
      s.lastError = message;
      s.reason = reason;
      // A failure may still say something (the NVML collector's tokenwatt_nvml_up 0); nothing else is kept.
      const said = (err as { samples?: unknown }).samples;
      s.samples = Array.isArray(said) ? (said as LedgerSample[]) : [];
      s.series = 0;
      s.errors.set(reason, (s.errors.get(reason) ?? 0) + 1);
      return undefined;
    } finally {
      limit.dispose();
    }
  }

  /**
   * This cycle's tick: fresh readings only, one source per host+gpu (NVML, then dcgm-exporter, then a
   * server that names GPUs by UUID only: Triton), bad readings dropped alone.
   */
  private join(nowS: number, fresh: { state: State; result: CollectResult }[]): Tick {
    const boards = new Map<string, { reading: BoardReading; source: string }>();
    // NVML first so it wins; then dcgm targets in config order; then boards named by UUID only, placed
    // on the GPU another source names with that UUID (or the target's gpus map). One GPU is one UUID too:
    // where the exporter's `host` and dcgm-exporter's Hostname differ, the UUID still tells it is the
    // same board (compared across collectors only: a redacted scrape may print one placeholder UUID for every GPU).
    const ordered = [...fresh].sort((a, b) => Number(b.state.collector.kind === 'nvml') - Number(a.state.collector.kind === 'nvml'));
    this.learnUuids(nowS, ordered);
    const entries: { state: State; board: BoardReading; ownBase?: true }[] = [];
    for (const { state, result } of ordered) for (const board of result.boards ?? []) entries.push({ state, board });
    for (const { state, result } of ordered) {
      for (const b of result.boardsByUuid ?? []) {
        const board = this.placeByUuid(nowS, state, b);
        // Triton's counter starts with Triton: never on NVML's or dcgm-exporter's base.
        if (board) entries.push({ state, board, ownBase: true });
      }
    }
    const uuids = new Map<string, Collector>();
    // Every source's raw reading of every GPU, fed or not: a switch compares with the new source's own last.
    const previousRaw = new Map<string, number | undefined>();
    for (const { state, board: b } of entries) {
      const key = `${b.host}\0${b.gpu}`;
      let bySource = this.rawSeen.get(key);
      if (!bySource) this.rawSeen.set(key, (bySource = new Map()));
      this.joinSeenS.set(key, nowS);
      previousRaw.set(`${key}\0${sourceId(state)}`, bySource.get(sourceId(state)));
      if (Number.isFinite(b.energyJoules) && b.energyJoules >= 0) bySource.set(sourceId(state), b.energyJoules);
    }
    for (const { state, board: b, ownBase } of entries) {
      const key = `${b.host}\0${b.gpu}`;
      if (boards.has(key)) continue;
      const first = uuids.get(b.uuid);
      if (b.uuid !== '' && first !== undefined && first !== state.collector) {
        this.warnOnce(`uuid\0${b.uuid}\0${b.host}`, 'the same GPU (UUID) under two host names; using the first source. Set `host` to dcgm-exporter\'s Hostname', { uuid: b.uuid, host: b.host, collector: state.collector.kind });
        continue;
      }
      if (!this.acceptable({ timestampS: nowS, boards: [b], engines: [] }, state)) continue;
      const fedReading = this.feed(key, sourceId(state), b, previousRaw.get(`${key}\0${sourceId(state)}`), ownBase ?? false);
      if (!fedReading) continue;
      boards.set(key, { reading: fedReading, source: state.collector.kind });
      if (b.uuid !== '' && first === undefined) uuids.set(b.uuid, state.collector);
    }
    for (const [key, chosen] of boards) chosen.reading = withKnownActivity(chosen.reading, key, ordered);
    const engines = new Map<string, EngineReading>();
    for (const { state, result } of fresh) {
      for (const e of result.engines ?? []) {
        const key = JSON.stringify([e.host, e.gpu, e.gpuInstanceId ?? '', e.namespace, e.pod, e.model_name, e.engine]);
        if (engines.has(key)) {
          this.warnOnce(`dup-engine\0${key}`, 'two targets report the same engine on the same GPU; keeping the first', { target: state.target, model: e.model_name, engine: e.engine });
          continue;
        }
        if (!this.acceptable({ timestampS: nowS, boards: [], engines: [e] }, state)) continue;
        engines.set(key, e);
      }
    }
    const tick: Tick = { timestampS: nowS, boards: [...boards.values()].map((b) => b.reading), engines: [...engines.values()] };
    this.rememberInfo(nowS, [...boards.values()], tick.engines, tick.boards);
    return tick;
  }

  /**
   * Where each GPU UUID is, from the sources that name both index and UUID (NVML, dcgm-exporter): a
   * board named by UUID only is placed there. A UUID a source prints for several GPUs (a redacted
   * scrape's placeholder) places nothing.
   */
  private learnUuids(nowS: number, sources: readonly { result: CollectResult }[]): void {
    for (const { result } of sources) {
      const count = new Map<string, number>();
      for (const b of result.boards ?? []) count.set(b.uuid, (count.get(b.uuid) ?? 0) + 1);
      for (const b of result.boards ?? []) {
        if (b.uuid === '' || count.get(b.uuid) !== 1) continue;
        if (!this.uuidAt.has(b.uuid)) this.uuidAt.set(b.uuid, { host: b.host, gpu: b.gpu, model: b.model, seenS: nowS });
        else Object.assign(this.uuidAt.get(b.uuid)!, { host: b.host, gpu: b.gpu, model: b.model || this.uuidAt.get(b.uuid)!.model, seenS: nowS });
      }
    }
  }

  /**
   * A board named by UUID only (Triton's nv_energy_consumption) on the GPU another source reports with
   * that UUID, else on the index the target's gpus map gives it; else none: reported unmatched
   * (warning and tokenwatt_gpu_unmatched 1) and not counted, never booked under a made-up GPU.
   */
  private placeByUuid(nowS: number, state: State, b: BoardReading): BoardReading | undefined {
    const key = `${state.target}\0${b.uuid}`;
    const known = this.uuidAt.get(b.uuid);
    if (known) {
      this.unmatched.delete(key);
      this.unmatchedReads.delete(key);
      if (b.gpu !== '' && (known.host !== b.host || known.gpu !== b.gpu)) {
        this.warnOnce(`uuid-index\0${key}`, 'the target\'s gpus map puts this GPU at another host/index than the source that reports its index; using that source\'s', { target: state.target, uuid: b.uuid, mapped: `${b.host}/${b.gpu}`, reported: `${known.host}/${known.gpu}` });
      }
      return { ...b, host: known.host, gpu: known.gpu, model: b.model || known.model };
    }
    if (b.gpu !== '') {
      this.unmatched.delete(key);
      this.unmatchedReads.delete(key);
      return b;
    }
    // Said from the second reading in a row: in the first cycle the source naming its index may not have answered yet.
    const misses = (this.unmatchedReads.get(key) ?? 0) + 1;
    this.unmatchedReads.set(key, misses);
    if (misses < 2) return undefined;
    this.unmatched.set(key, { sample: { name: 'tokenwatt_gpu_unmatched', labels: { collector: state.collector.kind, target: state.target, host: b.host, gpu_uuid: b.uuid }, value: 1 }, seenS: nowS });
    this.warnOnce(`unmatched\0${key}`, 'GPU reported by UUID only matches no GPU that NVML or dcgm-exporter reports and is not in the target\'s gpus map; its energy is not counted (tokenwatt_gpu_unmatched 1). Add targets[].gpus.<index>: <uuid> as `nvidia-smi -L` lists it, or run NVML or dcgm-exporter', { collector: state.collector.kind, target: state.target, uuid: b.uuid });
    return undefined;
  }

  /**
   * The reading to feed the ledger for one GPU from `source`, on a counter kept continuous across source
   * switches (methodology §9). NVML and dcgm-exporter read the same hardware counter, so after a switch
   * the new source's raw value is compared with the last one fed:
   * - at or above it: the same counter, carry on with the same offset;
   * - below it, and below the new source's own previous reading: the counter was reset (driver reload)
   *   since; follow the new source's increase from the reset, at info level;
   * - below it by more than any sampling lag explains (power limit × margin × max(60 s, 3 intervals)):
   *   another base; follow the new source's deltas from here, at info level;
   * - otherwise a lag (dcgm-exporter samples every 30 s by default): wait for it to catch up (this tick
   *   skips the GPU; the next reading covers the time, so only resolution changes).
   * A counter on its own base (`ownBase`: Triton's, joules since Triton started), or a switch away from
   * one, is always another base: its deltas are followed from the switch on.
   */
  private feed(key: string, source: string, b: BoardReading, ownPrevious: number | undefined, ownBase: boolean): BoardReading | undefined {
    const fed = this.fed.get(key);
    let offset = fed?.source === source ? fed.offset : 0;
    let switched = false;
    if (fed && fed.source !== source) {
      const lastFed = fed.raw + fed.offset;
      const cfg = this.ledger.config;
      const lagBound = cfg.defaultPowerLimitWatts * cfg.powerLimitMargin * Math.max(60, (3 * this.intervalMs) / 1000);
      if (ownBase || fed.ownBase) {
        offset = lastFed - b.energyJoules;
        switched = true;
        this.log('info', 'energy source switched to or from a counter on its own base (Triton\'s); following the new source\'s deltas from here', { host: b.host, gpu: b.gpu, from: fed.source, to: source });
      } else if (b.energyJoules >= fed.raw) offset = fed.offset;
      else if (ownPrevious !== undefined && b.energyJoules < ownPrevious) {
        offset = lastFed;
        switched = true;
        this.log('info', 'energy source switched after a counter reset; following the new source\'s increase since the reset', { host: b.host, gpu: b.gpu, from: fed.source, to: source });
      } else if (fed.raw - b.energyJoules > lagBound) {
        offset = lastFed - b.energyJoules;
        switched = true;
        this.log('info', 'energy source switched to a counter on another base; following its deltas from here', { host: b.host, gpu: b.gpu, from: fed.source, to: source });
      } else {
        this.log('debug', 'energy source switched; waiting for it to catch up with the last reading', { host: b.host, gpu: b.gpu, from: fed.source, to: source });
        return undefined;
      }
    }
    this.fed.set(key, { source, raw: b.energyJoules, offset, ...(ownBase && { ownBase: true as const }) });
    if (offset === 0 && !switched) return b;
    return { ...b, energyJoules: b.energyJoules + offset, ...(switched && { sourceSwitched: true as const }) };
  }

  /** Warn (once each) about engine placements no source reports, after two cycles in a row. */
  private warnUnplaced(): void {
    const now = new Set<string>();
    for (const u of this.ledger.unplaced()) {
      const key = JSON.stringify(u);
      now.add(key);
      const n = (this.unplacedCycles.get(key) ?? 0) + 1;
      this.unplacedCycles.set(key, n);
      if (n >= 2) {
        this.warnOnce(`unplaced\0${key}`, 'engine is placed on a GPU or MIG instance that no source reports; it gets no energy (tokenwatt_engine_placed 0). Check placement host, gpu and gpuInstanceId against tokenwatt_gpu_info and tokenwatt_slice_info', u);
      }
    }
    for (const k of this.unplacedCycles.keys()) if (!now.has(k)) this.unplacedCycles.delete(k);
  }

  /** Resume from the state file, once, before the first tick; a refused file is logged and the ledger starts clean. */
  private async loadState(nowS: number): Promise<void> {
    this.stateLoaded = true;
    if (!this.stateFile) return;
    try {
      const state = await readStateFile(this.stateFile, nowS, this.ledger.config.retentionSeconds);
      if (!state) {
        this.log('info', 'no ledger state file yet; starting clean', { stateFile: this.stateFile });
        return;
      }
      this.ledger.restore(state.ledger);
      for (const [k, v] of state.join.fed) this.fed.set(k, v);
      for (const [k, v] of state.join.raw) {
        this.rawSeen.set(k, new Map(v));
        this.joinSeenS.set(k, state.savedAtS);
      }
      this.log('info', 'ledger resumed from its state file; the downtime is attributed with the next readings', { stateFile: this.stateFile, downtimeS: Math.round(nowS - state.savedAtS) });
    } catch (err) {
      this.log('error', 'ledger state file refused; starting clean', { stateFile: this.stateFile, error: (err as Error).message });
    }
  }

  private async saveState(nowS: number): Promise<void> {
    if (!this.stateFile) return;
    try {
      await writeStateFile(this.stateFile, {
        savedAtS: nowS,
        ledger: this.ledger.snapshot(),
        join: { fed: [...this.fed], raw: [...this.rawSeen].map(([k, m]) => [k, [...m]]) },
      });
    } catch (err) {
      this.warnOnce(`state\0${(err as Error).message}`, 'cannot write the ledger state file; a restart will lose its downtime', { stateFile: this.stateFile, error: (err as Error).message });
    }
  }

  private acceptable(part: Tick, state: State): boolean {
    try {
      validateTick(part, undefined);
      return true;
    } catch (err) {
      // Once per target and field: a bad reading tends to repeat every cycle.
      const message = (err as Error).message;
      this.warnOnce(`refused\0${state.target}\0${message.split(':', 1)[0]}`, 'reading refused by the energy ledger check; dropped', { collector: state.collector.kind, target: state.target, error: message });
      return false;
    }
  }

  /** tokenwatt_gpu_info and tokenwatt_engine_info for what this tick saw, kept as long as the ledger keeps its series. */
  private rememberInfo(nowS: number, boards: { reading: BoardReading; source: string }[], engines: EngineReading[], readings: BoardReading[]): void {
    for (const { reading: b, source } of boards) {
      const labels = { host: b.host, gpu: b.gpu, gpu_uuid: b.uuid, gpu_model: b.model, mig_mode: b.slices.length > 0 ? 'enabled' : 'disabled', energy_source: source };
      this.gpuInfo.set(JSON.stringify([b.host, b.gpu, b.uuid]), { sample: { name: 'tokenwatt_gpu_info', labels, value: 1 }, seenS: nowS });
    }
    const byGpu = new Map(readings.map((b) => [`${b.host}\0${b.gpu}`, b]));
    for (const e of engines) {
      const meta = engineMeta.get(e);
      const b = byGpu.get(`${e.host}\0${e.gpu}`);
      const slice = e.gpuInstanceId === undefined ? undefined : b?.slices.find((s) => s.gpuInstanceId === e.gpuInstanceId);
      const labels = {
        model_name: e.model_name, engine: e.engine, namespace: e.namespace, pod: e.pod,
        host: e.host, gpu: e.gpu, gpu_uuid: b?.uuid ?? '', gpu_model: b?.model ?? '',
        gpu_instance_id: e.gpuInstanceId ?? '', gpu_profile: e.gpuInstanceId === undefined ? 'whole' : slice?.profile ?? '',
        server: meta?.server ?? '', target: meta?.target ?? '', mapping: meta?.mapping ?? '',
      };
      // Keyed by the engine (not its labels): a placement change replaces the series.
      this.engineInfo.set(JSON.stringify([meta?.target, e.model_name, e.engine, e.namespace, e.pod]), { sample: { name: 'tokenwatt_engine_info', labels, value: 1 }, seenS: nowS });
    }
    const cutoff = nowS - this.ledger.config.retentionSeconds;
    for (const m of [this.gpuInfo, this.engineInfo, this.unmatched]) for (const [k, v] of m) if (v.seenS < cutoff) m.delete(k);
    for (const [k, v] of this.uuidAt) if (v.seenS < cutoff) this.uuidAt.delete(k);
    for (const [k, seen] of this.joinSeenS) {
      if (seen >= cutoff) continue;
      this.joinSeenS.delete(k);
      this.rawSeen.delete(k);
      this.fed.delete(k);
    }
  }

  /** The running config file's hash and reload state, served from the next render on. */
  setConfigState(state: ConfigState): void {
    this.config = state;
    this.queuePublish();
  }

  /**
   * Health now, after the cycle's head: the body to serve. Each form (text or OpenMetrics, plain or
   * gzipped) is built when a request first asks for it: a scraper uses one form, and a publish that
   * nobody scrapes (most of them: every target's read ends in one) costs nothing but this call.
   */
  private withHealth(): Rendered {
    const health = this.ownSamples();
    const h = this.head;
    const tail = once(() => renderText(health));
    const textTail = once(() => Buffer.from(tail()));
    const omTail = once(() => Buffer.from(renderOpenMetrics(health)));
    const text = once(() => h.text() + tail());
    const body = once(() => (h.body().length === 0 ? textTail() : Buffer.concat([h.body(), textTail()])));
    const gzip = once(() => { const g = h.gzip(); return g === undefined ? NO_BYTES : gzipStitched(g, textTail()); });
    const om = once(() => (h.om().length === 0 ? omTail() : Buffer.concat([h.om(), omTail()])));
    const omGzip = once(() => { const g = h.omGzip(); return g === undefined ? NO_BYTES : gzipStitched(g, omTail()); });
    return {
      get text() { return text(); },
      get body() { return body(); },
      get gzip() { return gzip(); },
      get om() { return om(); },
      get omGzip() { return omGzip(); },
    };
  }

  /** Re-publish health soon (at most every PUBLISH_MS): a target's read just ended. The next request builds the body. */
  private queuePublish(): void {
    if (this.publishTimer !== undefined || this.stopped) return;
    this.publishTimer = setTimeout(() => {
      this.publishTimer = undefined;
      this.current = undefined;
    }, PUBLISH_MS);
    this.publishTimer.unref();
  }

  /** Series about the exporter itself: build info, config state and per-collector health (the body's tail, see withHealth). */
  private ownSamples(): LedgerSample[] {
    const out: LedgerSample[] = [{ name: 'tokenwatt_build_info', labels: { version, nodejs: process.version }, value: 1 }];
    if (this.config) out.push(...configSamples(this.config));
    for (const s of this.states) {
      // Before its first run a collector is neither up nor down: say nothing (no false CollectorDown).
      if (!s.ran) continue;
      const l = { collector: s.collector.kind, target: s.target };
      out.push({ name: 'tokenwatt_collector_up', labels: l, value: s.up ? 1 : 0 });
      if (s.durationS !== undefined) out.push({ name: 'tokenwatt_collector_duration_seconds', labels: l, value: s.durationS });
      for (const [reason, n] of [...s.errors].sort()) out.push({ name: 'tokenwatt_collector_errors_total', labels: { ...l, reason }, value: n });
      if (s.lastSuccessS !== undefined) out.push({ name: 'tokenwatt_collector_last_success_timestamp_seconds', labels: l, value: s.lastSuccessS });
      out.push({ name: 'tokenwatt_collector_series', labels: l, value: s.series });
    }
    return out;
  }

  private async render(): Promise<void> {
    const samples: LedgerSample[] = [];
    // tokenwatt_gpu_info of a GPU in the energy join is the exporter's (it knows which source won);
    // a collector's own info series stands only for GPUs outside the join (no energy counter).
    const joined = new Set<string>();
    for (const v of this.gpuInfo.values()) joined.add(gpuId(v.sample.labels));
    for (const v of this.gpuInfo.values()) samples.push(v.sample);
    for (const v of this.engineInfo.values()) samples.push(v.sample);
    for (const v of this.unmatched.values()) samples.push(v.sample);
    for (const s of this.states) {
      for (const x of s.samples) {
        if (x.name === 'tokenwatt_gpu_info' && joined.has(gpuId(x.labels))) continue;
        if (!CATALOG.has(x.name) || HEALTH.has(x.name)) {
          this.warnOnce(`unknown\0${x.name}`, 'collector sample is not a tokenwatt series in the catalog; dropped', { collector: s.collector.kind, name: x.name });
          continue;
        }
        samples.push(x);
      }
    }
    samples.push(...this.ledger.samples());
    const own = dedupe(samples, (name) => this.warnOnce(`dup\0${name}`, 'two sources gave the same series; serving the first', { name }));
    // The process's own runtime metrics (prom-client) beside the derived series, in both formats,
    // read now (with the cycle's series). Health (ownSamples) follows as the body's tail, re-rendered
    // alone whenever a target's read ends. Rendering and deflating wait for a scrape (see the top).
    const runtime = await runtimeFamilies();
    const text = once(() => renderText(own) + renderForeignText(runtime));
    const body = once(() => Buffer.from(text()));
    const om = once(() => Buffer.from(renderOpenMetrics(own, runtime, false)));
    this.head = { text, body, om, gzip: once(() => deflateHead(body())), omGzip: once(() => deflateHead(om())) };
    this.headSeries = own.length;
    this.current = undefined;
  }

  private warnOnce(key: string, msg: string, fields: Record<string, unknown>): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log('warn', msg, fields);
  }

}

function freshState(s: Scheduled): State {
  return {
    ...s, ran: false, lastRunMs: undefined, up: false, lastError: null, reason: null,
    lastSuccessS: undefined, durationS: undefined, series: 0, errors: new Map(), samples: [],
  };
}

/**
 * A counting semaphore: at most `size` holders, waiters served in order, except that suspects (targets
 * whose last read timed out) wait behind every other waiter and hold at most half the slots (at least
 * one), so the others always have the rest.
 */
export class Slots {
  private free: number;
  private suspects = 0;
  private readonly suspectCap: number;
  private readonly waiting: (() => void)[] = [];
  private readonly waitingSuspects: (() => void)[] = [];
  constructor(size: number) {
    this.free = size;
    this.suspectCap = Math.max(1, Math.floor(size / 2));
  }
  acquire(suspect = false): Promise<void> {
    return new Promise((resolve) => {
      (suspect ? this.waitingSuspects : this.waiting).push(resolve);
      this.dispatch();
    });
  }
  release(suspect = false): void {
    this.free++;
    if (suspect) this.suspects--;
    this.dispatch();
  }
  private dispatch(): void {
    while (this.free > 0) {
      const next = this.waiting.shift();
      if (next !== undefined) {
        this.free--;
        next();
        continue;
      }
      if (this.suspects >= this.suspectCap) return;
      const suspect = this.waitingSuspects.shift();
      if (suspect === undefined) return;
      this.free--;
      this.suspects++;
      suspect();
    }
  }
}

/**
 * Unix time in ms that never steps back: the ledger refuses a tick older than the last, so a wall clock
 * set back by NTP would otherwise freeze every counter until it caught up.
 */
function clockMs(): number {
  return performance.timeOrigin + performance.now();
}

const CATALOG = new Set<string>(tokenwattMetrics.map((d) => d.name));
/** The series ownSamples renders: only there (a collector's sample of the same name is not a tokenwatt series it may give). */
const HEALTH = new Set(['tokenwatt_build_info', 'tokenwatt_collector_up', 'tokenwatt_collector_duration_seconds', 'tokenwatt_collector_errors_total', 'tokenwatt_collector_last_success_timestamp_seconds', 'tokenwatt_collector_series']);

/** A source of board readings: the collector kind and its target (two dcgm targets are two sources). */
function sourceId(state: { collector: Collector; target: string }): string {
  return `${state.collector.kind}/${state.target}`;
}

function gpuId(l: Record<string, string>): string {
  return `${l.host}\0${l.gpu}\0${l.gpu_uuid}`;
}

/** Drop repeated series (same name and labels): an exposition with duplicates is refused by Prometheus. */
function dedupe(samples: LedgerSample[], onDuplicate: (name: string) => void): LedgerSample[] {
  const seen = new Set<string>();
  const out: LedgerSample[] = [];
  for (const x of samples) {
    let key = x.name;
    for (const k of Object.keys(x.labels).sort()) key += `\0${k}\0${x.labels[k]}`;
    if (seen.has(key)) {
      onDuplicate(x.name);
      continue;
    }
    seen.add(key);
    out.push(x);
  }
  return out;
}

/**
 * NVML wins the board (its counter is read fresh each cycle), but before Hopper it cannot say how busy
 * each MIG instance is. dcgm-exporter can (DCGM_FI_PROF_GR_ENGINE_ACTIVE per GPU_I_ID): take the
 * activity of the same GPU's instances from it, so the active-energy split follows real work rather
 * than slice size alone.
 */
function withKnownActivity(board: BoardReading, key: string, sources: readonly { result: CollectResult }[]): BoardReading {
  if (!board.slices.some((s) => s.activityUnknown)) return board;
  const known = new Map<string, number>();
  for (const { result } of sources) {
    for (const other of result.boards ?? []) {
      if (other === board) continue;
      const same = `${other.host}\0${other.gpu}` === key || (board.uuid !== '' && other.uuid === board.uuid);
      if (!same) continue;
      for (const s of other.slices) if (!s.activityUnknown && !known.has(s.gpuInstanceId)) known.set(s.gpuInstanceId, s.activity);
    }
  }
  if (known.size === 0) return board;
  return {
    ...board,
    slices: board.slices.map((s) => {
      const activity = s.activityUnknown ? known.get(s.gpuInstanceId) : undefined;
      return activity === undefined ? s : { gpuInstanceId: s.gpuInstanceId, profile: s.profile, computeSlices: s.computeSlices, memorySlices: s.memorySlices, activity };
    }),
  };
}
