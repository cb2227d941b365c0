import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PacketDecoder } from '../../parsers/packet/decode.js';
import { newDecodedPacket, type DecodeResult } from '../../parsers/packet/types.js';
import { describe as describeResult, readPcap, type Decoded } from './harness.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(repoRoot, '../shared/corpus');
const TSHARK = '/usr/bin/tshark';

interface Run {
  linkType: number;
  results: Decoded[];
  counts: Partial<Record<DecodeResult, number>>;
}

async function decodeFile(rel: string): Promise<Run> {
  const { linkType, packets } = await readPcap(path.join(corpus, rel));
  const dec = new PacketDecoder();
  const results: Decoded[] = [];
  const counts: Partial<Record<DecodeResult, number>> = {};
  for (const pkt of packets) {
    const p = newDecodedPacket();
    const res = dec.decode(pkt.data, 0, pkt.data.length, linkType, pkt.tsSec + pkt.tsUsec / 1e6, p);
    counts[res] = (counts[res] ?? 0) + 1;
    results.push(describeResult(res, p));
  }
  return { linkType, results, counts };
}

function isClientHello(d: Decoded): boolean {
  const b = d.payload;
  return d.res === 'ok' && d.p.protocol === 6 && b.length >= 6 && b[0] === 0x16 && b[1] === 0x03 && b[5] === 0x01;
}

/** "src:port" of every TCP segment that starts with a TLS ClientHello record. */
function clientHellos(r: Run): string[] {
  return [...new Set(r.results.filter(isClientHello).map((d) => `${d.src}:${d.p.srcPort}`))].sort();
}

