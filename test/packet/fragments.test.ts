import { describe, expect, it } from 'vitest';
import { PacketDecoder, type PacketDecoderOptions } from '../../parsers/packet/decode.js';
import { newDecodedPacket, type DecodeResult } from '../../parsers/packet/types.js';
import {
  clientHelloStub,
  eth4,
  eth6,
  fragmentIpv4,
  fragmentIpv6,
  gre,
  ipv4,
  ipv6,
  ipv6Ext,
  ipv6Frag,
  tcp,
  udp,
} from './build.js';
import { describe as describeResult, type Decoded } from './harness.js';

const hello = clientHelloStub(1000);
const seg = tcp({ sport: 40001, dport: 443, seq: 0xdeadbeef }, hello); // 1020 bytes
const v4 = { src: '10.0.0.1', dst: '10.0.0.2', proto: 6, id: 0x4242 };
const v6 = { src: '2001:db8::1', dst: '2001:db8::2' };

class Feeder {
  readonly dec: PacketDecoder;
  readonly p = newDecodedPacket();
  constructor(opts?: PacketDecoderOptions) {
    this.dec = new PacketDecoder(opts);
  }
  feed(frame: Uint8Array, ts = 0): Decoded {
    const res = this.dec.decode(frame, 0, frame.length, 1, ts, this.p);
    return describeResult(res, this.p);
  }
  feedAll(frames: Uint8Array[], ts = 0): DecodeResult[] {
    return frames.map((f) => this.feed(f, ts).res);
  }
  get fs() {
    return this.dec.stats.fragments;
  }
}

function expectReassembled(d: Decoded): void {
  expect(d.res).toBe('ok');
  expect(d.p.reassembled).toBe(true);
  expect(d.p.protocol).toBe(6);
  expect(d.p.srcPort).toBe(40001);
  expect(d.p.dstPort).toBe(443);
  expect(d.p.tcpSeq).toBe(0xdeadbeef);
  expect(d.payload).toEqual(hello);
}

const frags4 = (size = 256, o: Partial<typeof v4> = {}): Uint8Array[] => fragmentIpv4({ ...v4, ...o }, seg, size).map(eth4);

