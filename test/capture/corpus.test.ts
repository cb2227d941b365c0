import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { corpusRoot, decodeChunked, magicOf, readMaybeGz, walk, type Pkt } from './helpers.js';

const require = createRequire(import.meta.url);

interface PcapParserHeader {
  timestampSeconds: number;
  timestampMicroseconds: number;
  capturedLength: number;
  originalLength: number;
}
interface PcapParserEmitter {
  on(ev: 'packet', f: (p: { header: PcapParserHeader; data: Buffer }) => void): void;
  on(ev: 'globalHeader', f: (h: { linkLayerType: number }) => void): void;
  on(ev: 'end', f: () => void): void;
  on(ev: 'error', f: (e: Error) => void): void;
}
const pcapParser = require('pcap-parser') as { parse(input: NodeJS.ReadableStream): PcapParserEmitter };

/** The oracle: every packet pcap-parser (µs classic pcap only) reads from these bytes. */
function oracle(bytes: Uint8Array): Promise<{ packets: Pkt[]; error?: Error }> {
  return new Promise((resolve) => {
    const stream = new PassThrough();
    const parser = pcapParser.parse(stream);
    const packets: Pkt[] = [];
    let linkType = -1;
    let error: Error | undefined;
    parser.on('globalHeader', (h) => (linkType = h.linkLayerType & 0xffff));
    parser.on('packet', ({ header: h, data }) => {
      let sec = h.timestampSeconds;
      let nsec = h.timestampMicroseconds * 1000;
      if (nsec >= 1e9) (sec += Math.floor(nsec / 1e9)), (nsec %= 1e9);
      packets.push({ hex: data.toString('hex'), caplen: h.capturedLength, origLen: h.originalLength, linkType, tsSec: sec, tsNsec: nsec, interfaceId: 0 });
    });
    parser.on('error', (e) => (error = e));
    parser.on('end', () => resolve({ packets, error }));
    stream.end(Buffer.from(bytes));
  });
}

const CLASSIC_US = new Set(['d4c3b2a1', 'a1b2c3d4']);
const corpusFiles = existsSync(corpusRoot) ? walk(corpusRoot) : [];
/** Classic µs pcaps (gzipped ones inflated), found by magic number, never by name. */
const classic = corpusFiles.filter((f) => {
  const head = readFileSync(f).subarray(0, 4);
  if (CLASSIC_US.has(magicOf(head))) return true;
  return head[0] === 0x1f && head[1] === 0x8b && CLASSIC_US.has(magicOf(readMaybeGz(f)));
});
const rel = (f: string): string => path.relative(corpusRoot, f);

describe('classic pcap corpus against the pcap-parser oracle', () => {
  it('finds the corpus and its gzipped trace', () => {
    expect(classic.length).toBeGreaterThan(50);
    expect(classic.map(rel)).toContain('zeek/traces/tls-fragmented-handshake.pcap.gz');
  });

  it.each(classic.map(rel))('%s: same packets, bytes and timestamps as pcap-parser', async (name) => {
    const bytes = readMaybeGz(path.join(corpusRoot, name));
    const want = await oracle(bytes);
    expect(want.error).toBeUndefined();
    const got = decodeChunked(bytes, 65536);
    expect(got.decoder.format).toBe('pcap');
    // pcap-parser silently drops a partial last record; we must report it instead.
    for (const e of got.errors) expect(e.kind).toBe('truncated');
    expect(got.packets.length).toBe(want.packets.length);
    expect(got.packets).toEqual(want.packets);
  });
});

const hasTshark = existsSync('/usr/bin/tshark');
const ja4Dir = path.join(corpusRoot, 'ja4/pcaps');
const pcapngs = (existsSync(ja4Dir) ? walk(ja4Dir) : []).filter((f) => magicOf(readFileSync(f)) === '0a0d0d0a');

/** tshark's frame.time_epoch for every frame, e.g. "1675707151.805776000". */
function tsharkTimes(file: string): string[] {
  const out = execFileSync('/usr/bin/tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 << 20,
  });
  return out.split('\n').filter((l) => l.length > 0);
}

const epoch = (p: Pkt): string => `${p.tsSec}.${String(p.tsNsec).padStart(9, '0')}`;
/** tshark prints as many fraction digits as it likes: normalise to 9. */
const norm = (t: string): string => {
  const [s, f = ''] = t.split('.');
  return `${s}.${f.padEnd(9, '0').slice(0, 9)}`;
};

describe('format detection on the corpus', () => {
  it('goes by magic number, not by name (ja4/pcaps/ipv6.pcapng is a classic pcap)', () => {
    const misnamed = corpusFiles.filter((f) => f.endsWith('.pcapng') && CLASSIC_US.has(magicOf(readFileSync(f))));
    for (const f of misnamed) expect(decodeChunked(readFileSync(f)).decoder.format).toBe('pcap');
    if (existsSync(path.join(ja4Dir, 'ipv6.pcapng'))) expect(misnamed.map(rel)).toContain('ja4/pcaps/ipv6.pcapng');
  });
});

describe('pcapng corpus (ja4/pcaps)', () => {
  it('finds the pcapng files', () => {
    expect(pcapngs.length).toBeGreaterThanOrEqual(10);
  });

  it.each(pcapngs.map(rel))('%s decodes with no error and a plausible packet count', (name) => {
    const bytes = readFileSync(path.join(corpusRoot, name));
    const got = decodeChunked(bytes, 4096);
    expect(got.errors).toEqual([]);
    expect(got.decoder.format).toBe('pcapng');
    expect(got.packets.length).toBeGreaterThan(0);
    // Each packet costs at least a 32-byte block plus its bytes.
    const payload = got.packets.reduce((n, p) => n + p.caplen + 32, 0);
    expect(payload).toBeLessThanOrEqual(bytes.length);
    expect(got.decoder.bytesConsumed).toBe(bytes.length);
    for (const p of got.packets) expect(p.tsSec).toBeGreaterThan(1e9); // after 2001: real captures
  });

  it.skipIf(!hasTshark).each(pcapngs.map(rel))('%s: same count and timestamps as tshark', (name) => {
    const file = path.join(corpusRoot, name);
    const want = tsharkTimes(file).map(norm);
    const got = decodeChunked(readFileSync(file), 1 << 20).packets.map(epoch);
    expect(got.length).toBe(want.length);
    expect(got[0]).toBe(want[0]);
    expect(got[got.length - 1]).toBe(want[want.length - 1]);
    expect(got).toEqual(want);
  });
});