function tsharkClientHellos(file: string): string[] {
  const out = execFileSync(TSHARK, ['-r', file, '-Y', 'tls.handshake.type == 1 && tcp', '-T', 'fields', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const set = new Set<string>();
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    const [v4, v6, port] = line.split('\t');
    // tunnelled frames list every IP layer's address: the innermost is last
    const addr = (v4 || v6).split(',').pop() ?? '';
    set.add(`${v6 && !v4 ? expand6(addr) : addr}:${port}`);
  }
  return [...set].sort();
}

/** tshark prints compressed IPv6; the harness prints all eight groups. */
function expand6(a: string): string {
  const [h, t] = a.includes('::') ? a.split('::') : [a, undefined];
  const head = h ? h.split(':') : [];
  const tail = t ? t.split(':') : [];
  const groups = t === undefined ? head : [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  return groups.map((g) => parseInt(g, 16).toString(16)).join(':');
}

const have = existsSync(corpus);

describe.skipIf(!have)('corpus: tunnelled and encapsulated captures', () => {
  it('gre-erspan-vxlan.pcap: HTTP inside GRE/ERSPAN II → VXLAN(-GPE, port 4790), two tunnel layers', async () => {
    const r = await decodeFile('ja4/pcaps/gre-erspan-vxlan.pcap');
    expect(r.linkType).toBe(1);
    expect(r.results.length).toBe(7);
    expect(r.counts).toEqual({ ok: 7 });
    for (const d of r.results) {
      expect(d.p.tunnelDepth).toBe(2);
      expect([d.src, d.dst].sort()).toEqual(['10.16.27.12', '10.16.27.131']);
      expect([d.p.srcPort, d.p.dstPort].sort((a, b) => a - b)).toEqual([80, 65174]);
    }
    const payloads = r.results.filter((d) => d.payload.length > 0).map((d) => new TextDecoder().decode(d.payload));
    expect(payloads).toEqual(['GET /Hello Arkime HTTP/1.0\r\n\r\n', 'HTTP/1.1 200 OK\r\n\r\nHi Andy!']);
    // no TLS in this capture (tshark finds no ClientHello either)
    expect(clientHellos(r)).toEqual([]);
    expect(r.results[0].p.tcpFlags).toBe(0x02);
  });

  it('tcpdump-geneve.pcap: SSH and ICMP inside Geneve with options', async () => {
    const r = await decodeFile('ja4/pcaps/tcpdump-geneve.pcap');
    expect(r.results.length).toBe(39);
    expect(r.counts).toEqual({ ok: 33, other_transport: 6 });
    for (const d of r.results) {
      expect(d.p.tunnelDepth).toBe(1);
      expect(d.src.startsWith('30.0.0.')).toBe(true);
    }
    const icmp = r.results.filter((d) => d.res === 'other_transport');
    expect(icmp.every((d) => d.p.protocol === 1)).toBe(true);
    const banners = r.results.filter((d) => d.payload.length > 0 && d.payload[0] === 0x53).map((d) => new TextDecoder().decode(d.payload).trim());
    expect(banners).toEqual(['SSH-2.0-OpenSSH_5.9p1 Debian-5ubuntu1', 'SSH-2.0-OpenSSH_5.3']);
    expect(clientHellos(r)).toEqual([]);
  });

  it('geneve-47101.pcap: a TLS ClientHello inside Geneve (outer 127.0.0.1 UDP 47101 → 6081)', async () => {
    const r = await decodeFile('zeek/traces/geneve-47101.pcap');
    expect(r.results.length).toBe(24);
    expect(r.counts).toEqual({ ok: 24 });
    expect(r.results.every((d) => d.p.tunnelDepth === 1)).toBe(true);
    expect(clientHellos(r)).toEqual(['192.168.0.107:45474']);
    const ch = r.results.find(isClientHello);
    expect(ch?.dst).toBe('145.40.68.75');
    expect(ch?.p.dstPort).toBe(443);
    expect(ch?.payload.length).toBe(517);
    // packet 15 is a 14 080-byte TSO/GRO segment
    expect(Math.max(...r.results.map((d) => d.p.payloadLength))).toBe(14080);
  });

  it('pppoe-over-qinq.pcap: a TLS ClientHello inside PPPoE under two stacked 802.1Q tags', async () => {
    const r = await decodeFile('zeek/traces/pppoe-over-qinq.pcap');
    expect(r.results.length).toBe(86);
    expect(r.counts).toEqual({ ok: 86 });
    expect(clientHellos(r)).toEqual(['1.1.1.1:20394']);
    const ch = r.results.find(isClientHello);
    expect(ch?.dst).toBe('2.2.2.2');
    expect(ch?.p.dstPort).toBe(443);
    expect(ch?.p.tunnelDepth).toBe(0);
    // outer tag 3704, inner 2474 (tshark: vlan.id 3704,2474): the outermost is reported
    expect(new Set(r.results.map((d) => d.p.vlan))).toEqual(new Set([3704]));
  });

  it.each([
    ['ja4/pcaps/tls-alpn-h2.pcap', 0, ['2001:4998:ef83:14:8000:0:0:100d:64034']],
    ['zeek/traces/ml-dsa-44-cert.pcap', 101, ['10.0.0.1:55001']],
    ['zeek/traces/openjdk-25.0.2-zeek.org.pcap', 276, ['192.168.64.6:55058']],
    ['zeek/traces/pop3-starttls.pcap', 0, ['192.168.4.149:54775']],
    ['ja3/ja3-rs/tests/curl-ipv6.pcap', 1, ['2601:147:c000:2c6f:7485:c56a:b677:f674:32864']],
  ])('%s (link type %i): finds the ClientHello flows', async (rel, lt, expected) => {
    const r = await decodeFile(rel);
    expect(r.linkType).toBe(lt);
    expect(clientHellos(r)).toEqual(expected);
    expect(r.counts.truncated ?? 0).toBe(0);
    expect(r.counts.malformed ?? 0).toBe(0);
  });

  it('irc-starttls.pcap (Linux SLL): every packet decodes', async () => {
    const r = await decodeFile('zeek/traces/irc-starttls.pcap');
    expect(r.linkType).toBe(113);
    expect(Object.keys(r.counts)).toEqual(['ok']);
  });
});

describe.skipIf(!have || !existsSync(TSHARK))('corpus: same ClientHello flows as tshark', () => {
  it.each([
    'ja4/pcaps/gre-erspan-vxlan.pcap',
    'ja4/pcaps/tcpdump-geneve.pcap',
    'zeek/traces/geneve-47101.pcap',
    'zeek/traces/pppoe-over-qinq.pcap',
    'ja4/pcaps/tls-alpn-h2.pcap',
    'zeek/traces/ml-dsa-44-cert.pcap',
    'zeek/traces/openjdk-25.0.2-zeek.org.pcap',
    'ja3/ja3-rs/tests/curl-ipv6.pcap',
    'ja3/suricata-verify/tests/tls-duplicate-hello/input.pcap',
  ])('%s', async (rel) => {
    const r = await decodeFile(rel);
    expect(clientHellos(r)).toEqual(tsharkClientHellos(path.join(corpus, rel)));
  });
});
