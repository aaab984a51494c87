// Read one exposition from where a user points: a file, standard input ('-') or an http(s) URL.
// A URL is fetched once with a timeout and a size cap; its Content-Type picks the format and its
// Content-Encoding (gzip) is undone by decodeBody. A file is gunzipped when it starts with gzip's
// magic bytes, and is OpenMetrics when its last line is '# EOF'. An explicit format wins over both.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { decodeBody, formatFromContentType } from './parse.ts';
import type { ExpositionFormat } from './types.ts';

export interface SourceOptions {
  format?: ExpositionFormat;
  timeoutMs: number;
  maxBytes: number;
}

export interface Exposition {
  text: string;
  format: ExpositionFormat;
}

/** The file or URL could not be read (not a parse error: the content was never seen). */
export class SourceError extends Error {
  constructor(readonly kind: 'file' | 'url', message: string) {
    super(message);
  }
}

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** Throws SourceError when the input cannot be read, ParseError when its bytes are not UTF-8 / gzip. */
export async function readExposition(source: string, opts: SourceOptions): Promise<Exposition> {
  if (isUrl(source)) {
    const { body, contentType, contentEncoding } = await get(source, opts);
    return { text: decodeBody(body, contentEncoding), format: opts.format ?? formatFromContentType(contentType) };
  }
  let bytes: Uint8Array;
  try {
    bytes = source === '-' ? await readStdin() : await readFile(source);
  } catch (err) {
    throw new SourceError('file', `cannot read ${source}: ${(err as Error).message}`);
  }
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  const text = decodeBody(bytes, gzipped ? 'gzip' : undefined);
  return { text, format: opts.format ?? (endsWithEof(text) ? 'openmetrics' : 'text') };
}

/** Whether the last line (ignoring one trailing newline) is exactly `# EOF`. */
export function endsWithEof(text: string): boolean {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return body === '# EOF' || body.endsWith('\n# EOF');
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// Prometheus's own Accept header: OpenMetrics first, text 0.0.4 as the fallback.
const ACCEPT = 'application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/** One GET through node:http(s), which (unlike fetch) leaves gzip to decodeBody. */
function get(url: string, opts: SourceOptions): Promise<{ body: Buffer; contentType?: string; contentEncoding?: string }> {
  return new Promise((resolve, reject) => {
    const fail = (message: string) => reject(new SourceError('url', `GET ${url}: ${message}`));
    const client = url.toLowerCase().startsWith('https:') ? https : http;
    const signal = AbortSignal.timeout(opts.timeoutMs);
    let req: http.ClientRequest;
    try {
      req = client.get(url, { headers: { accept: ACCEPT, 'accept-encoding': 'gzip' }, signal }, (res) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) {
          res.resume();
          fail(`HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`);
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > opts.maxBytes) {
            req.destroy();
            fail(`body larger than ${opts.maxBytes} bytes`);
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({
          body: Buffer.concat(chunks),
          contentType: res.headers['content-type'],
          contentEncoding: res.headers['content-encoding'],
        }));
        res.on('error', (err) => fail(err.message));
      });
    } catch (err) {
      fail((err as Error).message);
      return;
    }
    req.on('error', (err) => fail(signal.aborted ? `no complete answer within ${opts.timeoutMs} ms` : err.message));
  });
}
