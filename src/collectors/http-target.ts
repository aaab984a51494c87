// One GET of an upstream /metrics for a collector: the shared part of the vllm/sglang/dcgm/kepler
// collectors. Every way it can fail ends in a CollectError whose reason becomes the
// tokenwatt_collector_errors_total{reason} label:
//   connect         no connection (refused, unknown host, reset before an answer)
//   tls             the https target's certificate is not trusted (CA, name, expiry): see targets[].tls
//   timeout         no complete answer within the target's timeout
//   http_status     a status other than 2xx
//   too_large       the body (after gunzip) passed limits.maxBodyBytes: the read is aborted while
//                   streaming, so a huge or endless body never sits in memory
//   truncated       the connection ended before the body the server announced
//   parse           not valid exposition text (including invalid UTF-8 and bad gzip)
//   too_many_series more samples than limits.maxSeriesPerTarget
//   too_many_labels a series with more labels than limits.maxLabelsPerSeries
//   label_too_long  a label name or value longer than limits.maxLabelLength
//   worker          (scrape-pool.ts) the scrape worker thread ran out of heap or ended mid-read
// A URL is shown (messages, logs) with its credentials redacted (redact.ts).
// Content-Type chooses text 0.0.4 or OpenMetrics, as Prometheus does.
import http from 'node:http';
import https from 'node:https';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { CollectError } from './collector.ts';
import { formatFromContentType, parseExpositionSliced } from '../exposition/parse.ts';
import { Utf8Chunks } from '../exposition/utf8.ts';
import { redactUrl } from './redact.ts';
import { ParseError } from '../exposition/types.ts';
import type { MetricFamily } from '../exposition/types.ts';
import type { AuthConfig, UpstreamTls } from './http-auth.ts';
import { deadline } from './deadline.ts';

export interface HttpTarget {
  url: string;
  timeoutMs: number;
  auth?: AuthConfig;
  tls?: UpstreamTls;
}

export interface Limits {
  maxBodyBytes: number;
  maxSeriesPerTarget: number;
  /** Default DEFAULT_MAX_LABELS_PER_SERIES. */
  maxLabelsPerSeries?: number;
  /** Longest label name or value, in characters. Default DEFAULT_MAX_LABEL_LENGTH. */
  maxLabelLength?: number;
}

// Prometheus's own Accept header: OpenMetrics first, text 0.0.4 as the fallback.
const ACCEPT = 'application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/** Keep-alive agents: a 5 s cycle over dozens of targets should not open a connection each time. */
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

/**
 * Targets with their own TLS settings get their own agent (a connection pool per trust setting), keyed
 * by the settings' value: each read arrives at the scrape worker as a fresh copy of its target.
 */
const tlsAgents = new Map<string, https.Agent>();

function agentFor(target: HttpTarget): http.Agent {
  if (!target.url.toLowerCase().startsWith('https:')) return agents.http;
  if (!target.tls) return agents.https;
  const key = `${target.tls.insecureSkipVerify === true}\0${target.tls.ca?.toString('base64') ?? ''}`;
  let agent = tlsAgents.get(key);
  if (!agent) {
    agent = new https.Agent({ keepAlive: true, ...(target.tls.ca && { ca: target.tls.ca }), rejectUnauthorized: target.tls.insecureSkipVerify !== true });
    tlsAgents.set(key, agent);
  }
  return agent;
}

/** Close idle keep-alive connections to upstreams (shutdown: they would hold the process open). */
export function closeUpstreamConnections(): void {
  agents.http.destroy();
  agents.https.destroy();
  for (const a of tlsAgents.values()) a.destroy();
  tlsAgents.clear();
}

/** Certificate problems, told apart from a refused connection so the fix is clear (CA, name, expiry). */
const TLS_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL/;

export function authHeader(auth: AuthConfig | undefined): string | undefined {
  if (!auth) return undefined;
  if (auth.bearerToken !== undefined) return `Bearer ${auth.bearerToken}`;
  if (auth.basic) return `Basic ${Buffer.from(`${auth.basic.username}:${auth.basic.password}`).toString('base64')}`;
  return undefined;
}

/**
 * Fetch and parse one exposition; throws CollectError. `signal` ends the read early (shutdown).
 *
 * Memory: the body is decoded to text chunk by chunk as it arrives (the bytes are dropped at once), and
 * parsed in slices that yield to the event loop (parseExpositionSliced), so neither a large body nor a
 * hostile one holds up /metrics; the text is dropped when the parse returns, the families when the
 * caller has recognised them.
 */
