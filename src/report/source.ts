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
  /** Where `ca` was read from, for messages. */
  caFile?: string;
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
  /** Each query's PromQL, its time parameters (unix seconds) and how long it took, in the order issued. */
  log: { query: string; seconds: number; series: number; time?: number; start?: number; end?: number; step?: number }[];
}

/** The server could not be reached or refused the query: a runtime failure (exit 1), with the reason. */
export class SourceError extends Error {}

export interface Source {
  url: string;
  range(query: string, start: number, end: number, stepSeconds: number): Promise<RangeSeries[]>;
  instant(query: string, time: number): Promise<{ labels: Record<string, string>; value: number }[]>;
  /** An instant query of a range selector (`x[7d]`): the raw samples, with their own timestamps. */
  samples(query: string, time: number): Promise<RangeSeries[]>;
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
    // An error page that is not the API's JSON (a proxy's 401, a 404) would lose its status in
    // prometheus-query ("unexpected client error"): give it the API's error shape.
    responseInterceptor: {
      onFulfilled: (r) => r,
      onRejected: (error: { response?: { status: number; statusText?: string; data?: unknown } }) => {
        const res = error.response;
        if (res && (typeof res.data !== 'object' || res.data === null || !('status' in res.data))) {
          res.data = { status: 'error', errorType: 'http', error: `${res.status} ${res.statusText ?? ''}`.trim() };
        }
        throw error;
      },
    },
  });
  const load: QueryLoad = { queries: 0, series: 0, points: 0, seconds: 0, log: [] };
  const timed = async <T>(query: string, params: { time?: number; start?: number; end?: number; step?: number }, fn: () => Promise<T>, count: (r: T) => [number, number]): Promise<T> => {
    const t0 = performance.now();
    let r: T;
    try {
      r = await fn();
    } catch (err) {
      throw new SourceError(describe(o.url, query, err, o.caFile));
    }
    const s = (performance.now() - t0) / 1000;
    const [series, points] = count(r);
    load.queries += 1;
    load.series += series;
    load.points += points;
    load.seconds += s;
    load.log.push({ query, seconds: s, series, ...params });
    return r;
  };
  return {
    url: o.url,
    load,
    async range(query, start, end, step) {
      const r = await timed(query, { start, end, step }, () => driver.rangeQuery(query, start * 1000, end * 1000, step), (x) => [x.result.length, x.result.reduce((n, s) => n + ((s as { values?: unknown[] }).values?.length ?? 0), 0)]);
      return (r.result as { metric: { labels: Record<string, string> }; values: { time: Date; value: number }[] }[]).map((s) => ({
        labels: { ...s.metric.labels },
        points: s.values.map((v) => [v.time.getTime() / 1000, Number(v.value)] as [number, number]),
      }));
    },
    async instant(query, time) {
      const r = await timed(query, { time }, () => driver.instantQuery(query, time * 1000), (x) => [x.result.length, x.result.length]);
      return (r.result as { metric: { labels: Record<string, string> }; value: { value: number } }[]).map((s) => ({ labels: { ...s.metric.labels }, value: Number(s.value.value) }));
    },
    async samples(query, time) {
      const r = await timed(query, { time }, () => driver.instantQuery(query, time * 1000), (x) => [x.result.length, x.result.reduce((n, s) => n + ((s as { values?: unknown[] }).values?.length ?? 0), 0)]);
      return (r.result as { metric: { labels: Record<string, string> }; values?: { time: Date; value: number }[] }[]).map((s) => ({
        labels: { ...s.metric.labels },
        points: (s.values ?? []).map((v) => [v.time.getTime() / 1000, Number(v.value)] as [number, number]),
      }));
    },
  };
}

/**
 * A readable reason from prometheus-query's error shapes: {errorType: network_error|timeout_error|
 * ssl_error, code, error} without a response, {errorType: http_error, httpStatus, error} with one.
 */
function describe(url: string, query: string, err: unknown, caFile?: string): string {
  const e = (err ?? {}) as { message?: string; code?: string; errorType?: string; error?: string; httpStatus?: number };
  const text = e.error ?? e.message ?? String(err);
  const code = e.code ?? /\b(E[A-Z_]{4,}|ERR_[A-Z_]+|[A-Z_]*CERT[A-Z_]*|SELF_SIGNED[A-Z_]*|UNABLE_TO_[A-Z_]+)\b/.exec(text)?.[1];
  const shortQuery = query.length > 200 ? `${query.slice(0, 200)}...` : query;
  if (e.errorType === 'timeout_error') return `query to ${url} timed out (--timeout): ${shortQuery}`;
  // Node's verification codes: UNABLE_TO_VERIFY_LEAF_SIGNATURE (a CA that did not sign it), SELF_SIGNED_CERT_IN_CHAIN, ERR_TLS_CERT_ALTNAME_INVALID...
  if (code && /CERT|SELF_SIGNED|TLS|SSL|UNABLE_TO_(VERIFY|GET)/.test(code)) {
    return caFile === undefined
      ? `TLS to ${url} failed (${code}): pass --ca-file with the CA that signed the server's certificate, or --insecure-skip-verify to skip verification`
      : `TLS to ${url} failed (${code}): --ca-file ${caFile} does not verify the server's certificate (is it the CA that signed it?), or pass --insecure-skip-verify to skip verification`;
  }
  if (e.errorType === 'network_error' || (code && /^E(CONNREFUSED|NOTFOUND|HOSTUNREACH|NETUNREACH|TIMEDOUT|CONNRESET|AI_AGAIN)/.test(code))) {
    return `cannot reach Prometheus at ${url} (${code ?? text}): check --prometheus and that the server is up`;
  }
  const status = e.httpStatus;
  if (status === 401 || status === 403) return `${url} answered HTTP ${status}: check --bearer-token-file or --basic-auth-user/--basic-auth-password-file`;
  if (status === 404) return `${url} answered HTTP 404 for its query API: is --prometheus the server's root URL (with any path prefix, e.g. /select/0/prometheus for a VictoriaMetrics cluster)?`;
  if (status !== undefined) return `${url} refused the query (HTTP ${status}: ${text}): ${shortQuery}`;
  return `query to ${url} failed (${e.errorType ?? 'error'}: ${text}): ${shortQuery}`;
}
