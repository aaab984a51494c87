// Where `tokenwatt report` reads from: any Prometheus-compatible query API (Prometheus, VictoriaMetrics,
// Thanos, Mimir), through prometheus-query. Credentials and TLS as the exporter has them for its
// upstreams (src/exporter/config.ts): a bearer token or basic auth, a CA file or no verification.
// Every query is counted (queries, series and points returned, seconds), so the report can state
// the load it put on the server.
import https from 'node:https';
import { PrometheusDriver } from 'prometheus-query';

export interface SourceOptions {
  url: string;
  bearerToken?: string;
  basic?: { username: string; password: string };
  ca?: Buffer;
  insecureSkipVerify?: boolean;
  /** Per-query timeout in seconds (default 120). */
  timeoutSeconds?: number;
  /** Extra headers (e.g. a tenant header for Mimir / VictoriaMetrics cluster). */
  headers?: Record<string, string>;
}

/** One series of a range query: its labels and [unix seconds, value] points. */
export interface RangeSeries {
  labels: Record<string, string>;
  points: [number, number][];
}

export interface QueryLoad {
  queries: number;
  series: number;
  points: number;
  seconds: number;
  /** Each query's PromQL and how long it took, in the order issued. */
  log: { query: string; seconds: number; series: number }[];
}

/** The server could not be reached or refused the query: a runtime failure (exit 1), with the reason. */
export class SourceError extends Error {}

export interface Source {
  url: string;
  range(query: string, start: number, end: number, stepSeconds: number): Promise<RangeSeries[]>;
  instant(query: string, time: number): Promise<{ labels: Record<string, string>; value: number }[]>;
  load: QueryLoad;
}

/** Prometheus's PromQL duration for a number of milliseconds (`86400000ms` is accepted everywhere). */
export function promDuration(ms: number): string {
  const whole = Math.round(ms);
  if (whole % 86_400_000 === 0) return `${whole / 86_400_000}d`;
  if (whole % 3_600_000 === 0) return `${whole / 3_600_000}h`;
  if (whole % 60_000 === 0) return `${whole / 60_000}m`;
  if (whole % 1000 === 0) return `${whole / 1000}s`;
  return `${whole}ms`;
}

export function openSource(o: SourceOptions): Source {
  const headers: Record<string, string> = { 'user-agent': 'tokenwatt-report', ...o.headers };
  if (o.bearerToken !== undefined) headers.authorization = `Bearer ${o.bearerToken}`;
  const agent = o.url.toLowerCase().startsWith('https:')
    ? new https.Agent({ keepAlive: true, ...(o.ca && { ca: o.ca }), rejectUnauthorized: o.insecureSkipVerify !== true })
    : undefined;
  const driver = new PrometheusDriver({
    endpoint: o.url.replace(/\/+$/, ''),
    baseURL: '/api/v1',
    headers,
    ...(o.basic && { auth: { username: o.basic.username, password: o.basic.password } }),
    timeout: (o.timeoutSeconds ?? 120) * 1000,
    // Long PromQL (many label matchers) stays out of the URL.
    preferPost: true,
    ...(agent && { requestInterceptor: { onFulfilled: (c) => { c.httpsAgent = agent; return c; } } }),
  });
  const load: QueryLoad = { queries: 0, series: 0, points: 0, seconds: 0, log: [] };
  const timed = async <T>(query: string, fn: () => Promise<T>, count: (r: T) => [number, number]): Promise<T> => {
    const t0 = performance.now();
    let r: T;
    try {
      r = await fn();
    } catch (err) {
      throw new SourceError(describe(o.url, query, err));
    }
    const s = (performance.now() - t0) / 1000;
    const [series, points] = count(r);
    load.queries += 1;
    load.series += series;
    load.points += points;
    load.seconds += s;
    load.log.push({ query, seconds: s, series });
    return r;
  };
  return {
    url: o.url,
    load,
    async range(query, start, end, step) {
      const r = await timed(query, () => driver.rangeQuery(query, start * 1000, end * 1000, step), (x) => [x.result.length, x.result.reduce((n, s) => n + ((s as { values?: unknown[] }).values?.length ?? 0), 0)]);
      return (r.result as { metric: { labels: Record<string, string> }; values: { time: Date; value: number }[] }[]).map((s) => ({
        labels: { ...s.metric.labels },
        points: s.values.map((v) => [v.time.getTime() / 1000, Number(v.value)] as [number, number]),
      }));
    },
    async instant(query, time) {
      const r = await timed(query, () => driver.instantQuery(query, time * 1000), (x) => [x.result.length, x.result.length]);
      return (r.result as { metric: { labels: Record<string, string> }; value: { value: number } }[]).map((s) => ({ labels: { ...s.metric.labels }, value: Number(s.value.value) }));
    },
  };
}

/** A readable reason from prometheus-query's error shapes (axios errors, or the API's {errorType, error}). */
function describe(url: string, query: string, err: unknown): string {
  const e = err as { message?: string; code?: string; errorType?: string; error?: string; status?: number; response?: { status?: number; data?: unknown } };
  if (e && typeof e === 'object' && 'errorType' in e) {
    return `${url} refused the query (${e.errorType}: ${e.error}): ${query.length > 200 ? `${query.slice(0, 200)}...` : query}`;
  }
  if (e?.code && /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|EAI_AGAIN|ECONNABORTED/.test(e.code)) {
    return `cannot reach Prometheus at ${url} (${e.code}): check --prometheus and that the server is up`;
  }
  if (e?.code && /CERT|SELF_SIGNED|TLS|SSL/.test(e.code)) {
    return `TLS to ${url} failed (${e.code}): pass --ca-file, or --insecure-skip-verify to skip verification`;
  }
  const status = e?.response?.status ?? e?.status;
  if (status === 401 || status === 403) return `${url} answered HTTP ${status}: check --bearer-token-file or --basic-auth-user/--basic-auth-password-file`;
  if (status === 404) return `${url} answered HTTP 404 for /api/v1/query_range: is --prometheus the server's root URL (with any path prefix, e.g. /select/0/prometheus for VictoriaMetrics cluster)?`;
  if (status !== undefined) return `${url} answered HTTP ${status}: ${e.message ?? ''}`;
  return `query to ${url} failed: ${e?.message ?? String(err)}`;
}
