import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { CaptureDecoder } from '../../parsers/capture/index.js';
import type { CaptureError } from '../../parsers/capture/types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const corpusRoot = path.resolve(repoRoot, '../shared/corpus');

/** A decoded packet, copied out of the reused record. */
export interface Pkt {
  hex: string;
  caplen: number;
  origLen: number;
  linkType: number;
  tsSec: number;
  tsNsec: number;
  interfaceId: number;
}

export interface Decoded {
  packets: Pkt[];
  errors: CaptureError[];
  decoder: CaptureDecoder;
}

/**
 * Decode `bytes` fed in chunks of `chunkSize`, through one reused scratch buffer that is
 * poisoned after every push: proves the decoder keeps no reference to a caller's chunk.
 */
export function decodeChunked(bytes: Uint8Array, chunkSize = Math.max(bytes.length, 1), opts?: { maxRecordBytes?: number }): Decoded {
  const decoder = new CaptureDecoder(opts);
  const packets: Pkt[] = [];
  const errors: CaptureError[] = [];
  const scratch = new Uint8Array(chunkSize);
  const onPacket = (p: import('../../parsers/capture/types.js').PacketRecord): void => {
    packets.push({
      hex: Buffer.from(p.data.buffer, p.data.byteOffset + p.offset, p.caplen).toString('hex'),
      caplen: p.caplen,
      origLen: p.origLen,
      linkType: p.linkType,
      tsSec: p.tsSec,
      tsNsec: p.tsNsec,
      interfaceId: p.interfaceId,
    });
  };
  for (let i = 0; i < bytes.length; i += chunkSize) {
    const k = Math.min(chunkSize, bytes.length - i);
    scratch.set(bytes.subarray(i, i + k));
    errors.push(...decoder.push(scratch.subarray(0, k), onPacket));
    scratch.fill(0xee);
  }
  errors.push(...decoder.end());
  return { packets, errors, decoder };
}

/** All regular files under dir, sorted. */
export function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...walk(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

/** File contents, gunzipped when they start with the gzip magic. */
export function readMaybeGz(file: string): Uint8Array {
  const raw = readFileSync(file);
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

export function magicOf(b: Uint8Array): string {
  return Buffer.from(b.subarray(0, 4)).toString('hex');
}

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(rand: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}
