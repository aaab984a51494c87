// Push samples with chosen timestamps into a real Prometheus through its remote-write receiver
// (`--web.enable-remote-write-receiver`, Prometheus 2.33+), so a test can run simulated time faster
// than the wall clock. The body is a prometheus.WriteRequest (remote.proto: WriteRequest{1: TimeSeries},
// TimeSeries{1: Label, 2: Sample}, Label{1: name, 2: value}, Sample{1: double value, 2: int64 ms}),
// encoded here by hand, in a snappy block made of literals only (valid snappy: the receiver decodes
// it; it just does not compress).

export interface Series {
  labels: Record<string, string>;
  samples: { value: number; timestampMs: number }[];
}

/** Prometheus' staleness marker (value.StaleNaN): a series that ended. */
export const STALE_NAN = (() => {
  const b = new DataView(new ArrayBuffer(8));
  b.setUint32(0, 0x7ff00000);
  b.setUint32(4, 0x00000002);
  return b.getFloat64(0);
})();

class Writer {
  private chunks: Uint8Array[] = [];
  length = 0;
  bytes(b: Uint8Array): void { this.chunks.push(b); this.length += b.length; }
  varint(n: number): void {
    const out: number[] = [];
    let v = BigInt(n);
    if (v < 0n) v += 1n << 64n;
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      out.push(byte);
    } while (v > 0n);
    this.bytes(Uint8Array.from(out));
  }
  tag(field: number, wire: number): void { this.varint((field << 3) | wire); }
  message(field: number, inner: Writer): void { this.tag(field, 2); this.varint(inner.length); for (const c of inner.chunks) this.bytes(c); }
  string(field: number, s: string): void { const b = new TextEncoder().encode(s); this.tag(field, 2); this.varint(b.length); this.bytes(b); }
  double(field: number, v: number): void {
    const b = new DataView(new ArrayBuffer(8));
    // Keep NaN payloads (StaleNaN) bit for bit.
    b.setFloat64(0, v, true);
    this.tag(field, 1);
    this.bytes(new Uint8Array(b.buffer));
  }
  done(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) { out.set(c, at); at += c.length; }
    return out;
  }
}

export function encodeWriteRequest(series: readonly Series[]): Uint8Array {
  const req = new Writer();
  for (const s of series) {
    const ts = new Writer();
    for (const [name, value] of Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const l = new Writer();
      l.string(1, name);
      l.string(2, value);
      ts.message(1, l);
    }
    for (const p of s.samples) {
      const sm = new Writer();
      sm.double(1, p.value);
      sm.tag(2, 0);
      sm.varint(p.timestampMs);
      ts.message(2, sm);
    }
    req.message(1, ts);
  }
  return req.done();
}

/** Snappy block format with literal elements only (tag 61<<2: a 2-byte little-endian length - 1). */
export function snappyLiteral(data: Uint8Array): Uint8Array {
  const w = new Writer();
  w.varint(data.length);
  for (let at = 0; at < data.length; at += 65536) {
    const chunk = data.subarray(at, Math.min(data.length, at + 65536));
    const n = chunk.length - 1;
    w.bytes(Uint8Array.from([61 << 2, n & 0xff, (n >> 8) & 0xff]));
    w.bytes(chunk);
  }
  return w.done();
}

export async function remoteWrite(url: string, series: readonly Series[]): Promise<void> {
  if (series.length === 0) return;
  const res = await fetch(`${url}/api/v1/write`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy', 'X-Prometheus-Remote-Write-Version': '0.1.0' },
    body: snappyLiteral(encodeWriteRequest(series)),
  });
  if (!res.ok) throw new Error(`remote write to ${url}: HTTP ${res.status}: ${await res.text()}`);
}
