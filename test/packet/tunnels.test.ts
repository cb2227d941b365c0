import { describe, expect, it } from 'vitest';
import { PacketDecoder } from '../../parsers/packet/decode.js';
import {
  bytes,
  clientHelloStub,
  concat,
  erspan2,
  erspan3,
  eth4,
  eth6,
  ethernet,
  geneve,
  gre,
  gtpu,
  ipv4,
  ipv6,
  mpls,
  tcp,
  udp,
  vxlan,
  vxlanGpe,
} from './build.js';
import { run, type Decoded } from './harness.js';

const hello = clientHelloStub(80);
const innerTcp = tcp({ sport: 51000, dport: 443, seq: 123456 }, hello);
const inner4 = ipv4({ src: '172.16.0.10', dst: '172.16.9.9', proto: 6 }, innerTcp);
const inner6 = ipv6({ src: '2001:db8:1::10', dst: '2001:db8:2::20', nextHeader: 6 }, innerTcp);
const outer4 = (proto: number, payload: Uint8Array): Uint8Array => ipv4({ src: '203.0.113.1', dst: '203.0.113.2', proto }, payload);
const outer6 = (nh: number, payload: Uint8Array): Uint8Array => ipv6({ src: '2001:db8::a', dst: '2001:db8::b', nextHeader: nh }, payload);
const outerUdp = (dport: number, payload: Uint8Array): Uint8Array => eth4(outer4(17, udp({ sport: 33333, dport }, payload)));

function expectInner4(d: Decoded, depth = 1): void {
  expect(d.res).toBe('ok');
  expect(d.p.ipVersion).toBe(4);
  expect(d.src).toBe('172.16.0.10');
  expect(d.dst).toBe('172.16.9.9');
  expect(d.p.protocol).toBe(6);
  expect(d.p.srcPort).toBe(51000);
  expect(d.p.dstPort).toBe(443);
  expect(d.p.tcpSeq).toBe(123456);
  expect(d.payload).toEqual(hello);
  expect(d.p.tunnelDepth).toBe(depth);
}

function expectInner6(d: Decoded, depth = 1): void {
  expect(d.res).toBe('ok');
  expect(d.p.ipVersion).toBe(6);
  expect(d.src).toBe('2001:db8:1:0:0:0:0:10');
  expect(d.p.srcPort).toBe(51000);
  expect(d.payload).toEqual(hello);
  expect(d.p.tunnelDepth).toBe(depth);
}

describe('IP-in-IP', () => {
  it('decodes IPv4 in IPv4 (4), IPv6 in IPv4 (41), IPv4 in IPv6, IPv6 in IPv6', () => {
    expectInner4(run(eth4(outer4(4, inner4))));
    expectInner6(run(eth4(outer4(41, inner6))));
    expectInner4(run(eth6(outer6(4, inner4))));
    expectInner6(run(eth6(outer6(41, inner6))));
  });

  it('counts the layers and keeps the outer VLAN', () => {
    const d = run(ethernet({ type: 0x0800, tags: [{ vid: 77 }] }, outer4(4, outer4(4, inner4))));
    expectInner4(d, 2);
    expect(d.p.vlan).toBe(77);
  });
});

describe('GRE', () => {
  const combos: Array<{ checksum?: boolean; key?: number; seq?: number }> = [];
  for (let m = 0; m < 8; m++) combos.push({ checksum: (m & 1) !== 0, key: m & 2 ? 0xabcdef : undefined, seq: m & 4 ? 42 : undefined });

  it.each(combos)('decodes IPv4, IPv6 and Ethernet with checksum/key/sequence %o', (flags) => {
    expectInner4(run(eth4(outer4(47, gre({ proto: 0x0800, ...flags }, inner4)))));
    expectInner6(run(eth4(outer4(47, gre({ proto: 0x86dd, ...flags }, inner6)))));
    expectInner4(run(eth6(outer6(47, gre({ proto: 0x6558, ...flags }, eth4(inner4))))));
  });

  it('skips RFC 1701 source routes', () => {
    const routing = [bytes(1, 2, 3, 4, 5, 6, 7, 8), bytes(9, 9, 9, 9)];
    expectInner4(run(eth4(outer4(47, gre({ proto: 0x0800, routing, key: 5 }, inner4)))));
  });

  it('decodes PPTP enhanced GRE (version 1) carrying PPP', () => {
    const ppp = concat(bytes(0xff, 0x03, 0x00, 0x21), inner4);
    expectInner4(run(eth4(outer4(47, gre({ proto: 0x880b, version: 1, key: 0x00400001, seq: 1, ack: 7 }, ppp)))));
  });

  it('rejects unknown GRE versions and reports non-IP payloads as not IP', () => {
    expect(run(eth4(outer4(47, gre({ proto: 0x0800, version: 2 }, inner4)))).res).toBe('malformed');
    expect(run(eth4(outer4(47, gre({ proto: 0x0806 }, new Uint8Array(28))))).res).toBe('not_ip');
  });

  it('decodes MPLS over GRE', () => {
    expectInner4(run(eth4(outer4(47, gre({ proto: 0x8847 }, mpls([1000], inner4))))));
  });

  it('decodes GRE in UDP (port 4754)', () => {
    expectInner4(run(outerUdp(4754, gre({ proto: 0x0800 }, inner4))));
  });
});

