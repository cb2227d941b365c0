import { describe, expect, it } from 'vitest';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../parsers/packet/types.js';
import {
  ascii,
  bytes,
  clientHelloStub,
  concat,
  eth4,
  eth6,
  ipv4,
  ipv6,
  ipv6Ah,
  ipv6Ext,
  ipv6Frag,
  tcp,
  udp,
} from './build.js';
import { run } from './harness.js';

const hello = clientHelloStub(100);
const v4 = { src: '10.1.2.3', dst: '10.4.5.6' };
const v6 = { src: 'fe80::1', dst: 'fe80::2' };

describe('IPv4', () => {
  it('skips IPv4 options (IHL > 5)', () => {
    const opts = bytes(0x94, 0x04, 0, 0, 0x01, 0x01, 0x01, 0x00); // router alert, NOPs, EOL
    const d = run(eth4(ipv4({ ...v4, proto: 6, options: opts }, tcp({ sport: 1234, dport: 443 }, hello))));
    expect(d.res).toBe('ok');
    expect(d.p.srcPort).toBe(1234);
    expect(d.payload).toEqual(hello);
  });

  it('rejects IHL below 5 and a total length shorter than the header as malformed', () => {
    expect(run(eth4(ipv4({ ...v4, proto: 6, ihl: 4 }, tcp({ sport: 1, dport: 2 })))).res).toBe('malformed');
    expect(run(eth4(ipv4({ ...v4, proto: 6, totalLength: 19 }, tcp({ sport: 1, dport: 2 })))).res).toBe('malformed');
    expect(run(eth4(ipv4({ ...v4, proto: 6, options: new Uint8Array(8), totalLength: 24 }, tcp({ sport: 1, dport: 2 })))).res).toBe('malformed');
  });

  it('rejects a version nibble other than 4 under EtherType 0x0800', () => {
    const pkt = ipv4({ ...v4, proto: 6 }, tcp({ sport: 1, dport: 2 }));
    pkt[0] = 0x65;
    expect(run(eth4(pkt)).res).toBe('malformed');
  });

  it('decodes the TCP header of a snapped packet and marks it snapped', () => {
    const frame = eth4(ipv4({ ...v4, proto: 6 }, tcp({ sport: 5555, dport: 443, seq: 77 }, hello)));
    const cut = frame.subarray(0, 14 + 20 + 20 + 10);
    const d = run(cut);
    expect(d.res).toBe('ok');
    expect(d.p.snapped).toBe(true);
    expect(d.p.tcpSeq).toBe(77);
    expect(d.p.payloadLength).toBe(10);
    expect(d.payload).toEqual(hello.subarray(0, 10));
  });

  it('takes the captured length when the total length is 0 (segmentation offload)', () => {
    const d = run(eth4(ipv4({ ...v4, proto: 6, totalLength: 0 }, tcp({ sport: 1, dport: 2 }, hello))));
    expect(d.res).toBe('ok');
    expect(d.payload).toEqual(hello);
    expect(d.p.snapped).toBe(false);
  });

  it('reports ICMP as other_transport with addresses and the IP payload', () => {
    const icmp = bytes(8, 0, 0, 0, 0, 1, 0, 1, 0x61, 0x62);
    const d = run(eth4(ipv4({ ...v4, proto: 1 }, icmp)));
    expect(d.res).toBe('other_transport');
    expect(d.p.ipVersion).toBe(4);
    expect(d.src).toBe('10.1.2.3');
    expect(d.dst).toBe('10.4.5.6');
    expect(d.p.protocol).toBe(1);
    expect(d.payload).toEqual(icmp);
  });
});