describe('IPv4 fragments', () => {
  it('reassembles fragments in order', () => {
    const f = new Feeder();
    const frames = frags4();
    expect(frames.length).toBe(4);
    for (const fr of frames.slice(0, -1)) expect(f.feed(fr).res).toBe('fragment_pending');
    const d = f.feed(frames[frames.length - 1]);
    expectReassembled(d);
    expect(d.src).toBe('10.0.0.1');
    expect(d.p.payload).not.toBe(frames[3]); // a decoder-owned buffer
    expect(f.fs).toMatchObject({ received: 4, stored: 4, reassembled: 1, inProgress: 0, bytesHeld: 0, fragmentsDropped: 0 });
  });

  it('reassembles out of order, reversed, and with the TCP header split across fragments', () => {
    const frames = frags4(8);
    expect(frames.length).toBe(128);
    const order = frames.map((_, i) => i).sort((a, b) => ((a * 37) % 128) - ((b * 37) % 128));
    const f = new Feeder();
    const res = f.feedAll(order.map((i) => frames[i]));
    expect(res.slice(0, -1).every((r) => r === 'fragment_pending')).toBe(true);
    expectReassembled(describeResult(res[res.length - 1], f.p));
    const g = new Feeder();
    const rev = g.feedAll([...frames].reverse());
    expect(rev[rev.length - 1]).toBe('ok');
    expect(g.p.tcpSeq).toBe(0xdeadbeef);
  });

  it('ignores exact duplicates (first copy wins)', () => {
    const f = new Feeder();
    const [a, b, c, d] = frags4();
    const bad = b.slice();
    bad[bad.length - 1] ^= 0xff; // same range, different bytes: still the first copy counts
    expect(f.feedAll([a, b, bad, a, c])).toEqual(Array(5).fill('fragment_pending'));
    expectReassembled(f.feed(d));
    expect(f.fs.duplicates).toBe(2);
    expect(f.fs.fragmentsDropped).toBe(0);
  });

  it('drops the whole datagram on a partial overlap', () => {
    const f = new Feeder();
    const [a, b, c, d] = frags4();
    // 16 bytes at offset 248: straddles the end of a (0..256) and the start of b (256..512)
    const overlap = eth4(ipv4({ ...v4, fragOffset: 248, mf: true }, seg.subarray(248, 264)));
    expect(f.feedAll([a, b, overlap])).toEqual(['fragment_pending', 'fragment_pending', 'fragment_dropped']);
    expect(f.fs).toMatchObject({ overlaps: 1, datagramsDropped: 1, fragmentsDropped: 3, inProgress: 0, bytesHeld: 0 });
    // the rest of the datagram cannot complete; it is held until it times out
    expect(f.feedAll([c, d])).toEqual(['fragment_pending', 'fragment_pending']);
    f.feed(eth4(ipv4({ ...v4, id: 1 }, udp({ sport: 1, dport: 2 }))), 100);
    expect(f.fs).toMatchObject({ timeouts: 1, inProgress: 0, bytesHeld: 0, fragmentsDropped: 5, reassembled: 0 });
  });

  it('drops a datagram whose last fragment contradicts what is held', () => {
    const f = new Feeder();
    const [a, , c] = frags4();
    // held: 0..256 and 512..768; a "last" fragment ending at 264 cannot be right
    const earlyEnd = eth4(ipv4({ ...v4, fragOffset: 256, mf: false }, seg.subarray(256, 264)));
    expect(f.feedAll([a, c, earlyEnd])).toEqual(['fragment_pending', 'fragment_pending', 'fragment_dropped']);
    expect(f.fs).toMatchObject({ malformed: 1, overlaps: 0, fragmentsDropped: 3, inProgress: 0 });
  });

  it('rejects a non-final fragment whose length is not a multiple of 8', () => {
    const f = new Feeder();
    expect(f.feed(eth4(ipv4({ ...v4, fragOffset: 0, mf: true }, seg.subarray(0, 30)))).res).toBe('fragment_dropped');
    expect(f.fs).toMatchObject({ malformed: 1, fragmentsDropped: 1, inProgress: 0 });
  });

  it('times out on packet time and brings the memory gauges back to 0', () => {
    const f = new Feeder();
    const frames = frags4();
    f.feedAll(frames.slice(0, 3), 1000);
    expect(f.fs.inProgress).toBe(1);
    expect(f.fs.bytesHeld).toBe(768);
    // 30 s later is not yet over the timeout; time going backwards expires nothing
    f.feed(eth4(ipv4({ ...v4, id: 9 }, udp({ sport: 1, dport: 2 }))), 1030);
    f.feed(eth4(ipv4({ ...v4, id: 9 }, udp({ sport: 1, dport: 2 }))), 5);
    expect(f.fs.inProgress).toBe(1);
    f.feed(eth4(ipv4({ ...v4, id: 9 }, udp({ sport: 1, dport: 2 }))), 1031);
    expect(f.fs).toMatchObject({ inProgress: 0, bytesHeld: 0, timeouts: 1, datagramsDropped: 1, fragmentsDropped: 3 });
    // the late last fragment starts a new datagram, which never completes
    expect(f.feed(frames[3], 1032).res).toBe('fragment_pending');
    f.dec.expireFragments(2000);
    expect(f.fs).toMatchObject({ inProgress: 0, bytesHeld: 0, timeouts: 2 });
  });

  it('honours a custom timeout', () => {
    const f = new Feeder({ fragments: { timeoutSec: 2 } });
    const frames = frags4();
    f.feedAll(frames.slice(0, 2), 10);
    expect(f.feed(frames[2], 12).res).toBe('fragment_pending');
    expect(f.feed(frames[3], 12.5).res).toBe('fragment_pending'); // the first two expired
    expect(f.fs.timeouts).toBe(1);
  });

  it('evicts the oldest datagram beyond maxDatagrams', () => {
    const f = new Feeder({ fragments: { maxDatagrams: 3 } });
    const dgrams = [1, 2, 3, 4].map((id) => frags4(256, { id }));
    for (const d of dgrams) f.feed(d[0]);
    expect(f.fs).toMatchObject({ inProgress: 3, limitDatagrams: 1, datagramsDropped: 1 });
    // id 1 was evicted: its remaining fragments cannot complete it, id 4 completes
    expect(f.feedAll(dgrams[0].slice(1))).toEqual(Array(3).fill('fragment_pending'));
    expect(f.feedAll(dgrams[3].slice(1))[2]).toBe('ok');
  });

  it('evicts the oldest datagrams beyond maxBytes and drops a datagram that alone exceeds it', () => {
    const f = new Feeder({ fragments: { maxBytes: 1000 } });
    const a = frags4(256, { id: 1 });
    const b = frags4(256, { id: 2 });
    f.feedAll(a.slice(0, 3)); // 768 bytes
    expect(f.feed(b[0]).res).toBe('fragment_pending'); // 1024 > 1000: id 1 goes
    expect(f.fs).toMatchObject({ limitBytes: 1, bytesHeld: 256, inProgress: 1, fragmentsDropped: 3 });
    expect(f.feedAll(b.slice(1, 3))).toEqual(['fragment_pending', 'fragment_pending']);
    // the last 252 bytes would make 1020 held: b itself is now the oldest, so it goes
    expect(f.feed(b[3]).res).toBe('fragment_dropped');
    expect(f.fs).toMatchObject({ limitBytes: 2, bytesHeld: 0, inProgress: 0 });
  });

  it('drops datagrams that would exceed maxDatagramSize (ping of death)', () => {
    const f = new Feeder();
    const tail = eth4(ipv4({ ...v4, proto: 1, fragOffset: 65528, mf: false }, new Uint8Array(100)));
    expect(f.feed(tail).res).toBe('fragment_dropped');
    expect(f.fs).toMatchObject({ tooBig: 1, inProgress: 0 });
    const g = new Feeder({ fragments: { maxDatagramSize: 512 } });
    // the third fragment takes the datagram past 512 bytes; the fourth is rejected on its own
    expect(g.feedAll(frags4())).toEqual(['fragment_pending', 'fragment_pending', 'fragment_dropped', 'fragment_dropped']);
    expect(g.fs).toMatchObject({ tooBig: 2, fragmentsDropped: 4, datagramsDropped: 1, inProgress: 0 });
  });

  it('limits the fragments per datagram', () => {
    const f = new Feeder({ fragments: { maxFragmentsPerDatagram: 10 } });
    const res = f.feedAll(frags4(8));
    expect(res[10]).toBe('fragment_dropped');
    expect(res).not.toContain('ok');
    // every 11th fragment overflows the (re-created) datagram: 128 fragments → 11 times
    expect(f.fs.tooManyFragments).toBe(11);
  });

  it('stores nothing with maxDatagrams 0', () => {
    const f = new Feeder({ fragments: { maxDatagrams: 0 } });
    expect(f.feedAll(frags4())).toEqual(Array(4).fill('fragment_dropped'));
    expect(f.fs).toMatchObject({ limitDatagrams: 4, fragmentsDropped: 4, inProgress: 0 });
  });

  it('drops a fragment cut short by the capture', () => {
    const f = new Feeder();
    const first = frags4()[0];
    expect(f.feed(first.subarray(0, first.length - 10)).res).toBe('fragment_dropped');
    expect(f.fs).toMatchObject({ snapped: 1, fragmentsDropped: 1, inProgress: 0 });
  });

  it('keeps datagrams apart by source, destination, id and protocol', () => {
    const f = new Feeder();
    const a = frags4(512, { id: 7 });
    const b = frags4(512, { id: 7, src: '10.0.0.3' });
    const c = frags4(512, { id: 7, proto: 17 });
    const d = frags4(512, { id: 8 });
    const res = f.feedAll([a[0], b[0], c[0], d[0], b[1], a[1], d[1]]);
    expect(res).toEqual(['fragment_pending', 'fragment_pending', 'fragment_pending', 'fragment_pending', 'ok', 'ok', 'ok']);
    expect(f.fs.inProgress).toBe(1);
  });

  it('accepts a reassembled datagram that is exactly 65535 bytes', () => {
    const big = tcp({ sport: 1, dport: 443 }, new Uint8Array(65535 - 20 - 20).fill(0x61));
    const frames = fragmentIpv4(v4, big, 1480).map(eth4);
    const f = new Feeder();
    const res = f.feedAll(frames);
    expect(res[res.length - 1]).toBe('ok');
    expect(f.p.payloadLength).toBe(65535 - 40);
  });

  it('reassembles an outer fragmented GRE tunnel and then an inner fragmented packet', () => {
    const innerFrags = fragmentIpv4({ src: '192.168.1.1', dst: '192.168.1.2', proto: 6, id: 5 }, seg, 512);
    const f = new Feeder();
    const results: DecodeResult[] = [];
    for (const inner of innerFrags) {
      const outer = fragmentIpv4({ src: '1.1.1.1', dst: '2.2.2.2', proto: 47, id: 900 + results.length }, gre({ proto: 0x0800 }, inner), 256);
      results.push(...f.feedAll(outer.map(eth4)));
    }
    expect(results[results.length - 1]).toBe('ok');
    expect(results.filter((r) => r === 'ok').length).toBe(1);
    expect(f.p.tunnelDepth).toBe(1);
    expect(f.p.reassembled).toBe(true);
    expectReassembled(describeResult('ok', f.p));
    expect(f.fs.reassembled).toBe(innerFrags.length + 1);
  });
});