describe('ERSPAN', () => {
  it('decodes type II (GRE sequence bit, 8-byte header, then Ethernet)', () => {
    expectInner4(run(eth4(outer4(47, gre({ proto: 0x88be, seq: 0 }, erspan2(eth4(inner4)))))));
  });

  it('decodes type I (no sequence bit: Ethernet right after GRE)', () => {
    expectInner4(run(eth4(outer4(47, gre({ proto: 0x88be }, eth4(inner4))))));
  });

  it('decodes type III with and without the platform subheader', () => {
    expectInner4(run(eth4(outer4(47, gre({ proto: 0x22eb, seq: 1 }, erspan3({}, eth4(inner4)))))));
    expectInner6(run(eth4(outer4(47, gre({ proto: 0x22eb, seq: 1 }, erspan3({ o: true }, eth6(inner6)))))));
  });

  it('decodes type III mirroring bare IP frames (frame type 2)', () => {
    expectInner4(run(eth4(outer4(47, gre({ proto: 0x22eb, seq: 1 }, erspan3({ frameType: 2 }, inner4))))));
  });

  it('keeps a VLAN tag of the mirrored frame when the outer frame has none', () => {
    const d = run(eth4(outer4(47, gre({ proto: 0x88be, seq: 0 }, erspan2(ethernet({ type: 0x0800, tags: [{ vid: 33 }] }, inner4))))));
    expectInner4(d);
    expect(d.p.vlan).toBe(33);
  });
});

describe('UDP tunnels', () => {
  it('decodes VXLAN (4789) to the inner Ethernet frame', () => {
    expectInner4(run(outerUdp(4789, vxlan(5001, eth4(inner4)))));
    expectInner6(run(outerUdp(4789, vxlan(5001, eth6(inner6)))));
  });

  it('decodes VXLAN-GPE (4790) by its next-protocol byte', () => {
    expectInner4(run(outerUdp(4790, vxlanGpe(1, 3, eth4(inner4)))));
    expectInner4(run(outerUdp(4790, vxlanGpe(1, 1, inner4))));
    expectInner6(run(outerUdp(4790, vxlanGpe(1, 2, inner6))));
    expect(run(outerUdp(4790, vxlanGpe(1, 4, inner4))).res).toBe('not_ip');
  });

  it('decodes Geneve (6081) with options, carrying Ethernet, IPv4 or IPv6', () => {
    expectInner4(run(outerUdp(6081, geneve(0x6558, eth4(inner4)))));
    expectInner4(run(outerUdp(6081, geneve(0x6558, eth4(inner4), 8))));
    expectInner4(run(outerUdp(6081, geneve(0x0800, inner4, 252))));
    expectInner6(run(outerUdp(6081, geneve(0x86dd, inner6, 4))));
  });

  it('rejects Geneve versions other than 0', () => {
    const g = geneve(0x0800, inner4);
    g[0] |= 0x40;
    expect(run(outerUdp(6081, g)).res).toBe('malformed');
  });

  it('decodes GTP-U (2152) with and without extension headers', () => {
    expectInner4(run(outerUdp(2152, gtpu(inner4))));
    expectInner6(run(outerUdp(2152, gtpu(inner6, true))));
    // echo request: no user packet
    expect(run(outerUdp(2152, bytes(0x32, 0x01, 0, 4, 0, 0, 0, 0, 0, 1, 0, 0))).res).toBe('not_ip');
  });

  it('only treats the destination port as a tunnel port', () => {
    const d = run(eth4(outer4(17, udp({ sport: 4789, dport: 40000 }, hello))));
    expect(d.res).toBe('ok');
    expect(d.p.tunnelDepth).toBe(0);
    expect(d.payload).toEqual(hello);
  });

  it('reports ICMP inside Geneve with the inner addresses and no outer ports', () => {
    const icmp = ipv4({ src: '30.0.0.1', dst: '30.0.0.2', proto: 1 }, bytes(8, 0, 0, 0, 0, 1, 0, 1));
    const d = run(outerUdp(6081, geneve(0x6558, eth4(icmp))));
    expect(d.res).toBe('other_transport');
    expect(d.src).toBe('30.0.0.1');
    expect(d.p.srcPort).toBe(0);
    expect(d.p.dstPort).toBe(0);
    expect(d.p.tunnelDepth).toBe(1);
  });
});

describe('nesting', () => {
  it('reports the innermost flow through GRE/ERSPAN → VXLAN → Geneve → IP-in-IP', () => {
    const l4 = eth4(outer4(4, inner4));
    const l3 = outerUdp(6081, geneve(0x6558, l4));
    const l2 = outerUdp(4789, vxlan(9, l3));
    const frame = eth4(outer4(47, gre({ proto: 0x88be, seq: 3 }, erspan2(l2))));
    const dec = new PacketDecoder();
    expectInner4(run(frame, 1, 0, dec), 4);
    expect(dec.stats.tunnels).toMatchObject({ erspan: 1, vxlan: 1, geneve: 1, ipInIp: 1, gre: 0 });
  });

  it('gives up beyond the tunnel depth limit and counts it', () => {
    let pkt = inner4;
    for (let i = 0; i < 9; i++) pkt = outer4(4, pkt);
    const dec = new PacketDecoder();
    expect(run(eth4(pkt), 1, 0, dec).res).toBe('malformed');
    expect(dec.stats.tunnels.depthExceeded).toBe(1);
    // exactly at the limit is fine
    let ok = inner4;
    for (let i = 0; i < 8; i++) ok = outer4(4, ok);
    expectInner4(run(eth4(ok), 1, 0, dec), 8);
  });

  it('honours a custom tunnel depth limit', () => {
    const dec = new PacketDecoder({ maxTunnelDepth: 0 });
    expect(run(eth4(outer4(4, inner4)), 1, 0, dec).res).toBe('malformed');
    expect(run(eth4(inner4), 1, 0, dec).res).toBe('ok');
  });
});
