import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '../../src/flow/budget.js';
import { HandshakeAssembler } from '../../src/tls/handshake-assembler.js';
import { RecordStream, type RecordSink } from '../../src/tls/record-stream.js';
import { handshake, record } from '../support/tls-build.js';

class Collect implements RecordSink {
  out: string[] = [];
  record(t: number, _v: number, buf: Uint8Array, off: number, len: number): void {
    this.out.push(`${t}:${Buffer.from(buf.subarray(off, off + len)).toString('hex')}`);
  }
  skippedRecord(t: number, len: number): void {
    this.out.push(`${t}:skip${len}`);
  }
  sslv2Record(buf: Uint8Array, off: number, len: number): void {
    this.out.push(`v2:${Buffer.from(buf.subarray(off, off + len)).toString('hex')}`);
  }
  desync(reason: string): void {
    this.out.push(`desync:${reason}`);
  }
}

function feed(stream: RecordStream, bytes: number[], cuts: number[]): void {
  const b = Uint8Array.from(bytes);
  let p = 0;
  for (const c of [...cuts.map((x) => Math.min(x, b.length)), b.length]) {
    if (c > p) stream.push(b, p, c - p);
    p = Math.max(p, c);
  }
}

describe('record stream', () => {
  const wire = [
    ...record(22, [1, 2, 3, 4, 5]),
    ...record(20, [1]),
    ...record(23, new Array(300).fill(0xaa)),
    ...record(21, [2, 40]),
  ];

  it('yields the same records however the stream is cut into segments', () => {
    const whole = new Collect();
    const s0 = new RecordStream(whole, new MemoryBudget(1 << 20));
    s0.synced = true;
    feed(s0, wire, []);
    expect(whole.out).toEqual(['22:0102030405', '20:01', '23:skip300', '21:0228']);
    for (let cut = 1; cut < wire.length; cut++) {
      for (const second of [cut + 1, cut + 7, cut + 301]) {
        const c = new Collect();
        const s = new RecordStream(c, new MemoryBudget(1 << 20));
        s.synced = true;
        feed(s, wire, [cut, second]);
        expect(c.out, `cut at ${cut},${second}`).toEqual(whole.out);
      }
    }
  });

  it('gives every gathered byte back to the memory budget', () => {
    const budget = new MemoryBudget(1 << 20);
    const c = new Collect();
    const s = new RecordStream(c, budget);
    s.synced = true;
    feed(s, wire, [3, 9, 12]);
    expect(budget.used).toBe(0);
    expect(budget.peak).toBeGreaterThan(0);
  });

  it('reports desync on bytes that cannot start a record and stops reading', () => {
    const c = new Collect();
    const s = new RecordStream(c, new MemoryBudget(1 << 20));
    s.synced = true;
    feed(s, [...record(22, [1]), 0x47, 0x45, 0x54, 0x20, ...record(22, [2])], []);
    expect(c.out[0]).toBe('22:01');
    expect(c.out[1]).toMatch(/^desync:/);
    expect(c.out).toHaveLength(2);
    expect(s.synced).toBe(false);
  });

  it('refuses a record when the memory budget is spent, and says so', () => {
    const budget = new MemoryBudget(100);
    const c = new Collect();
    const s = new RecordStream(c, budget);
    s.synced = true;
    feed(s, record(22, new Array(500).fill(1)), [10]);
    expect(c.out.some((x) => x.includes('memory budget'))).toBe(true);
    expect(budget.shed).toBe(1);
  });
});

describe('handshake assembler', () => {
  const msgs = [...handshake(1, new Array(40).fill(1)), ...handshake(14, []), ...handshake(11, new Array(3000).fill(2))];

  it('joins messages across records and splits several per record, for any record boundaries', () => {
    for (const size of [1, 2, 3, 5, 16, 100, 4000]) {
      const got: string[] = [];
      const budget = new MemoryBudget(1 << 20);
      const a = new HandshakeAssembler((t, b, o, l) => got.push(`${t}:${l}:${l > 0 ? b[o + l - 1] : ''}`), () => got.push('oversize'), budget);
      const buf = Uint8Array.from(msgs);
      for (let p = 0; p < buf.length; p += size) a.push(buf, p, Math.min(size, buf.length - p));
      expect(got, `record size ${size}`).toEqual(['1:40:1', '14:0:', '11:3000:2']);
      expect(budget.used).toBe(0);
    }
  });

  it('passes over a message larger than the limit without buffering it', () => {
    const got: string[] = [];
    const a = new HandshakeAssembler((t) => got.push(`msg${t}`), (t, l) => got.push(`over${t}:${l}`), new MemoryBudget(1 << 20), 1000);
    const buf = Uint8Array.from([...handshake(11, new Array(5000).fill(2)), ...handshake(14, [])]);
    for (let p = 0; p < buf.length; p += 700) a.push(buf, p, Math.min(700, buf.length - p));
    expect(got).toEqual(['over11:5000', 'msg14']);
  });
});
