// One gzip member from two parts deflated apart: a large head compressed at most once per collection
// cycle and a small tail compressed again whenever it changes (the per-target health series, published
// as each target's read ends), each when first scraped. The head's raw DEFLATE stream is ended with
// a sync flush (its blocks are not final and end on a byte boundary), so the tail's stream, ended with
// a final block, follows it as more blocks of the same stream; the trailer's CRC-32 continues over both. The result is a plain
// single-member gzip body (RFC 1952), which every client reads, unlike concatenated gzip members.
import { crc32, deflateRawSync, constants } from 'node:zlib';

export interface DeflatedHead {
  /** Raw DEFLATE, not final, sync-flushed. */
  raw: Buffer;
  crc: number;
  size: number;
}

/** The head part, ready to be followed by any tail. */
export function deflateHead(data: Buffer): DeflatedHead {
  return { raw: deflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH }), crc: crc32(data), size: data.length };
}

// ID1 ID2, CM deflate, no flags, no mtime (deterministic), no extra flags, OS unknown.
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);

/** head's data then tail, as one gzip member. */
export function gzipStitched(head: DeflatedHead, tail: Buffer): Buffer {
  const tailRaw = deflateRawSync(tail);
  const trailer = Buffer.alloc(8);
  // (An empty tail leaves the CRC as it is; Node 20's crc32 answers 0 for an empty buffer that zlib has read.)
  trailer.writeUInt32LE((tail.length === 0 ? head.crc : crc32(tail, head.crc)) >>> 0, 0);
  trailer.writeUInt32LE((head.size + tail.length) % 2 ** 32, 4);
  return Buffer.concat([HEADER, head.raw, tailRaw, trailer]);
}