describe('TCP', () => {
  it('reads every flag, the window, and skips TCP options', () => {
    const flags = TCP_FIN | TCP_SYN | TCP_RST | TCP_PSH | TCP_ACK | 0x20 | 0x40 | 0x80;
    const opts = bytes(2, 4, 0x05, 0xb4, 1, 3, 3, 7); // MSS, NOP, window scale
    const d = run(eth4(ipv4({ ...v4, proto: 6 }, tcp({ sport: 1, dport: 2, flags, window: 1234, options: opts }, ascii('x')))));
    expect(d.res).toBe('ok');
    expect(d.p.tcpFlags).toBe(0xff);
    expect(d.p.tcpWindow).toBe(1234);
    expect(d.payload).toEqual(ascii('x'));
  });

  it('reports the AE (ex-NS) bit as 0x100', () => {
    const seg = tcp({ sport: 1, dport: 2, flags: TCP_ACK });
    seg[12] |= 0x01;
    expect(run(eth4(ipv4({ ...v4, proto: 6 }, seg))).p.tcpFlags).toBe(0x110);
  });

  it('returns seq/ack as unsigned 32-bit numbers', () => {
    const d = run(eth4(ipv4({ ...v4, proto: 6 }, tcp({ sport: 1, dport: 2, seq: 0xffffffff, ack: 0x80000000 }))));
    expect(d.p.tcpSeq).toBe(4294967295);
    expect(d.p.tcpAck).toBe(2147483648);
  });

  it('rejects a data offset below 5, or past the IP payload, as malformed', () => {
    expect(run(eth4(ipv4({ ...v4, proto: 6 }, tcp({ sport: 1, dport: 2, dataOffset: 4 })))).res).toBe('malformed');
    expect(run(eth4(ipv4({ ...v4, proto: 6 }, tcp({ sport: 1, dport: 2, dataOffset: 15 })))).res).toBe('malformed');
  });

  it('calls a header cut by the capture truncated', () => {
    const frame = eth4(ipv4({ ...v4, proto: 6 }, tcp({ sport: 1, dport: 2, options: new Uint8Array(12) })));
    expect(run(frame.subarray(0, frame.length - 1)).res).toBe('truncated');
  });
});

describe('UDP', () => {
  it('decodes ports and payload', () => {
    const d = run(eth4(ipv4({ ...v4, proto: 17 }, udp({ sport: 5353, dport: 443 }, hello))));
    expect(d.res).toBe('ok');
    expect(d.p.protocol).toBe(17);
    expect(d.p.srcPort).toBe(5353);
    expect(d.p.dstPort).toBe(443);
    expect(d.payload).toEqual(hello);
  });

  it('bounds the payload by the UDP length', () => {
    const d = run(eth4(ipv4({ ...v4, proto: 17 }, udp({ sport: 1, dport: 2, length: 12 }, ascii('abcdefgh')))));
    expect(d.res).toBe('ok');
    expect(d.payload).toEqual(ascii('abcd'));
  });

  it('rejects lengths below 8 or beyond the IP payload as malformed', () => {
    expect(run(eth4(ipv4({ ...v4, proto: 17 }, udp({ sport: 1, dport: 2, length: 7 }, ascii('ab'))))).res).toBe('malformed');
    expect(run(eth4(ipv4({ ...v4, proto: 17 }, udp({ sport: 1, dport: 2, length: 100 }, ascii('ab'))))).res).toBe('malformed');
  });

  it('accepts a UDP length beyond a snapped capture', () => {
    const frame = eth4(ipv4({ ...v4, proto: 17 }, udp({ sport: 1, dport: 2 }, hello)));
    const d = run(frame.subarray(0, frame.length - 50));
    expect(d.res).toBe('ok');
    expect(d.p.snapped).toBe(true);
    expect(d.payload).toEqual(hello.subarray(0, 50));
  });

  it('takes the IP payload when the UDP length is 0 (jumbogram)', () => {
    const d = run(eth6(ipv6({ ...v6, nextHeader: 17 }, udp({ sport: 1, dport: 2, length: 0 }, hello))));
    expect(d.res).toBe('ok');
    expect(d.payload).toEqual(hello);
  });
});

