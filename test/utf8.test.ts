// Utf8Chunks against the WHATWG decoder (TextDecoder, fatal): the same text for valid UTF-8 split at
// any byte, an error wherever TextDecoder refuses, whole input or chunked.
import { describe, expect, it } from 'vitest';
import { Utf8Chunks, Utf8Error } from '../src/exposition/utf8.ts';

function decodeChunked(bytes: Uint8Array, cuts: number[]): string {
  const d = new Utf8Chunks();
  let text = '';
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    text += d.push(Buffer.from(bytes.subarray(at, c)));
    at = c;
  }
  d.end();
  return text;
}
const reference = (bytes: Uint8Array): string | Error => {
  try { return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes); } catch (e) { return e as Error; }
};
const ours = (bytes: Uint8Array, cuts: number[]): string | Error => {
  try { return decodeChunked(bytes, cuts); } catch (e) { return e as Error; }
};

/** A small seeded generator, so a failure reproduces. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

describe('Utf8Chunks', () => {
  it('decodes valid UTF-8 split at every byte: 1- to 4-byte characters and a BOM kept', () => {
    const text = '\uFEFFvllm:x{model_name="Qwen/ü-7B",p="日本語",e="🚀x"} 1\n';
    const bytes = Buffer.from(text, 'utf8');
    for (let cut = 0; cut <= bytes.length; cut++) expect(decodeChunked(bytes, [cut]), `cut at ${cut}`).toBe(text);
    // One byte at a time: every split inside every character.
    expect(decodeChunked(bytes, Array.from({ length: bytes.length }, (_, i) => i))).toBe(text);
  });

  it('refuses what TextDecoder refuses, whole or chunked', () => {
    const bad = [
      [0x80], [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80],
      [0xf5, 0x80, 0x80, 0x80], [0xff], [0x61, 0xe2, 0x82], [0xf0, 0x9f, 0x9a], [0xc3], [0x61, 0xc3, 0x41],
    ];
    for (const b of bad) {
      const bytes = Uint8Array.from([0x61, ...b, 0x62].slice(0, b.length + 2));
      expect(reference(bytes), JSON.stringify(b)).toBeInstanceOf(Error);
      for (let cut = 0; cut <= bytes.length; cut++) expect(ours(bytes, [cut]), `${JSON.stringify(b)} cut at ${cut}`).toBeInstanceOf(Utf8Error);
    }
    // Cut off inside a character at the very end.
    expect(ours(Buffer.from('aé', 'utf8').subarray(0, 2), [])).toBeInstanceOf(Utf8Error);
  });

  it('agrees with TextDecoder on random bytes and random cuts', () => {
    const next = rng(12);
    const pool = [0x00, 0x0a, 0x41, 0x7f, 0x80, 0xbf, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xa0, 0x9f, 0x90, 0x82];
    const chars = ['a', '\n', '"', 'é', 'ß', '€', '日', '\uFEFF', '🚀', '\u{10FFFF}'];
    let valid = 0;
    for (let n = 0; n < 5000; n++) {
      // Whole characters, and now and then a stray byte from the pool (lead, continuation, invalid).
      const parts: number[] = [];
      for (let k = 1 + Math.floor(next() * 6); k > 0; k--) {
        if (next() < 0.15) parts.push(pool[Math.floor(next() * pool.length)]!);
        else parts.push(...Buffer.from(chars[Math.floor(next() * chars.length)]!, 'utf8'));
      }
      const bytes = Uint8Array.from(parts);
      const cuts = [...new Set(Array.from({ length: Math.floor(next() * 4) }, () => Math.floor(next() * bytes.length)))].sort((a, b) => a - b);
      const want = reference(bytes);
      const got = ours(bytes, cuts);
      if (typeof want === 'string') {
        valid++;
        expect(got, `${Buffer.from(bytes).toString('hex')} cuts ${cuts}`).toBe(want);
      } else expect(got, `${Buffer.from(bytes).toString('hex')} cuts ${cuts}`).toBeInstanceOf(Utf8Error);
    }
    // Both kinds were exercised.
    expect(valid).toBeGreaterThan(200);
    expect(valid).toBeLessThan(4800);
  });
});
