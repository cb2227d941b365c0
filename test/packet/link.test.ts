import { describe, expect, it } from 'vitest';
import { PacketDecoder } from '../../parsers/packet/decode.js';
import { newDecodedPacket } from '../../parsers/packet/types.js';
import {
  ascii,
  bytes,
  clientHelloStub,
  concat,
  eth4,
  ethernet,
  ethernetSnap,
  ip4,
  ipv4,
  ipv6,
  mpls,
  nullLink,
  pppoe,
  sll,
  sll2,
  tcp,
  udp,
} from './build.js';
import { run } from './harness.js';

const hello = clientHelloStub();
const tcp4 = ipv4({ src: '192.0.2.1', dst: '198.51.100.7', proto: 6 }, tcp({ sport: 40000, dport: 443, seq: 0xfffffff0, ack: 0x80000001, flags: 0x18 }, hello));
const tcp6 = ipv6({ src: '2001:db8::1', dst: '2001:db8:ffff::2', nextHeader: 6 }, tcp({ sport: 50000, dport: 443 }, hello));

function expectTcp4(d: ReturnType<typeof run>): void {
  expect(d.res).toBe('ok');
  expect(d.p.ipVersion).toBe(4);
  expect(d.src).toBe('192.0.2.1');
  expect(d.dst).toBe('198.51.100.7');
  expect(d.p.protocol).toBe(6);
  expect(d.p.srcPort).toBe(40000);
  expect(d.p.dstPort).toBe(443);
  expect(d.payload).toEqual(hello);
}

function expectTcp6(d: ReturnType<typeof run>): void {
  expect(d.res).toBe('ok');
  expect(d.p.ipVersion).toBe(6);
  expect(d.src).toBe('2001:db8:0:0:0:0:0:1');
  expect(d.dst).toBe('2001:db8:ffff:0:0:0:0:2');
  expect(d.p.srcPort).toBe(50000);
  expect(d.p.dstPort).toBe(443);
  expect(d.payload).toEqual(hello);
}

describe('Ethernet', () => {
  it('decodes IPv4/TCP with addresses, ports, unsigned seq/ack and payload', () => {
    const d = run(eth4(tcp4));
    expectTcp4(d);
    expect(d.p.tcpSeq).toBe(0xfffffff0);
    expect(d.p.tcpAck).toBe(0x80000001);
    expect(d.p.tcpFlags).toBe(0x18);
    expect(d.p.tcpWindow).toBe(65535);
    expect(d.p.vlan).toBe(0);
    expect(d.p.tunnelDepth).toBe(0);
    expect(d.p.reassembled).toBe(false);
    expect(d.p.snapped).toBe(false);
  });

  it('decodes IPv6/TCP', () => {
    expectTcp6(run(ethernet({ type: 0x86dd }, tcp6)));
  });

  it('trusts the IP total length over trailing Ethernet padding', () => {
    const small = ipv4({ src: '192.0.2.1', dst: '198.51.100.7', proto: 6 }, tcp({ sport: 1, dport: 2 }, ascii('hi')));
    const frame = ethernet({ type: 0x0800, pad: true }, small);
    expect(frame.length).toBe(60);
    const d = run(frame);
    expect(d.res).toBe('ok');
    expect(d.payload).toEqual(ascii('hi'));
  });

  it('trims padding after an IPv6 packet by its payload length', () => {
    const small = ipv6({ src: '::1', dst: '::2', nextHeader: 17 }, udp({ sport: 1, dport: 2 }));
    const d = run(concat(ethernet({ type: 0x86dd }, small), new Uint8Array(10)));
    expect(d.res).toBe('ok');
    expect(d.p.payloadLength).toBe(0);
  });

  it.each([
    ['802.1Q', [{ vid: 100 }]],
    ['QinQ 802.1ad + 802.1Q', [{ tpid: 0x88a8, vid: 200 }, { vid: 100 }]],
    ['0x9100 stacked', [{ tpid: 0x9100, vid: 300 }, { tpid: 0x9100, vid: 301 }, { vid: 302 }]],
    ['four tags', [{ tpid: 0x88a8, vid: 7 }, { vid: 8 }, { vid: 9 }, { vid: 10 }]],
  ])('reports the outermost VLAN id through %s tags', (_name, tags) => {
    const d = run(ethernet({ type: 0x0800, tags }, tcp4));
    expectTcp4(d);
    expect(d.p.vlan).toBe(tags[0].vid);
  });

  it('gives up on more than four VLAN tags as malformed', () => {
    const tags = [1, 2, 3, 4, 5].map((vid) => ({ vid }));
    expect(run(ethernet({ type: 0x0800, tags }, tcp4)).res).toBe('malformed');
  });

  it('decodes PPPoE session frames carrying IPv4 and IPv6', () => {
    expectTcp4(run(ethernet({ type: 0x8864 }, pppoe(0x0021, tcp4))));
    expectTcp6(run(ethernet({ type: 0x8864 }, pppoe(0x0057, tcp6))));
  });

  it('decodes PPPoE over QinQ (as in the Zeek pppoe-over-qinq trace)', () => {
    const d = run(ethernet({ type: 0x8864, tags: [{ tpid: 0x88a8, vid: 10 }, { vid: 20 }] }, pppoe(0x0021, tcp4)));
    expectTcp4(d);
    expect(d.p.vlan).toBe(10);
  });

  it('treats PPP control protocols and PPPoE discovery as not IP', () => {
    expect(run(ethernet({ type: 0x8864 }, pppoe(0xc021, bytes(1, 1, 0, 4)))).res).toBe('not_ip');
    expect(run(ethernet({ type: 0x8863 }, bytes(0x11, 0x09, 0, 0, 0, 0))).res).toBe('not_ip');
  });

  it('decodes an MPLS label stack to IPv4 or IPv6 by the first nibble', () => {
    expectTcp4(run(ethernet({ type: 0x8847 }, mpls([16], tcp4))));
    expectTcp6(run(ethernet({ type: 0x8847 }, mpls([16, 17, 18], tcp6))));
  });

  it('decodes an Ethernet pseudowire (control word) under MPLS', () => {
    const d = run(ethernet({ type: 0x8847 }, mpls([100, 200], concat(bytes(0, 0, 0, 0), eth4(tcp4)))));
    expectTcp4(d);
  });

  it('decodes 802.3 frames with LLC/SNAP', () => {
    expectTcp4(run(ethernetSnap(0x0800, tcp4)));
  });

  it('reports ARP, LLDP and plain LLC as not IP', () => {
    expect(run(ethernet({ type: 0x0806 }, new Uint8Array(28))).res).toBe('not_ip');
    expect(run(ethernet({ type: 0x88cc }, new Uint8Array(20))).res).toBe('not_ip');
    expect(run(concat(new Uint8Array(12), bytes(0, 38), bytes(0x42, 0x42, 0x03), new Uint8Array(35))).res).toBe('not_ip');
  });

  it('resets every field between packets', () => {
    const dec = new PacketDecoder();
    const p = newDecodedPacket();
    expect(dec.decode(eth4(tcp4), 0, eth4(tcp4).length, 1, 0, p)).toBe('ok');
    expect(p.srcPort).toBe(40000);
    const arp = ethernet({ type: 0x0806, tags: [{ vid: 9 }] }, new Uint8Array(28));
    expect(dec.decode(arp, 0, arp.length, 1, 0, p)).toBe('not_ip');
    expect(p.srcPort).toBe(0);
    expect(p.ipVersion).toBe(0);
    expect(p.src4).toBe(0);
    expect(p.tcpSeq).toBe(0);
    expect(p.payloadLength).toBe(0);
    expect(p.vlan).toBe(9);
  });
});

