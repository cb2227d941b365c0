import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '../../src/flow/budget.js';
import { TcpReassembler, type StreamConsumer } from '../../src/flow/tcp-reassembly.js';

class Out implements StreamConsumer {
  bytes: number[] = [];
  gaps: number[] = [];
  data(buf: Uint8Array, off: number, len: number): void {
    for (let i = 0; i < len; i++) this.bytes.push(buf[off + i]);
  }
  gap(n: number): void {
    this.gaps.push(n);
  }
}

/** A stream of `n` bytes whose values encode their offset, cut into segments. */
function segments(isn: number, n: number, size: number): { seq: number; data: Uint8Array }[] {
  const out = [];
  for (let p = 0; p < n; p += size) {
    const len = Math.min(size, n - p);
    const data = new Uint8Array(len);
    for (let i = 0; i < len; i++) data[i] = (p + i) & 255;
    out.push({ seq: (isn + 1 + p) >>> 0, data });
  }
  return out;
}

function expected(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i & 255);
}

function shuffle<T>(a: T[], seed: number): T[] {
  const r = a.slice();
  let s = seed;
  for (let i = r.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [r[i], r[j]] = [r[j], r[i]];
  }
  return r;
}

describe('TCP reassembly', () => {
  it('delivers in-order segments unchanged', () => {
    const out = new Out();
    const r = new TcpReassembler(new MemoryBudget(1 << 20), 1 << 20);
    r.segment(1000, true, new Uint8Array(0), 0, 0, out);
    for (const s of segments(1000, 5000, 1448)) r.segment(s.seq, false, s.data, 0, s.data.length, out);
    expect(out.bytes).toEqual(expected(5000));
    expect(out.gaps).toEqual([]);
  });

  it('reorders shuffled segments, drops duplicates and trims overlaps, across sequence wrap-around', () => {
    const isn = 0xffffff00; // the stream wraps past 2^32 early on
    for (let seed = 1; seed <= 20; seed++) {
      const budget = new MemoryBudget(1 << 20);
      const out = new Out();
      const r = new TcpReassembler(budget, 1 << 20);
      r.segment(isn, true, new Uint8Array(0), 0, 0, out);
      const segs = segments(isn, 4000, 100);
      // duplicates and overlapping retransmissions (a segment re-cut across two originals)
      const extra = segs.slice(5, 9).map((s) => ({ seq: (s.seq + 50) >>> 0, data: new Uint8Array(100).map((_, i) => (s.seq - isn - 1 + 50 + i) & 255) }));
      for (const s of shuffle([...segs, ...segs.slice(0, 10), ...extra], seed)) r.segment(s.seq, false, s.data, 0, s.data.length, out);
      expect(out.bytes).toEqual(expected(4000));
      expect(out.gaps).toEqual([]);
      expect(budget.used).toBe(0);
    }
  });

  it('starts mid-stream when the SYN was not captured', () => {
    const out = new Out();
    const r = new TcpReassembler(new MemoryBudget(1 << 20), 1 << 20);
    const segs = segments(500, 3000, 1000);
    for (const s of segs.slice(1)) r.segment(s.seq, false, s.data, 0, s.data.length, out);
    expect(out.bytes).toEqual(expected(3000).slice(1000));
  });

  it('gives up a hole once the peer acknowledges past it, and reports the gap', () => {
    const out = new Out();
    const r = new TcpReassembler(new MemoryBudget(1 << 20), 1 << 20);
    r.segment(0, true, new Uint8Array(0), 0, 0, out);
    const segs = segments(0, 3000, 1000);
    r.segment(segs[0].seq, false, segs[0].data, 0, 1000, out);
    r.segment(segs[2].seq, false, segs[2].data, 0, 1000, out); // segs[1] never captured
    expect(out.bytes.length).toBe(1000);
    r.acked((1 + 3000) >>> 0, out);
    expect(out.gaps).toEqual([1000]);
    expect(out.bytes).toEqual([...expected(1000), ...expected(3000).slice(2000)]);
  });

  it('skips the hole rather than exceed its buffer limit, and frees the budget at the end', () => {
    const budget = new MemoryBudget(1 << 20);
    const out = new Out();
    const r = new TcpReassembler(budget, 2500);
    r.segment(0, true, new Uint8Array(0), 0, 0, out);
    const segs = segments(0, 10_000, 1000);
    for (const s of segs.slice(1)) r.segment(s.seq, false, s.data, 0, 1000, out);
    expect(out.gaps.length).toBeGreaterThan(0);
    expect(r.buffered).toBeLessThanOrEqual(2500);
    r.flush(out);
    expect(budget.used).toBe(0);
    expect(out.bytes.slice(-1000)).toEqual(expected(10_000).slice(-1000));
  });

  it('only counts once stopped', () => {
    const budget = new MemoryBudget(1 << 20);
    const out = new Out();
    const r = new TcpReassembler(budget, 1 << 20);
    r.segment(0, true, new Uint8Array(0), 0, 0, out);
    r.stop();
    for (const s of segments(0, 3000, 1000).reverse()) r.segment(s.seq, false, s.data, 0, 1000, out);
    expect(out.bytes).toEqual([]);
    expect(r.bytesSeen).toBe(3000);
    expect(budget.used).toBe(0);
  });
});

describe('TCP reassembly with reused read buffers', () => {
  it('keeps its own copy of out-of-order data held from a Node Buffer that is then overwritten', () => {
    const out = new Out();
    const r = new TcpReassembler(new MemoryBudget(1 << 20), 1 << 20);
    r.segment(0, true, new Uint8Array(0), 0, 0, out);
    const readBuffer = Buffer.alloc(100, 0x22); // what file reads hand out; Buffer.slice() is a view
    r.segment(51, false, readBuffer, 0, 50, out); // ahead of a hole: must be copied
    readBuffer.fill(0x99); // the next read reuses the buffer
    r.segment(1, false, Buffer.alloc(50, 0x11), 0, 50, out);
    expect(out.bytes).toEqual([...new Array(50).fill(0x11), ...new Array(50).fill(0x22)]);
  });
});