export async function scrapeTarget(target: HttpTarget, limits: Limits, signal: AbortSignal, keepSample?: (name: string) => boolean): Promise<{ families: MetricFamily[]; series: number }> {
  const stats = { series: 0 };
  const shown = redactUrl(target.url);
  const { text, contentType } = await fetchBody(target, limits, signal, shown);
  let families: MetricFamily[];
  const maxLabels = limits.maxLabelsPerSeries ?? DEFAULT_MAX_LABELS_PER_SERIES;
  const maxLabelLength = limits.maxLabelLength ?? DEFAULT_MAX_LABEL_LENGTH;
  try {
    families = await parseExpositionSliced(text, {
      format: formatFromContentType(contentType), maxSeries: limits.maxSeriesPerTarget,
      maxLabelsPerSeries: maxLabels, maxLabelLength, finalNewline: 'optional',
      // Only series the catalog knows are kept (what the recognisers read): memory follows them, not the body.
      ...(keepSample !== undefined && { keepSample }), stats,
    });
  } catch (err) {
    if (err instanceof ParseError) {
      switch (err.limit) {
        case 'series': throw new CollectError('too_many_series', `${shown}: more than ${limits.maxSeriesPerTarget} series (limits.maxSeriesPerTarget)`);
        case 'labels': throw new CollectError('too_many_labels', `${shown}: line ${err.line}: more than ${maxLabels} labels in one series (limits.maxLabelsPerSeries)`);
        case 'label_length': throw new CollectError('label_too_long', `${shown}: ${err.message} (limits.maxLabelLength)`);
        default: throw new CollectError('parse', `${shown}: ${err.message}`);
      }
    }
    throw err;
  }
  return { families, series: stats.series };
}

/** Defaults of limits.maxLabelsPerSeries and limits.maxLabelLength (see src/exporter/config.ts). */
export const DEFAULT_MAX_LABELS_PER_SERIES = 128;
export const DEFAULT_MAX_LABEL_LENGTH = 4096;

function fetchBody(target: HttpTarget, limits: Limits, outer: AbortSignal, shown: string): Promise<{ text: string; contentType?: string }> {
  return new Promise((resolve, reject) => {
    const limit = deadline(outer, target.timeoutMs);
    const signal = limit.signal;
    let settled = false;
    let req: http.ClientRequest | undefined;
    let answered = false;
    /** First outcome wins; later events of a torn-down request are ignored. */
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      limit.dispose();
      return true;
    };
    const fail = (reason: string, message: string) => {
      if (!settle()) return;
      req?.destroy();
      reject(new CollectError(reason, `${shown}: ${message}`));
    };
    const onAbort = () => fail('timeout', limit.expired ? `no complete answer within ${target.timeoutMs} ms` : 'cancelled');
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });

    const isHttps = target.url.toLowerCase().startsWith('https:');
    const headers: Record<string, string> = { accept: ACCEPT, 'accept-encoding': 'gzip', 'user-agent': 'tokenwatt-exporter' };
    const authz = authHeader(target.auth);
    if (authz) headers.authorization = authz;
    try {
      req = (isHttps ? https : http).get(target.url, { headers, agent: agentFor(target) }, (res) => {
        answered = true;
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) {
          res.resume();
          return fail('http_status', `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`);
        }
        const enc = res.headers['content-encoding']?.trim().toLowerCase();
        let stream: Readable = res;
        if (enc === 'gzip' || enc === 'x-gzip') {
          const gunzip = createGunzip();
          res.pipe(gunzip);
          gunzip.on('error', (err) => fail('parse', `invalid gzip body: ${err.message}`));
          stream = gunzip;
        } else if (enc !== undefined && enc !== '' && enc !== 'identity') {
          res.resume();
          return fail('parse', `unsupported Content-Encoding '${enc}'`);
        }
        // Decoded as it arrives: the text is what the parser needs, and each chunk's bytes can go
        // at once (no second copy of the whole body, no one long decode on the event loop).
        const decoder = new Utf8Chunks();
        let text = '';
        let size = 0;
        stream.on('data', (chunk: Buffer) => {
          if (settled) return;
          size += chunk.length;
          // Checked on the decompressed bytes, so a small gzip bomb is stopped too.
          if (size > limits.maxBodyBytes) {
            // Settle first: destroying the stream makes the socket report an abort of its own.
            fail('too_large', `body larger than ${limits.maxBodyBytes} bytes (limits.maxBodyBytes)`);
            stream.destroy();
            return;
          }
          try {
            text += decoder.push(chunk);
          } catch (err) {
            fail('parse', (err as Error).message);
            stream.destroy();
          }
        });
        stream.on('end', () => {
          if (settled) return;
          try {
            decoder.end();
          } catch (err) {
            return fail('parse', (err as Error).message);
          }
          if (!settle()) return;
          resolve({ text, ...(res.headers['content-type'] !== undefined && { contentType: res.headers['content-type'] }) });
        });
        res.on('aborted', () => fail('truncated', `connection closed after ${size} bytes, before the end of the body`));
        res.on('error', (err) => fail('truncated', `connection closed mid-body after ${size} bytes: ${err.message}`));
      });
    } catch (err) {
      return fail('connect', (err as Error).message);
    }
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (signal.aborted) return onAbort();
      // Once headers came, a socket error means the body was cut off, not that we never connected.
      if (answered) fail('truncated', `connection closed mid-body: ${err.message}`);
      else fail(err.code && TLS_ERRORS.test(err.code) ? 'tls' : 'connect', err.code ? `${err.code} ${err.message}` : err.message);
    });
  });
}
