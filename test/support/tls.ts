// Certificates for TLS tests, made with `openssl` (Debian's, scripts/debian-deps.sh): a CA, a server
// certificate it signs for 127.0.0.1, and an unrelated CA; and an https server on loopback that
// forwards every request to an http server (a real Prometheus), so a client's TLS options can be
// tested against it.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCerts {
  ca: string;
  otherCa: string;
  key: Buffer;
  cert: Buffer;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error("openssl not found: install it with 'apt-get install -y openssl' (scripts/debian-deps.sh does)");
    throw new Error(`openssl ${args[0]} failed: ${e.stderr ?? e.message}`);
  }
}

/** A CA, a server certificate for 127.0.0.1 signed by it, and another CA, as PEM files in `dir`. */
export async function makeCerts(dir: string): Promise<TestCerts> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const p = (f: string) => join(dir, f);
  await openssl(['req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=tokenwatt test CA']);
  await openssl(['req', '-x509', ...ec, '-keyout', p('other-ca.key'), '-out', p('other-ca.pem'), '-days', '2', '-subj', '/CN=tokenwatt test CA']);
  await openssl(['req', ...ec, '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=127.0.0.1']);
  await writeFile(p('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  await openssl(['x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('server.pem'), '-days', '2', '-extfile', p('san.ext')]);
  return { ca: p('ca.pem'), otherCa: p('other-ca.pem'), key: await readFile(p('server.key')), cert: await readFile(p('server.pem')) };
}

/** An https server on 127.0.0.1 (a free port) forwarding to `upstream` (http). */
export async function tlsProxy(certs: TestCerts, upstream: string): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = createServer({ key: certs.key, cert: certs.cert }, (req, res) => {
    count++;
    const up = request(new URL(req.url ?? '/', upstream), { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests: () => count,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