describe('IPv6 extension headers', () => {
  const seg = tcp({ sport: 4444, dport: 443, seq: 9 }, hello);

  it('walks hop-by-hop, routing, destination options and AH to TCP', () => {
    // HBH → routing → destination options → AH → destination options → TCP
    const chain = ipv6Ext(43, ipv6Ext(60, ipv6Ext(51, ipv6Ah(60, ipv6Ext(6, seg, 2)))), 3);
    const d = run(eth6(ipv6({ ...v6, nextHeader: 0 }, chain)));
    expect(d.res).toBe('ok');
    expect(d.p.ipVersion).toBe(6);
    expect(d.p.protocol).toBe(6);
    expect(d.p.srcPort).toBe(4444);
    expect(d.payload).toEqual(hello);
    expect(d.src).toBe('fe80:0:0:0:0:0:0:1');
  });

  it('treats an atomic fragment (offset 0, M = 0) as a whole packet', () => {
    const d = run(eth6(ipv6({ ...v6, nextHeader: 44 }, ipv6Frag(6, 0, false, 99, seg))));
    expect(d.res).toBe('ok');
    expect(d.p.reassembled).toBe(false);
    expect(d.payload).toEqual(hello);
  });

  it('reports ESP and no-next-header as other_transport', () => {
    const esp = run(eth6(ipv6({ ...v6, nextHeader: 0 }, ipv6Ext(50, bytes(0, 0, 1, 0, 0, 0, 0, 1, 0xaa)))));
    expect(esp.res).toBe('other_transport');
    expect(esp.p.protocol).toBe(50);
    expect(esp.src).toBe('fe80:0:0:0:0:0:0:1');
    const none = run(eth6(ipv6({ ...v6, nextHeader: 59 }, new Uint8Array(0))));
    expect(none.res).toBe('other_transport');
    expect(none.p.protocol).toBe(59);
  });

  it('reports ICMPv6 as other_transport', () => {
    const d = run(eth6(ipv6({ ...v6, nextHeader: 58 }, bytes(128, 0, 0, 0, 0, 1, 0, 1))));
    expect(d.res).toBe('other_transport');
    expect(d.p.protocol).toBe(58);
  });

  it('reports an extension header running past the payload as malformed, past the capture as truncated', () => {
    const pkt = ipv6({ ...v6, nextHeader: 0 }, bytes(6, 4, 0, 0, 0, 0, 0, 0));
    expect(run(eth6(pkt)).res).toBe('malformed');
    const long = eth6(ipv6({ ...v6, nextHeader: 0 }, ipv6Ext(6, seg, 4)));
    expect(run(long.subarray(0, 14 + 40 + 20)).res).toBe('truncated');
  });

  it('gives up on absurdly long extension header chains', () => {
    let chain: Uint8Array = seg;
    for (let i = 0; i < 20; i++) chain = ipv6Ext(i === 0 ? 6 : 60, chain);
    expect(run(eth6(ipv6({ ...v6, nextHeader: 60 }, chain))).res).toBe('malformed');
  });

  it('uses the captured length for a zero payload length and marks a snapped one', () => {
    expect(run(eth6(ipv6({ ...v6, nextHeader: 6, payloadLength: 0 }, seg))).payload).toEqual(hello);
    const frame = eth6(ipv6({ ...v6, nextHeader: 6 }, seg));
    const d = run(frame.subarray(0, frame.length - 30));
    expect(d.res).toBe('ok');
    expect(d.p.snapped).toBe(true);
    expect(d.p.payloadLength).toBe(hello.length - 30);
  });
});

describe('payload views', () => {
  it('points into the caller buffer without copying', () => {
    const frame = eth4(ipv4({ ...v4, proto: 6 }, tcp({ sport: 1, dport: 2 }, hello)));
    const d = run(frame);
    expect(d.p.payload).toBe(frame);
    expect(d.p.payloadOffset).toBe(54);
    expect(concat(d.p.payload.subarray(d.p.payloadOffset, d.p.payloadOffset + d.p.payloadLength))).toEqual(hello);
  });
});