describe('IPv6 fragments', () => {
  it('reassembles in order and out of order', () => {
    const frames = fragmentIpv6(v6, 6, 0x01020304, seg, 200).map(eth6);
    const f = new Feeder();
    const res = f.feedAll(frames);
    expect(res.slice(0, -1).every((r) => r === 'fragment_pending')).toBe(true);
    const d = describeResult(res[res.length - 1], f.p);
    expectReassembled(d);
    expect(d.p.ipVersion).toBe(6);
    expect(d.src).toBe('2001:db8:0:0:0:0:0:1');
    const g = new Feeder();
    const shuffled = [frames[3], frames[0], frames[5], frames[1], frames[4], frames[2]];
    expect(g.feedAll(shuffled)[5]).toBe('ok');
    expectReassembled(describeResult('ok', g.p));
  });

  it('walks extension headers before the fragment header and inside the fragmentable part', () => {
    // HBH in the unfragmentable part; destination options inside the reassembled payload
    const fragmentable = ipv6Ext(6, seg);
    const pieces = [fragmentable.subarray(0, 512), fragmentable.subarray(512)];
    const f = new Feeder();
    const mk = (off: number, more: boolean, piece: Uint8Array): Uint8Array =>
      eth6(ipv6({ ...v6, nextHeader: 0 }, ipv6Ext(44, ipv6Frag(60, off, more, 77, piece))));
    expect(f.feed(mk(512, false, pieces[1])).res).toBe('fragment_pending');
    const d = f.feed(mk(0, true, pieces[0]));
    expectReassembled(d);
  });

  it('keys on source, destination and identification only', () => {
    const a = fragmentIpv6(v6, 6, 1, seg, 512).map(eth6);
    const b = fragmentIpv6({ ...v6, dst: '2001:db8::3' }, 6, 1, seg, 512).map(eth6);
    const c = fragmentIpv6(v6, 6, 2, seg, 512).map(eth6);
    const f = new Feeder();
    expect(f.feedAll([a[0], b[0], c[0], c[1], a[1], b[1]]).filter((r) => r === 'ok').length).toBe(3);
    expect(f.fs.inProgress).toBe(0);
  });

  it('drops overlapping fragments (RFC 5722)', () => {
    const frames = fragmentIpv6(v6, 6, 3, seg, 512).map(eth6);
    const overlap = eth6(ipv6({ ...v6, nextHeader: 44 }, ipv6Frag(6, 504, true, 3, seg.subarray(504, 520))));
    const f = new Feeder();
    expect(f.feedAll([frames[0], overlap, frames[1]])).toEqual(['fragment_pending', 'fragment_dropped', 'fragment_pending']);
    expect(f.fs.overlaps).toBe(1);
  });

  it('drops fragments without a trustworthy length (snapped, or payload length 0)', () => {
    const [first] = fragmentIpv6(v6, 6, 4, seg, 512).map(eth6);
    const f = new Feeder();
    expect(f.feed(first.subarray(0, 200)).res).toBe('fragment_dropped');
    const noLen = eth6(ipv6({ ...v6, nextHeader: 44, payloadLength: 0 }, ipv6Frag(6, 0, true, 4, seg.subarray(0, 512))));
    expect(f.feed(noLen).res).toBe('fragment_dropped');
    expect(f.fs.snapped).toBe(2);
  });

  it('rejects a fragment header inside a reassembled payload', () => {
    const fragmentable = ipv6Frag(6, 0, true, 99, seg);
    const frames = fragmentIpv6(v6, 44, 5, fragmentable, 512).map(eth6);
    const res = new Feeder().feedAll(frames);
    expect(res[res.length - 1]).toBe('malformed');
  });

  it('times out and empties the table', () => {
    const frames = fragmentIpv6(v6, 6, 6, seg, 256).map(eth6);
    const f = new Feeder();
    f.feedAll(frames.slice(1), 50);
    expect(f.fs.inProgress).toBe(1);
    expect(f.fs.bytesHeld).toBe(seg.length - 256);
    f.dec.expireFragments(81);
    expect(f.fs).toMatchObject({ inProgress: 0, bytesHeld: 0, timeouts: 1 });
    f.feedAll(frames.slice(1), 100);
    f.dec.clearFragments();
    expect(f.fs).toMatchObject({ inProgress: 0, bytesHeld: 0, timeouts: 2 });
  });
});