describe('other link types', () => {
  it('decodes Linux cooked capture v1 (113) and v2 (276)', () => {
    expectTcp4(run(sll(0x0800, tcp4), 113));
    expectTcp6(run(sll(0x86dd, tcp6), 113));
    expectTcp4(run(sll2(0x0800, tcp4), 276));
    expectTcp6(run(sll2(0x86dd, tcp6), 276));
    // a VLAN tag the kernel did not strip
    expectTcp4(run(sll(0x8100, concat(bytes(0, 5, 8, 0), tcp4)), 113));
    // ARPHRD-specific protocol codes below 0x0600 (802.2 LLC here)
    expect(run(sll(0x0004, new Uint8Array(20)), 113).res).toBe('not_ip');
  });

  it.each([0, 108])('decodes BSD loopback (%i) in either byte order', (lt) => {
    expectTcp4(run(nullLink(2, true, tcp4), lt));
    expectTcp4(run(nullLink(2, false, tcp4), lt));
    for (const af of [24, 28, 30]) {
      expectTcp6(run(nullLink(af, true, tcp6), lt));
      expectTcp6(run(nullLink(af, false, tcp6), lt));
    }
    expect(run(nullLink(7, true, tcp4), lt).res).toBe('not_ip');
  });

  it.each([12, 14, 101])('decodes raw IP (%i) by the version nibble', (lt) => {
    expectTcp4(run(tcp4, lt));
    expectTcp6(run(tcp6, lt));
    expect(run(concat(bytes(0x50), tcp4.subarray(1)), lt).res).toBe('malformed');
  });

  it('decodes LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229)', () => {
    expectTcp4(run(tcp4, 228));
    expectTcp6(run(tcp6, 229));
    expect(run(tcp6, 228).res).toBe('malformed');
  });

  it('decodes PPP (9) with and without the HDLC address/control bytes', () => {
    expectTcp4(run(concat(bytes(0xff, 0x03, 0x00, 0x21), tcp4), 9));
    expectTcp6(run(concat(bytes(0x00, 0x57), tcp6), 9));
    expectTcp4(run(concat(bytes(0x21), tcp4), 9)); // protocol field compression
  });

  it('reports unknown link types as unsupported', () => {
    expect(run(tcp4, 127).res).toBe('unsupported_link');
    expect(run(tcp4, 999999).res).toBe('unsupported_link');
  });

  it('decodes at a non-zero offset within a larger buffer', () => {
    const frame = eth4(tcp4);
    const big = concat(new Uint8Array(33).fill(0xee), frame, new Uint8Array(17).fill(0xdd));
    const out = newDecodedPacket();
    expect(new PacketDecoder().decode(big, 33, frame.length, 1, 0, out)).toBe('ok');
    expect(out.src4).toBe(ip4('192.0.2.1'));
    expect(out.payload).toBe(big);
    expect(out.payload.slice(out.payloadOffset, out.payloadOffset + out.payloadLength)).toEqual(hello);
  });
});
