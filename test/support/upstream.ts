// Local HTTP upstreams for the exporter's tests: one server, a handler per path that a test can swap
// between cycles (serve a fixture, fail, hang, stream garbage...).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseExposition } from '../../src/exposition/parse.ts';
import type { Log, LogLevel } from '../../src/log.ts';
import { parseExporterConfig } from '../../src/exporter/config.ts';
import { Exporter } from '../../src/exporter/exporter.ts';
import { scheduleCollectors } from '../../src/exporter/setup.ts';
import type { NvmlFactory } from '../../src/exporter/setup.ts';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export class Upstreams {
  readonly handlers = new Map<string, Handler>();
  private constructor(private readonly server: http.Server, readonly base: string) {}

  static async start(): Promise<Upstreams> {
    let self: Upstreams | undefined;
    const server = http.createServer((req, res) => {
      const h = self!.handlers.get(req.url ?? '');
      if (!h) {
        res.statusCode = 404;
        res.end('no handler\n');
        return;
      }
      h(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    self = new Upstreams(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  /** Serve `text` (a function is called per request) at `path`; returns the URL. */
  text(path: string, text: string | (() => string), contentType = 'text/plain; version=0.0.4'): string {
    this.handlers.set(path, (_req, res) => {
      res.setHeader('Content-Type', contentType);
      res.end(typeof text === 'function' ? text() : text);
    });
    return this.base + path;
  }

  on(path: string, h: Handler): string {
    this.handlers.set(path, h);
    return this.base + path;
  }

  url(path: string): string {
    return this.base + path;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** Log lines kept in memory (level and message) instead of stderr. */
export function memoryLog(): { log: Log; lines: { level: LogLevel; msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: LogLevel; msg: string; fields?: Record<string, unknown> }[] = [];
  return { lines, log: (level, msg, fields) => { lines.push({ level, msg, ...(fields && { fields }) }); } };
}

/** An in-process exporter from a config document (as YAML would give it); nvml off unless a factory is given. */
export function exporterFrom(doc: Record<string, unknown>, nvml?: NvmlFactory): { exporter: Exporter; lines: ReturnType<typeof memoryLog>['lines'] } {
  const config = parseExporterConfig({ nvml: nvml ? 'auto' : 'off', ...doc });
  const { log, lines } = memoryLog();
  const exporter = new Exporter(scheduleCollectors(config, log, nvml), config.energy, config.intervalMs, log, { maxConcurrentScrapes: config.limits.maxConcurrentScrapes });
  return { exporter, lines };
}

export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The exporter's /metrics body parsed back (with the project's strict parser: it must be valid text 0.0.4). */
export function seriesOf(text: string): Series[] {
  return parseExposition(text, { format: 'text' }).flatMap((f) => f.samples.map((s) => ({ name: s.name, labels: s.labels, value: s.value })));
}

export function find(series: Series[], name: string, match: Record<string, string> = {}): Series[] {
  return series.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

/** The one value of `name{match}`; throws unless exactly one series matches. */
export function one(series: Series[], name: string, match: Record<string, string> = {}): number {
  const hits = find(series, name, match);
  if (hits.length !== 1) throw new Error(`expected one ${name}${JSON.stringify(match)}, found ${hits.length}`);
  return hits[0]!.value;
}
