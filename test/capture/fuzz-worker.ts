/**
 * Fuzz driver, run in a worker thread by fuzz.test.ts so that a hang can be cut off by
 * terminating the worker (a synchronous infinite loop would otherwise stall the test run).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CaptureDecoder } from '../../parsers/capture/index.js';
import type { CaptureError, PacketRecord } from '../../parsers/capture/types.js';
import { prng } from './helpers.js';

export interface FuzzInput {
  seeds: Uint8Array[];
  iterations: number;
  seed: number;
}

export interface FuzzResult {
  ok: boolean;
  runs: number;
  packets: number;
  errorKinds: Record<string, number>;
  failure?: string;
  /** base64 of the input that failed, to replay. */
  input?: string;
}

const INTERESTING = [
  0, 1, 2, 3, 6, 7, 8, 11, 12, 13, 16, 20, 28, 32, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffc, 262144, 262145, 327680,
  0x0a0d0d0a, 0x1a2b3c4d, 0x4d3c2b1a, 0xa1b2c3d4, 0xd4c3b2a1,
];

function mutate(src: Uint8Array, rand: () => number): Uint8Array {
  let b = src.slice();
  const pick = (n: number): number => Math.floor(rand() * n);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds && b.length > 0; r++) {
    switch (pick(7)) {
      case 0: // bit flips
        for (let k = 1 + pick(16); k > 0; k--) b[pick(b.length)] ^= 1 << pick(8);
        break;
      case 1: // truncation
        b = b.slice(0, pick(b.length + 1));
        break;
      case 2: // a length-like word set to a boundary value (aligned: where pcapng lengths live)
      case 3: {
        if (b.length < 4) break;
        const at = pick(b.length >>> 2) << 2;
        const v = rand() < 0.7 ? INTERESTING[pick(INTERESTING.length)] : Math.floor(rand() * 2 ** 32);
        new DataView(b.buffer).setUint32(Math.min(at, b.length - 4), v >>> 0, rand() < 0.5);
        break;
      }
      case 4: { // random bytes inserted
        const at = pick(b.length + 1);
        const ins = Uint8Array.from({ length: 1 + pick(40) }, () => pick(256));
        const out = new Uint8Array(b.length + ins.length);
        out.set(b.subarray(0, at));
        out.set(ins, at);
        out.set(b.subarray(at), at + ins.length);
        b = out;
        break;
      }
      case 5: { // a range deleted
        const at = pick(b.length);
        const n = 1 + pick(Math.min(200, b.length - at));
        const out = new Uint8Array(b.length - n);
        out.set(b.subarray(0, at));
        out.set(b.subarray(at + n), at);
        b = out;
        break;
      }
      default: { // a range duplicated (repeated blocks/records, misaligned copies)
        const at = pick(b.length);
        const n = 1 + pick(Math.min(300, b.length - at));
        const out = new Uint8Array(b.length + n);
        out.set(b.subarray(0, at + n));
        out.set(b.subarray(at), at + n);
        b = out;
      }
    }
  }
  return b;
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

function wellFormed(e: CaptureError, inputLen: number): void {
  check(typeof e.message === 'string' && !/[\r\n]/.test(e.message), `multi-line message: ${e.message}`);
  check(Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= inputLen, `bad offset ${e.offset}: ${e.message}`);
  check(e.message.includes(`offset ${e.offset}`), `message does not name its offset: ${e.message}`);
}

function run(input: FuzzInput): FuzzResult {
  const rand = prng(input.seed);
  const res: FuzzResult = { ok: true, runs: 0, packets: 0, errorKinds: {} };
  for (let i = 0; i < input.iterations; i++) {
    const bytes = mutate(input.seeds[i % input.seeds.length], rand);
    try {
      one(bytes, rand, res);
    } catch (err) {
      return { ...res, ok: false, failure: `iteration ${i}: ${(err as Error).stack ?? String(err)}`, input: Buffer.from(bytes).toString('base64') };
    }
    res.runs++;
  }
  return res;
}

function one(bytes: Uint8Array, rand: () => number, res: FuzzResult): void {
  const maxRecordBytes = rand() < 0.2 ? Math.floor(rand() * 2000) : undefined;
  const d = new CaptureDecoder({ maxRecordBytes });
  const chunk = 1 + Math.floor(rand() ** 3 * 3000);
  const scratch = new Uint8Array(chunk);
  let packets = 0;
  let fatalSeen = false;
  // Each packet consumes at least a 16-byte record or block: more means a loop.
  const maxPackets = bytes.length / 16 + 1;
  const onPacket = (p: PacketRecord): void => {
    check(!fatalSeen, 'packet after a fatal error');
    check(++packets <= maxPackets, 'more packets than the input can hold');
    check(Number.isInteger(p.offset) && p.offset >= 0 && Number.isInteger(p.caplen) && p.caplen >= 0, 'bad offset/caplen');
    check(p.offset + p.caplen <= p.data.length, 'packet runs past its buffer');
    check(p.caplen <= (maxRecordBytes ?? 262144), 'caplen over the limit');
    check(Number.isInteger(p.tsNsec) && p.tsNsec >= 0 && p.tsNsec < 1e9, `tsNsec ${p.tsNsec}`);
    check(Number.isFinite(p.tsSec) && Number.isInteger(p.origLen) && Number.isInteger(p.linkType), 'non-numeric field');
    for (let k = p.offset; k < p.offset + p.caplen; k += 64) void p.data[k];
  };
  const take = (errs: CaptureError[]): void => {
    for (const e of errs) {
      check(!fatalSeen, 'error after a fatal error');
      wellFormed(e, bytes.length);
      res.errorKinds[e.kind] = (res.errorKinds[e.kind] ?? 0) + 1;
      if (e.fatal) fatalSeen = true;
    }
  };
  for (let i = 0; i < bytes.length; i += chunk) {
    const k = Math.min(chunk, bytes.length - i);
    scratch.set(bytes.subarray(i, i + k));
    take(d.push(scratch.subarray(0, k), onPacket));
  }
  take(d.end());
  check(d.packets === packets, 'packet count disagrees');
  check(d.bytesConsumed >= 0 && d.bytesConsumed <= bytes.length, `bytesConsumed ${d.bytesConsumed}`);
  res.packets += packets;
}

if (parentPort) parentPort.postMessage(run(workerData as FuzzInput));
