import { describe, expect, it } from 'vitest';
import { PacketDecoder } from '../../parsers/packet/decode.js';
import { newDecodedPacket, type DecodeResult } from '../../parsers/packet/types.js';
import {
  bytes,
  clientHelloStub,
  concat,
  erspan2,
  erspan3,
  eth4,
  eth6,
  ethernet,
  fragmentIpv4,
  fragmentIpv6,
  geneve,
  gre,
  gtpu,
  ipv4,
  ipv6,
  ipv6Ah,
  ipv6Ext,
  mpls,
  nullLink,
  pppoe,
  sll,
  sll2,
  tcp,
  udp,
  vxlan,
  vxlanGpe,
} from './build.js';

const hello = clientHelloStub(40);
const seg = tcp({ sport: 1111, dport: 443, options: bytes(2, 4, 5, 0xb4) }, hello);
const in4 = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, options: bytes(1, 1, 1, 0) }, seg);
const in6 = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 0 }, ipv6Ext(51, ipv6Ah(6, seg)));
const out4 = (proto: number, p: Uint8Array): Uint8Array => ipv4({ src: '192.0.2.1', dst: '192.0.2.2', proto }, p);
const udp4 = (dport: number, p: Uint8Array): Uint8Array => eth4(out4(17, udp({ sport: 999, dport }, p)));

/** [name, link type, frame]: each decodes to 'ok' with the TLS bytes as payload. */
const SAMPLES: Array<[string, number, Uint8Array]> = [
  ['ethernet/ipv4/tcp', 1, eth4(in4)],
  ['qinq/ipv6 ext/tcp', 1, ethernet({ type: 0x86dd, tags: [{ tpid: 0x88a8, vid: 5 }, { vid: 6 }] }, in6)],
  ['ethernet/ipv4/udp', 1, eth4(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, udp({ sport: 5, dport: 443 }, hello)))],
  ['pppoe/ipv4', 1, ethernet({ type: 0x8864 }, pppoe(0x21, in4))],
  ['mpls/ipv6', 1, ethernet({ type: 0x8847 }, mpls([1, 2], in6))],
  ['sll/ipv4', 113, sll(0x0800, in4)],
  ['sll2/ipv6', 276, sll2(0x86dd, in6)],
  ['null/ipv4', 0, nullLink(2, true, in4)],
  ['loop/ipv6', 108, nullLink(24, false, in6)],
  ['raw/ipv6', 101, in6],
  ['ipv4', 228, in4],
  ['ipip', 1, eth4(out4(4, in4))],
  ['6in4', 1, eth4(out4(41, in6))],
  ['gre all flags', 1, eth4(out4(47, gre({ proto: 0x0800, checksum: true, key: 1, seq: 2 }, in4)))],
  ['gre routing', 1, eth4(out4(47, gre({ proto: 0x86dd, routing: [bytes(1, 2, 3, 4)] }, in6)))],
  ['gre teb', 1, eth4(out4(47, gre({ proto: 0x6558, key: 3 }, eth4(in4))))],
  ['erspan2', 1, eth4(out4(47, gre({ proto: 0x88be, seq: 1 }, erspan2(eth4(in4)))))],
  ['erspan3+O', 1, eth4(out4(47, gre({ proto: 0x22eb, seq: 1 }, erspan3({ o: true }, eth6(in6)))))],
  ['vxlan', 1, udp4(4789, vxlan(7, eth4(in4)))],
  ['vxlan-gpe', 1, udp4(4790, vxlanGpe(7, 2, in6))],
  ['geneve+opts', 1, udp4(6081, geneve(0x6558, eth4(in4), 12))],
  ['gtp-u ext', 1, udp4(2152, gtpu(in4, true))],
  ['erspan→vxlan', 1, eth4(out4(47, gre({ proto: 0x88be, seq: 1 }, erspan2(udp4(4789, vxlan(1, eth4(in4)))))))],
];

describe('truncation', () => {
  it.each(SAMPLES)('%s: truncated below the innermost header, ok (snapped) from there on', (_name, lt, frame) => {
    const dec = new PacketDecoder();
    const p = newDecodedPacket();
    expect(dec.decode(frame, 0, frame.length, lt, 0, p)).toBe('ok');
    const hdrEnd = p.payloadOffset;
    expect(p.payload.slice(hdrEnd, hdrEnd + p.payloadLength)).toEqual(p.protocol === 6 || p.protocol === 17 ? hello : undefined);
    // the same bytes in a larger buffer (caplen must be respected) and as an exact copy
    const padded = concat(frame, new Uint8Array(64).fill(0x45));
    for (let n = 0; n <= frame.length; n++) {
      for (const [buf, len] of [
        [padded, n],
        [frame.slice(0, n), n],
      ] as const) {
        const res = dec.decode(buf, 0, len, lt, 0, p);
        if (n < hdrEnd) {
          expect(res, `n=${n}`).toBe('truncated');
        } else {
          expect(res, `n=${n}`).toBe('ok');
          expect(p.payloadOffset).toBe(hdrEnd);
          expect(p.payloadLength).toBe(n - hdrEnd);
          expect(p.snapped).toBe(n < frame.length);
        }
      }
    }
  });
});