describe('counters', () => {
  it('account for every fragment received, and the gauges return to 0', () => {
    const f = new Feeder({ fragments: { maxDatagrams: 4, maxBytes: 4000, maxFragmentsPerDatagram: 12 } });
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    let ts = 0;
    for (let i = 0; i < 5000; i++) {
      const id = rnd(12);
      const off = rnd(16) * 64;
      const len = rnd(50) === 0 ? 13 : 64 * (1 + rnd(2));
      const frame = eth4(ipv4({ ...v4, proto: 17, id, fragOffset: off, mf: off < 960 && rnd(8) !== 0 }, new Uint8Array(len)));
      if (rnd(3) === 0) ts++;
      f.feed(frame, ts);
    }
    const s = f.fs;
    expect(s.reassembled).toBeGreaterThan(0);
    expect(s.overlaps).toBeGreaterThan(0);
    expect(s.duplicates).toBeGreaterThan(0);
    f.dec.clearFragments();
    expect(s.inProgress).toBe(0);
    expect(s.bytesHeld).toBe(0);
    // every fragment was ignored as a duplicate, dropped, or went into a completed datagram
    expect(s.received).toBe(s.duplicates + s.fragmentsDropped + s.fragmentsReassembled);
    // every drop has a reason (fragments rejected on their own have no datagram)
    const reasons = s.timeouts + s.overlaps + s.limitDatagrams + s.limitBytes + s.tooBig + s.tooManyFragments + s.malformed + s.snapped;
    expect(reasons).toBeGreaterThanOrEqual(s.datagramsDropped);
  });
});
