// The exporter's HTTP endpoints (express):
//   /metrics      text format 0.0.4, or OpenMetrics 1.0 when Accept prefers it; the bodies rendered at most once
//                 per cycle, on the first scrape of each form (tokenwatt series and the process/Node runtime metrics of prom-client); gzip on request
//   /healthz      200 while the process runs (no auth, for liveness probes)
//   /readyz       200 once every collector ran once, else 503
//   /api/targets  each target's kind, name, url, up, last error and reason, last success, duration
// Bearer or basic auth, when configured, guards everything but /healthz.
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { Log } from '../log.ts';
import type { AuthConfig } from '../collectors/http-auth.ts';
import type { Exporter } from './exporter.ts';
import { CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE } from './render.ts';

export interface ServerOptions {
  host: string;
  port: number;
  /** Connections held at once; more are closed on arrival (default 512). */
  maxConnections?: number;
  /** Time for a client to send its request headers (default 10 s). */
  headerTimeoutMs?: number;
  auth?: AuthConfig;
  tls?: { certFile: string; keyFile: string };
  log: Log;
}

/**
 * Whether the request carries the configured credentials. The scheme is matched without regard to case
 * (RFC 9110); the token, or basic auth's decoded user:password, is compared in constant time.
 */
function checker(auth: AuthConfig | undefined): (req: http.IncomingMessage) => boolean {
  if (!auth) return () => true;
  const scheme = auth.bearerToken !== undefined ? 'bearer' : 'basic';
  const expected = Buffer.from(auth.bearerToken ?? `${auth.basic!.username}:${auth.basic!.password}`);
  return (req) => {
    const header = req.headers.authorization ?? '';
    const space = header.indexOf(' ');
    if (space < 0 || header.slice(0, space).toLowerCase() !== scheme) return false;
    const value = header.slice(space + 1).trim();
    const got = scheme === 'bearer' ? Buffer.from(value) : Buffer.from(value, 'base64');
    return got.length === expected.length && timingSafeEqual(got, expected);
  };
}

function unauthorized(res: http.ServerResponse, auth: AuthConfig): void {
  res.statusCode = 401;
  res.setHeader('WWW-Authenticate', auth.bearerToken !== undefined ? 'Bearer' : 'Basic realm="tokenwatt"');
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end('unauthorized\n');
}

/**
 * Whether the scraper prefers OpenMetrics: its Accept lists application/openmetrics-text with a q at
 * least that of text/plain (Prometheus sends OpenMetrics first, text 0.0.4 as the fallback).
 */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  let om = -1;
  let text = -1;
  for (const part of accept.split(',')) {
    const [media, ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    const qp = params.find((p) => p.startsWith('q='));
    const q = qp === undefined ? 1 : Number(qp.slice(2));
    if (!Number.isFinite(q)) continue;
    if (media === 'application/openmetrics-text') om = Math.max(om, q);
    else if (media === 'text/plain') text = Math.max(text, q);
  }
  return om > 0 && om >= text;
}

/** /metrics: the cycle's cached body, gzipped when the scraper accepts it. No work per scrape but the cycle's first of each form. */
function serveMetrics(exporter: Exporter, req: http.IncomingMessage, res: http.ServerResponse): void {
  const rendered = exporter.metrics;
  const om = wantsOpenMetrics(req.headers.accept);
  const zipped = (om ? rendered.omGzip : rendered.gzip).length > 0 && /\bgzip\b/i.test(req.headers['accept-encoding'] ?? '');
  const body = om ? (zipped ? rendered.omGzip : rendered.om) : zipped ? rendered.gzip : rendered.body;
  const headers = ['Content-Type', om ? OPENMETRICS_CONTENT_TYPE : CONTENT_TYPE, 'Vary', 'Accept-Encoding, Accept', 'Content-Length', String(body.length)];
  if (zipped) headers.push('Content-Encoding', 'gzip');
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Every endpoint but /metrics, which `handler` answers before this router. */
function createApp(exporter: Exporter, auth: AuthConfig | undefined): express.Express {
  const app = express();
  const authorized = checker(auth);
  app.disable('x-powered-by');
  app.disable('etag');
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });
  if (auth) {
    app.use((req: Request, res: Response, next: NextFunction) => (authorized(req) ? next() : unauthorized(res, auth)));
  }
  app.get('/readyz', (_req, res) => {
    res.status(exporter.ready ? 200 : 503).type('text/plain').send(exporter.ready ? 'ready\n' : 'not ready: some collectors have not run yet\n');
  });
  app.get('/api/targets', (_req, res) => {
    res.json({ targets: exporter.targets });
  });
  app.get('/', (_req, res) => {
    res.type('text/plain').send('tokenwatt exporter: /metrics /healthz /readyz /api/targets\n');
  });
  return app;
}

/**
 * The server's request handler. /metrics is the hot path (every Prometheus replica, every scrape) and is
 * answered before express's router, which roughly triples the requests per second a core can serve
 * (measured: 5.8k vs 18.6k req/s for a cached gzip body); the other endpoints go through express.
 */
export function handler(exporter: Exporter, auth: AuthConfig | undefined): http.RequestListener {
  const app = createApp(exporter, auth);
  const authorized = checker(auth);
  return (req, res) => {
    const path = req.url === undefined ? '' : req.url.split('?', 1)[0];
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      if (!authorized(req)) return unauthorized(res, auth!);
      return serveMetrics(exporter, req, res);
    }
    app(req, res);
  };
}

/** Listen; resolves with the server once bound (port 0 picks a free port: see address()). */
export function listen(exporter: Exporter, opts: ServerOptions): Promise<http.Server> {
  const app = handler(exporter, opts.auth);
  // Slow or idle clients must not hold sockets for long: headers within headerTimeoutMs (checked every
  // second, not Node's default 30 s), a whole request within twice that, and at most maxConnections
  // sockets, so file descriptors stay for the collectors' own connections.
  const headersTimeout = opts.headerTimeoutMs ?? 10_000;
  const limits = { headersTimeout, requestTimeout: headersTimeout * 2, connectionsCheckingInterval: Math.min(1000, headersTimeout) };
  const server = opts.tls
    ? https.createServer({ ...limits, cert: readFileSync(opts.tls.certFile), key: readFileSync(opts.tls.keyFile) }, app)
    : http.createServer(limits, app);
  server.maxConnections = opts.maxConnections ?? 512;
  // Scrapers keep connections alive; keep them a little longer than a 15 s scrape interval.
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      opts.log('info', 'listening', { address: a.address, port: a.port, tls: opts.tls !== undefined, auth: opts.auth ? (opts.auth.bearerToken !== undefined ? 'bearer' : 'basic') : 'none' });
      resolve(server);
    });
  });
}