/** mulberry32: small, seedable, good enough to vary inputs reproducibly. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) | 0;
  };
}

const RESULTS: readonly DecodeResult[] = [
  'ok',
  'unsupported_link',
  'truncated',
  'malformed',
  'not_ip',
  'fragment_pending',
  'fragment_dropped',
  'other_transport',
];
const LINK_TYPES = [0, 1, 9, 12, 14, 101, 108, 113, 228, 229, 276, 127];

describe('fuzz', () => {
  const fragSamples = [
    ...fragmentIpv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, id: 3 }, seg, 16).map(eth4),
    ...fragmentIpv6({ src: '::1', dst: '::2' }, 6, 9, seg, 24).map(eth6),
  ];
  const bases: Array<[number, Uint8Array]> = [...SAMPLES.map(([, lt, f]) => [lt, f] as [number, Uint8Array]), ...fragSamples.map((f) => [1, f] as [number, Uint8Array])];

  it('never throws on 60 000 mutated frames, and every payload view stays in bounds', () => {
    const rnd = prng(0x7157c0de);
    const dec = new PacketDecoder({ fragments: { maxDatagrams: 64, maxBytes: 1 << 16 } });
    const p = newDecodedPacket();
    const seen = new Map<DecodeResult, number>();
    let ts = 0;
    for (let i = 0; i < 60_000; i++) {
      const [baseLt, base] = bases[rnd(bases.length)];
      let buf: Uint8Array = base.slice();
      const mode = rnd(6);
      if (mode <= 2) {
        // flip a few bytes, biased towards the headers
        const flips = 1 + rnd(4);
        for (let k = 0; k < flips; k++) buf[rnd(Math.min(buf.length, 120))] = rnd(256);
      } else if (mode === 3) {
        buf = buf.slice(0, rnd(buf.length + 1));
      } else if (mode === 4) {
        const at = rnd(buf.length);
        const junk = Uint8Array.from({ length: 1 + rnd(12) }, () => rnd(256));
        buf = rnd(2) ? concat(buf.subarray(0, at), junk, buf.subarray(at)) : concat(buf.subarray(0, at), buf.subarray(Math.min(buf.length, at + junk.length)));
      } else {
        buf = Uint8Array.from({ length: rnd(200) }, () => rnd(256));
      }
      const lt = rnd(8) === 0 ? LINK_TYPES[rnd(LINK_TYPES.length)] : baseLt;
      // sometimes decode from inside a larger buffer with a caplen shorter than what follows
      const lead = rnd(4) === 0 ? rnd(16) : 0;
      const data = lead ? concat(new Uint8Array(lead).fill(0x60), buf, new Uint8Array(8).fill(0x45)) : buf;
      if (rnd(50) === 0) ts += rnd(40);
      const res = dec.decode(data, lead, buf.length, lt, ts, p);
      seen.set(res, (seen.get(res) ?? 0) + 1);
      expect(RESULTS).toContain(res);
      if (res === 'ok' || res === 'other_transport') {
        expect(p.payloadLength).toBeGreaterThanOrEqual(0);
        expect(p.payloadOffset).toBeGreaterThanOrEqual(0);
        expect(p.payloadOffset + p.payloadLength).toBeLessThanOrEqual(p.payload.length);
        if (!p.reassembled) {
          expect(p.payload).toBe(data);
          expect(p.payloadOffset + p.payloadLength).toBeLessThanOrEqual(lead + buf.length);
        }
        expect(p.tunnelDepth).toBeLessThanOrEqual(8);
        expect(p.srcPort >= 0 && p.srcPort <= 0xffff && p.dstPort >= 0 && p.dstPort <= 0xffff).toBe(true);
        expect(p.tcpSeq >= 0 && p.tcpSeq <= 0xffffffff && p.tcpAck >= 0 && p.tcpAck <= 0xffffffff).toBe(true);
      }
    }
    // the mutations reach every kind of outcome, including reassembly
    for (const r of ['ok', 'truncated', 'malformed', 'not_ip', 'fragment_pending', 'other_transport'] as const) expect(seen.get(r) ?? 0).toBeGreaterThan(0);
    expect(dec.stats.fragments.reassembled).toBeGreaterThan(0);
    dec.clearFragments();
    expect(dec.stats.fragments.bytesHeld).toBe(0);
  });

  it('survives nonsense arguments', () => {
    const dec = new PacketDecoder();
    const p = newDecodedPacket();
    const f = eth4(in4);
    const cases: Array<[number, number]> = [
      [-1, 10],
      [0, -5],
      [Number.NaN, 10],
      [0, Number.NaN],
      [0.5, 10],
      [f.length + 10, 10],
      [0, 1e12],
      [Number.POSITIVE_INFINITY, 1],
    ];
    for (const [off, cap] of cases) expect(() => dec.decode(f, off, cap, 1, Number.NaN, p)).not.toThrow();
    expect(dec.decode(f, 0, 1e12, 1, 0, p)).toBe('ok'); // caplen clamped to the buffer
    expect(dec.decode(f, -1, 10, 1, 0, p)).toBe('malformed');
    expect(dec.decode(new Uint8Array(0), 0, 0, 1, 0, p)).toBe('truncated');
  });
});
